#include <filesystem>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "funnelsim/model/model.hpp"
#include "funnelsim/scenario/loader.hpp"
#include "funnelsim/scenario/origin.hpp"
#include "funnelsim/scenario/uncertain.hpp"
#include "run_options.hpp"
#include "terminal.hpp"

namespace funnelsim::cli {

Command add_validate_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("validate", "Check a scenario file and say what is wrong");
  auto opts = std::make_shared<ScenarioOptions>();
  auto resolved = std::make_shared<bool>(false);
  add_scenario_options(*cmd, *opts, /*with_run_controls=*/false);
  cmd->add_flag("--resolved", *resolved, "Print the scenario with profiles merged and defaults filled in");
  return [opts, resolved]() {
    ScenarioInput input = read_input(opts->scenario, parse_overrides(opts->sets));
    nlohmann::json& doc = input.document;
    const UncertainScenario uncertain(doc);  // checks the uncertain values; the nominal document the rest
    Scenario scenario =
        scenario_from_json(uncertain.nominal_document(), std::filesystem::path(opts->scenario).stem().string());
    scenario.warmup_auto = false;  // "auto" is worked out when the scenario runs (or below, for --resolved)
    compile_model(scenario);       // the last checks (stream tags) happen at compile time
    if (*resolved) {
      // How extends put arrays together, on stderr: stdout stays the resolved document alone.
      for (const ArrayMerge& merge : input.origin.merges)
        print_text(stderr, fmt::format("funnelsim: note: {}\n", array_merge_text(merge)));
      // As the engine reads it: "auto" worked out (the rule's probe, said on stderr).
      apply_warmup(doc, *choose_warmup_for(doc, opts->scenario, /*quiet=*/false, nullptr));
      print_text(stdout, UncertainScenario(doc).resolved_document().dump(2) + "\n");
      return 0;
    }
    const std::size_t n = uncertain.parameters().size();
    print_text(
        stdout,
        fmt::format("{}: valid scenario \"{}\": {} source{}, {} days, {} replications by default{}\n", opts->scenario,
                    scenario.name, scenario.sources.size(), scenario.sources.size() == 1 ? "" : "s",
                    scenario.horizon_days, scenario.replications,
                    n == 0 ? "" : fmt::format(", {} uncertain input{} drawn per replication", n, n == 1 ? "" : "s")));
    return 0;
  };
}

}  // namespace funnelsim::cli
