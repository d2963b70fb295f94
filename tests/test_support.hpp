#pragma once
// Helpers shared by the tests: scenarios from inline JSON, and k-standard-error checks.
#include <cmath>
#include <string>

#include <nlohmann/json.hpp>

#include "funnelsim/engine/engine.hpp"
#include "funnelsim/model/model.hpp"
#include "funnelsim/scenario/loader.hpp"

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

/// Four standard errors: a fixed-seed test that fails by chance about once in 16,000 runs.
inline constexpr double kSigmas = 4.0;

}  // namespace funnelsim::test
