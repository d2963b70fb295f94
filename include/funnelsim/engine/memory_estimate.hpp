#pragma once
/// An upper estimate of a run's peak memory, made before the run, so that a run that cannot fit
/// is refused at once instead of failing (or swapping) an hour in.
///
/// Parts, in bytes:
///   table:       replications x (metric rows of every scope + weekly series of funnel scopes) x 8,
///                plus the per-replication work counters; lives for the whole run.
///   scratch:     one worker thread's reusable state, sized for the busiest replication: the
///                MQLs it keeps (time to MQL and response samples; with sales teams also the
///                MQL record, its outcome, its queue state and pending events), doubled for
///                vector growth. MQLs per replication are bounded by the expected leads plus
///                six standard deviations (Poisson, plus the Gamma week factors' variance with
///                overdispersion) times an upper bound of each source's MQL share, measured on
///                a pilot of leads simulated with a stream no run uses.
///   summary:     statistics across replications, the JSON and CSV text of the output files
///                (about 24 bytes per number of replications.csv), the printed table.
///                The backlog's MQLs waiting all enter it, and its leads in nurture by their own
///                pilot's share; with recycling every MQL counts once more per recycle allowed.
///                With a pipeline, each SQL's record, opportunity and draws count too.
///   fixed:       the model, the program and its libraries, each thread's stack.
///
/// Uncertain inputs (uncertain.hpp): each replication compiles its own model, so the run is sized
/// by the model whose uncertain inputs stand at a high quantile: each input on its own at its
/// 0.1th or 99.9th percentile (kSizingQuantile), whichever needs more memory (more leads per week
/// at the 99.9th, a lower MQL threshold at the 0.1th), then all of them together; the largest of
/// these estimates (and the nominal one) is the run's. A run of more than about a thousand
/// replications may draw beyond that quantile in a few of them: their scratch, a per-thread and
/// per-replication part, is what such a draw could exceed.
/// The parts are added, as if the scratch were still held while the outputs are rendered: the
/// allocator seldom returns freed memory to the system, so peak RSS behaves that way.
#include <cstdint>

#include <string>
#include <vector>

#include "funnelsim/model/model.hpp"
#include "funnelsim/scenario/uncertain.hpp"

namespace funnelsim {

struct MemoryEstimate {
  std::uint64_t table = 0;
  std::uint64_t scratch_per_thread = 0;
  std::uint64_t threads = 1;
  std::uint64_t summary = 0;
  std::uint64_t fixed = 0;
  std::uint64_t model = 0;             ///< the compiled model(s), part of fixed
  double mqls_per_replication = 0.0;   ///< the bound the scratch is sized for
  double leads_per_replication = 0.0;  ///< expected (mean) leads
  /// A recorded lead phase's bytes per replication (lead_phase.hpp), for a job that keeps one.
  std::uint64_t lead_phase_per_replication = 0;

  std::uint64_t scratch() const noexcept { return scratch_per_thread * threads; }
  std::uint64_t total() const noexcept { return table + scratch() + summary + fixed; }
};

/// `threads` is the worker count the run will use (0 = all cores); with_outputs: the run writes
/// summary.json, replications.csv and weekly.csv.
MemoryEstimate estimate_memory(const CompiledModel& model, std::uint64_t replications, int threads, bool with_outputs);

/// The quantile uncertain inputs are sized at (and 1 - it, for inputs that need more when low).
inline constexpr double kSizingQuantile = 0.999;

/// An uncertain input's value at `quantile` of its distribution, clamped to the field's bounds.
double sizing_value(const UncertainParameter& parameter, double quantile);

/// A run of `scenario` (its nominal document, `edit` applied to the resolved one as
/// run_uncertain does), sized as above; without uncertain inputs, its one model's estimate.
MemoryEstimate estimate_memory(const UncertainScenario& scenario, const std::string& fallback_name,
                               std::uint64_t replications, int threads, bool with_outputs,
                               const ResolvedEdit& edit = {});

/// Several runs' results held at once (compare's scenarios, sweep's points): their tables,
/// summaries and models add up; the workers' scratch, threads and the program are shared.
MemoryEstimate held_together(const std::vector<MemoryEstimate>& estimates);

}  // namespace funnelsim
