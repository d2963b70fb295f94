#include "output_target.hpp"

#include <unistd.h>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "funnelsim/core/usage_error.hpp"
#include "funnelsim/scenario/loader.hpp"
#include "report_option.hpp"
#include "shard_option.hpp"

namespace funnelsim::cli {
namespace {

namespace fs = std::filesystem;

/// Whether `inner` is `outer` or lies inside it.
bool within(const fs::path& inner, const fs::path& outer) {
  auto i = inner.begin();
  for (auto o = outer.begin(); o != outer.end(); ++o, ++i)
    if (i == inner.end() || *i != *o) return false;
  return true;
}

}  // namespace

std::vector<fs::path> scenario_inputs(const std::string& file) {
  std::vector<fs::path> chain = scenario_files(file);
  for (fs::path& input : chain) input = resolved_path(input);
  return chain;
}

GivenRunControls given_controls(const ScenarioOptions& opts) {
  return {opts.seed, opts.replications, opts.first_replication, opts.precision};
}

void refuse_input_as_output(const fs::path& file, const std::vector<fs::path>& inputs, const std::string& option) {
  const fs::path target = resolved_path(file);
  for (const fs::path& input : inputs)
    if (resolved_path(input) == target)
      throw UsageError(fmt::format("{} {}: expected a file to write, found an input of this command ({})", option,
                                   file.string(), input.string()));
}

OutputTargets::OutputTargets(const CLI::App& cmd, const std::string& out, const std::string& report,
                             const std::vector<fs::path>& inputs) {
  if (cmd.get_option_no_throw("--report") && cmd.count("--report") > 0 && report.empty())
    throw UsageError("--report: expected a file name such as report.html, found an empty string");
  if (cmd.count("--out") > 0) {
    if (out.empty()) throw UsageError("--out: expected a folder name, found an empty string");
    const fs::path folder = resolved_path(out);
    for (const fs::path& input : inputs)
      if (within(resolved_path(input), folder))
        throw UsageError(fmt::format(
            "--out {}: expected a folder for the results, found one holding an input of this command ({}): the "
            "folder is replaced as a whole",
            out, input.string()));
  }
  if (!report.empty()) {
    check_report_target(report);
    refuse_input_as_output(report, inputs, "--report");
    report_ = resolved_path(report);
    std::error_code ec;
    const fs::path parent = report_.parent_path();
    if (fs::is_directory(parent, ec) && ::access(parent.c_str(), W_OK | X_OK) != 0)
      throw UsageError(
          fmt::format("--report {}: expected a file that can be written, found {} read-only", report, parent.string()));
    if (fs::exists(parent, ec) && !fs::is_directory(parent, ec))
      throw UsageError(
          fmt::format("--report {}: expected a file in a folder, found that {} is a file", report, parent.string()));
  }
  // On a cluster only rank 0 writes: the other ranks neither lock nor check the folder.
  if (!out.empty() && (!current_cluster() || current_cluster()->rank() == 0)) {
    writer_ = std::make_unique<ResultSetWriter>(out, "--out");
    if (!report_.empty() && report_.parent_path() == writer_->target()) {
      if (report_.filename() != "report.html")
        throw UsageError(fmt::format(
            "--report {}: a report inside the --out folder is part of its result set: name it report.html", report));
      report_in_set_ = true;
    }
  }
}

void OutputTargets::write(const ResultSetFiles& files, const std::string& run_id,
                          const std::function<std::string(const ResultSetFiles&)>& html) const {
  ResultSetFiles set = writer_ ? with_run_id(files, run_id) : ResultSetFiles{};
  if (!report_.empty()) {
    if (report_in_set_)
      set.emplace_back("report.html", html(files));
    else
      write_file_atomically(report_, html(files));  // first: if it fails, the folder is untouched
  }
  if (writer_) writer_->commit(set);
}

}  // namespace funnelsim::cli
