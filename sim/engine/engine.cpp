#include "funnelsim/engine/engine.hpp"

#include <atomic>
#include <exception>
#include <memory>
#include <stdexcept>
#include <optional>

#include <tbb/blocked_range.h>
#include <tbb/enumerable_thread_specific.h>
#include <tbb/global_control.h>
#include <tbb/parallel_for.h>

#include "engine/replication_runner.hpp"
#include "core/tsan_annotations.hpp"

namespace funnelsim {

std::vector<Scope> table_scopes(const CompiledModel& model) {
  std::vector<Scope> scopes{{"all", ScopeKind::funnel}};
  for (const auto& s : model.sources) scopes.push_back({s.name, ScopeKind::funnel});
  if (model.sales) {
    for (const auto& t : model.sales->teams) scopes.push_back({t.name, ScopeKind::team});
    for (const auto& t : model.sales->teams)
      for (int r = 1; r <= t.headcount; ++r) scopes.push_back({t.name + "." + std::to_string(r), ScopeKind::rep});
  }
  return scopes;
}

namespace {

std::unique_ptr<tbb::global_control> thread_limit(const RunOptions& options) {
  if (options.threads <= 0) return nullptr;
  return std::make_unique<tbb::global_control>(tbb::global_control::max_allowed_parallelism,
                                               static_cast<std::size_t>(options.threads));
}

void add_work(RunResult& result, const std::vector<RunWork>& work) {
  for (const RunWork& w : work) {
    result.work.leads += w.leads;
    result.work.events += w.events;
    result.work.sales_events += w.sales_events;
    result.work.sales_seconds += w.sales_seconds;
  }
}

/// Runs `replicate(slot)` for every slot of the run on the worker threads, skipping what is left
/// once the cancel flag is up, then sums the work and says whether the run was cancelled.
template <class Replicate>
void run_slots(const RunOptions& options, RunResult& result, Replicate&& replicate) {
  std::vector<RunWork> work(options.replications);
  const auto limit = thread_limit(options);
  std::atomic<std::uint64_t> done{0};
  detail::ForkJoinAnnotations annotations;
  annotations.fork();
  tbb::parallel_for(tbb::blocked_range<std::size_t>(0, options.replications, 1),
                    [&](const tbb::blocked_range<std::size_t>& range) {
                      annotations.enter();
                      for (std::size_t slot = range.begin(); slot != range.end(); ++slot) {
                        if (options.cancel && options.cancel->load(std::memory_order_relaxed)) break;
                        work[slot] = replicate(slot);
                        const auto finished = done.fetch_add(1, std::memory_order_relaxed) + 1;
                        if (options.progress) options.progress(finished, options.replications);
                      }
                      annotations.leave();
                    });
  annotations.join();
  // Conservative: a flag raised just after the last replication still discards the run.
  result.cancelled = options.cancel && options.cancel->load();
  add_work(result, work);
}

}  // namespace

void append_run(std::optional<RunResult>& into, RunResult next) {
  if (!into) {
    into = std::move(next);
    return;
  }
  into->table.append(next.table);
  add_work(*into, {next.work});
  into->cancelled = into->cancelled || next.cancelled;
}

RunResult run_replications(const CompiledModel& model, const RunOptions& options) {
  RunResult result{ReplicationTable(options.replications, table_scopes(model), static_cast<std::size_t>(model.weeks)),
                   RunWork{}};
  const LeadPhaseShape shape = lead_phase_shape(model, options);
  LeadPhaseRecord::Storage* record = start_recording(options.record_lead_phase, shape, options.record_leads);
  const LeadPhaseRecord::Storage* reuse =
      reusable_record(options.reuse_lead_phase, shape, options.reuse_sources, options.reuse_leads);
  // Scratch is per thread and reused across that thread's replications.
  tbb::enumerable_thread_specific<ReplicationRunner> runners(model, options.cancel);
  run_slots(options, result, [&](std::size_t slot) {
    ReplicationRunner& runner = runners.local();
    runner.share_lead_phase(record, reuse, &options.reuse_sources, &options.reuse_leads);
    return runner.run(options.seed, options.first_replication + slot, slot, result.table);
  });
  if (record) record->complete = !result.cancelled;
  return result;
}

RunResult run_traced_replication(const CompiledModel& model, std::uint64_t seed, std::uint64_t replication,
                                 LeadTrace& trace, const std::atomic<bool>* cancel) {
  RunResult result{ReplicationTable(1, table_scopes(model), static_cast<std::size_t>(model.weeks)), RunWork{}};
  ReplicationRunner runner(model, cancel);
  runner.set_trace(&trace);
  result.work = runner.run(seed, replication, 0, result.table);
  result.cancelled = cancel && cancel->load();
  return result;
}

RunResult run_replications(const CompiledModel& layout, const ReplicationModel& model_for, const RunOptions& options) {
  const std::vector<Scope> scopes = table_scopes(layout);
  RunResult result{ReplicationTable(options.replications, scopes, static_cast<std::size_t>(layout.weeks)), RunWork{}};
  std::vector<std::exception_ptr> errors(options.replications);
  run_slots(options, result, [&](std::size_t slot) {
    try {
      // Each replication draws its own uncertain inputs, so it compiles its own model.
      const std::uint64_t replication = options.first_replication + slot;
      const CompiledModel model = model_for(replication);
      if (model.weeks != layout.weeks || table_scopes(model) != scopes)
        throw std::logic_error("run_replications: a replication's model has another layout");
      ReplicationRunner runner(model, options.cancel);
      return runner.run(options.seed, replication, slot, result.table);
    } catch (...) {
      errors[slot] = std::current_exception();
      return RunWork{};
    }
  });
  if (!result.cancelled)
    for (const std::exception_ptr& error : errors)
      if (error) std::rethrow_exception(error);
  return result;
}

}  // namespace funnelsim
