// `funnelsim report RESULT_DIR [--out FILE]`: the HTML report of a folder of results.
#include <fmt/format.h>

#include "commands.hpp"
#include "funnelsim/core/usage_error.hpp"
#include "funnelsim/report/report.hpp"
#include "output_target.hpp"
#include "report_option.hpp"
#include "terminal.hpp"

namespace funnelsim::cli {

Command add_report_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("report", "Write a self-contained HTML report of a folder of results");
  auto folder = std::make_shared<std::string>();
  auto out = std::make_shared<std::string>();
  auto quiet = std::make_shared<bool>(false);
  cmd->add_option("result_dir", *folder,
                  "Folder written by run, compare, sweep or sensitivity --out (summary.json, compare.json, ...)")
      ->required();
  cmd->add_option("--out", *out, "HTML file to write (default: RESULT_DIR/report.html)");
  cmd->add_flag("--quiet", *quiet, "Print nothing on success");
  return [cmd, folder, out, quiet]() {
    const std::filesystem::path target =
        out->empty() ? std::filesystem::path(*folder) / "report.html" : std::filesystem::path(*out);
    if (out->empty() && cmd->count("--out") > 0)
      throw UsageError("--out: expected a file name such as report.html, found an empty string");
    check_report_target(target.string(), "--out");
    std::vector<std::filesystem::path> inputs;  // the files the report reads
    for (const std::string_view name : report_input_names()) inputs.push_back(std::filesystem::path(*folder) / name);
    inputs.push_back(std::filesystem::path(*folder) / kRunIdFile);
    refuse_input_as_output(target, inputs, "--out");
    const std::string html = html_report(read_result_folder(*folder), *folder);
    write_report_file(target, html);
    if (!*quiet) print_text(stdout, fmt::format("report: {}\n", target.string()));
    return 0;
  };
}

}  // namespace funnelsim::cli
