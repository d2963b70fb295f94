// libFuzzer target: `--set` arguments on a fixed valid scenario (scenarios/saas_baseline.json,
// which has every section). The input is split at newlines into up to 8 arguments, each goes
// through Override::parse, then apply_overrides, validation and compile_model, as in
// `funnelsim validate saas_baseline.json --set A --set B ... --resolved`. A bad override must
// end in a ScenarioError; anything else escaping is a bug.
#include <cstddef>
#include <cstdint>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "scenario/json_schema.hpp"
#include "funnelsim/model/model.hpp"
#include "funnelsim/scenario/error.hpp"
#include "funnelsim/scenario/loader.hpp"

namespace {

const nlohmann::json& base_document() {
  static const nlohmann::json doc = [] {
    std::ifstream in(FUNNELSIM_SOURCE_DIR "/scenarios/saas_baseline.json", std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    return funnelsim::parse_json_text(text.str());
  }();
  return doc;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  constexpr std::size_t kMaxArguments = 8;  // a command line with more --set adds nothing new
  nlohmann::json doc = base_document();
  try {
    std::vector<funnelsim::Override> overrides;
    while (overrides.size() < kMaxArguments) {
      const std::size_t end = input.find('\n');
      overrides.push_back(funnelsim::Override::parse(input.substr(0, end)));
      if (end == std::string_view::npos) break;
      input.remove_prefix(end + 1);
    }
    funnelsim::apply_overrides(doc, overrides);
    const funnelsim::Scenario scenario = funnelsim::scenario_from_json(doc, "fuzz");
    (void)funnelsim::compile_model(scenario);
    (void)funnelsim::resolved_scenario_json(doc).dump(2);
  } catch (const funnelsim::ScenarioError&) {
    // The one expected way to refuse input.
  }
  return 0;
}
