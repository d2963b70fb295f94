#include "funnelsim/whatif/precision_run.hpp"

#include <optional>
#include <vector>

namespace funnelsim {

RunResult run_to_precision(const BatchRunner& run_batch, const PrecisionTarget& target, std::uint64_t first_replication,
                           std::uint64_t cap, PrecisionOutcome& outcome) {
  std::optional<RunResult> all;
  run_batches_to_precision(
      [&](std::uint64_t first, std::uint64_t count) {
        append_run(all, run_batch(first, count));
        return !all->cancelled;
      },
      [&] { return table_precision(all->table, target.metric); },  // hopeless: more of the same will not help
      target, first_replication, cap, outcome);
  if (!all) return run_batch(first_replication, 0);  // a cap of 0
  return std::move(*all);
}

}  // namespace funnelsim
