// `funnelsim observe EXPORT...`: the funnel a CRM export records, in funnelsim's metric names
// and files (funnelsim/crm/observe.hpp).
#include <fmt/format.h>

#include "commands.hpp"
#include "funnelsim/crm/observe.hpp"
#include "funnelsim/crm/observe_output.hpp"
#include "funnelsim/report/report.hpp"
#include "interrupt.hpp"
#include "option_error.hpp"
#include "output_target.hpp"
#include "report_option.hpp"
#include "terminal.hpp"

namespace funnelsim::cli {
namespace {

namespace fs = std::filesystem;

/// A day given as YYYY-MM-DD: its midnight (UTC).
crm::Minute parse_day(const std::string& option, const std::string& text) {
  return for_option(option, [&] { return crm::parse_day(text); });
}

}  // namespace

Command add_observe_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("observe", "Report the funnel a HubSpot or Salesforce export records");
  auto exports = std::make_shared<std::vector<std::string>>();
  auto format = std::make_shared<std::string>("auto");
  auto mapping = std::make_shared<std::string>();
  auto from = std::make_shared<std::string>();
  auto to = std::make_shared<std::string>();
  auto date_order = std::make_shared<std::string>();
  auto strict = std::make_shared<bool>(false);
  auto out = std::make_shared<std::string>();
  auto report_file = std::make_shared<std::string>();
  auto quiet = std::make_shared<bool>(false);
  cmd->add_option("exports", *exports, "CSV exports, or folders of them (leads/contacts, deals, history)")->required();
  cmd->add_option("--format", *format, "auto (recognised from the headers), hubspot or salesforce");
  cmd->add_option("--mapping", *mapping, "A mapping file: renamed columns, custom stages, source values");
  cmd->add_option("--from", *from, "First day measured, YYYY-MM-DD (default: the first record's)");
  cmd->add_option("--to", *to, "Last day measured, YYYY-MM-DD (default: the day of the latest dated event)");
  cmd->add_option("--date-order", *date_order,
                  "How to read dates like 03/04/2025: month-first (MM/DD/YYYY) or day-first (DD/MM/YYYY)");
  cmd->add_flag("--strict", *strict,
                "Refuse rows with impossible orders (SQL before MQL, ...) instead of leaving them out");
  cmd->add_option("--out", *out, "Folder for summary.json, replications.csv and weekly.csv");
  add_report_option(*cmd, *report_file);
  cmd->add_flag("--quiet", *quiet, "Print nothing on success");
  return [cmd, exports, format, mapping, from, to, date_order, strict, out, report_file, quiet]() {
    const InterruptGuard interrupt;
    std::vector<fs::path> inputs = crm::export_files(std::vector<fs::path>(exports->begin(), exports->end()));
    if (!mapping->empty()) inputs.emplace_back(*mapping);
    const OutputTargets targets(*cmd, *out, *report_file, inputs);  // before reading
    crm::ReadOptions options;
    if (*format != "auto") options.format = for_option("--format", [&] { return crm::parse_format(*format); });
    if (!mapping->empty()) options.mapping = for_option("--mapping", [&] { return crm::read_mapping(*mapping); });
    if (*date_order == "month-first")
      options.date_order = crm::DateOrder::month_first;
    else if (*date_order == "day-first")
      options.date_order = crm::DateOrder::day_first;
    else if (!date_order->empty())
      throw UsageError("--date-order", fmt::format("expected month-first or day-first, found \"{}\"", *date_order));
    options.strict = *strict;
    const crm::Minute first = from->empty() ? crm::kNoTime : parse_day("--from", *from);
    const crm::Minute last = to->empty() ? crm::kNoTime : parse_day("--to", *to);
    if (first != crm::kNoTime && last != crm::kNoTime && last < first)
      throw UsageError("--to", fmt::format("expected a day on or after --from {}, found {}", *from, *to));
    crm::ObservedData data;
    try {
      data = crm::read_exports(std::vector<fs::path>(exports->begin(), exports->end()), options);
    } catch (const crm::AmbiguousDateError& e) {
      throw UsageError(e.subject(), e.message() + " with --date-order month-first or day-first");
    }
    if (interrupt.signal() != 0) return interrupt.report();
    const crm::ObservedFunnel funnel = crm::measure(data.records, crm::window_of(data.records, first, last));
    if (targets.any()) {
      const ResultSetFiles result = crm::observed_files(data, funnel);
      const std::string run_id = crm::run_id_of_observe(inputs, {*format, *from, *to, *date_order, *strict});
      if (interrupt.signal() != 0) return interrupt.report();  // last check before the disk
      targets.write(result, run_id, [&](const ResultSetFiles& f) {
        return html_report(f, fmt::format("observe of {}", exports->front()));
      });
    }
    if (!*quiet) print_text(stdout, crm::observed_text(data, funnel));
    return 0;
  };
}

}  // namespace funnelsim::cli
