#pragma once
// Helpers of the calibration tests: saas_baseline, its paid_search alone (small enough for the
// sanitizer stage), and the observed funnel of an export of a known truth.
#include <filesystem>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "crm_support.hpp"
#include "funnelsim/calibrate/calibrate.hpp"

namespace funnelsim::test {

inline nlohmann::json baseline_document() {
  return read_scenario_document(std::filesystem::path(FUNNELSIM_SOURCE_DIR) / "scenarios" / "saas_baseline.json");
}

/// saas_baseline's paid_search alone (120 leads a week) over `days` days.
inline nlohmann::json small_document(int days = 42) {
  nlohmann::json d = baseline_document();
  d["sources"] = nlohmann::json::array({d["sources"][0]});
  d["pipeline"].erase("opportunity_rate_by_source");  // names sources this funnel lacks
  d["horizon_days"] = days;
  d["name"] = "paid_search_only";
  return d;
}

/// The observed funnel of replication 0 of `truth` under `seed`, read back from its export.
inline crm::ObservedFunnel observed_export(const nlohmann::json& truth, std::uint64_t seed,
                                           const std::filesystem::path& dir) {
  const RunnableScenario scenario(truth, truth.value("name", std::string("truth")));
  const std::optional<crm::CrmExport> exported = crm::export_replication(scenario, seed, 0, {crm::CrmFormat::hubspot});
  REQUIRE(exported);
  write_export(*exported, dir);
  return read_back(dir).funnel;
}

inline const char* const kAlpha = "/sources/0/profile/readiness/alpha";  // paid_search, truth 1.8
inline const char* const kMidpoint = "/sales_acceptance/midpoint";       // truth 0.55

/// The tests' fit: R = 12, one start, a loose xtol.
inline calibrate::CalibrationOptions fast_options(int threads) {
  calibrate::CalibrationOptions options;
  options.seed = 99;  // not the export's seed: the simulation does not see the observed leads
  options.replications = 12;
  options.threads = threads;
  options.free = {kAlpha, kMidpoint};
  options.starts = 1;
  options.max_evaluations = 30;
  options.xtol = 0.01;  // 1% in each parameter: the claim is coverage, not a precise point
  return options;
}

}  // namespace funnelsim::test
