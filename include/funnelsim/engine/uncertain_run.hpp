#pragma once
/// Runs a scenario whose inputs are uncertain (funnelsim/scenario/uncertain.hpp): each
/// replication draws its inputs and runs its own compiled model.
#include <string>

#include "funnelsim/engine/engine.hpp"
#include "funnelsim/model/model.hpp"
#include "funnelsim/scenario/uncertain.hpp"

namespace funnelsim {

/// Runs a scenario with uncertain inputs: replication r runs the model compiled from
/// scenario_for(seed, r, ...). Nothing that depends on a draw is shared across replications: the
/// nominal model gives the table's layout and the readiness tables of sources whose readiness
/// spec is not drawn (compile_model's tables_from). Deterministic and independent of the thread
/// count, like any run.
RunResult run_uncertain(const UncertainScenario& scenario, const std::string& fallback_name, const RunOptions& options,
                        const ResolvedEdit& edit = {});

/// The same with the nominal model already compiled by the caller (`layout`: the nominal document,
/// resolved and changed by `edit`, compiled), so that batches of one run do not compile it again.
RunResult run_uncertain(const UncertainScenario& scenario, const std::string& fallback_name,
                        const CompiledModel& layout, const RunOptions& options, const ResolvedEdit& edit = {});

}  // namespace funnelsim
