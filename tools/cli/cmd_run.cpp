#include <cstdio>
#include <filesystem>
#include <optional>

#include <fmt/format.h>

#include "commands.hpp"
#include "funnelsim/engine.hpp"
#include "funnelsim/output.hpp"
#include "funnelsim/precision.hpp"
#include "funnelsim/scenario_loader.hpp"
#include "funnelsim/uncertain.hpp"
#include "progress_bar.hpp"
#include "run_options.hpp"

namespace funnelsim::cli {

Command add_run_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("run", "Simulate a scenario and summarize its replications");
  auto opts = std::make_shared<ScenarioOptions>();
  auto out = std::make_shared<std::string>();
  auto precision = std::make_shared<std::string>();
  auto quiet = std::make_shared<bool>(false);
  add_scenario_options(*cmd, *opts, /*with_run_controls=*/true);
  cmd->add_option("--precision", *precision,
                  "Add replications in batches of 50 until the 95% CI half-width of a whole-funnel metric's mean is "
                  "below a share of the mean: METRIC=REL% (--replications caps it; default cap 100000)");
  cmd->add_option("--out", *out, "Folder for summary.json, replications.csv and weekly.csv");
  cmd->add_flag("--quiet", *quiet, "Print nothing on success");
  return [opts, out, precision, quiet]() {
    std::optional<PrecisionTarget> target;
    if (!precision->empty()) target = parse_precision(*precision);
    const std::string fallback_name = std::filesystem::path(opts->scenario).stem().string();
    // Uncertain inputs are taken out first; without any, the nominal document is the document.
    const UncertainScenario uncertain(read_scenario_document(opts->scenario, parse_overrides(opts->sets)));
    const Scenario scenario = scenario_from_json(uncertain.nominal_document(), fallback_name);
    std::optional<CompiledModel> model;
    if (uncertain.empty()) model = compile_model(scenario);
    RunOptions run = run_options_for(scenario, *opts);
    ProgressBar bar(!*quiet);
    auto run_batch = [&](std::uint64_t first, std::uint64_t count) {
      RunOptions batch = run;
      batch.first_replication = first;
      batch.replications = count;
      const std::uint64_t before = first - run.first_replication;
      batch.progress = [&bar, before](std::uint64_t done, std::uint64_t total) {
        bar.update(before + done, before + total);
      };
      return model ? run_replications(*model, batch) : run_uncertain(uncertain, fallback_name, batch);
    };
    RunInfo info{scenario.name, run.seed, run.replications, run.first_replication, scenario.horizon_days, {}};
    PrecisionOutcome outcome;
    const RunResult result = target ? run_to_precision(run_batch, *target, run.first_replication,
                                                       opts->replications.value_or(kPrecisionCap), outcome)
                                    : run_batch(run.first_replication, run.replications);
    if (target) {
      info.replications = result.table.replications();
      info.precision = outcome;
    }
    const RunSummary summary = summarize_run(result.table);
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
