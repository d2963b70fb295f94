#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "funnelsim/model.hpp"
#include "funnelsim/scenario_loader.hpp"
#include "run_options.hpp"

namespace funnelsim::cli {

Command add_validate_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("validate", "Check a scenario file and say what is wrong");
  auto opts = std::make_shared<ScenarioOptions>();
  auto resolved = std::make_shared<bool>(false);
  add_scenario_options(*cmd, *opts, /*with_run_controls=*/false);
  cmd->add_flag("--resolved", *resolved, "Print the scenario with profiles merged and defaults filled in");
  return [opts, resolved]() {
    const Scenario scenario = load_scenario(opts->scenario, parse_overrides(opts->sets));
    compile_model(scenario);  // the last checks (stream tags) happen at compile time
    if (*resolved) {
      const auto doc = read_scenario_document(opts->scenario, parse_overrides(opts->sets));
      fmt::print("{}\n", resolved_scenario_json(doc).dump(2));
      return 0;
    }
    fmt::print("{}: valid scenario \"{}\": {} source{}, {} days, {} replications by default\n", opts->scenario,
               scenario.name, scenario.sources.size(), scenario.sources.size() == 1 ? "" : "s", scenario.horizon_days,
               scenario.replications);
    return 0;
  };
}

}  // namespace funnelsim::cli
