#include "funnelsim/calibrate/calibration_request.hpp"

#include <fmt/format.h>

#include "funnelsim/core/usage_error.hpp"
#include "funnelsim/crm/records.hpp"
#include "funnelsim/crm/observe_output.hpp"
#include "funnelsim/output/result_set.hpp"

namespace funnelsim::calibrate {

namespace fs = std::filesystem;

namespace {

/// One folder that observe --out wrote (it holds summary.json).
bool is_observe_result(const std::vector<fs::path>& observed) {
  return observed.size() == 1 && fs::is_regular_file(observed.front() / "summary.json");
}

/// mapping.json beside a single export folder, as export-crm writes it; empty when none.
fs::path default_mapping(const std::vector<fs::path>& observed) {
  if (observed.size() != 1 || is_observe_result(observed)) return {};
  const fs::path mapping = observed.front() / "mapping.json";
  return fs::is_regular_file(mapping) ? mapping : fs::path();
}

}  // namespace

ObservedRequest observed_request(const std::vector<fs::path>& observed, const std::string& mapping,
                                 const std::string& from, const std::string& to, const ObservedArgumentNames& names) {
  const bool result_folder = is_observe_result(observed);
  const auto belongs_to_observe = [](const std::string& name, const std::string& given) {
    return UsageError(
        name, fmt::format("expected no {} with an observe result folder (give it to observe), found {}", name, given));
  };
  if (result_folder && !to.empty()) throw belongs_to_observe(names.to, to);
  if (result_folder && !mapping.empty()) throw belongs_to_observe(names.mapping, mapping);
  ObservedRequest request;
  request.sources = observed;
  const fs::path mapping_file = mapping.empty() ? default_mapping(observed) : fs::path(mapping);
  if (!mapping_file.empty())
    request.read.mapping = naming_source(names.mapping, [&] { return crm::read_mapping(mapping_file.string()); });
  if (!from.empty()) request.first = naming_source(names.from, [&] { return crm::parse_day(from); });
  if (!to.empty()) request.last = naming_source(names.to, [&] { return crm::parse_day(to); });
  return request;
}

crm::ObservedFunnel observed_funnel(const ObservedRequest& request) {
  if (is_observe_result(request.sources)) return crm::read_observed_summary(request.sources.front());
  const crm::ObservedData data = crm::read_exports(request.sources, request.read);
  return crm::measure(data.records, crm::window_of(data.records, request.first, request.last));
}

std::string run_id_of_calibration(const nlohmann::json& base, const CalibrationOptions& options, std::string_view from,
                                  std::string_view to, const crm::ObservedFunnel& funnel) {
  std::vector<std::string> parts{
      "calibrate",       base.dump(),    std::to_string(options.seed), std::to_string(options.replications),
      std::string(from), std::string(to)};
  for (const std::string& p : options.free) parts.push_back(p);
  parts.push_back(fmt::format("{} {}", funnel.window.from, funnel.window.end));
  for (const crm::ObservedScope& scope : funnel.scopes) {
    // The samples behind fit.json's distributions: an observe folder from before samples.csv
    // holds none (its fit has no distributions), so its run differs from the export's.
    parts.push_back(fmt::format("{} {} {}", scope.name, scope.time_to_mql_days.size(), scope.response_hours.size()));
    for (std::size_t m = 0; m < scope.metrics.size(); ++m)
      parts.push_back(fmt::format("{} {} {} {}", scope.metrics[m], scope.intervals[m].low, scope.intervals[m].high,
                                  scope.intervals[m].method));
  }
  return run_identifier(parts);
}

std::string extends_path(const fs::path& base_file, const fs::path& folder) {
  const fs::path base = fs::absolute(base_file).lexically_normal();
  return base.lexically_relative(fs::absolute(folder).lexically_normal()).generic_string();
}

}  // namespace funnelsim::calibrate
