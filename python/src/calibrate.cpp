#include "calibrate.hpp"

#include <pybind11/stl.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "funnelsim/calibrate/calibrate.hpp"
#include "funnelsim/calibrate/calibration_request.hpp"
#include "funnelsim/core/usage_error.hpp"
#include "funnelsim/report/report.hpp"
#include "job_output.hpp"
#include "polled_job.hpp"
#include "scenario.hpp"

namespace py = pybind11;

namespace funnelsim::python {
namespace {

namespace fs = std::filesystem;

/// `calibrate` of the command line, with its options as arguments: each error names the argument
/// (base, observed, mapping, from_date, to_date) as the CLI names its option.
JobOutput calibrate(const LoadedScenario& base, const std::vector<std::string>& observed,
                    const std::vector<std::string>& free, const std::string& mapping, const std::string& from,
                    const std::string& to, std::optional<std::uint64_t> seed, std::optional<std::uint64_t> replications,
                    int threads, const py::object& progress) {
  if (!base.path())
    throw UsageError("base", "expected a scenario file (calibrated.json extends it by its path), found a dict");
  if (observed.empty())
    throw UsageError("observed", "expected CRM exports (CSV files or folders) or an observe result folder, found none");
  const calibrate::ObservedRequest request = calibrate::observed_request(
      std::vector<fs::path>(observed.begin(), observed.end()), mapping, from, to, {"mapping", "from_date", "to_date"});

  calibrate::CalibrationOptions options;
  options.seed = seed ? *seed : base.document().value("seed", std::uint64_t{1});
  if (replications) options.replications = *replications;
  options.threads = threads;
  options.start_date = request.first;  // from_date is the horizon's day 0, as export-crm prints it
  options.free = free;
  const std::string name = base.document().value("name", base.fallback_name());
  auto funnel = std::make_shared<crm::ObservedFunnel>();
  WhatIfOptions polled;
  polled.threads = threads;
  auto result = std::make_shared<const calibrate::CalibrationResult>(
      run_job<calibrate::CalibrationResult>(polled, progress, [&](const WhatIfOptions& o) {
        *funnel = calibrate::observed_funnel(request);  // reading takes seconds
        calibrate::CalibrationOptions job = options;
        job.cancel = o.cancel;
        job.progress = o.progress;
        try {
          return calibrate::calibrate(base.document(), name, *funnel, job);
        } catch (const calibrate::FreeParameterError& e) {
          throw named_by("free", e);
        }
      }));
  std::vector<std::pair<std::string, nlohmann::json>> kept;  // calibrated.json extends the file, without them
  for (const Override& o : base.origin().overrides) kept.emplace_back(o.pointer, o.json_value());
  const fs::path base_file = *base.path();
  const nlohmann::json document = base.document();
  return JobOutput(
      "calibrate", calibrate::run_id_of_calibration(document, options, from, to, *funnel), base.input_files(),
      {[result, document, base_file, kept](const fs::path& folder) {
         return calibrate::calibration_files(*result, document, calibrate::extends_path(base_file, folder), kept);
       },
       [](const ResultSetFiles& files) { return html_report(files); },  // reads fit.json
       [result] { return calibrate::calibration_table(*result); }});
}

}  // namespace

void add_calibrate(py::module_& m) {
  m.def("calibrate", &calibrate, py::arg("base"), py::arg("observed"), py::arg("free"), py::arg("mapping"),
        py::arg("from_date"), py::arg("to_date"), py::arg("seed"), py::arg("replications"), py::arg("threads"),
        py::arg("progress"));
}

}  // namespace funnelsim::python
