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
  std::string warmup;     ///< --warmup auto|DAYS: /warmup_days, after every --set
  std::string metrics;    ///< --metrics a,b,c, in the commands that have it
};

void add_scenario_options(CLI::App& cmd, ScenarioOptions& opts, bool with_run_controls);
/// --set, one value per occurrence (repeatable).
void add_set_option(CLI::App& cmd, ScenarioOptions& opts, const std::string& help);
/// --replications, --seed, --first-replication (unless left out), --threads (for commands with
/// their own positionals).
void add_run_controls(CLI::App& cmd, ScenarioOptions& opts, bool with_first_replication = true);
std::vector<Override> parse_overrides(const std::vector<std::string>& sets);
/// The --set overrides, then --warmup's.
std::vector<Override> scenario_overrides(const ScenarioOptions& opts);
/// The warm-up a document runs with: "auto" worked out by the rule (a probe that Ctrl-C stops:
/// nullopt), its own days otherwise. Unless `quiet`, says on stderr what "auto" chose.
std::optional<WarmupChoice> choose_warmup_for(const nlohmann::json& document, const std::string& file, bool quiet,
                                              const std::atomic<bool>* cancel);
/// The stem of a scenario file: the name of a scenario without one.
std::string fallback_name_of(const std::string& file);
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
/// Reads a scenario file (extends, then --set) ready to run, uncertain inputs and all, with
/// `warmup` for a document asking for "auto".
RunnableScenario load_runnable(const std::string& file, const std::vector<Override>& overrides,
                               const std::optional<WarmupChoice>& warmup = {});

}  // namespace funnelsim::cli
