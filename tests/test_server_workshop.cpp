// A workshop through funnelsim serve's API in-process: a facilitator's session, teams joining by
// code, plans ranked on common random numbers, the debrief and the reveal, exports, a restart, and
// a plan that `funnelsim run` reproduces exactly.
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <fstream>
#include <thread>

#include "funnelsim/metrics/metrics.hpp"
#include "funnelsim/report/report.hpp"
#include "server_support.hpp"

using funnelsim::test::answer;
using funnelsim::test::request;
using funnelsim::test::TestServer;
using nlohmann::json;
namespace server = funnelsim::server;

namespace {

struct Workshop {
  std::string code, key;
};

Workshop create(server::Server& s, const json& body) {
  const auto a = answer(s, request("POST", "/api/sessions", body));
  REQUIRE(a.status == 200);
  return {a.body["session"]["code"], a.body["facilitator_key"]};
}

std::string join(server::Server& s, const std::string& code, const std::string& name) {
  const auto a = answer(s, request("POST", "/api/sessions/" + code + "/teams", {{"name", name}}));
  INFO(a.text);
  REQUIRE(a.status == 200);
  return a.body["key"];
}

const json kGoal{
    {"scenario", "ws"}, {"objective", "maximize sqls subject to sla_attainment >= 0.5"}, {"replications", 10}};

}  // namespace

TEST_CASE("serve: a session is created from a scenario and a goal, bad ones named", "[server]") {
  TestServer t;
  auto a = answer(*t.server, request("POST", "/api/sessions", {{"scenario", "ws"}, {"objective", "maximise sqls"}}));
  CHECK(a.status == 400);
  CHECK(a.body["pointer"] == "/objective");
  CHECK(a.body["error"].get<std::string>().starts_with("/objective: expected"));
  a = answer(*t.server, request("POST", "/api/sessions",
                                {{"scenario", "ws"}, {"objective", "maximize sqls"}, {"pareto", "sqls,sqlz"}}));
  CHECK(a.status == 400);
  CHECK(a.body["pointer"] == "/pareto");
  a = answer(*t.server, request("POST", "/api/sessions", {{"scenario", "nope"}, {"objective", "maximize sqls"}}));
  CHECK(a.body["error"] == "/scenario: expected one of ws, found \"nope\"");
  a = answer(*t.server,
             request("POST", "/api/sessions", {{"scenario", "ws"}, {"objective", "maximize sqls"}, {"colour", 1}}));
  CHECK(a.body["error"].get<std::string>().starts_with("/\"colour\": expected one of the fields scenario, objective"));
  a = answer(*t.server, request("POST", "/api/sessions", kGoal));
  REQUIRE(a.status == 200);
  const std::string code = a.body["session"]["code"];
  const std::string key = a.body["facilitator_key"];
  CHECK(key.size() == 32);
  CHECK(code.size() == 6);
  CHECK(a.body["join_path"] == "/j/" + code);
  CHECK(a.body["session"]["objective"] == "maximize sqls subject to sla_attainment >= 0.5");
  CHECK(a.body["session"]["pareto"] == "sqls,sla_attainment");  // the objective against its constraint
  CHECK(a.body["session"]["seed"] == 11);
  CHECK(!a.body["session"].contains("facilitator_key"));
  a = answer(*t.server, request("GET", "/api/sessions/" + code));
  CHECK(a.status == 200);
  CHECK(a.body["facilitator"] == false);
  CHECK(a.text.find(key) == std::string::npos);
  CHECK(answer(*t.server, request("GET", "/api/sessions/ZZZZZZ")).status == 404);
}

TEST_CASE("serve: teams join by code with a name, checked and kept as text", "[server]") {
  TestServer t;
  const Workshop w = create(*t.server, kGoal);
  auto a = answer(*t.server, request("POST", "/api/sessions/" + w.code + "/teams", {{"name", "   "}}));
  CHECK(a.status == 400);
  CHECK(a.body["error"] == "/name: expected a team name, found an empty name");
  a = answer(*t.server, request("POST", "/api/sessions/" + w.code + "/teams", {{"name", "in\x01side"}}));
  CHECK(a.body["error"] == "/name: expected a name without control characters, found character 0x01");
  a = answer(*t.server, request("POST", "/api/sessions/" + w.code + "/teams", {{"name", std::string(61, 'x')}}));
  CHECK(a.body["error"] == "/name: expected a name of at most 60 bytes, found 61 bytes");
  a = answer(*t.server, request("POST", "/api/sessions/" + w.code + "/teams", {{"name", 7}}));
  CHECK(a.body["error"] == "/name: expected a string, found number");
  join(*t.server, w.code, "<script>alert(1)</script>");
  a = answer(*t.server, request("POST", "/api/sessions/" + w.code + "/teams", {{"name", "<script>alert(1)</script>"}}));
  CHECK(a.status == 409);
  a = answer(*t.server, request("GET", "/api/sessions/" + w.code));
  CHECK(a.body["teams"][0]["name"] == "<script>alert(1)</script>");  // JSON keeps it as a string
}

TEST_CASE("serve: a workshop end to end: plans ranked on common random numbers, debrief, reveal, export, restart",
          "[server]") {
  TestServer t;
  const Workshop w = create(*t.server, kGoal);
  const std::string path = "/api/sessions/" + w.code;
  const std::string a_key = join(*t.server, w.code, "Alpha"), b_key = join(*t.server, w.code, "Beta <b>"),
                    c_key = join(*t.server, w.code, "Gamma");
  // Without a team's key nobody submits.
  auto a = answer(*t.server, request("POST", path + "/plans", {{"levers", json::object()}}));
  CHECK(a.status == 403);
  a = answer(*t.server, request("POST", path + "/plans", {{"levers", json::object()}}, w.key));
  CHECK(a.status == 403);
  a = answer(*t.server, request("POST", path + "/plans", {{"levers", {{"nope", 1}}}}, a_key));
  CHECK(a.status == 400);
  CHECK(a.body["pointer"] == "/levers/nope");

  const auto submit = [&](const std::string& key, const json& levers) {
    const auto r = answer(*t.server, request("POST", path + "/plans", {{"levers", levers}}, key));
    INFO(r.text);
    REQUIRE(r.status == 200);
    return r.body;
  };
  const json alpha = submit(a_key, {{"threshold", 50}});
  const json beta = submit(b_key, {{"threshold", 75}});
  const json gamma = submit(c_key, {{"sdrs.desk", 3}});
  const json alpha2 = submit(a_key, {{"threshold", 50}});
  CHECK(alpha["plan"]["label"] == "Alpha plan 1");
  CHECK(alpha2["plan"]["label"] == "Alpha plan 2");
  // The same settings on the session's seed and replications: the very same numbers.
  CHECK(alpha["result"]["metrics"] == alpha2["result"]["metrics"]);
  // Before the reveal no team sees the latent truth.
  for (const json& m : alpha["result"]["metrics"]) CHECK(m["name"] != "mql_precision");

  a = answer(*t.server, request("GET", path + "/leaderboard"));
  REQUIRE(a.status == 200);
  const json& plans = a.body["plans"];
  REQUIRE(plans.size() == 4);
  // Feasible plans first, by SQLs, highest first; ties keep the earlier plan.
  double previous = 1e300;
  bool infeasible_seen = false;
  for (const json& p : plans) {
    if (!p["feasible"].get<bool>()) {
      infeasible_seen = true;
      CHECK(p["rank"].is_null());
      continue;
    }
    CHECK(!infeasible_seen);
    CHECK(p["value"].get<double>() <= previous);
    previous = p["value"].get<double>();
    CHECK(p["constraints"][0]["holds"] == true);
  }

  // The debrief is the facilitator's.
  CHECK(answer(*t.server, request("GET", path + "/debrief")).status == 403);
  CHECK(answer(*t.server, request("GET", path + "/debrief", nullptr, a_key)).status == 403);
  a = answer(*t.server, request("GET", path + "/debrief", nullptr, w.key));
  REQUIRE(a.status == 200);
  CHECK(a.body["x"]["name"] == "sqls");
  CHECK(a.body["y"]["name"] == "sla_attainment");
  REQUIRE(a.body["points"].size() == 4);
  int on_front = 0;
  for (const json& p : a.body["points"]) on_front += p["front"].get<bool>();
  CHECK(on_front >= 1);
  CHECK(!a.body["points"][0].contains("mql_precision"));
  CHECK(answer(*t.server, request("POST", path + "/reveal", json::object(), a_key)).status == 403);
  CHECK(answer(*t.server, request("POST", path + "/reveal", json::object(), w.key)).status == 200);
  a = answer(*t.server, request("GET", path + "/debrief", nullptr, w.key));
  CHECK(a.body["revealed"] == true);
  CHECK(a.body["points"][0]["mql_precision"].is_number());
  CHECK(a.body["points"][0]["mql_recall"].is_number());

  // Export: every plan as a scenario variant.
  CHECK(answer(*t.server, request("GET", path + "/export.json")).status == 403);
  auto exported = request("GET", path + "/export.json");
  exported.query["key"] = w.key;
  a = answer(*t.server, exported);
  REQUIRE(a.status == 200);
  REQUIRE(a.body["variants"].size() == 4);
  CHECK(a.body["variants"][1]["label"] == "Beta <b> plan 1");
  CHECK(a.body["variants"][1]["scenario"]["scoring"]["mql_threshold"] == 75);
  CHECK(a.body["variants"][1]["scenario"]["replications"] == 10);
  CHECK(a.body["base"]["name"] == "ws");

  // A plan's scenario file, run by the command, gives the server's numbers exactly.
  auto plan_file = request("GET", path + "/plans/p2/scenario.json", nullptr, b_key);
  a = answer(*t.server, plan_file);
  REQUIRE(a.status == 200);
  CHECK(answer(*t.server, request("GET", path + "/plans/p2/scenario.json", nullptr, a_key)).status == 403);
  std::ofstream(t.dir / "plan.json") << a.text;
  const json summary = funnelsim::test::run_summary_json("'" + (t.dir / "plan.json").string() + "'", t.dir, "plan_run");
  for (const json& m : beta["result"]["metrics"]) {
    const json& figure = summary["metrics"][m["name"].get<std::string>()];
    INFO(m["name"]);
    if (m["pooled"].get<bool>())
      CHECK(figure["pooled"]["value"] == m["value"]);
    else
      CHECK(figure["mean"] == m["value"]);
  }

  // A restart: the session, its teams and plans are back from the state folder.
  t.restart();
  a = answer(*t.server, request("GET", path));
  REQUIRE(a.status == 200);
  CHECK(a.body["plans"] == 4);
  CHECK(a.body["revealed"] == true);
  CHECK(a.body["teams"][1]["name"] == "Beta <b>");
  const json board_after = answer(*t.server, request("GET", path + "/leaderboard")).body;
  CHECK(board_after["plans"].size() == 4);
  CHECK(submit(c_key, {{"threshold", 55}})["plan"]["label"] == "Gamma plan 2");
}

TEST_CASE("serve: the HTML export is the library's comparison report, team names escaped", "[server]") {
  if (!funnelsim::report_charts_available()) return;  // a build without the chart libraries has no report
  TestServer t;
  const Workshop w = create(*t.server, kGoal);
  const std::string key = join(*t.server, w.code, "<img src=x onerror=alert(1)>");
  REQUIRE(
      answer(*t.server, request("POST", "/api/sessions/" + w.code + "/plans", {{"levers", {{"threshold", 70}}}}, key))
          .status == 200);
  auto html = request("GET", "/api/sessions/" + w.code + "/export.html");
  html.query["key"] = w.key;
  const server::Response response = t.server->handle(html);
  REQUIRE(response.job);
  const server::JobOutcome outcome = t.server->execute(*response.job);
  REQUIRE(outcome.status == 200);
  CHECK(outcome.body.starts_with("<!DOCTYPE html>"));
  CHECK(outcome.body.find("<img src=x") == std::string::npos);
  CHECK(outcome.body.find("&lt;img src=x onerror=alert(1)&gt; plan 1") != std::string::npos);
}

TEST_CASE("serve: a session file that cannot be read is left out with a note", "[server]") {
  TestServer t;
  const Workshop w = create(*t.server, kGoal);
  std::ofstream(t.dir / "sessions" / "BROKEN.json") << "{\"funnelsim_session\": 1, \"code\": 3}";
  t.restart();
  REQUIRE(t.server->notes().size() == 1);
  CHECK(t.server->notes()[0].find("BROKEN.json: left out: a session file with a missing or mistyped field") !=
        std::string::npos);
  CHECK(answer(*t.server, request("GET", "/api/sessions/" + w.code)).status == 200);
}

TEST_CASE("serve: a team's plans run one at a time and none is dropped", "[server][threads]") {
  server::ServerConfig config;
  config.max_replications = 100000;
  TestServer t(config);
  json goal = kGoal;
  goal["replications"] = 5000;
  const Workshop w = create(*t.server, goal);
  const std::string key = join(*t.server, w.code, "Alpha");
  const auto plan = [&](int threshold) {
    return t.server->handle(
        request("POST", "/api/sessions/" + w.code + "/plans", {{"levers", {{"threshold", threshold}}}}, key));
  };
  const server::Response first = plan(70);
  REQUIRE(first.job);
  std::atomic<bool> started{false}, stop{false};
  server::JobOutcome outcome;
  std::thread runner([&] {
    outcome = t.server->execute(*first.job, [&](double) {
      started = true;
      return !stop.load();
    });
  });
  while (!started) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  const server::Response second = plan(60);
  REQUIRE(second.job);
  const server::JobOutcome refused = t.server->execute(*second.job);
  CHECK(refused.status == 429);
  CHECK(json::parse(refused.body)["error"] ==
        "one simulation at a time per client: wait for the result of the previous one");
  stop = true;  // the first one's client leaves: it is cancelled, and no plan is recorded
  runner.join();
  CHECK(outcome.status == 409);
  CHECK(answer(*t.server, request("GET", "/api/sessions/" + w.code)).body["plans"] == 0);
}

TEST_CASE("serve: the command refuses bad options before it listens", "[server]") {
  auto r = funnelsim::test::cli("serve scenarios/saas_baseline.json --replications 1 --port 0");
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("--replications: expected 2 to --max-replications (1000), found 1") != std::string::npos);
  r = funnelsim::test::cli("serve scenarios/no_such.json");
  CHECK(r.exit_code == 2);
  r = funnelsim::test::cli("serve scenarios/saas_baseline.json --port 70000");
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("--port: expected a port from 0 to 65535, found 70000") != std::string::npos);
}
