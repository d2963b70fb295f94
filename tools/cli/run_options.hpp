#pragma once
// Options shared by the commands that load a scenario and run it.
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "funnelsim/engine.hpp"
#include "funnelsim/scenario.hpp"
#include "funnelsim/scenario_loader.hpp"

namespace funnelsim::cli {

struct ScenarioOptions {
  std::string scenario;
  std::vector<std::string> sets;
  std::optional<std::uint64_t> replications;
  std::optional<std::uint64_t> seed;
  std::uint64_t first_replication = 0;
  int threads = 0;
};

void add_scenario_options(CLI::App& cmd, ScenarioOptions& opts, bool with_run_controls);
std::vector<Override> parse_overrides(const std::vector<std::string>& sets);
RunOptions run_options_for(const Scenario& scenario, const ScenarioOptions& opts);

}  // namespace funnelsim::cli
