#include <filesystem>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "funnelsim/model/model.hpp"
#include "funnelsim/scenario/loader.hpp"
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
    const nlohmann::json doc = read_document(opts->scenario, parse_overrides(opts->sets));
    const UncertainScenario uncertain(doc);  // checks the uncertain values; the nominal document the rest
    const Scenario scenario =
        scenario_from_json(uncertain.nominal_document(), std::filesystem::path(opts->scenario).stem().string());
    compile_model(scenario);  // the last checks (stream tags) happen at compile time
    if (*resolved) {
      nlohmann::json out = resolved_scenario_json(uncertain.nominal_document());
      // Uncertain values stand where the engine reads them, each inherited copy included.
      const auto pointers = uncertain.resolved_pointers();
      for (std::size_t k = 0; k < pointers.size(); ++k) {
        const nlohmann::json::json_pointer written(uncertain.parameters()[k].pointer);
        for (const std::string& p : pointers[k]) out[nlohmann::json::json_pointer(p)] = doc.at(written);
      }
      print_text(stdout, out.dump(2) + "\n");
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
