// funnelsim: the command-line front end. The library never prints; this layer does. main() (main.cpp,
// and funnelsim-mpi's in tools/mpi/) calls cli_main().
#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <exception>
#include <sstream>
#include <string>
#include <system_error>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "cli_main.hpp"
#include "commands.hpp"
#include "funnelsim/scenario/error.hpp"
#include "funnelsim/core/usage_error.hpp"
#include "funnelsim/output/result_set.hpp"
#include "funnelsim/whatif/run.hpp"
#include "option_error.hpp"
#include "shard_option.hpp"
#include "terminal.hpp"

namespace {

/// Standard streams closed by the caller (`2>&-`) are opened on /dev/null (stdin, stderr) or
/// /dev/full (stdout: its output is the point, so a write fails and says so): otherwise the first
/// file funnelsim opens would take the number and receive what was meant for the terminal.
void reserve_standard_streams() {
  const char* devices[] = {"/dev/null", "/dev/full", "/dev/null"};
  for (int fd = 0; fd <= 2; ++fd) {
    if (::fcntl(fd, F_GETFD) != -1) continue;
    const int opened = ::open(devices[fd], fd == 0 ? O_RDONLY : O_WRONLY);
    if (opened >= 0 && opened != fd) {
      ::dup2(opened, fd);
      ::close(opened);
    }
  }
}

/// A message on stderr that cannot throw: when stderr itself fails there is nobody to tell.
void say(const std::string& text) {
  funnelsim::cli::print_text(stderr, text);
  std::fflush(stderr);
}

int run_command(CLI::App& app, const funnelsim::cli::Command* commands, const char* const* names, std::size_t n);

}  // namespace

int funnelsim::cli::cli_main(int argc, char** argv) {
  reserve_standard_streams();
  CLI::App app{"funnelsim: Monte Carlo simulation of a B2B lead funnel", "funnelsim"};
  app.set_version_flag("--version", FUNNELSIM_VERSION);
  app.require_subcommand(1);
  using namespace funnelsim::cli;
  const Command commands[] = {add_run_command(app),       add_validate_command(app),   add_bench_command(app),
                              add_compare_command(app),   add_sweep_command(app),      add_sensitivity_command(app),
                              add_report_command(app),    add_export_crm_command(app), add_observe_command(app),
                              add_calibrate_command(app), add_serve_command(app),      add_merge_command(app)};
  const char* names[] = {"run",    "validate",   "bench",   "compare",   "sweep", "sensitivity",
                         "report", "export-crm", "observe", "calibrate", "serve", "merge"};
  set_command_line(argc, argv);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::ostringstream out, err;  // CLI11's message quotes what was typed: shown through terminal_text
    app.exit(e, out, err);
    print_text(stdout, out.str());
    print_text(stderr, err.str());
    return 2;
  }
  int code = run_command(app, commands, names, std::size(names));
  // A failed write to stdout (a full disk, /dev/full, a closed pipe) is a failed run.
  if (std::fflush(stdout) != 0 || std::ferror(stdout)) {
    say("funnelsim: cannot write to standard output\n");
    if (code == 0) code = 1;
  }
  return code;
}

namespace {

int run_command(CLI::App& app, const funnelsim::cli::Command* commands, const char* const* names, std::size_t n) {
  using namespace funnelsim::cli;
  try {
    for (std::size_t i = 0; i < n; ++i)
      if (app.got_subcommand(names[i])) return commands[i]();
  } catch (const funnelsim::ScenarioError& e) {
    const auto* input = dynamic_cast<const funnelsim::ScenarioInputError*>(&e);
    std::string text = fmt::format("funnelsim: invalid scenario{}:\n", input ? " " + input->context() : "");
    for (const auto& issue : e.issues()) {
      text += fmt::format("  {}: expected {}, found {}\n", issue.path.empty() ? "/" : issue.path, cli_expected(issue),
                          issue.found);
    }
    say(text);
    return 2;
  } catch (const funnelsim::UsageError& e) {
    say(fmt::format("funnelsim: {}\n", e.what()));
    return 2;
  } catch (const funnelsim::ResultWriteError& e) {
    say(fmt::format("funnelsim: {}\n", e.what()));
    return 1;
  } catch (const std::system_error& e) {  // a failed write to a standard stream, among others
    say(fmt::format("funnelsim: {}\n", e.what()));
    return 1;
  } catch (const std::exception& e) {
    say(fmt::format("funnelsim: internal error: {}\n", e.what()));
    return 1;
  }
  return 2;
}

}  // namespace
