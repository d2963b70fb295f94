#pragma once
// Options shared by the commands that load a scenario and run it.
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "funnelsim/engine/engine.hpp"
#include "funnelsim/model/model.hpp"
#include "funnelsim/scenario/loader.hpp"
#include "funnelsim/scenario/origin.hpp"
#include "funnelsim/scenario/scenario.hpp"
#include "funnelsim/whatif/run.hpp"
#include "funnelsim/whatif/runnable_scenario.hpp"

namespace funnelsim::cli {

struct ScenarioOptions {
  std::string scenario;
  std::vector<std::string> sets;
  std::optional<std::uint64_t> replications;
  std::optional<std::uint64_t> seed;
  std::uint64_t first_replication = 0;
  int threads = 0;
  std::string precision;  ///< --precision METRIC=REL%, in the commands that have it
  std::string metrics;    ///< --metrics a,b,c, in the commands that have it
};

void add_scenario_options(CLI::App& cmd, ScenarioOptions& opts, bool with_run_controls);
/// --set, one value per occurrence (repeatable).
void add_set_option(CLI::App& cmd, ScenarioOptions& opts, const std::string& help);
/// --replications, --seed, --first-replication (unless left out), --threads (for commands with
/// their own positionals).
void add_run_controls(CLI::App& cmd, ScenarioOptions& opts, bool with_first_replication = true);
std::vector<Override> parse_overrides(const std::vector<std::string>& sets);
/// --metrics a,b,c: which metrics the printed table and the report show.
void add_metrics_option(CLI::App& cmd, ScenarioOptions& opts);
/// The names --metrics gave (empty without it); a bad name is a UsageError naming --metrics.
std::vector<std::string> chosen_metrics(const ScenarioOptions& opts);
/// The run controls the user typed (unset ones default to the scenario's in the library), the
/// precision target parsed.
WhatIfOptions whatif_options(const ScenarioOptions& opts);
/// read_scenario_document, its override issues naming --set.
nlohmann::json read_document(const std::string& file, const std::vector<Override>& overrides);
/// read_scenario_input (the document and where it came from), its override issues naming --set.
ScenarioInput read_input(const std::string& file, const std::vector<Override>& overrides);
/// Reads a scenario file (extends, then --set) ready to run, uncertain inputs and all.
RunnableScenario load_runnable(const std::string& file, const std::vector<Override>& overrides);
/// load_runnable for one of several scenarios: a problem is a ScenarioInputError naming the file.
RunnableScenario load_one_of_several(const std::string& file, const std::vector<Override>& overrides);

}  // namespace funnelsim::cli
