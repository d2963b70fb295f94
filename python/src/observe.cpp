#include "observe.hpp"

#include <pybind11/stl.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "funnelsim/core/usage_error.hpp"
#include "funnelsim/crm/mapping.hpp"
#include "funnelsim/crm/observe.hpp"
#include "funnelsim/crm/observe_output.hpp"
#include "funnelsim/report/report.hpp"
#include "job_output.hpp"

namespace py = pybind11;

namespace funnelsim::python {
namespace {

namespace fs = std::filesystem;

struct Measured {
  crm::ObservedData data;
  crm::ObservedFunnel funnel;
};

/// `observe` of the command line, with its options as arguments: each error names the argument
/// (format, mapping, from_date, to_date, date_order) as the CLI names its option.
JobOutput observe(const std::vector<std::string>& exports, const std::string& format, const std::string& mapping,
                  const std::string& from, const std::string& to, const std::string& date_order, bool strict) {
  if (exports.empty()) throw UsageError("exports", "expected at least one CSV export or folder of them, found none");
  const std::vector<fs::path> given(exports.begin(), exports.end());
  std::vector<fs::path> inputs = crm::export_files(given);
  if (!mapping.empty()) inputs.emplace_back(mapping);
  crm::ReadOptions options;
  if (format != "auto") options.format = naming_source("format", [&] { return crm::parse_format(format); });
  if (!mapping.empty()) options.mapping = naming_source("mapping", [&] { return crm::read_mapping(mapping); });
  if (date_order == "month-first")
    options.date_order = crm::DateOrder::month_first;
  else if (date_order == "day-first")
    options.date_order = crm::DateOrder::day_first;
  else if (!date_order.empty())
    throw UsageError("date_order", "expected \"month-first\" or \"day-first\", found \"" + date_order + "\"");
  options.strict = strict;
  const crm::Minute first =
      from.empty() ? crm::kNoTime : naming_source("from_date", [&] { return crm::parse_day(from); });
  const crm::Minute last = to.empty() ? crm::kNoTime : naming_source("to_date", [&] { return crm::parse_day(to); });
  if (first != crm::kNoTime && last != crm::kNoTime && last < first)
    throw UsageError("to_date", "expected a day on or after from_date " + from + ", found " + to);
  auto measured = std::make_shared<Measured>();
  {
    const py::gil_scoped_release nogil;  // reading a large export takes seconds
    try {
      measured->data = crm::read_exports(given, options);
    } catch (const crm::AmbiguousDateError& e) {
      throw UsageError(e.subject(), e.message() + " with date_order=\"month-first\" or \"day-first\"");
    }
    measured->funnel = crm::measure(measured->data.records, crm::window_of(measured->data.records, first, last));
  }
  const std::string run_id = crm::run_id_of_observe(inputs, {format, from, to, date_order, strict});
  const std::string origin = "observe of " + exports.front();
  return JobOutput(
      "observe", run_id, std::move(inputs),
      {[measured](const std::filesystem::path&) { return crm::observed_files(measured->data, measured->funnel); },
       [origin](const ResultSetFiles& files) { return html_report(files, origin); },
       [measured] { return crm::observed_text(measured->data, measured->funnel); }});
}

}  // namespace

void add_observe(py::module_& m) {
  m.def("observe", &observe, py::arg("exports"), py::arg("format"), py::arg("mapping"), py::arg("from_date"),
        py::arg("to_date"), py::arg("date_order"), py::arg("strict"));
}

}  // namespace funnelsim::python
