#pragma once
/// Runs replications of a compiled model in parallel (oneTBB). Replication r is a pure
/// function of (model, seed, r); results land in r's own slots and are independent of the
/// thread count and scheduling.
#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include "funnelsim/engine/lead_phase.hpp"
#include "funnelsim/engine/lead_trace.hpp"
#include "funnelsim/model/model.hpp"
#include "funnelsim/metrics/replication_table.hpp"

namespace funnelsim {

struct RunOptions {
  std::uint64_t seed = 1;
  std::uint64_t replications = 1;
  std::uint64_t first_replication = 0;  ///< to split one run across machines: [first, first + replications)
  int threads = 0;                      ///< 0 = all available cores
  /// Called from worker threads after each finished replication with (done, total); it must be
  /// thread-safe and cheap. The library never prints.
  std::function<void(std::uint64_t, std::uint64_t)> progress;
  /// Optional: once it reads true, the run stops early and returns cancelled. Checked before
  /// each replication and before each lead of a replication, so a thread stops after at most
  /// one lead's work (a replication's sales handoff, a fraction of its time, still completes).
  /// May be set from a signal handler (a lock-free atomic store is async-signal-safe).
  const std::atomic<bool>* cancel = nullptr;
  /// Optional (run_replications of one model only): keeps every replication's lead phase, source
  /// by source, for later runs of the same seed and replications to reuse (lead_phase.hpp).
  LeadPhaseRecord* record_lead_phase = nullptr;
  /// With record_lead_phase: keep each arrival's first journey too (24 bytes a lead), for runs
  /// under another MQL threshold (reuse_leads).
  bool record_leads = false;
  /// Optional (the same): source s's lead phase is taken from this complete record wherever
  /// reuse_sources[s] is true, instead of simulated; the table is the same bytes as without it.
  /// The caller vouches that those sources' lead phase is unchanged (lead_phase_keys). A source
  /// with a starting backlog is always simulated. std::invalid_argument when the record was made
  /// for another seed, replications or model shape.
  const LeadPhaseRecord* reuse_lead_phase = nullptr;
  std::vector<bool> reuse_sources;
  /// Empty, or per source: whether a source that is simulated may book an arrival's first journey
  /// from the record (recorded with leads) instead, when no MQL came of it and its score stayed
  /// below this run's threshold throughout. The caller vouches that the source differs from the
  /// recorded one at most in its MQL thresholds (lead_phase_sharing.hpp). The same bytes.
  std::vector<bool> reuse_leads;
};

/// Work done, for throughput figures: not part of any result.
struct RunWork {
  std::uint64_t leads = 0;         ///< leads simulated (warm-up and backlog included)
  std::uint64_t events = 0;        ///< arrivals + behavioural events + MQL decisions + sales events
  std::uint64_t sales_events = 0;  ///< events of the sales queueing part alone
  double sales_seconds = 0.0;      ///< thread time spent in the sales queueing part
};

struct RunResult {
  ReplicationTable table;
  RunWork work;
  bool cancelled = false;  ///< options.cancel was seen set: the table is incomplete, do not use it
};

/// Adds the replications of `next` (run right after those of `into`) to `into`: batches of one
/// run become the run. An empty `into` takes `next` as it is.
void append_run(std::optional<RunResult>& into, RunResult next);

RunResult run_replications(const CompiledModel& model, const RunOptions& options);

/// Runs replication `replication` alone, on the calling thread, reporting its leads to `trace`
/// (lead_trace.hpp). Its table row is the very row run_replications gives that replication.
/// `cancel` as in RunOptions.
RunResult run_traced_replication(const CompiledModel& model, std::uint64_t seed, std::uint64_t replication,
                                 LeadTrace& trace, const std::atomic<bool>* cancel = nullptr);

/// Builds the model of one replication (uncertain inputs, see uncertain.hpp). Called from worker
/// threads: it must be thread-safe and a pure function of the replication index.
using ReplicationModel = std::function<CompiledModel(std::uint64_t replication)>;

/// Runs replications whose models differ: replication r runs model_for(r), compiled for it alone
/// (nothing is cached across replications). `layout` fixes the table's scopes and weeks; every
/// model must have the same (std::logic_error otherwise). When replications throw, the exception
/// of the lowest one is rethrown, so the error does not depend on the thread count either.
RunResult run_replications(const CompiledModel& layout, const ReplicationModel& model_for, const RunOptions& options);

}  // namespace funnelsim
