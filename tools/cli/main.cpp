// funnelsim: the command-line front end. The library never prints; this layer does.
#include <cstdio>
#include <exception>
#include <sstream>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "commands.hpp"
#include "funnelsim/scenario/error.hpp"
#include "funnelsim/core/usage_error.hpp"
#include "funnelsim/whatif/run.hpp"
#include "option_error.hpp"
#include "terminal.hpp"

int main(int argc, char** argv) {
  CLI::App app{"funnelsim: Monte Carlo simulation of a B2B lead funnel", "funnelsim"};
  app.set_version_flag("--version", FUNNELSIM_VERSION);
  app.require_subcommand(1);
  using namespace funnelsim::cli;
  const Command commands[] = {add_run_command(app),     add_validate_command(app), add_bench_command(app),
                              add_compare_command(app), add_sweep_command(app),    add_sensitivity_command(app),
                              add_report_command(app)};
  const char* names[] = {"run", "validate", "bench", "compare", "sweep", "sensitivity", "report"};
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
  try {
    for (std::size_t i = 0; i < std::size(names); ++i)
      if (app.got_subcommand(names[i])) return commands[i]();
  } catch (const funnelsim::ScenarioError& e) {
    const auto* input = dynamic_cast<const funnelsim::ScenarioInputError*>(&e);
    std::string text = fmt::format("funnelsim: invalid scenario{}:\n", input ? " " + input->context() : "");
    for (const auto& issue : e.issues()) {
      text += fmt::format("  {}: expected {}, found {}\n", issue.path.empty() ? "/" : issue.path, cli_expected(issue),
                          issue.found);
    }
    print_text(stderr, text);
    return 2;
  } catch (const funnelsim::UsageError& e) {
    print_text(stderr, fmt::format("funnelsim: {}\n", e.what()));
    return 2;
  } catch (const std::exception& e) {
    print_text(stderr, fmt::format("funnelsim: internal error: {}\n", e.what()));
    return 1;
  }
  return 2;
}
