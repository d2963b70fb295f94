#pragma once
/// run_batches_to_precision (precision.hpp) applied to the engine: batches of one run become the
/// run.
#include <cstdint>
#include <functional>

#include "funnelsim/engine/engine.hpp"
#include "funnelsim/whatif/precision.hpp"

namespace funnelsim {

/// Runs replications [first, first + count) and returns them (the engine with any thread count).
using BatchRunner = std::function<RunResult(std::uint64_t first_replication, std::uint64_t count)>;

/// Runs batches of kPrecisionBatch replications from `first_replication` (the last cut short at
/// `cap` replications in all) until, at the end of a batch, the target holds, or the cap is
/// reached. A metric undefined in every replication so far, or 0 in every one, has no relative
/// precision to reach: the run stops there, with met false. The result holds every replication
/// run, in order; `outcome` says how it ended.
RunResult run_to_precision(const BatchRunner& run_batch, const PrecisionTarget& target, std::uint64_t first_replication,
                           std::uint64_t cap, PrecisionOutcome& outcome);

}  // namespace funnelsim
