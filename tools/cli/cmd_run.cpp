#include <cstdio>
#include <filesystem>
#include <optional>

#include <fmt/format.h>

#include "commands.hpp"
#include "funnelsim/engine/engine.hpp"
#include "funnelsim/output/run_output.hpp"
#include "funnelsim/whatif/precision.hpp"
#include "funnelsim/whatif/precision_run.hpp"
#include "funnelsim/report/report.hpp"
#include "funnelsim/scenario/loader.hpp"
#include "funnelsim/scenario/uncertain.hpp"
#include "interrupt.hpp"
#include "progress_bar.hpp"
#include "report_option.hpp"
#include "resource_guard.hpp"
#include "run_options.hpp"

namespace funnelsim::cli {

Command add_run_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("run", "Simulate a scenario and summarize its replications");
  auto opts = std::make_shared<ScenarioOptions>();
  auto out = std::make_shared<std::string>();
  auto report_file = std::make_shared<std::string>();
  auto precision = std::make_shared<std::string>();
  auto quiet = std::make_shared<bool>(false);
  auto budget = std::make_shared<std::uint64_t>(kDefaultMemoryBudgetMiB);
  add_scenario_options(*cmd, *opts, /*with_run_controls=*/true);
  cmd->add_option("--precision", *precision,
                  "Add replications in batches of 50 until the 95% CI half-width of a whole-funnel metric's mean is "
                  "below a share of the mean: METRIC=REL% (--replications caps it; default cap 100000)");
  cmd->add_option("--out", *out, "Folder for summary.json, replications.csv and weekly.csv");
  add_report_option(*cmd, *report_file);
  cmd->add_flag("--quiet", *quiet, "Print nothing on success");
  add_memory_budget_option(*cmd, *budget);
  return [opts, out, report_file, precision, quiet, budget]() {
    const InterruptGuard interrupt;  // from the start: a signal at any point stops cleanly
    if (!report_file->empty()) check_report_target(*report_file);
    std::optional<PrecisionTarget> target;
    if (!precision->empty()) target = parse_precision(*precision);
    const RunnableScenario runnable = load_runnable(opts->scenario, parse_overrides(opts->sets));
    const Scenario& scenario = runnable.scenario();
    RunOptions run = run_options_for(scenario, *opts);
    // With uncertain inputs each replication compiles its own model; the nominal one sizes the run.
    const std::uint64_t most_replications = target ? opts->replications.value_or(kPrecisionCap) : run.replications;
    if (!check_memory(estimate_memory(runnable.nominal_model(), most_replications, run.threads, !out->empty()),
                      *budget, *quiet))
      return 2;
    run.cancel = interrupt.flag();
    RunInfo info{scenario.name, run.seed, run.replications, run.first_replication, scenario.horizon_days, {}};
    PrecisionOutcome outcome;
    const RunResult result = [&] {  // the bar clears its line when it goes, before any message
      ProgressBar bar(!*quiet);
      auto run_batch = [&](std::uint64_t first, std::uint64_t count) {
        RunOptions batch = run;
        batch.first_replication = first;
        batch.replications = count;
        const std::uint64_t before = first - run.first_replication;
        batch.progress = [&bar, before](std::uint64_t done, std::uint64_t total) {
          bar.update(before + done, before + total);
        };
        return runnable.run(batch);
      };
      return target ? run_to_precision(run_batch, *target, run.first_replication,
                                       opts->replications.value_or(kPrecisionCap), outcome)
                    : run_batch(run.first_replication, run.replications);
    }();
    if (interrupt.signal() != 0) return interrupt.report();
    if (target) {
      info.replications = result.table.replications();
      info.precision = outcome;
    }
    const RunSummary summary = summarize_run(result.table);
    std::optional<UncertainDraws> draws;
    if (!runnable.uncertain().empty())
      draws = runnable.uncertain().draws(info.seed, info.first_replication, info.replications);
    const RunReport report{info, result.table, summary, draws ? &*draws : nullptr};
    if (!out->empty() || !report_file->empty()) {
      std::vector<std::pair<std::string, std::string>> files;
      for (const auto& writer : run_output_writers()) files.emplace_back(writer->file_name(), writer->render(report));
      if (interrupt.signal() != 0) return interrupt.report();  // last check before the disk
      if (!out->empty()) write_files_atomically(*out, files);
      if (!report_file->empty()) write_report_file(*report_file, html_report(files, opts->scenario));
    }
    if (!*quiet) std::fputs(summary_table(report).c_str(), stdout);
    return 0;
  };
}

}  // namespace funnelsim::cli
