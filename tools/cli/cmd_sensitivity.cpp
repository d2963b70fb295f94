// `funnelsim sensitivity SCENARIO`: a one-at-a-time tornado. Each parameter moves down and up by
// --vary, one at a time, every run on the base's seed and replications (common random numbers);
// each side's effect is the paired difference of one whole-funnel metric against the base.
#include <fmt/format.h>

#include <cstdio>
#include <filesystem>

#include "commands.hpp"
#include "funnelsim/engine/engine.hpp"
#include "funnelsim/output/run_output.hpp"
#include "funnelsim/report/report.hpp"
#include "funnelsim/output/sensitivity_output.hpp"
#include "funnelsim/scenario/uncertain.hpp"
#include "funnelsim/engine/uncertain_run.hpp"
#include "interrupt.hpp"
#include "progress_bar.hpp"
#include "report_option.hpp"
#include "run_options.hpp"

namespace funnelsim::cli {

Command add_sensitivity_command(CLI::App& app) {
  auto* cmd =
      app.add_subcommand("sensitivity", "Rank parameters by their effect on a metric (a one-at-a-time tornado)");
  auto opts = std::make_shared<ScenarioOptions>();
  auto vary = std::make_shared<std::string>("20%");
  auto metric = std::make_shared<std::string>("cost_per_sql_marketing");
  auto params = std::make_shared<std::string>();
  auto out = std::make_shared<std::string>();
  auto report_file = std::make_shared<std::string>();
  auto quiet = std::make_shared<bool>(false);
  cmd->add_option("scenario", opts->scenario, "Scenario JSON file")->required();
  add_set_option(*cmd, *opts, "Override a field: --set /json/pointer=value (repeatable)");
  add_run_controls(*cmd, *opts, /*with_first_replication=*/false);
  cmd->add_option("--vary", *vary, "How far each parameter moves down and up, as a share of its value (default 20%)");
  cmd->add_option("--metric", *metric, "The whole-funnel metric to rank by (default cost_per_sql_marketing)");
  cmd->add_option("--params", *params,
                  "Only these parameters: JSON Pointers into the resolved scenario, separated by commas "
                  "(default: every numeric field that is not an integer)");
  cmd->add_option("--out", *out, "Folder for sensitivity.json and sensitivity.csv");
  add_report_option(*cmd, *report_file);
  cmd->add_flag("--quiet", *quiet, "Print nothing on success");
  return [opts, vary, metric, params, out, report_file, quiet]() {
    const InterruptGuard interrupt;  // a full tornado runs for minutes: a signal stops it cleanly
    if (!report_file->empty()) check_report_target(*report_file);
    // Everything the user typed is checked before the first replication runs.
    SensitivityReport report;
    report.vary = parse_vary(*vary);
    report.metric = parse_sensitivity_metric(*metric);
    const std::vector<std::string> requested =
        params->empty() ? std::vector<std::string>{} : parse_pointer_list(*params);
    const std::string fallback_name = std::filesystem::path(opts->scenario).stem().string();
    const UncertainScenario uncertain(read_scenario_document(opts->scenario, parse_overrides(opts->sets)));
    const nlohmann::json resolved = resolved_scenario_json(uncertain.nominal_document());
    const Scenario base = scenario_from_json(resolved, fallback_name);
    std::vector<std::string> uncertain_leaves;
    for (const auto& pointers : uncertain.resolved_pointers())
      uncertain_leaves.insert(uncertain_leaves.end(), pointers.begin(), pointers.end());
    const SensitivityPlan plan = plan_sensitivity(resolved, requested, report.vary, uncertain_leaves, interrupt.flag());
    if (interrupt.signal() != 0) return interrupt.report();

    RunOptions run = run_options_for(base, *opts);
    run.cancel = interrupt.flag();
    ProgressBar bar(!*quiet);
    std::uint64_t done_before = 0;
    const std::uint64_t total = run.replications * (1 + 2 * plan.parameters.size());
    run.progress = [&](std::uint64_t done, std::uint64_t) { bar.update(done_before + done, total); };
    // One run: without uncertain inputs one compiled model, with them one per replication.
    std::vector<double> column;
    auto metric_of = [&](const ResolvedEdit& edit) {
      const RunResult result = [&] {
        if (!uncertain.empty()) return run_uncertain(uncertain, fallback_name, run, edit);
        nlohmann::json doc = resolved;
        if (edit) edit(doc);
        return run_replications(compile_model(scenario_from_json(doc, fallback_name)), run);
      }();
      done_before += run.replications;
      result.table.column(0, report.metric, column);
      return column;
    };
    const std::vector<double> base_column = metric_of({});
    std::vector<std::vector<double>> low, high;
    for (const SensitivityParameter& p : plan.parameters) {
      if (interrupt.signal() != 0) break;
      low.push_back(metric_of([&](nlohmann::json& doc) { set_parameter(doc, p.pointer, p.low_value); }));
      high.push_back(metric_of([&](nlohmann::json& doc) { set_parameter(doc, p.pointer, p.high_value); }));
    }
    if (interrupt.signal() != 0) return interrupt.report();

    report.scenario = base.name;
    report.seed = run.seed;
    report.replications = run.replications;
    report.base = summarize(base_column);
    report.effects = rank_effects(plan, base_column, low, high, metric_defs()[report.metric].better);
    report.skipped = plan.skipped;
    if (!uncertain.empty()) {
      const UncertainDraws draws = uncertain.draws(run.seed, run.first_replication, run.replications);
      report.uncertain = UncertainSensitivity{draws.parameters, regression_sensitivity(draws.values, base_column)};
    }
    const std::string json_text = sensitivity_json(report);
    if (interrupt.signal() != 0) return interrupt.report();  // last check before the disk
    if (!out->empty())
      write_files_atomically(*out, {{"sensitivity.json", json_text}, {"sensitivity.csv", sensitivity_csv(report)}});
    if (!report_file->empty())
      write_report_file(*report_file, html_report({{"sensitivity.json", json_text}}, opts->scenario));
    if (!*quiet) std::fputs(sensitivity_text(report).c_str(), stdout);
    return 0;
  };
}

}  // namespace funnelsim::cli
