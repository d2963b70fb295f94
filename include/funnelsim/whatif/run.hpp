#pragma once
/// What-if runs as a front end asks for them: one scenario (run), a base against variants
/// (compare), a grid of parameter values (sweep), a one-at-a-time tornado (sensitivity). Each
/// takes scenario documents already read (read_scenario_document) and parsed specs, runs them
/// on common random numbers, and returns the report the output writers take. Nothing here
/// prints, reads files or knows a command-line flag: the CLI, a Python module or a server add
/// those.
#include <atomic>
#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "funnelsim/engine/engine.hpp"
#include "funnelsim/engine/memory_estimate.hpp"
#include "funnelsim/scenario/error.hpp"
#include "funnelsim/whatif/job_blocks.hpp"
#include "funnelsim/whatif/lead_phase_sharing.hpp"
#include "funnelsim/whatif/objective.hpp"
#include "funnelsim/whatif/comparison.hpp"
#include "funnelsim/whatif/precision.hpp"
#include "funnelsim/whatif/run_report.hpp"
#include "funnelsim/whatif/runnable_scenario.hpp"
#include "funnelsim/whatif/sensitivity.hpp"
#include "funnelsim/whatif/sweep.hpp"
#include "funnelsim/whatif/warmup_choice.hpp"

namespace funnelsim {

/// How a what-if run runs; seed and replications default to the (base) scenario's.
struct WhatIfOptions {
  std::optional<std::uint64_t> seed;
  /// The replications; with a precision target, the most it may add (default kPrecisionCap).
  std::optional<std::uint64_t> replications;
  std::uint64_t first_replication = 0;
  int threads = 0;  ///< 0 = all available cores
  /// Add replications in batches of kPrecisionBatch until the target holds (precision.hpp).
  std::optional<PrecisionTarget> precision;
  /// (done, total) replications over the whole job, from worker threads: thread-safe and cheap.
  std::function<void(std::uint64_t, std::uint64_t)> progress;
  /// Once it reads true the job stops early and returns nullopt (see RunOptions::cancel).
  const std::atomic<bool>* cancel = nullptr;
  /// A shard's recorder or a merge's replay (job_blocks.hpp); takes no precision target. A
  /// recording job runs its block, keeps its tables there and returns nullopt.
  JobUnits* units = nullptr;
  /// Optional, for run_scenario (no precision target, no units, no uncertain inputs; ignored
  /// otherwise): record the run's lead phase here (a base), or take every source this scenario
  /// shares with a recorded one from it (a variant, lead_phase_sharing.hpp). The same results.
  SharedLeadPhase* record_lead_phase = nullptr;
  const SharedLeadPhase* reuse_lead_phase = nullptr;
};

/// The engine's options for a job on `scenario` (the base): seed, replications (the fixed count,
/// not the precision cap), first replication, threads, cancel; no progress.
RunOptions run_options_for(const Scenario& scenario, const WhatIfOptions& options);

/// The most replications a job may run per scenario: the precision cap, else the fixed count.
/// What a memory estimate should size.
std::uint64_t most_replications(const Scenario& scenario, const WhatIfOptions& options);

/// Upper estimates of a job's peak memory (memory_estimate.hpp), made before it runs, for a front
/// end to hold against its budget. `options` as the job will get them (threads, replications, a
/// precision target: sized at its cap, the table growing batch by batch); with_outputs: the job
/// renders its result files.
/// A run: one scenario.
MemoryEstimate estimate_run_memory(const RunnableScenario& scenario, const WhatIfOptions& options, bool with_outputs);
/// A comparison: every scenario's table is held at once, then each variant's comparison.
MemoryEstimate estimate_comparison_memory(const std::vector<RunnableScenario>& scenarios, const WhatIfOptions& options,
                                          bool with_outputs);
struct SweepSpec;
/// A sweep: every point's table is held at once, then every point's summary. Builds the points
/// as run_sweep does (a bad point throws the same ScenarioInputError).
MemoryEstimate estimate_sweep_memory(const nlohmann::json& document, const std::string& file, const SweepSpec& spec,
                                     const WhatIfOptions& options, bool with_outputs);
struct SensitivitySpec;
/// A tornado: the base and two runs per planned parameter, one after another, each sized on its
/// own (the largest counts) and the metric's column of every run kept. Plans as run_sensitivity
/// does (a bad --params entry throws the same UsageError).
MemoryEstimate estimate_sensitivity_memory(const nlohmann::json& document, const std::string& fallback_name,
                                           const SensitivitySpec& spec, const WhatIfOptions& options);

/// A bad scenario among several inputs (compare's variants, sweep's points): `context` says
/// which one, e.g. "scenarios/a.json" or "base.json at sweep point 3 (/x=1)".
class ScenarioInputError : public ScenarioError {
 public:
  ScenarioInputError(std::string context, const ScenarioError& error)
      : ScenarioError(error.issues()), context_(std::move(context)) {}
  const std::string& context() const noexcept { return context_; }

 private:
  std::string context_;
};

/// One scenario's run; report() is what run_output_writers() and summary_table() take.
struct ScenarioRun {
  RunInfo info;
  RunResult result;
  RunSummary summary;
  std::optional<UncertainDraws> draws;  ///< when the scenario has uncertain inputs
  RunReport report() const { return {info, result.table, summary, draws ? &*draws : nullptr}; }
};

/// Runs one scenario; nullopt when cancelled.
std::optional<ScenarioRun> run_scenario(const RunnableScenario& scenario, const WhatIfOptions& options);

/// Runs scenarios[0] (the base) and every variant on the base's seed and replications, each
/// variant paired with the base. `files` name them in the report, one per scenario. A precision
/// target applies to every variant's paired difference relative to the base's mean. nullopt
/// when cancelled.
std::optional<ComparisonReport> run_comparison(const std::vector<RunnableScenario>& scenarios,
                                               const std::vector<std::string>& files, const WhatIfOptions& options);

/// What a sweep runs: parameters (parse_sweep_parameter), their grid (sweep_grid(parameters)),
/// and optionally an objective and a Pareto front to mark in the report.
struct SweepSpec {
  std::vector<SweepParameter> parameters;
  std::vector<std::vector<std::size_t>> points;
  std::optional<Objective> objective;
  std::optional<ParetoAxes> pareto;
  /// For a document asking for "auto": the warm-up every point runs with (choose_warmup on the
  /// document), so that it is worked out once; absent, the sweep works it out.
  std::optional<WarmupChoice> warmup;
};

/// Runs every point of the grid, `document` with the point's values applied, on the base's seed
/// and replications. `file` names the scenario (report, fallback name, errors): a point that
/// does not make a valid scenario throws ScenarioInputError before anything runs. A precision
/// target applies to every point's mean. `origin`: where `document` came from, recorded in the
/// report's provenance. nullopt when cancelled.
std::optional<SweepReport> run_sweep(const nlohmann::json& document, const std::string& file, SweepSpec spec,
                                     const WhatIfOptions& options, const ScenarioOrigin& origin = {});

/// What a tornado runs: how far each parameter moves (parse_vary), the metric it ranks by (a
/// whole-funnel metric index), and the parameters (empty: every non-integer numeric field; see
/// plan_sensitivity).
struct SensitivitySpec {
  double vary = 0.2;
  std::size_t metric = 0;
  std::vector<std::string> parameters;
  std::optional<WarmupChoice> warmup;  ///< as SweepSpec's: the base's, for every run
};

/// Plans and runs the tornado on `document` (after extends and overrides), the base and each
/// parameter's low and high side on the same seed and replications; with uncertain inputs, also
/// their regression sensitivity. Takes no precision target (std::invalid_argument). `origin`:
/// where `document` came from, recorded in the report's provenance. nullopt when cancelled
/// (planning included).
std::optional<SensitivityReport> run_sensitivity(const nlohmann::json& document, const std::string& fallback_name,
                                                 const SensitivitySpec& spec, const WhatIfOptions& options,
                                                 const ScenarioOrigin& origin = {});

}  // namespace funnelsim
