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
///   fixed:       the model, the program and its libraries, each thread's stack.
/// The parts are added, as if the scratch were still held while the outputs are rendered: the
/// allocator seldom returns freed memory to the system, so peak RSS behaves that way.
#include <cstdint>

#include "funnelsim/model/model.hpp"

namespace funnelsim {

struct MemoryEstimate {
  std::uint64_t table = 0;
  std::uint64_t scratch_per_thread = 0;
  std::uint64_t threads = 1;
  std::uint64_t summary = 0;
  std::uint64_t fixed = 0;
  double mqls_per_replication = 0.0;   ///< the bound the scratch is sized for
  double leads_per_replication = 0.0;  ///< expected (mean) leads

  std::uint64_t scratch() const noexcept { return scratch_per_thread * threads; }
  std::uint64_t total() const noexcept { return table + scratch() + summary + fixed; }
};

/// `threads` is the worker count the run will use (0 = all cores); with_outputs: the run writes
/// summary.json, replications.csv and weekly.csv.
MemoryEstimate estimate_memory(const CompiledModel& model, std::uint64_t replications, int threads, bool with_outputs);

}  // namespace funnelsim
