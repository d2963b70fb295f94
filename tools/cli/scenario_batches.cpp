#include "scenario_batches.hpp"

#include "progress_bar.hpp"

namespace funnelsim::cli {

std::uint64_t run_scenarios(const std::vector<RunnableScenario>& scenarios, const RunOptions& run,
                            const std::optional<PrecisionTarget>& target, std::uint64_t cap,
                            const std::function<PrecisionReading(const ScenarioResults&)>& read, bool progress,
                            ScenarioResults& results, PrecisionOutcome& outcome) {
  results.assign(scenarios.size(), std::nullopt);
  ProgressBar bar(progress);  // clears its line when it goes, before any message
  const std::uint64_t total = (target ? cap : run.replications) * scenarios.size();
  auto run_batch = [&](std::uint64_t first, std::uint64_t count) {
    RunOptions batch = run;
    batch.first_replication = first;
    batch.replications = count;
    const std::uint64_t before = (first - run.first_replication) * scenarios.size();
    for (std::size_t s = 0; s < scenarios.size(); ++s) {
      const std::uint64_t offset = before + s * count;
      batch.progress = [&bar, offset, total](std::uint64_t done, std::uint64_t) { bar.update(offset + done, total); };
      append_run(results[s], scenarios[s].run(batch));
      if (results[s]->cancelled) return false;
    }
    return true;
  };
  if (!target) {
    run_batch(run.first_replication, run.replications);
    return run.replications;
  }
  return run_batches_to_precision(
      run_batch, [&] { return read(results); }, *target, run.first_replication, cap, outcome);
}

}  // namespace funnelsim::cli
