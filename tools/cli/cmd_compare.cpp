// `funnelsim compare BASE [VARIANT...] [--variant LABEL:PTR=VALUE,...]...`: every scenario on the
// same seed and replication indices (common random numbers), each variant paired with the base
// replication by replication. Variant files come first, then the --variant ones, each in order.
#include <cstdio>
#include <optional>

#include <fmt/format.h>

#include "commands.hpp"
#include "funnelsim/output/comparison_output.hpp"
#include "funnelsim/output/run_identity.hpp"
#include "funnelsim/output/run_output.hpp"
#include "funnelsim/report/report.hpp"
#include "funnelsim/whatif/inline_variant.hpp"
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

Command add_compare_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("compare", "Compare scenario variants with a base on common random numbers");
  auto opts = std::make_shared<ScenarioOptions>();
  auto files = std::make_shared<std::vector<std::string>>();
  auto inline_variants = std::make_shared<std::vector<std::string>>();
  auto out = std::make_shared<std::string>();
  auto report_file = std::make_shared<std::string>();
  auto quiet = std::make_shared<bool>(false);
  auto budget = std::make_shared<std::uint64_t>(kDefaultMemoryBudgetMiB);
  auto shard = std::make_shared<std::string>();
  cmd->add_option("scenarios", *files, "BASE [VARIANT...]: scenario JSON files")->required()->expected(1, -1);
  cmd->add_option("--variant", *inline_variants,
                  "A variant without a file: LABEL:PTR=VALUE[,PTR=VALUE...], the base with these overrides (read like "
                  "--set, applied after it; commas inside [], {} or \"...\" do not split), named LABEL (repeatable)")
      ->allow_extra_args(false);
  add_set_option(*cmd, *opts, "Override a field in every scenario: --set /json/pointer=value (repeatable)");
  add_run_controls(*cmd, *opts);
  cmd->add_option("--precision", opts->precision,
                  "Add replications in batches of 50 until the 95% CI half-width of every variant's paired "
                  "difference in a whole-funnel metric is below a share of the base's mean: METRIC=REL% "
                  "(--replications caps it; default cap 100000)");
  cmd->add_option("--out", *out, "Folder for compare.json and compare.csv");
  add_report_option(*cmd, *report_file);
  add_metrics_option(*cmd, *opts);
  cmd->add_flag("--quiet", *quiet, "Print nothing on success");
  add_memory_budget_option(*cmd, *budget);
  add_shard_option(*cmd, *shard);
  return [cmd, opts, files, inline_variants, out, report_file, quiet, budget, shard]() {
    const InterruptGuard interrupt;  // a signal at any point stops cleanly, writing nothing
    std::vector<InlineVariant> parsed;
    for (const std::string& text : *inline_variants)
      parsed.push_back(for_option("--variant", [&] { return parse_inline_variant(text); }));
    if (files->size() + parsed.size() < 2)
      throw UsageError(
          "compare: expected a base and at least one variant (a scenario file or --variant LABEL:PTR=VALUE), found "
          "only the base");
    std::vector<std::filesystem::path> inputs;
    for (const std::string& file : *files)
      for (auto& input : scenario_inputs(file)) inputs.push_back(std::move(input));
    const OutputTargets targets(*cmd, *out, *report_file, inputs);  // before simulating
    WhatIfOptions options = whatif_options(*opts);                  // parses --precision
    ShardRole role(*cmd, *shard, *opts);
    const std::vector<std::string> metrics = chosen_metrics(*opts);
    const std::vector<Override> overrides = scenario_overrides(*opts);
    // Read everything first: a bad variant stops the command before any simulation. A --variant is
    // the base file with --set, then its own pairs: named by its label in every output.
    std::vector<ScenarioInput> read;
    std::vector<std::string> contexts = *files, fallback_names;
    for (const std::string& file : *files) {
      try {
        read.push_back(read_input(file, overrides));
      } catch (const ScenarioError& e) {
        throw ScenarioInputError(file, e);
      }
      fallback_names.push_back(fallback_name_of(file));
    }
    std::vector<std::string> names = *files;
    std::vector<nlohmann::json> inline_documents;
    const std::string& base_file = files->front();
    for (const InlineVariant& variant : parsed) {
      contexts.push_back(fmt::format("{} (--variant on {})", variant.label, base_file));
      try {
        read.push_back(naming_overrides(
            "--variant", [&] { return inline_variant_input(read_input(base_file, overrides), variant); }));
      } catch (const ScenarioError& e) {
        throw ScenarioInputError(contexts.back(), e);
      }
      inline_documents.push_back(read.back().document);
      fallback_names.push_back(variant.label);
      names.push_back(base_file);
    }
    // One warm-up for every scenario asking for "auto": the longest the rule picks among them.
    std::vector<WarmupChoice> choices;
    for (std::size_t i = 0; i < read.size(); ++i) {
      const std::optional<WarmupChoice> choice = [&] {
        try {
          return choose_warmup(read[i].document, fallback_names[i], interrupt.flag());
        } catch (const ScenarioError& e) {
          throw ScenarioInputError(contexts[i], e);
        }
      }();
      if (!choice) return interrupt.report();
      choices.push_back(*choice);
    }
    const WarmupChoice warmup = shared_warmup(choices);
    if (warmup.automatic && !*quiet)
      print_text(stderr, "funnelsim: " + warmup_note(warmup) + " for every scenario asking for auto\n");
    std::vector<RunnableScenario> models;
    for (std::size_t i = 0; i < read.size(); ++i) {
      try {
        models.emplace_back(std::move(read[i].document), fallback_names[i], std::move(read[i].origin), warmup);
      } catch (const ScenarioError& e) {
        throw ScenarioInputError(contexts[i], e);
      }
    }
    // Every scenario's table is held until the comparison is made: refuse a job that cannot fit.
    if (!check_memory(estimate_comparison_memory(models, options, !out->empty() || !report_file->empty()), *budget,
                      /*quiet=*/true, "; fewer variants, whose tables are held at once"))
      return 2;
    options.cancel = interrupt.flag();
    const std::optional<ComparisonReport> compared = role.run(options, [&](const WhatIfOptions& w) {
      return with_progress_bar(!*quiet, w, [&](const WhatIfOptions& o) { return run_comparison(models, names, o); });
    });
    if (interrupt.signal() != 0) return interrupt.report();
    if (role.finished()) return role.finish(targets, *quiet);  // a shard written, or a rank's share sent
    const ComparisonReport& report = *compared;
    const std::string json_text = comparison_json(report);
    if (interrupt.signal() != 0) return interrupt.report();  // last check before the disk
    if (targets.any()) {
      std::vector<nlohmann::json> documents;
      for (const std::string& file : *files) documents.push_back(read_document(file, overrides));
      documents.insert(documents.end(), inline_documents.begin(), inline_documents.end());
      targets.write({{"compare.json", json_text}, {"compare.csv", comparison_csv(report)}},
                    run_id_of_comparison(documents, given_controls(*opts)), [&](const ResultSetFiles&) {
                      return html_report({{"compare.json", json_text}}, {}, metrics);
                    });
    }
    if (!*quiet) print_text(stdout, comparison_text(report, metrics));
    return 0;
  };
}

}  // namespace funnelsim::cli
