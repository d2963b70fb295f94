// `funnelsim report RESULT_DIR [RESULT_DIR...] [--out FILE]`: the HTML report of folders of results
// (an observed folder beside a run's shows the two side by side).
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
  auto folders = std::make_shared<std::vector<std::string>>();
  auto out = std::make_shared<std::string>();
  auto quiet = std::make_shared<bool>(false);
  cmd->add_option(
         "result_dir", *folders,
         "Folders written by run, compare, sweep, sensitivity, observe or calibrate --out (summary.json, compare.json, "
         "...); an observed one beside a run's is shown side by side")
      ->required();
  cmd->add_option("--out", *out, "HTML file to write (default: the first RESULT_DIR/report.html)");
  cmd->add_flag("--quiet", *quiet, "Print nothing on success");
  return [cmd, folders, out, quiet]() {
    const std::filesystem::path target =
        out->empty() ? std::filesystem::path(folders->front()) / "report.html" : std::filesystem::path(*out);
    if (out->empty() && cmd->count("--out") > 0)
      throw UsageError("--out: expected a file name such as report.html, found an empty string");
    check_report_target(target.string(), "--out");
    std::vector<std::filesystem::path> inputs;  // the files the report reads
    for (const std::string& folder : *folders) {
      for (const std::string_view name : report_input_names()) inputs.push_back(std::filesystem::path(folder) / name);
      inputs.push_back(std::filesystem::path(folder) / kRunIdFile);
    }
    refuse_input_as_output(target, inputs, "--out");
    std::vector<ResultFiles> sets;
    std::string origin;
    for (const std::string& folder : *folders) {
      sets.push_back(read_result_folder(folder));
      origin += (origin.empty() ? "" : ", ") + folder;
    }
    const std::string html = html_report_of_folders(sets, origin);
    write_report_file(target, html);
    if (!*quiet) print_text(stdout, fmt::format("report: {}\n", target.string()));
    return 0;
  };
}

}  // namespace funnelsim::cli
