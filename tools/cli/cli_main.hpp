#pragma once
// The whole command line of funnelsim: parses argv, runs the subcommand, returns the exit code
// (0 success, 2 bad usage or input, 1 internal error).
namespace funnelsim::cli {

int cli_main(int argc, char** argv);

}  // namespace funnelsim::cli
