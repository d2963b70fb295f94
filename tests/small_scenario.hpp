#pragma once
// A small funnel for CLI tests whose MQLs hinge on the threshold: 100 leads a week for 4 weeks,
// a fit attribute worth 20 points and 5-point visits, threshold 60; 20 replications, seed 5.
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "cli_support.hpp"

namespace funnelsim::test {

inline constexpr const char* kSmallScenario = R"({
  "name": "small", "horizon_days": 28, "seed": 5, "replications": 20,
  "sources": [{ "name": "web", "leads_per_week": 100, "cost_per_lead": 20,
    "profile": {
      "attributes": { "fit": { "probability": 0.3, "readiness_correlation": 0.5 } },
      "events": { "visit": { "rate_at_readiness_0": 0.5, "rate_at_readiness_1": 20, "half_life_days": 10 } } } }],
  "scoring": { "attribute_points": { "fit": 20 }, "event_points": { "visit": 5 }, "mql_threshold": 60 }
})";

/// kSmallScenario, changed by a JSON Merge Patch, as small.json in a folder of its own.
struct SmallScenario {
  TempDir dir;
  std::string file = (dir / "small.json").string();
  explicit SmallScenario(const std::string& patch = "{}") {
    nlohmann::json doc = nlohmann::json::parse(kSmallScenario);
    doc.merge_patch(nlohmann::json::parse(patch));
    std::ofstream(file) << doc.dump();
  }
};

}  // namespace funnelsim::test
