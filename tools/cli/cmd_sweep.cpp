// `funnelsim sweep SCENARIO --param PTR=a:b:step ...`: a grid of scenario variants, every point
// on the same seed and replications (common random numbers), with an optional objective and
// Pareto front.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>

#include <fmt/format.h>

#include "cli_errors.hpp"
#include "commands.hpp"
#include "funnelsim/engine/engine.hpp"
#include "funnelsim/output/run_output.hpp"
#include "funnelsim/whatif/precision.hpp"
#include "funnelsim/report/report.hpp"
#include "funnelsim/output/sweep_output.hpp"
#include "interrupt.hpp"
#include "report_option.hpp"
#include "run_options.hpp"
#include "scenario_batches.hpp"

namespace funnelsim::cli {

Command add_sweep_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("sweep", "Run a grid of parameter values on common random numbers");
  auto opts = std::make_shared<ScenarioOptions>();
  auto params = std::make_shared<std::vector<std::string>>();
  auto objective = std::make_shared<std::string>();
  auto pareto = std::make_shared<std::string>();
  auto out = std::make_shared<std::string>();
  auto report_file = std::make_shared<std::string>();
  auto precision = std::make_shared<std::string>();
  auto quiet = std::make_shared<bool>(false);
  add_scenario_options(*cmd, *opts, /*with_run_controls=*/true);
  cmd->add_option("--param", *params,
                  "A swept field: PTR=a:b:step or PTR=v1,v2,... (repeatable; the grid is the product)")
      ->required()
      ->allow_extra_args(false);
  cmd->add_option("--objective", *objective,
                  "Pick the best point: \"minimize|maximize METRIC [subject to METRIC >= NUMBER [and ...]]\"");
  cmd->add_option("--pareto", *pareto, "Mark the points not dominated on two metrics: METRIC_X,METRIC_Y");
  cmd->add_option("--precision", *precision,
                  "Add replications in batches of 50 until the 95% CI half-width of every point's mean of a "
                  "whole-funnel metric is below a share of that mean: METRIC=REL% (--replications caps it; default "
                  "cap 100000)");
  cmd->add_option("--out", *out, "Folder for sweep.csv and sweep.json");
  add_report_option(*cmd, *report_file);
  cmd->add_flag("--quiet", *quiet, "Print nothing on success");
  return [opts, params, objective, pareto, out, report_file, precision, quiet]() {
    const InterruptGuard interrupt;  // a signal at any point stops cleanly, writing nothing
    if (!report_file->empty()) check_report_target(*report_file);
    // Everything the user typed is checked before the first replication runs.
    SweepReport report;
    for (const std::string& p : *params) report.parameters.push_back(parse_sweep_parameter(p));
    report.points = sweep_grid(report.parameters);
    if (!objective->empty()) report.objective = parse_objective(*objective);
    if (!pareto->empty()) report.pareto = parse_pareto(*pareto);
    std::optional<PrecisionTarget> target;
    if (!precision->empty()) target = parse_precision(*precision);

    const nlohmann::json doc = read_scenario_document(opts->scenario, parse_overrides(opts->sets));
    const std::string fallback_name = std::filesystem::path(opts->scenario).stem().string();
    const RunnableScenario base(doc, fallback_name);  // seed and replications come from here
    std::vector<RunnableScenario> scenarios;
    for (std::size_t p = 0; p < report.points.size(); ++p) {
      try {
        nlohmann::json point_doc = doc;
        apply_overrides(point_doc, point_overrides(report.parameters, report.points[p]), "--param");
        scenarios.emplace_back(std::move(point_doc), fallback_name);
      } catch (const ScenarioError& e) {
        throw ScenarioInputError(fmt::format("{} at sweep point {} ({})", opts->scenario, p,
                                             point_text(report.parameters, report.points[p])),
                                 e);
      }
    }

    RunOptions run = run_options_for(base.scenario(), *opts);
    report.scenario = base.scenario().name;
    report.file = opts->scenario;
    report.seed = run.seed;
    report.first_replication = run.first_replication;
    run.cancel = interrupt.flag();
    ScenarioResults results;
    PrecisionOutcome outcome;
    report.replications = run_scenarios(
        scenarios, run, target, opts->replications.value_or(kPrecisionCap),
        [&](const ScenarioResults& all) {
          // The widest relative half-width over the points. A point whose metric is undefined or 0
          // in every replication so far has no relative precision to reach: it is left out, and
          // when every point is like that, more replications cannot help.
          PrecisionReading widest{0.0, true};
          std::vector<double> column;
          for (const auto& point : all) {
            point->table.column(0, target->metric, column);
            const PrecisionReading reading = mean_precision(column);
            if (reading.hopeless) continue;
            widest.hopeless = false;
            widest.achieved = std::isnan(reading.achieved) || std::isnan(widest.achieved)
                                  ? PrecisionOutcome::undefined
                                  : std::max(widest.achieved, reading.achieved);
          }
          if (widest.hopeless) widest.achieved = PrecisionOutcome::undefined;
          return widest;
        },
        !*quiet, results, outcome);
    if (target) report.precision = outcome;
    if (interrupt.signal() == 0)
      for (const auto& point : results) report.summaries.push_back(summarize_run(point->table));
    if (interrupt.signal() != 0) return interrupt.report();
    const std::string json_text = sweep_json(report);
    if (interrupt.signal() != 0) return interrupt.report();  // last check before the disk
    if (!out->empty()) write_files_atomically(*out, {{"sweep.csv", sweep_csv(report)}, {"sweep.json", json_text}});
    if (!report_file->empty())
      write_report_file(*report_file, html_report({{"sweep.json", json_text}}, opts->scenario));
    if (!*quiet) std::fputs(sweep_text(report).c_str(), stdout);
    return 0;
  };
}

}  // namespace funnelsim::cli
