#pragma once
/// A scenario document ready to run, with or without uncertain inputs: without any, one compiled
/// model runs every replication; with some, each replication draws its inputs and compiles its
/// own model (uncertain.hpp). Commands that run whole scenarios (run, compare, sweep) go through
/// this, so uncertain inputs work the same way in each of them, on common random numbers: the
/// draws of an input are keyed by (seed, replication, its pointer), so two scenarios with the
/// same uncertain input see the same draws, as they see the same leads.
#include <nlohmann/json.hpp>
#include <string>

#include "funnelsim/engine/engine.hpp"
#include "funnelsim/model/model.hpp"
#include "funnelsim/scenario/origin.hpp"
#include "funnelsim/scenario/scenario.hpp"
#include "funnelsim/scenario/uncertain.hpp"
#include "funnelsim/whatif/warmup_choice.hpp"

namespace funnelsim {

class RunnableScenario {
 public:
  /// `document` after extends and --set, `origin` where it came from (read_scenario_input; empty
  /// for a document built in memory). Throws ScenarioError for a malformed uncertain value or an
  /// invalid scenario (with every uncertain value at its nominal value, its mean). A document
  /// asking for "warmup_days": "auto" runs with `warmup` when given (a job's shared choice,
  /// warmup_choice.hpp), else with the rule's pick for it, worked out here; the provenance's
  /// resolved hash is taken on the document with that number of days filled in.
  RunnableScenario(nlohmann::json document, std::string fallback_name, ScenarioOrigin origin = {},
                   std::optional<WarmupChoice> warmup = {});

  /// The scenario with every uncertain value at its nominal value: name, seed, replications.
  const Scenario& scenario() const noexcept { return model_.scenario; }
  /// Its compiled model: the layout every replication shares, and what memory estimates size.
  const CompiledModel& nominal_model() const noexcept { return model_; }
  const UncertainScenario& uncertain() const noexcept { return uncertain_; }
  /// The warm-up it runs with, and whether the rule chose it.
  const WarmupChoice& warmup() const noexcept { return warmup_; }
  /// Where it came from and the hash of its resolved scenario: what its results record.
  const ScenarioProvenance& provenance() const noexcept { return provenance_; }

  /// The replications options.first_replication .. + options.replications, on any thread count.
  RunResult run(const RunOptions& options) const;

  /// The model replication `replication` runs under `seed`: the nominal one, or with uncertain
  /// inputs the one compiled from that replication's draws.
  CompiledModel model_for(std::uint64_t seed, std::uint64_t replication) const;

 private:
  WarmupChoice warmup_;
  UncertainScenario uncertain_;
  std::string fallback_name_;
  CompiledModel model_;
  ScenarioProvenance provenance_;
};

}  // namespace funnelsim
