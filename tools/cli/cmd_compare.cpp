// `funnelsim compare BASE VARIANT...`: every scenario on the same seed and replication indices
// (common random numbers), each variant paired with the base replication by replication.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <optional>

#include "commands.hpp"
#include "funnelsim/output/comparison_output.hpp"
#include "funnelsim/engine/engine.hpp"
#include "funnelsim/output/run_output.hpp"
#include "funnelsim/whatif/precision.hpp"
#include "funnelsim/report/report.hpp"
#include "interrupt.hpp"
#include "report_option.hpp"
#include "run_options.hpp"
#include "scenario_batches.hpp"

namespace funnelsim::cli {
namespace {

std::vector<std::string> uncertain_pointers(const RunnableScenario& scenario) {
  std::vector<std::string> pointers;
  for (const UncertainParameter& p : scenario.uncertain().parameters()) pointers.push_back(p.pointer);
  return pointers;
}

}  // namespace

Command add_compare_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("compare", "Compare scenario variants with a base on common random numbers");
  auto opts = std::make_shared<ScenarioOptions>();
  auto files = std::make_shared<std::vector<std::string>>();
  auto out = std::make_shared<std::string>();
  auto report_file = std::make_shared<std::string>();
  auto precision = std::make_shared<std::string>();
  auto quiet = std::make_shared<bool>(false);
  cmd->add_option("scenarios", *files, "BASE VARIANT [VARIANT...]: scenario JSON files")->required()->expected(2, -1);
  add_set_option(*cmd, *opts, "Override a field in every scenario: --set /json/pointer=value (repeatable)");
  add_run_controls(*cmd, *opts);
  cmd->add_option("--precision", *precision,
                  "Add replications in batches of 50 until the 95% CI half-width of every variant's paired "
                  "difference in a whole-funnel metric is below a share of the base's mean: METRIC=REL% "
                  "(--replications caps it; default cap 100000)");
  cmd->add_option("--out", *out, "Folder for compare.json and compare.csv");
  add_report_option(*cmd, *report_file);
  cmd->add_flag("--quiet", *quiet, "Print nothing on success");
  return [opts, files, out, report_file, precision, quiet]() {
    const InterruptGuard interrupt;  // a signal at any point stops cleanly, writing nothing
    if (!report_file->empty()) check_report_target(*report_file);
    std::optional<PrecisionTarget> target;
    if (!precision->empty()) target = parse_precision(*precision);
    const std::vector<Override> overrides = parse_overrides(opts->sets);
    // Load everything first: a bad variant stops the command before any simulation.
    std::vector<RunnableScenario> models;
    for (const std::string& file : *files) models.push_back(load_one_of_several(file, overrides));
    // The base decides seed and replication count; every scenario then runs the same ones.
    RunOptions run = run_options_for(models.front().scenario(), *opts);
    run.cancel = interrupt.flag();

    ScenarioResults results;
    PrecisionOutcome outcome;
    const std::uint64_t replications = run_scenarios(
        models, run, target, opts->replications.value_or(kPrecisionCap),
        [&](const ScenarioResults& all) {
          std::vector<double> base, variant;
          all[0]->table.column(0, target->metric, base);
          PrecisionReading widest{0.0, true};
          for (std::size_t v = 1; v < all.size(); ++v) {
            all[v]->table.column(0, target->metric, variant);
            const double width = paired_relative_half_width(base, variant);
            // One variant without a defined width leaves the whole comparison undefined.
            widest.achieved = std::isnan(width) || std::isnan(widest.achieved) ? PrecisionOutcome::undefined
                                                                                : std::max(widest.achieved, width);
            widest.hopeless = widest.hopeless && std::isnan(width);
          }
          return widest;  // hopeless: undefined for every variant (a base mean of 0)
        },
        !*quiet, results, outcome);
    if (interrupt.signal() != 0) return interrupt.report();

    std::vector<std::string> names;
    for (const RunnableScenario& model : models) names.push_back(model.scenario().name);
    const std::vector<std::string> labels = unique_labels(names);
    ComparisonReport report;
    report.base = {labels[0], (*files)[0], uncertain_pointers(models[0])};
    report.seed = run.seed;
    report.replications = replications;
    report.first_replication = run.first_replication;
    if (target) report.precision = outcome;
    for (std::size_t v = 1; v < models.size(); ++v) {
      report.variants.push_back({labels[v], (*files)[v], uncertain_pointers(models[v])});
      report.results.push_back(compare_tables(results[0]->table, results[v]->table));
    }
    const std::string json_text = comparison_json(report);
    if (interrupt.signal() != 0) return interrupt.report();  // last check before the disk
    if (!out->empty())
      write_files_atomically(*out, {{"compare.json", json_text}, {"compare.csv", comparison_csv(report)}});
    if (!report_file->empty()) write_report_file(*report_file, html_report({{"compare.json", json_text}}));
    if (!*quiet) std::fputs(comparison_text(report).c_str(), stdout);
    return 0;
  };
}

}  // namespace funnelsim::cli
