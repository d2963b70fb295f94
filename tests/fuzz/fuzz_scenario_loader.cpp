// libFuzzer target: scenario text as a user might write it, through everything `funnelsim
// validate` does: parse_json_text -> scenario_from_json -> compile_model, and the resolved
// document that `validate --resolved` prints. A bad document must end in a ScenarioError (the
// CLI's exit 2); any other exception, a crash or a sanitizer report is a bug.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "funnelsim/json_schema.hpp"
#include "funnelsim/model.hpp"
#include "funnelsim/scenario_error.hpp"
#include "funnelsim/scenario_loader.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    const nlohmann::json doc = funnelsim::parse_json_text(text);
    const funnelsim::Scenario scenario = funnelsim::scenario_from_json(doc, "fuzz");
    (void)funnelsim::compile_model(scenario);
    (void)funnelsim::resolved_scenario_json(doc).dump(2);
  } catch (const funnelsim::ScenarioError&) {
    // The one expected way to refuse input.
  }
  return 0;
}
