// `funnelsim sensitivity SCENARIO`: a one-at-a-time tornado. Each parameter moves down and up by
// --vary, one at a time, every run on the base's seed and replications (common random numbers);
// each side's effect is the paired difference of one whole-funnel metric against the base.
#include <cstdio>
#include <filesystem>
#include <optional>

#include "commands.hpp"
#include "funnelsim/output/run_identity.hpp"
#include "funnelsim/output/run_output.hpp"
#include "funnelsim/output/sensitivity_output.hpp"
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
  auto budget = std::make_shared<std::uint64_t>(kDefaultMemoryBudgetMiB);
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
  add_memory_budget_option(*cmd, *budget);
  auto shard = std::make_shared<std::string>();
  add_shard_option(*cmd, *shard);
  return [cmd, opts, vary, metric, params, out, report_file, quiet, budget, shard]() {
    const InterruptGuard interrupt;  // a full tornado runs for minutes: a signal stops it cleanly
    const OutputTargets targets(*cmd, *out, *report_file, scenario_inputs(opts->scenario));  // before simulating
    // Everything the user typed is checked before the first replication runs.
    SensitivitySpec spec;
    spec.vary = for_option("--vary", [&] { return parse_vary(*vary); });
    spec.metric = for_option("--metric", [&] { return parse_sensitivity_metric(*metric); });
    if (!params->empty()) spec.parameters = for_option("--params", [&] { return parse_pointer_list(*params); });
    const std::string fallback_name = std::filesystem::path(opts->scenario).stem().string();
    const ScenarioInput input = read_input(opts->scenario, scenario_overrides(*opts));
    const nlohmann::json& doc = input.document;
    spec.warmup = choose_warmup_for(doc, opts->scenario, *quiet, interrupt.flag());  // every run's, worked out once
    if (!spec.warmup) return interrupt.report();
    WhatIfOptions options = whatif_options(*opts);
    ShardRole role(*cmd, *shard, *opts);
    options.cancel = interrupt.flag();
    // Planning checks each of --params in the scenario: its only UsageError.
    const auto naming_params = [](auto&& job) {
      return for_option("--params", [&] {
        try {
          return job();
        } catch (const UsageError& e) {
          if (e.subject().empty()) throw;
          throw UsageError(e.subject(), with_resolved_hint(e.message()));
        }
      });
    };
    // The runs follow one another, each sized on its own: refuse a tornado whose largest cannot fit.
    const MemoryEstimate estimate =
        naming_params([&] { return estimate_sensitivity_memory(doc, fallback_name, spec, options); });
    if (interrupt.signal() != 0) return interrupt.report();
    if (!check_memory(estimate, *budget, /*quiet=*/true, "; fewer parameters (--params), each run in turn")) return 2;
    const std::optional<SensitivityReport> tornado = role.run(options, [&](const WhatIfOptions& w) {
      return naming_params([&] {
        return with_progress_bar(!*quiet, w, [&](const WhatIfOptions& o) {
          return run_sensitivity(doc, fallback_name, spec, o, input.origin);
        });
      });
    });
    if (interrupt.signal() != 0) return interrupt.report();
    if (role.finished()) return role.finish(targets, *quiet);  // a shard written, or a rank's share sent
    const SensitivityReport& report = *tornado;
    const std::string json_text = sensitivity_json(report);
    if (interrupt.signal() != 0) return interrupt.report();  // last check before the disk
    if (targets.any())
      targets.write({{"sensitivity.json", json_text}, {"sensitivity.csv", sensitivity_csv(report)}},
                    run_id_of_sensitivity(doc, given_controls(*opts), *vary, *metric, *params),
                    [&](const ResultSetFiles&) {
                      return html_report({{"sensitivity.json", json_text}}, opts->scenario);
                    });
    if (!*quiet) print_text(stdout, sensitivity_text(report));
    return 0;
  };
}

}  // namespace funnelsim::cli
