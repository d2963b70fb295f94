#pragma once
// Helpers shared by the tests: scenarios from inline JSON, and k-standard-error checks.
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <string>

#include <nlohmann/json.hpp>

#include "funnelsim/core/usage_error.hpp"
#include "funnelsim/engine/engine.hpp"
#include "funnelsim/model/model.hpp"
#include "funnelsim/scenario/loader.hpp"
#include "funnelsim/whatif/warmup_choice.hpp"

namespace funnelsim::test {

inline Scenario scenario_from(const nlohmann::json& doc) { return scenario_from_json(doc, "test"); }

inline RunResult run(const nlohmann::json& doc, std::uint64_t replications, int threads = 0, std::uint64_t seed = 7) {
  const CompiledModel model = compile_model(scenario_from(doc));
  RunOptions options;
  options.seed = seed;
  options.replications = replications;
  options.threads = threads;
  return run_replications(model, options);
}

inline std::string source_path() { return FUNNELSIM_SOURCE_DIR; }

/// A document with "warmup_days": "auto" worked out by the rule, as a run would (a model cannot be
/// compiled from "auto").
inline nlohmann::json with_warmup_worked_out(nlohmann::json doc, const std::string& name) {
  apply_warmup(doc, *choose_warmup(doc, name));
  return doc;
}
/// A shipped scenario (scenarios/<name>.json, extends resolved) as it runs: its warm-up worked out.
inline nlohmann::json shipped_scenario(const std::string& name) {
  return with_warmup_worked_out(read_scenario_document(source_path() + "/scenarios/" + name + ".json"), name);
}

/// What `f` throws as a UsageError ("no error" when it throws none), for exact-message checks.
template <class F>
std::string usage_message(F&& f) {
  try {
    f();
  } catch (const UsageError& e) {
    return e.what();
  }
  return "no error";
}

/// A replication's value of a metric in the run's table (scope 0: the whole funnel).
inline double at(const RunResult& r, std::size_t rep, std::size_t scope, Metric m) {
  return r.table.row(rep, scope)[static_cast<std::size_t>(m)];
}
inline double at(const RunResult& r, std::size_t rep, std::size_t scope, TeamMetric m) {
  return r.table.row(rep, scope)[static_cast<std::size_t>(m)];
}

/// What the statistics and the tables hold where a value is undefined.
inline constexpr double undefined = std::numeric_limits<double>::quiet_NaN();

inline void write_text(const std::filesystem::path& file, const std::string& text) {
  std::ofstream(file, std::ios::binary) << text;
}

/// Four standard errors: a fixed-seed test that fails by chance about once in 16,000 runs.
inline constexpr double kSigmas = 4.0;

}  // namespace funnelsim::test
