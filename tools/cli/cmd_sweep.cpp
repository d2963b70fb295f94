// `funnelsim sweep SCENARIO --param PTR=a:b:step ...`: a grid of scenario variants, every point
// on the same seed and replications (common random numbers), with an optional objective and
// Pareto front.
#include <cstdio>
#include <optional>

#include "commands.hpp"
#include "funnelsim/output/run_identity.hpp"
#include "funnelsim/output/run_output.hpp"
#include "funnelsim/output/sweep_output.hpp"
#include "funnelsim/report/report.hpp"
#include "funnelsim/whatif/run.hpp"
#include "interrupt.hpp"
#include "option_error.hpp"
#include "output_target.hpp"
#include "progress_bar.hpp"
#include "report_option.hpp"
#include "resource_guard.hpp"
#include "run_options.hpp"
#include "shard_option.hpp"
#include "terminal.hpp"

namespace funnelsim::cli {
Command add_sweep_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("sweep", "Run a grid of parameter values on common random numbers");
  auto opts = std::make_shared<ScenarioOptions>();
  auto params = std::make_shared<std::vector<std::string>>();
  auto objective = std::make_shared<std::string>();
  auto pareto = std::make_shared<std::string>();
  auto out = std::make_shared<std::string>();
  auto report_file = std::make_shared<std::string>();
  auto quiet = std::make_shared<bool>(false);
  auto budget = std::make_shared<std::uint64_t>(kDefaultMemoryBudgetMiB);
  add_scenario_options(*cmd, *opts, /*with_run_controls=*/true);
  cmd->add_option("--param", *params,
                  "A swept field: PTR=a:b:step or PTR=v1,v2,... (repeatable; the grid is the product)")
      ->required()
      ->allow_extra_args(false);
  cmd->add_option("--objective", *objective,
                  "Pick the best point: \"minimize|maximize METRIC [subject to METRIC >= NUMBER [and ...]]\"");
  cmd->add_option("--pareto", *pareto, "Mark the points not dominated on two metrics: METRIC_X,METRIC_Y");
  cmd->add_option("--precision", opts->precision,
                  "Add replications in batches of 50 until the 95% CI half-width of every point's mean of a "
                  "whole-funnel metric is below a share of that mean: METRIC=REL% (--replications caps it; default "
                  "cap 100000)");
  cmd->add_option("--out", *out, "Folder for sweep.csv and sweep.json");
  add_report_option(*cmd, *report_file);
  add_metrics_option(*cmd, *opts);
  cmd->add_flag("--quiet", *quiet, "Print nothing on success");
  add_memory_budget_option(*cmd, *budget);
  auto shard = std::make_shared<std::string>();
  add_shard_option(*cmd, *shard);
  return [cmd, opts, params, objective, pareto, out, report_file, quiet, budget, shard]() {
    const InterruptGuard interrupt;  // a signal at any point stops cleanly, writing nothing
    const OutputTargets targets(*cmd, *out, *report_file, scenario_inputs(opts->scenario));  // before simulating
    // Everything the user typed is checked before the first replication runs.
    SweepSpec spec;
    for (const std::string& p : *params) {
      refuse_run_control_param(p);
      spec.parameters.push_back(for_option("--param", [&] { return parse_sweep_parameter(p); }));
    }
    refuse_repeated_params(spec.parameters);
    spec.points = for_option("--param", [&] { return sweep_grid(spec.parameters); });
    if (!objective->empty()) spec.objective = for_option("--objective", [&] { return parse_objective(*objective); });
    if (!pareto->empty()) spec.pareto = for_option("--pareto", [&] { return parse_pareto(*pareto); });
    WhatIfOptions options = whatif_options(*opts);  // parses --precision
    ShardRole role(*cmd, *shard, *opts);
    const std::vector<std::string> metrics = chosen_metrics(*opts);
    const ScenarioInput input = read_input(opts->scenario, scenario_overrides(*opts));
    const nlohmann::json& doc = input.document;
    // Every point's warm-up, worked out once; said once the points are known to be valid.
    spec.warmup = choose_warmup_for(doc, opts->scenario, /*quiet=*/true, interrupt.flag());
    if (!spec.warmup) return interrupt.report();
    // Every point's table is held until the points are summarized: refuse a job that cannot fit.
    const MemoryEstimate estimate = naming_overrides("--param", [&] {
      return estimate_sweep_memory(doc, opts->scenario, spec, options, !out->empty() || !report_file->empty());
    });
    if (!check_memory(estimate, *budget, /*quiet=*/true,
                      "; fewer points (--param values), whose tables are held at once"))
      return 2;
    if (spec.warmup->automatic && !*quiet) print_text(stderr, "funnelsim: " + warmup_note(*spec.warmup) + "\n");
    options.cancel = interrupt.flag();
    const std::optional<SweepReport> swept = role.run(options, [&](const WhatIfOptions& w) {
      return naming_overrides("--param", [&] {
        return with_progress_bar(!*quiet, w, [&](const WhatIfOptions& o) {
          return run_sweep(doc, opts->scenario, spec, o, input.origin);  // a copy: a rank runs it twice
        });
      });
    });
    if (interrupt.signal() != 0) return interrupt.report();
    if (role.finished()) return role.finish(targets, *quiet);  // a shard written, or a rank's share sent
    const SweepReport& report = *swept;
    const std::string json_text = sweep_json(report);
    if (interrupt.signal() != 0) return interrupt.report();  // last check before the disk
    if (targets.any()) {
      targets.write({{"sweep.csv", sweep_csv(report)}, {"sweep.json", json_text}},
                    run_id_of_sweep(doc, given_controls(*opts), *objective, *pareto, *params),
                    [&](const ResultSetFiles&) {
                      return html_report({{"sweep.json", json_text}}, opts->scenario, metrics);
                    });
    }
    if (!*quiet) print_text(stdout, sweep_text(report, metrics));
    return 0;
  };
}

}  // namespace funnelsim::cli
