#pragma once
// Several scenarios on the same replications (compare's base and variants, sweep's points), run
// batch by batch so that --precision can stop them together.
#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include "funnelsim/engine/engine.hpp"
#include "funnelsim/whatif/precision.hpp"
#include "funnelsim/whatif/runnable_scenario.hpp"

namespace funnelsim::cli {

/// Everything run so far: [scenario], each holding the same replications, in order.
using ScenarioResults = std::vector<std::optional<RunResult>>;

/// Runs every scenario on run.first_replication onward: run.replications of them, or, with a
/// target, batches (run_batches_to_precision) until read(results) says the target holds or `cap`
/// is reached. One progress bar (on stderr, when `progress`) spans all scenarios. Returns the
/// replications each scenario ran; a cancelled run returns early (results then hold a cancelled
/// RunResult), and the caller checks its interrupt before using anything.
std::uint64_t run_scenarios(const std::vector<RunnableScenario>& scenarios, const RunOptions& run,
                            const std::optional<PrecisionTarget>& target, std::uint64_t cap,
                            const std::function<PrecisionReading(const ScenarioResults&)>& read, bool progress,
                            ScenarioResults& results, PrecisionOutcome& outcome);

}  // namespace funnelsim::cli
