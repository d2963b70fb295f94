// libFuzzer target: scenario text as a user might write it, through everything `funnelsim
// validate` and the start of `funnelsim run` do: parse_json_text -> the uncertain values taken
// out -> scenario_from_json -> compile_model, the resolved document that `validate --resolved`
// prints, and with uncertain values the first replications' draws and scenarios. A bad document
// must end in a ScenarioError (the CLI's exit 2); any other exception, a crash or a sanitizer
// report is a bug.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "scenario/json_schema.hpp"
#include "funnelsim/model/model.hpp"
#include "funnelsim/scenario/error.hpp"
#include "funnelsim/scenario/loader.hpp"
#include "funnelsim/scenario/uncertain.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    const funnelsim::UncertainScenario uncertain(funnelsim::parse_json_text(text));
    const nlohmann::json& doc = uncertain.nominal_document();
    const funnelsim::Scenario scenario = funnelsim::scenario_from_json(doc, "fuzz");
    const funnelsim::CompiledModel model = funnelsim::compile_model(scenario);
    (void)funnelsim::resolved_scenario_json(doc).dump(2);
    if (!uncertain.empty()) {
      (void)uncertain.draws(7, 0, 3);
      for (std::uint64_t replication = 0; replication < 2; ++replication)
        (void)funnelsim::compile_model(uncertain.scenario_for(7, replication, "fuzz"), &model);
    }
  } catch (const funnelsim::ScenarioError&) {
    // The one expected way to refuse input.
  }
  return 0;
}
