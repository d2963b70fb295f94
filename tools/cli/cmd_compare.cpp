// `funnelsim compare BASE VARIANT...`: every scenario on the same seed and replication indices
// (common random numbers), each variant paired with the base replication by replication.
#include <fmt/format.h>

#include <cstdio>

#include "commands.hpp"
#include "funnelsim/comparison_output.hpp"
#include "funnelsim/engine.hpp"
#include "funnelsim/output.hpp"
#include "funnelsim/report.hpp"
#include "progress_bar.hpp"
#include "report_option.hpp"
#include "run_options.hpp"

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
  auto quiet = std::make_shared<bool>(false);
  cmd->add_option("scenarios", *files, "BASE VARIANT [VARIANT...]: scenario JSON files")->required()->expected(2, -1);
  add_set_option(*cmd, *opts, "Override a field in every scenario: --set /json/pointer=value (repeatable)");
  add_run_controls(*cmd, *opts);
  cmd->add_option("--out", *out, "Folder for compare.json and compare.csv");
  add_report_option(*cmd, *report_file);
  cmd->add_flag("--quiet", *quiet, "Print nothing on success");
  return [opts, files, out, report_file, quiet]() {
    if (!report_file->empty()) check_report_target(*report_file);
    const std::vector<Override> overrides = parse_overrides(opts->sets);
    // Load everything first: a bad variant stops the command before any simulation.
    std::vector<RunnableScenario> models;
    for (const std::string& file : *files) models.push_back(load_one_of_several(file, overrides));
    // The base decides seed and replication count; every scenario then runs the same ones.
    RunOptions run = run_options_for(models.front().scenario(), *opts);
    ProgressBar bar(!*quiet);
    std::uint64_t done_before = 0;
    const std::uint64_t total = run.replications * models.size();
    run.progress = [&](std::uint64_t done, std::uint64_t) { bar.update(done_before + done, total); };

    std::vector<std::string> names;
    for (const RunnableScenario& model : models) names.push_back(model.scenario().name);
    const std::vector<std::string> labels = unique_labels(names);
    ComparisonReport report;
    report.base = {labels[0], (*files)[0], uncertain_pointers(models[0])};
    report.seed = run.seed;
    report.replications = run.replications;
    report.first_replication = run.first_replication;
    const RunResult base = models[0].run(run);
    for (std::size_t v = 1; v < models.size(); ++v) {
      done_before += run.replications;
      const RunResult variant = models[v].run(run);
      report.variants.push_back({labels[v], (*files)[v], uncertain_pointers(models[v])});
      report.results.push_back(compare_tables(base.table, variant.table));
    }
    if (!out->empty())
      write_files_atomically(*out,
                             {{"compare.json", comparison_json(report)}, {"compare.csv", comparison_csv(report)}});
    if (!report_file->empty())
      write_report_file(*report_file, html_report({{"compare.json", comparison_json(report)}}));
    if (!*quiet) std::fputs(comparison_text(report).c_str(), stdout);
    return 0;
  };
}

}  // namespace funnelsim::cli
