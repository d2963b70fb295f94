#include <cstdio>
#include <optional>
#include <utility>

#include <fmt/format.h>

#include "commands.hpp"
#include "funnelsim/output/run_identity.hpp"
#include "funnelsim/output/run_output.hpp"
#include "funnelsim/report/report.hpp"
#include "funnelsim/whatif/run.hpp"
#include "interrupt.hpp"
#include "output_target.hpp"
#include "progress_bar.hpp"
#include "report_option.hpp"
#include "resource_guard.hpp"
#include "run_options.hpp"
#include "shard_option.hpp"
#include "terminal.hpp"

namespace funnelsim::cli {
namespace {

/// A run without a warm-up or a backlog whose first weeks are far below its last ones is a ramp-up:
/// say how far, and what the rule would pick. A scenario that writes "warmup_days": 0 means it.
void warn_if_cold(const RunnableScenario& runnable, const nlohmann::json& document, const RunReport& report,
                  const InterruptGuard& interrupt) {
  const Scenario& scenario = runnable.scenario();
  if (scenario.warmup_days > 0 || !scenario.backlog.empty() || document.contains("warmup_days")) return;
  const std::optional<ColdStart> cold = compare_first_weeks(report.table, runnable.nominal_model());
  if (!cold || !far_below(*cold)) return;
  std::optional<int> rule_days;
  nlohmann::json automatic = document;
  automatic["warmup_days"] = "auto";
  try {
    if (const auto choice = choose_warmup(automatic, scenario.name, interrupt.flag())) rule_days = choice->days;
  } catch (const ScenarioError&) {  // the rule finds no steady state: the warning says --warmup auto alone
  }
  print_text(stderr, "funnelsim: " + cold_start_warning(*cold, rule_days) + "\n");
}

}  // namespace

Command add_run_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("run", "Simulate a scenario and summarize its replications");
  auto opts = std::make_shared<ScenarioOptions>();
  auto out = std::make_shared<std::string>();
  auto report_file = std::make_shared<std::string>();
  auto quiet = std::make_shared<bool>(false);
  auto budget = std::make_shared<std::uint64_t>(kDefaultMemoryBudgetMiB);
  auto shard = std::make_shared<std::string>();
  add_scenario_options(*cmd, *opts, /*with_run_controls=*/true);
  cmd->add_option("--precision", opts->precision,
                  "Add replications in batches of 50 until the 95% CI half-width of a whole-funnel metric's mean is "
                  "below a share of the mean: METRIC=REL% (--replications caps it; default cap 100000)");
  cmd->add_option("--out", *out, "Folder for summary.json, summary.csv, replications.csv and weekly.csv");
  add_report_option(*cmd, *report_file);
  add_metrics_option(*cmd, *opts);
  cmd->add_flag("--quiet", *quiet, "Print nothing on success");
  add_memory_budget_option(*cmd, *budget);
  add_shard_option(*cmd, *shard);
  return [cmd, opts, out, report_file, quiet, budget, shard]() {
    const InterruptGuard interrupt;  // from the start: a signal at any point stops cleanly
    const OutputTargets targets(*cmd, *out, *report_file, scenario_inputs(opts->scenario));  // before simulating
    WhatIfOptions options = whatif_options(*opts);                                           // parses --precision
    ShardRole role(*cmd, *shard, *opts);
    const std::vector<std::string> metrics = chosen_metrics(*opts);
    const std::vector<Override> overrides = scenario_overrides(*opts);
    ScenarioInput input = read_input(opts->scenario, overrides);
    const nlohmann::json document = input.document;
    const std::optional<WarmupChoice> warmup = choose_warmup_for(document, opts->scenario, *quiet, interrupt.flag());
    if (!warmup) return interrupt.report();
    const RunnableScenario runnable(std::move(input.document), fallback_name_of(opts->scenario),
                                    std::move(input.origin), warmup);
    // With uncertain inputs each replication compiles its own model: sized at a high quantile.
    if (!check_memory(estimate_run_memory(runnable, options, !out->empty() || !report_file->empty()), *budget, *quiet))
      return 2;
    options.cancel = interrupt.flag();
    const std::optional<ScenarioRun> run = role.run(options, [&](const WhatIfOptions& w) {
      return with_progress_bar(!*quiet, w, [&](const WhatIfOptions& o) { return run_scenario(runnable, o); });
    });
    if (interrupt.signal() != 0) return interrupt.report();
    if (role.finished()) return role.finish(targets, *quiet);  // a shard written, or a rank's share sent
    const RunReport report = run->report();
    if (targets.any()) {
      ResultSetFiles files;
      for (const auto& writer : run_output_writers()) files.emplace_back(writer->file_name(), writer->render(report));
      if (interrupt.signal() != 0) return interrupt.report();  // last check before the disk
      const std::string run_id = run_id_of_run(document, report.info, opts->precision);
      targets.write(files, run_id, [&](const ResultSetFiles& f) { return html_report(f, opts->scenario, metrics); });
    }
    if (!*quiet) print_text(stdout, summary_table(report, metrics));
    if (!*quiet) warn_if_cold(runnable, document, report, interrupt);
    return 0;
  };
}

}  // namespace funnelsim::cli
