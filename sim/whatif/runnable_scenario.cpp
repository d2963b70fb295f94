#include "funnelsim/whatif/runnable_scenario.hpp"

#include "funnelsim/engine/uncertain_run.hpp"

#include <utility>

#include "funnelsim/scenario/loader.hpp"

namespace funnelsim {

RunnableScenario::RunnableScenario(nlohmann::json document, std::string fallback_name, ScenarioOrigin origin,
                                   std::optional<WarmupChoice> warmup)
    : uncertain_(resolve_warmup(std::move(document), fallback_name, warmup, warmup_)),
      fallback_name_(std::move(fallback_name)),
      model_(compile_model(scenario_from_json(uncertain_.nominal_document(), fallback_name_))),
      provenance_{std::move(origin), resolved_sha256(uncertain_)} {}

RunResult RunnableScenario::run(const RunOptions& options) const {
  return uncertain_.empty() ? run_replications(model_, options)
                            : run_uncertain(uncertain_, fallback_name_, model_, options);
}

CompiledModel RunnableScenario::model_for(std::uint64_t seed, std::uint64_t replication) const {
  if (uncertain_.empty()) return model_;
  return compile_model(uncertain_.scenario_for(seed, replication, fallback_name_), &model_);
}

}  // namespace funnelsim
