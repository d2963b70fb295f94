#pragma once
// A funnelsim serve Server in-process, on a small scenario with every kind of lever, and requests
// to it as a browser would make them (tests/test_server*.cpp).
#include <fstream>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "cli_support.hpp"
#include "server.hpp"

namespace funnelsim::test {

/// 140 leads a week from two paid sources for four weeks, one SDR, a nurture track with
/// recycling: small enough for 20-replication runs in a fraction of a second.
inline constexpr const char* kWorkshopScenario = R"({
  "name": "ws", "horizon_days": 28, "seed": 11, "replications": 20,
  "sources": [
    { "name": "search", "leads_per_week": 60, "cost_per_lead": 50,
      "profile": { "attributes": { "fit": { "probability": 0.3, "readiness_correlation": 0.5 } },
                   "events": { "visit": { "rate_at_readiness_0": 0.5, "rate_at_readiness_1": 20, "half_life_days": 10 } } } },
    { "name": "social", "leads_per_week": 80, "cost_per_lead": 25,
      "profile": { "attributes": { "fit": { "probability": 0.2, "readiness_correlation": 0.5 } },
                   "events": { "visit": { "rate_at_readiness_0": 0.5, "rate_at_readiness_1": 15, "half_life_days": 10 } } } }],
  "scoring": { "attribute_points": { "fit": 20 }, "event_points": { "visit": 5 }, "mql_threshold": 60 },
  "sales": { "teams": [ { "name": "desk", "headcount": 1, "queue_discipline": "fifo", "sla_hours": { "engagement": 24 },
                         "cost_per_rep_per_week": 1500 } ] },
  "nurture": { "tracks": [ { "name": "recycle", "reasons": ["not_ready"], "duration_days": 14, "touches_per_week": 1,
                             "lift_per_touch": 0.1, "cost_per_touch": 0.25 } ],
               "recycling": { "enabled": true, "reasons": ["not_ready"], "cooldown_days": 7, "max_recycles": 1 } }
})";

struct TestServer {
  TempDir dir;
  std::string scenario_file = (dir / "ws.json").string();
  std::unique_ptr<server::Server> server;

  explicit TestServer(server::ServerConfig config = {}, bool write_scenario = true) {
    if (write_scenario) std::ofstream(scenario_file) << kWorkshopScenario;
    if (config.scenarios.empty()) config.scenarios = {scenario_file};
    if (config.state_dir.empty()) config.state_dir = dir / "sessions";
    if (config.default_replications == 200) config.default_replications = 20;
    config.threads = 2;
    server = std::make_unique<server::Server>(std::move(config));
  }
  /// Another server on the same scenario and state folder: a restart.
  void restart(server::ServerConfig config = {}) {
    server.reset();
    config.scenarios = {scenario_file};
    config.state_dir = dir / "sessions";
    config.default_replications = 20;
    config.threads = 2;
    server = std::make_unique<server::Server>(std::move(config));
  }
};

inline server::Request request(std::string method, std::string path, const nlohmann::json& body = nullptr,
                               std::string key = {}) {
  server::Request r;
  r.method = std::move(method);
  r.path = std::move(path);
  r.host = "127.0.0.1:8080";
  r.client = "test-client";
  if (!body.is_null()) {
    r.body = body.dump();
    r.content_type = "application/json";
  }
  if (!key.empty()) r.authorization = "Key " + key;
  return r;
}

struct Answer {
  int status = 0;
  nlohmann::json body;  ///< the body, or a job's last line
  std::string text;
};

/// The response, a job's run included (its last line, as the stream would end).
inline Answer answer(server::Server& s, const server::Request& r) {
  const server::Response response = s.handle(r);
  Answer a;
  if (response.job) {
    const server::JobOutcome outcome = s.execute(*response.job);
    a.status = outcome.status;
    a.text = outcome.body;
  } else {
    a.status = response.status;
    a.text = response.body;
  }
  a.body = nlohmann::json::parse(a.text, nullptr, false);
  return a;
}

}  // namespace funnelsim::test
