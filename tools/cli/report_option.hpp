#pragma once
// --report FILE, shared by the commands that can write an HTML report of their results.
#include <CLI/CLI.hpp>
#include <string>

namespace funnelsim::cli {

/// Adds --report FILE to a command.
void add_report_option(CLI::App& cmd, std::string& file);

/// Checks, before anything runs, that a report can be written to `file`: this build has the chart
/// libraries and `file` names a file, not a folder. Throws UsageError (naming `option`) otherwise.
void check_report_target(const std::string& file, const std::string& option = "--report");

}  // namespace funnelsim::cli
