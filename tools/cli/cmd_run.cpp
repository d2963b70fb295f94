#include <cstdio>
#include <optional>

#include <fmt/format.h>

#include "commands.hpp"
#include "funnelsim/engine.hpp"
#include "funnelsim/output.hpp"
#include "funnelsim/report.hpp"
#include "funnelsim/scenario_loader.hpp"
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
  auto quiet = std::make_shared<bool>(false);
  auto budget = std::make_shared<std::uint64_t>(kDefaultMemoryBudgetMiB);
  add_scenario_options(*cmd, *opts, /*with_run_controls=*/true);
  cmd->add_option("--out", *out, "Folder for summary.json, replications.csv and weekly.csv");
  add_report_option(*cmd, *report_file);
  cmd->add_flag("--quiet", *quiet, "Print nothing on success");
  add_memory_budget_option(*cmd, *budget);
  return [opts, out, report_file, quiet, budget]() {
    const InterruptGuard interrupt;  // from the start: a signal at any point stops cleanly
    if (!report_file->empty()) check_report_target(*report_file);
    const Scenario scenario = load_scenario(opts->scenario, parse_overrides(opts->sets));
    const CompiledModel model = compile_model(scenario);
    RunOptions run = run_options_for(scenario, *opts);
    if (!check_memory(estimate_memory(model, run.replications, run.threads, !out->empty()), *budget, *quiet)) return 2;
    run.cancel = interrupt.flag();
    const RunResult result = [&] {  // the bar clears its line when it goes, before any message
      ProgressBar bar(!*quiet);
      run.progress = [&bar](std::uint64_t done, std::uint64_t total) { bar.update(done, total); };
      return run_replications(model, run);
    }();
    if (interrupt.signal() != 0) return interrupt.report();
    const RunSummary summary = summarize_run(result.table);
    const RunInfo info{scenario.name, run.seed, run.replications, run.first_replication, scenario.horizon_days};
    const RunReport report{info, result.table, summary};
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
