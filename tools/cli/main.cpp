// funnelsim's entry point: the command line (cli_main.cpp).
#include "cli_main.hpp"

int main(int argc, char** argv) { return funnelsim::cli::cli_main(argc, argv); }
