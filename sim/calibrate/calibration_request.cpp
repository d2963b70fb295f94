#include "funnelsim/calibrate/calibration_request.hpp"

#include <fmt/format.h>

#include "funnelsim/crm/observe_output.hpp"
#include "funnelsim/output/result_set.hpp"

namespace funnelsim::calibrate {

namespace fs = std::filesystem;

bool is_observe_result(const std::vector<fs::path>& observed) {
  return observed.size() == 1 && fs::is_regular_file(observed.front() / "summary.json");
}

fs::path default_mapping(const std::vector<fs::path>& observed) {
  if (observed.size() != 1 || is_observe_result(observed)) return {};
  const fs::path mapping = observed.front() / "mapping.json";
  return fs::is_regular_file(mapping) ? mapping : fs::path();
}

crm::ObservedFunnel observed_funnel(const std::vector<fs::path>& observed, const crm::ReadOptions& read,
                                    crm::Minute first, crm::Minute last) {
  if (is_observe_result(observed)) return crm::read_observed_summary(observed.front());
  const crm::ObservedData data = crm::read_exports(observed, read);
  return crm::measure(data.records, crm::window_of(data.records, first, last));
}

std::string run_id_of_calibration(const nlohmann::json& base, const CalibrationOptions& options, std::string_view from,
                                  std::string_view to, const crm::ObservedFunnel& funnel) {
  std::vector<std::string> parts{
      "calibrate",       base.dump(),    std::to_string(options.seed), std::to_string(options.replications),
      std::string(from), std::string(to)};
  for (const std::string& p : options.free) parts.push_back(p);
  parts.push_back(fmt::format("{} {}", funnel.window.from, funnel.window.end));
  for (const crm::ObservedScope& scope : funnel.scopes) {
    // The samples behind fit.json's distributions: an observe folder holds none (its fit has no
    // distributions), so its run differs from the export's.
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
