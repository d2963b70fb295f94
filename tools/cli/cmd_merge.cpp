// `funnelsim merge SHARD_DIR... --out DIR [--report FILE]`: the shards of one job (run, compare,
// sweep, sensitivity with --shard K/N) put together, and the job's outputs written from them as
// one process writes them. The job's own command runs again on the shards' tables instead of
// simulating: the same statistics and writers, byte for byte the same files.
#include <filesystem>
#include <map>

#include <fmt/format.h>

#include "commands.hpp"
#include "funnelsim/core/usage_error.hpp"
#include "funnelsim/output/result_set.hpp"
#include "funnelsim/whatif/job_blocks.hpp"
#include "shard_option.hpp"

namespace funnelsim::cli {

Command add_merge_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("merge", "Put the shards of one job together and write its outputs");
  auto folders = std::make_shared<std::vector<std::string>>();
  auto out = std::make_shared<std::string>();
  auto report_file = std::make_shared<std::string>();
  auto quiet = std::make_shared<bool>(false);
  cmd->add_option("shards", *folders, "SHARD_DIR...: folders a command run with --shard wrote")
      ->required()
      ->expected(1, -1);
  cmd->add_option("--out", *out, "Folder for the job's result files, as one process writes them")->required();
  cmd->add_option("--report", *report_file, "Also write the job's HTML report to this file");
  cmd->add_flag("--quiet", *quiet, "Print nothing on success");
  return [cmd, folders, out, report_file, quiet]() {
    std::vector<std::filesystem::path> paths(folders->begin(), folders->end());
    const std::filesystem::path target = resolved_path(*out);
    for (const auto& folder : paths)
      if (resolved_path(folder) == target)
        throw UsageError(
            fmt::format("--out {}: expected a folder for the results, found a shard folder given to merge", *out));
    JobUnits units = JobUnits::merged(paths);
    const JobIdentity& job = units.identity();
    // The job's command once more, on the shards' tables.
    CLI::App again{"funnelsim", "funnelsim"};
    again.require_subcommand(1);
    static const std::map<std::string, Command (*)(CLI::App&)> kCommands = {{"run", add_run_command},
                                                                            {"compare", add_compare_command},
                                                                            {"sweep", add_sweep_command},
                                                                            {"sensitivity", add_sensitivity_command}};
    const auto found = kCommands.find(job.command);
    if (found == kCommands.end())
      throw UsageError(
          fmt::format("expected shards of run, compare, sweep or sensitivity, found shards of {}", job.command));
    const Command command = found->second(again);
    std::vector<std::string> words = {"funnelsim", job.command};
    words.insert(words.end(), job.arguments.begin(), job.arguments.end());
    words.insert(words.end(), {"--out", *out});
    if (cmd->count("--report") > 0) words.insert(words.end(), {"--report", *report_file});
    if (*quiet) words.push_back("--quiet");
    std::vector<const char*> argv;
    for (const std::string& w : words) argv.push_back(w.c_str());
    try {
      again.parse(static_cast<int>(argv.size()), argv.data());
    } catch (const CLI::ParseError& e) {
      throw UsageError(fmt::format("expected the shards' command line to parse, found: {}", e.what()));
    }
    const ReplayScope scope(units);
    return command();
  };
}

}  // namespace funnelsim::cli
