#pragma once
// The funnelsim subcommands. Each registers its options on the CLI11 app and returns the
// function that runs it; exit codes: 0 success, 2 bad usage or bad input, 1 internal error.
#include <functional>

#include <CLI/CLI.hpp>

namespace funnelsim::cli {

using Command = std::function<int()>;

Command add_run_command(CLI::App& app);
Command add_validate_command(CLI::App& app);
Command add_bench_command(CLI::App& app);
Command add_compare_command(CLI::App& app);
Command add_sweep_command(CLI::App& app);
Command add_report_command(CLI::App& app);
Command add_sensitivity_command(CLI::App& app);
Command add_export_crm_command(CLI::App& app);
Command add_observe_command(CLI::App& app);
Command add_serve_command(CLI::App& app);
Command add_calibrate_command(CLI::App& app);
Command add_merge_command(CLI::App& app);

}  // namespace funnelsim::cli
