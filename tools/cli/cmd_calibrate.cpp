// `funnelsim calibrate BASE --observed EXPORT...`: fits the base scenario to the funnel a CRM
// export records (funnelsim/calibrate/calibrate.hpp, docs/calibrate.md).
#include <algorithm>
#include <filesystem>
#include <optional>
#include <sstream>

#include <fmt/format.h>

#include "commands.hpp"
#include "funnelsim/calibrate/calibrate.hpp"
#include "funnelsim/crm/observe.hpp"
#include "funnelsim/crm/observe_output.hpp"
#include "funnelsim/output/result_set.hpp"
#include "funnelsim/report/report.hpp"
#include "interrupt.hpp"
#include "option_error.hpp"
#include "output_target.hpp"
#include "progress_bar.hpp"
#include "report_option.hpp"
#include "run_options.hpp"
#include "terminal.hpp"

namespace funnelsim::cli {
namespace {

namespace fs = std::filesystem;

/// Splits "a,b" into its pointers (a pointer never holds a comma).
std::vector<std::string> split_pointers(const std::vector<std::string>& values) {
  std::vector<std::string> out;
  for (const std::string& value : values) {
    std::stringstream in(value);
    std::string item;
    while (std::getline(in, item, ','))
      if (!item.empty()) out.push_back(item);
  }
  return out;
}

}  // namespace

Command add_calibrate_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("calibrate", "Fit a scenario to the funnel a HubSpot or Salesforce export records");
  auto opts = std::make_shared<ScenarioOptions>();
  auto observed = std::make_shared<std::vector<std::string>>();
  auto free = std::make_shared<std::vector<std::string>>();
  auto mapping = std::make_shared<std::string>();
  auto from = std::make_shared<std::string>();
  auto to = std::make_shared<std::string>();
  auto out = std::make_shared<std::string>();
  auto report_file = std::make_shared<std::string>();
  auto quiet = std::make_shared<bool>(false);
  cmd->add_option("scenario", opts->scenario, "The base scenario JSON file")->required();
  add_set_option(*cmd, *opts, "Override a field of the base: --set /json/pointer=value (repeatable)");
  cmd->add_option("--observed", *observed,
                  "CRM exports (CSV files or folders of them, as observe reads), or one folder observe --out wrote")
      ->required();
  cmd->add_option("--free", *free,
                  "Parameters to fit, as JSON Pointers (PTR[,PTR...]; default: per source the "
                  "readiness alpha, and the acceptance midpoint)");
  cmd->add_option("--mapping", *mapping,
                  "A mapping file (default: mapping.json in the --observed folder, as export-crm writes it)");
  cmd->add_option("--from", *from,
                  "First day measured and the simulated horizon's day 0, YYYY-MM-DD (default: the first record's day; "
                  "the horizon starts on export-crm's default date)");
  cmd->add_option("--to", *to, "Last day measured, YYYY-MM-DD (default: the day of the latest dated event)");
  cmd->add_option("--replications", opts->replications, "Simulated exports per parameter value (default 40)")
      ->check(CLI::Range(std::uint64_t{4}, std::uint64_t{100000}));
  cmd->add_option("--seed", opts->seed, "Master seed, held fixed across parameter values (default: the scenario's)")
      ->check(CLI::Range(std::uint64_t{0}, (std::uint64_t{1} << 53) - 1));
  cmd->add_option("--threads", opts->threads, "Worker threads (default: all cores); the result is the same on any")
      ->check(CLI::Range(0, 1024));
  cmd->add_option("--out", *out, "Folder for calibrated.json, fit.json and fit.csv");
  add_report_option(*cmd, *report_file);
  cmd->add_flag("--quiet", *quiet, "Print nothing on success");
  return [cmd, opts, observed, free, mapping, from, to, out, report_file, quiet]() {
    const InterruptGuard interrupt;
    std::vector<fs::path> inputs = scenario_inputs(opts->scenario);
    // An observe result folder (its summary.json) holds the measured funnel itself: its window is
    // the one observe measured, so --to and --mapping belong to observe; --from stays day 0.
    const bool result_folder =
        observed->size() == 1 && fs::is_regular_file(fs::path(observed->front()) / "summary.json");
    if (result_folder && !to->empty())
      throw UsageError("--to", "expected no --to with an observe result folder (give it to observe), found " + *to);
    if (result_folder && !mapping->empty())
      throw UsageError("--mapping",
                       "expected no --mapping with an observe result folder (give it to observe), found " + *mapping);
    std::string mapping_file = *mapping;
    if (mapping_file.empty() && observed->size() == 1 && !result_folder &&
        fs::is_regular_file(fs::path(observed->front()) / "mapping.json"))
      mapping_file = (fs::path(observed->front()) / "mapping.json").string();
    const OutputTargets targets(*cmd, *out, *report_file, inputs);  // before simulating
    crm::ReadOptions read;
    if (!mapping_file.empty()) read.mapping = for_option("--mapping", [&] { return crm::read_mapping(mapping_file); });
    const crm::Minute first =
        from->empty() ? crm::kNoTime : for_option("--from", [&] { return crm::parse_day(*from); });
    const crm::Minute last = to->empty() ? crm::kNoTime : for_option("--to", [&] { return crm::parse_day(*to); });
    const crm::ObservedFunnel funnel = [&] {
      if (result_folder) return crm::read_observed_summary(observed->front());
      const crm::ObservedData data = crm::read_exports(std::vector<fs::path>(observed->begin(), observed->end()), read);
      return crm::measure(data.records, crm::window_of(data.records, first, last));
    }();

    const nlohmann::json base = read_document(opts->scenario, parse_overrides(opts->sets));
    calibrate::CalibrationOptions options;
    options.seed = opts->seed ? *opts->seed : base.value("seed", std::uint64_t{1});
    if (opts->replications) options.replications = *opts->replications;
    options.threads = opts->threads;
    options.start_date = first;  // --from is the horizon's day 0, as export-crm prints it
    options.free = split_pointers(*free);
    options.cancel = interrupt.flag();
    std::optional<ProgressBar> bar(std::in_place, !*quiet);
    options.progress = [&bar](std::uint64_t done, std::uint64_t total) { bar->update(done, std::max(done, total)); };
    const std::string name = base.value("name", fs::path(opts->scenario).stem().string());
    const std::optional<calibrate::CalibrationResult> result = calibrate::calibrate(base, name, funnel, options);
    bar.reset();  // clears its line before any message
    if (interrupt.signal() != 0 || !result) return interrupt.report();
    if (targets.any()) {
      const fs::path base_path = fs::absolute(opts->scenario).lexically_normal();
      const std::string extends =
          base_path.lexically_relative(fs::absolute(out->empty() ? "." : *out).lexically_normal()).generic_string();
      // The --set values too: calibrated.json extends the file, which does not hold them.
      std::vector<std::pair<std::string, nlohmann::json>> kept;
      for (const Override& o : parse_overrides(opts->sets)) kept.emplace_back(o.pointer, o.json_value());
      const ResultSetFiles files = calibrate::calibration_files(*result, base, extends, kept);
      std::vector<std::string> parts{
          "calibrate", base.dump(), std::to_string(options.seed), std::to_string(options.replications), *from, *to};
      for (const std::string& p : options.free) parts.push_back(p);
      // The observed funnel itself, not where it was read from: an export and the observe folder
      // made of it give the same fit, and the same run_id.
      parts.push_back(fmt::format("{} {}", funnel.window.from, funnel.window.end));
      for (const crm::ObservedScope& scope : funnel.scopes) {
        parts.push_back(scope.name);
        for (std::size_t m = 0; m < scope.metrics.size(); ++m)
          parts.push_back(fmt::format("{} {} {} {}", scope.metrics[m], scope.intervals[m].low, scope.intervals[m].high,
                                      scope.intervals[m].method));
      }
      if (interrupt.signal() != 0) return interrupt.report();  // last check before the disk
      targets.write(files, run_identifier(parts), [](const ResultSetFiles& set) {
        return html_report(set);  // reads fit.json, ignores the rest
      });
    }
    if (!*quiet) print_text(stdout, calibrate::calibration_table(*result));
    return 0;
  };
}

}  // namespace funnelsim::cli
