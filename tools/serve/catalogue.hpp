#pragma once
// The scenarios a server offers, read once at start, and what a run of one with some lever
// settings returns: the funnel with P10-P90, the headline numbers, and the change against the
// scenario's own settings as paired differences (common random numbers: same seed, same
// replication indices).
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "funnelsim/metrics/metrics.hpp"
#include "funnelsim/whatif/run.hpp"
#include "levers.hpp"

namespace funnelsim::server {

struct ScenarioEntry {
  std::string name;         ///< what clients call it: the file name without .json
  std::string description;  ///< the scenario's own
  nlohmann::json document;  ///< after extends, "auto" warm-up replaced by the days chosen
  WarmupChoice warmup;
  std::vector<Lever> levers;
  std::uint64_t seed = 0, replications = 0;
  int horizon_days = 0;
};

/// Reads `file` and works out its warm-up. Throws ScenarioError / UsageError.
ScenarioEntry read_entry(const std::filesystem::path& file);

/// The scenario document of `entry` with `settings` applied, named `name`, on `seed` and
/// `replications`: a file `funnelsim run` reproduces. Throws ScenarioError (at /levers/... for a
/// bad lever, at the scenario's pointer for a value the schema refuses).
nlohmann::json plan_document(const ScenarioEntry& entry, const nlohmann::json& settings, const std::string& name,
                             std::uint64_t replications);

/// The runnable scenario of a plan document (validated: throws ScenarioError).
RunnableScenario runnable(const nlohmann::json& document, const std::string& name);

/// Every whole-funnel metric's headline figure (metric_defs(ScopeKind::funnel) order; NaN when
/// undefined): what objectives and Pareto fronts read.
std::vector<double> headline_means(const RunSummary& summary);

/// The metrics the pages show, in their order, as the library defines them (name, label, unit,
/// better direction).
nlohmann::json shown_metric_defs();

/// A run's numbers for the page: the funnel, the shown metrics with 95% intervals and P10-P90,
/// team utilisation; with `base`, the paired change of each against it. `hide_latent` leaves out
/// the metrics of the latent truth (MQL precision and recall) for a workshop before the reveal.
nlohmann::json run_json(const ScenarioRun& run, const ScenarioRun* base, bool hide_latent);

/// "higher", "lower" or "neither", as the API spells a metric's better direction.
std::string_view better_name(Better better);

/// Whether a whole-funnel metric is part of the latent truth a workshop reveals at the end.
bool is_latent_metric(std::size_t metric);

/// A scenario's run as written, and its lead phase (up to kMostSharedReplications replications):
/// a plan's rerun takes from it every source the plan's levers leave alone (a desk's levers leave
/// them all), the same bytes in a fraction of the time (lead_phase_sharing.hpp).
struct BaseRun {
  ScenarioRun run;
  SharedLeadPhase lead_phase;
};
/// About 0.55 MB a replication of saas_baseline's lead phase with its leads' first journeys:
/// 140 MB at most per base kept.
inline constexpr std::uint64_t kMostSharedReplications = 250;

/// Base runs by (scenario, replications), computed once each.
class BaseRuns {
 public:
  /// The run of `entry` as written; nullptr when cancelled.
  std::shared_ptr<const BaseRun> get(const ScenarioEntry& entry, std::uint64_t replications,
                                     const WhatIfOptions& options);

 private:
  std::mutex mutex_;
  std::vector<std::pair<std::string, std::shared_ptr<const BaseRun>>> runs_;
};

}  // namespace funnelsim::server
