// `funnelsim export-crm SCENARIO --format hubspot|salesforce --out DIR`: one simulated replication
// as the files a CRM would export for it (funnelsim/crm/export.hpp).
#include <algorithm>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "funnelsim/crm/export.hpp"
#include "interrupt.hpp"
#include "option_error.hpp"
#include "output_target.hpp"
#include "resource_guard.hpp"
#include "run_options.hpp"
#include "terminal.hpp"

namespace funnelsim::cli {

Command add_export_crm_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("export-crm", "Write one simulated replication as a HubSpot or Salesforce export");
  auto opts = std::make_shared<ScenarioOptions>();
  auto format = std::make_shared<std::string>();
  auto out = std::make_shared<std::string>();
  auto start_date = std::make_shared<std::string>();
  auto replication = std::make_shared<std::uint64_t>(0);
  auto messy = std::make_shared<bool>(false);
  auto quiet = std::make_shared<bool>(false);
  auto budget = std::make_shared<std::uint64_t>(kDefaultMemoryBudgetMiB);
  cmd->add_option("scenario", opts->scenario, "Scenario JSON file")->required();
  add_set_option(*cmd, *opts, "Override a field: --set /json/pointer=value (repeatable)");
  cmd->add_option("--format", *format, "hubspot or salesforce")->required();
  cmd->add_option("--out", *out, "Folder for the export (the CRM files, export.json, mapping.json)")->required();
  cmd->add_option("--replication", *replication, "The replication to export (default 0)")
      ->check(CLI::Range(std::uint64_t{0}, (std::uint64_t{1} << 53) - 1));
  cmd->add_option("--seed", opts->seed, "Master seed (default: the scenario's)")
      ->check(CLI::Range(std::uint64_t{0}, (std::uint64_t{1} << 53) - 1));
  cmd->add_option("--start-date", *start_date,
                  "Calendar date (YYYY-MM-DD, UTC) of the horizon's day 0, on the scenario's start weekday "
                  "(default: the first such date from Monday 2025-01-06)");
  cmd->add_flag("--messy", *messy, "Plant the defects real exports have (counted in messy.json)");
  cmd->add_flag("--quiet", *quiet, "Print nothing on success");
  add_memory_budget_option(*cmd, *budget);
  return [cmd, opts, format, out, start_date, replication, messy, quiet, budget]() {
    const InterruptGuard interrupt;
    const OutputTargets targets(*cmd, *out, "", scenario_inputs(opts->scenario));  // before simulating
    crm::ExportOptions options;
    options.format = for_option("--format", [&] { return crm::parse_format(*format); });
    options.messy = *messy;
    // "warmup_days": "auto" is worked out by RunnableScenario (the rule's pick), as run does.
    const RunnableScenario runnable = load_runnable(opts->scenario, parse_overrides(opts->sets));
    if (!start_date->empty())
      options.start_date =
          for_option("--start-date", [&] { return crm::parse_start_date(*start_date, runnable.scenario()); });
    if (!check_memory(crm::estimate_export_memory(runnable), *budget, /*quiet=*/true, "; a scenario with fewer leads"))
      return 2;
    const std::uint64_t seed = opts->seed ? *opts->seed : runnable.scenario().seed;
    const std::optional<crm::CrmExport> exported =
        crm::export_replication(runnable, seed, *replication, options, interrupt.flag());
    if (interrupt.signal() != 0 || !exported) return interrupt.report();
    const std::string run_id = run_identifier(
        {"export-crm", read_document(opts->scenario, parse_overrides(opts->sets)).dump(), std::to_string(seed),
         std::to_string(*replication), std::string(crm::format_name(options.format)), *start_date,
         std::string(*messy ? "messy" : "")});
    targets.write(exported->files, run_id, nullptr);
    if (*quiet) return 0;
    std::string text = fmt::format("export-crm: replication {} of {} (seed {}) as {} exports in {}\n", *replication,
                                   runnable.scenario().name, seed,
                                   options.format == crm::CrmFormat::hubspot ? "HubSpot" : "Salesforce", *out);
    for (const auto& [name, content] : exported->files) {
      if (name.size() < 4 || name.substr(name.size() - 4) != ".csv") continue;
      const auto lines = std::count(content.begin(), content.end(), '\n');
      text += fmt::format("  {}: {} records\n", name, lines - 1);
    }
    const crm::CrmRecords& r = exported->records;
    if (exported->messy) {
      const crm::MessyCounts& m = *exported->messy;
      text += fmt::format(
          "messy: planted {} missing stage dates, {} skipped stages, {} stage dates before creation, {} rows in "
          "another date format, {} duplicate contacts, {} unknown sources (messy.json)\n",
          m.missing_stage_date, m.skipped_stage, m.date_before_creation, m.mixed_date_formats, m.duplicate_contacts,
          m.unknown_source);
    }
    const nlohmann::json info = nlohmann::json::parse(exported->files.front().second);
    text += fmt::format(
        "times in UTC; the horizon is {} to {} ({} leads and {} deals in all, the warm-up's and the backlog's "
        "included)\nobserve it: funnelsim observe {} --mapping {}/mapping.json --from {} --to {}\n",
        info["horizon"]["from"].get<std::string>(), info["horizon"]["to"].get<std::string>(), r.leads.size(),
        r.deals.size(), *out, *out, info["horizon"]["from"].get<std::string>(),
        info["horizon"]["to"].get<std::string>());
    print_text(stdout, text);
    return 0;
  };
}

}  // namespace funnelsim::cli
