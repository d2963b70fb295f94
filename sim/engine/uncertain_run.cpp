#include "funnelsim/engine/uncertain_run.hpp"

#include <nlohmann/json.hpp>

#include "funnelsim/scenario/loader.hpp"

namespace funnelsim {

using nlohmann::json;

RunResult run_uncertain(const UncertainScenario& scenario, const std::string& fallback_name, const RunOptions& options,
                        const ResolvedEdit& edit) {
  json nominal = scenario.nominal_document();
  if (edit) {
    nominal = resolved_scenario_json(nominal);
    edit(nominal);
  }
  const CompiledModel layout = compile_model(scenario_from_json(nominal, fallback_name));
  return run_uncertain(scenario, fallback_name, layout, options, edit);
}

RunResult run_uncertain(const UncertainScenario& scenario, const std::string& fallback_name,
                        const CompiledModel& layout, const RunOptions& options, const ResolvedEdit& edit) {
  return run_replications(
      layout,
      [&](std::uint64_t replication) {
        return compile_model(scenario.scenario_for(options.seed, replication, fallback_name, edit), &layout);
      },
      options);
}

}  // namespace funnelsim
