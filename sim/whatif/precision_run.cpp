#include "funnelsim/whatif/precision_run.hpp"

#include <optional>
#include <vector>

namespace funnelsim {

RunResult run_to_precision(const BatchRunner& run_batch, const PrecisionTarget& target, std::uint64_t first_replication,
                           std::uint64_t cap, PrecisionOutcome& outcome) {
  std::optional<RunResult> all;
  std::vector<double> column;
  run_batches_to_precision(
      [&](std::uint64_t first, std::uint64_t count) {
        append_run(all, run_batch(first, count));
        return !all->cancelled;
      },
      [&] {
        all->table.column(0, target.metric, column);
        return mean_precision(column);  // hopeless: more of the same will not help
      },
      target, first_replication, cap, outcome);
  if (!all) return run_batch(first_replication, 0);  // a cap of 0
  return std::move(*all);
}

}  // namespace funnelsim
