#include <cstdio>
#include <filesystem>
#include <optional>

#include <fmt/format.h>

#include "commands.hpp"
#include "funnelsim/engine.hpp"
#include "funnelsim/output.hpp"
#include "funnelsim/scenario_loader.hpp"
#include "funnelsim/uncertain.hpp"
#include "progress_bar.hpp"
#include "run_options.hpp"

namespace funnelsim::cli {

Command add_run_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("run", "Simulate a scenario and summarize its replications");
  auto opts = std::make_shared<ScenarioOptions>();
  auto out = std::make_shared<std::string>();
  auto quiet = std::make_shared<bool>(false);
  add_scenario_options(*cmd, *opts, /*with_run_controls=*/true);
  cmd->add_option("--out", *out, "Folder for summary.json, replications.csv and weekly.csv");
  cmd->add_flag("--quiet", *quiet, "Print nothing on success");
  return [opts, out, quiet]() {
    const std::string fallback_name = std::filesystem::path(opts->scenario).stem().string();
    // Uncertain inputs are taken out first; without any, the nominal document is the document.
    const UncertainScenario uncertain(read_scenario_document(opts->scenario, parse_overrides(opts->sets)));
    const Scenario scenario = scenario_from_json(uncertain.nominal_document(), fallback_name);
    std::optional<CompiledModel> model;
    if (uncertain.empty()) model = compile_model(scenario);
    RunOptions run = run_options_for(scenario, *opts);
    ProgressBar bar(!*quiet);
    run.progress = [&bar](std::uint64_t done, std::uint64_t total) { bar.update(done, total); };
    const RunResult result = model ? run_replications(*model, run) : run_uncertain(uncertain, fallback_name, run);
    const RunSummary summary = summarize_run(result.table);
    const RunInfo info{scenario.name, run.seed, run.replications, run.first_replication, scenario.horizon_days};
    std::optional<UncertainDraws> draws;
    if (!uncertain.empty()) draws = uncertain.draws(info.seed, info.first_replication, info.replications);
    const RunReport report{info, result.table, summary, draws ? &*draws : nullptr};
    if (!out->empty()) {
      std::vector<std::pair<std::string, std::string>> files;
      for (const auto& writer : run_output_writers()) files.emplace_back(writer->file_name(), writer->render(report));
      write_files_atomically(*out, files);
    }
    if (!*quiet) std::fputs(summary_table(report).c_str(), stdout);
    return 0;
  };
}

}  // namespace funnelsim::cli
