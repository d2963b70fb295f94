// funnelsim serve's API in-process (tools/serve/server.hpp): the guards, the explore run, the
// limits simulations run under, and a workshop from creation to export and restart.
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <thread>

#include "funnelsim/metrics/metrics.hpp"
#include "funnelsim/report/report.hpp"
#include "funnelsim/scenario/loader.hpp"
#include "server_support.hpp"

using funnelsim::test::answer;
using funnelsim::test::request;
using funnelsim::test::TestServer;
using nlohmann::json;
namespace server = funnelsim::server;

namespace {

json metric(const json& result, const std::string& name) {
  for (const json& m : result["metrics"])
    if (m["name"] == name) return m;
  return nullptr;
}

json run_body(const json& levers = json::object(), int replications = 20) {
  return {{"scenario", "ws"}, {"levers", levers}, {"replications", replications}};
}

}  // namespace

TEST_CASE("serve: the Host header must name the server, also on loopback (DNS rebinding)", "[server]") {
  TestServer t;
  auto r = request("GET", "/api/health");
  for (const char* host : {"127.0.0.1:8080", "localhost:8080", "[::1]:8080"}) {
    r.host = host;
    CHECK(answer(*t.server, r).status == 200);
  }
  for (const char* host : {"evil.example:8080", "127.0.0.1:9999", "", "localhost"}) {
    r.host = host;
    const auto a = answer(*t.server, r);
    CHECK(a.status == 403);
    CHECK(a.body["error"].get<std::string>().starts_with(
        "Host header: expected one of localhost:8080, 127.0.0.1:8080, [::1]:8080"));
    CHECK(a.body["pointer"] == "Host");
  }
}

TEST_CASE("serve: a non-loopback server wants its token on every request, the Host it names", "[server]") {
  server::ServerConfig config;
  config.host = "192.0.2.10";
  config.token = "s3cret-token";
  TestServer t(config);
  auto r = request("GET", "/api/scenarios");
  r.host = "192.0.2.10:8080";
  auto a = answer(*t.server, r);
  CHECK(a.status == 401);
  CHECK(a.body["error"].get<std::string>().starts_with("token: expected the token funnelsim serve printed at start"));
  r.authorization = "Bearer wrong-token!";
  CHECK(answer(*t.server, r).status == 401);
  r.authorization = "Bearer s3cret-token";
  CHECK(answer(*t.server, r).status == 200);
  r.authorization.clear();
  r.cookie = "other=1; funnelsim_token=s3cret-token";
  CHECK(answer(*t.server, r).status == 200);
  // The page's address carries it once; the response keeps it in a cookie.
  auto page = request("GET", "/");
  page.host = "192.0.2.10:8080";
  page.query["token"] = "s3cret-token";
  const server::Response response = t.server->handle(page);
  CHECK(response.status == 200);
  bool cookie = false;
  for (const auto& [name, value] : response.headers)
    cookie = cookie || (name == "Set-Cookie" && value.starts_with("funnelsim_token=s3cret-token;") &&
                        value.find("HttpOnly") != std::string::npos);
  CHECK(cookie);
}

TEST_CASE("serve: bodies are capped in size and depth, POSTs are JSON, paths and methods are known", "[server]") {
  server::ServerConfig config;
  config.max_body_bytes = 1000;
  config.max_json_depth = 8;
  TestServer t(config);
  auto big = request("POST", "/api/run", run_body());
  big.body = std::string(1001, ' ');
  auto a = answer(*t.server, big);
  CHECK(a.status == 413);
  CHECK(a.body["error"] == "body: expected at most 1000 bytes, found 1001");

  auto deep = request("POST", "/api/run", run_body());
  deep.body = R"({"scenario":"ws","levers":{"threshold":[[[[[[[[[[1]]]]]]]]]]}})";
  a = answer(*t.server, deep);
  CHECK(a.status == 400);
  CHECK(a.body["error"] == "body: expected JSON nested at most 8 levels deep, found deeper nesting");

  auto broken = request("POST", "/api/run", run_body());
  broken.body = R"({"scenario": "ws",)";
  a = answer(*t.server, broken);
  CHECK(a.status == 400);
  CHECK(a.body["error"].get<std::string>().starts_with("body: expected JSON, found a syntax error at byte"));

  auto text = request("POST", "/api/run", run_body());
  text.content_type = "text/plain";  // what a cross-site form can send without asking first
  a = answer(*t.server, text);
  CHECK(a.status == 415);
  CHECK(a.body["error"] == "Content-Type: expected application/json, found \"text/plain\"");

  CHECK(answer(*t.server, request("GET", "/api/nothing")).status == 404);
  CHECK(answer(*t.server, request("GET", "/assets/../../etc/passwd")).status == 404);
  a = answer(*t.server, request("GET", "/api/run"));
  CHECK(a.status == 405);
  CHECK(a.body["error"] == "/api/run: expected POST, found GET");
  a = answer(*t.server, request("DELETE", "/api/health"));
  CHECK(a.status == 405);
}

TEST_CASE("serve: every response forbids loading anything from elsewhere", "[server]") {
  TestServer t;
  const server::Response r = t.server->handle(request("GET", "/"));
  CHECK(r.status == 200);
  CHECK(r.content_type == "text/html; charset=utf-8");
  std::string csp;
  for (const auto& [name, value] : r.headers)
    if (name == "Content-Security-Policy") csp = value;
  CHECK(csp.starts_with("default-src 'self'; script-src 'self'"));
  CHECK(csp.find("connect-src 'self'") != std::string::npos);
  const server::Response js = t.server->handle(request("GET", "/assets/app.js"));
  CHECK(js.status == 200);
  CHECK(js.content_type == "text/javascript; charset=utf-8");
  CHECK(js.body.find("innerHTML") == std::string::npos);  // the page builds DOM with textContent only
  if (funnelsim::report_charts_available()) {
    const server::Response vega = t.server->handle(request("GET", "/assets/vega-lite.min.js"));
    CHECK(vega.status == 200);
    CHECK(vega.body.size() > 100000);
  }
}

TEST_CASE("serve: the scenario list and each scenario's levers, labelled from the schema", "[server]") {
  TestServer t;
  auto a = answer(*t.server, request("GET", "/api/scenarios"));
  REQUIRE(a.status == 200);
  CHECK(a.body["scenarios"].size() == 1);
  CHECK(a.body["scenarios"][0]["name"] == "ws");
  CHECK(answer(*t.server, request("GET", "/api/scenarios/other")).status == 404);
  a = answer(*t.server, request("GET", "/api/scenarios/ws"));
  REQUIRE(a.status == 200);
  std::vector<std::string> ids;
  for (const json& l : a.body["levers"]) ids.push_back(l["id"]);
  CHECK(ids == std::vector<std::string>{"threshold", "sdrs.desk", "sla_hours.desk", "discipline.desk", "nurture",
                                        "recycling", "recycle_cooldown", "budget_from", "budget_to", "budget_shift"});
  const json& threshold = a.body["levers"][0];
  CHECK(threshold["label"] ==
        funnelsim::parameter_title(json::parse(funnelsim::test::kWorkshopScenario), "/scoring/mql_threshold"));
  CHECK(threshold["pointers"] == json{"/scoring/mql_threshold"});
  CHECK(threshold["value"] == 60);
  CHECK(a.body["levers"][9]["max"] == 3000);  // the largest weekly channel budget, search's 60 x $50
  a = answer(*t.server, request("GET", "/api/metrics"));
  REQUIRE(a.status == 200);
  CHECK(a.body["metrics"][1]["name"] == "sqls");
  CHECK(a.body["metrics"][1]["better"] == "higher");
  CHECK(a.body["metrics"][1]["label"] == funnelsim::metric_label(funnelsim::metric_def(funnelsim::Metric::sqls)));
}

TEST_CASE("serve: a bad lever is a 400 naming it, a value the schema refuses names the field", "[server]") {
  TestServer t;
  auto a = answer(*t.server, request("POST", "/api/run", run_body({{"thresold", 70}})));
  CHECK(a.status == 400);
  CHECK(a.body["pointer"] == "/levers/thresold");
  CHECK(a.body["error"].get<std::string>().starts_with(
      "/levers/thresold: expected a lever of this scenario (threshold, sdrs.desk, "));
  a = answer(*t.server, request("POST", "/api/run", run_body({{"threshold", "high"}})));
  CHECK(a.status == 400);
  CHECK(a.body["error"] == "/levers/threshold: expected a number, found string \"high\"");
  a = answer(*t.server, request("POST", "/api/run", run_body({{"nurture", 1}})));
  CHECK(a.body["error"] == "/levers/nurture: expected true or false, found number 1");
  a = answer(*t.server, request("POST", "/api/run", run_body({{"discipline.desk", "random"}})));
  CHECK(a.body["error"] ==
        "/levers/discipline.desk: expected one of fifo, instant_first, highest_score, found string \"random\"");
  a = answer(*t.server, request("POST", "/api/run", run_body({{"sdrs.desk", -2}})));
  CHECK(a.status == 400);
  CHECK(a.body["pointer"] == "/sales/teams/0/headcount");
  a = answer(*t.server, request("POST", "/api/run", run_body({{"budget_shift", 5000}})));
  CHECK(a.status == 400);
  CHECK(a.body["error"] == "/levers/budget_shift: expected at most social's weekly budget, 2000, found 5000");
  a = answer(*t.server, request("POST", "/api/run", run_body({}, 1001)));
  CHECK(a.status == 400);
  CHECK(a.body["error"] == "/replications: expected an integer from 2 to 1000 (the server's cap), found 1001");
  a = answer(*t.server, request("POST", "/api/run", {{"scenario", "../../etc/passwd"}}));
  CHECK(a.status == 400);
  CHECK(a.body["error"] == "/scenario: expected one of ws, found \"../../etc/passwd\"");
  a = answer(*t.server, request("POST", "/api/run", {{"scenario", 3}}));
  CHECK(a.body["error"] == "/scenario: expected a string, found number");
  a = answer(*t.server, request("POST", "/api/run", {{"scenario", "ws"}, {"seed", 3}}));
  CHECK(a.status == 400);
  CHECK(a.body["pointer"] == "/seed");
  a = answer(*t.server, request("POST", "/api/run", json::array()));
  CHECK(a.body["error"] == "body: expected a JSON object, found array");
}

TEST_CASE("serve: a run moves with its lever against the scenario as written, on common random numbers", "[server]") {
  TestServer t;
  const auto base = answer(*t.server, request("POST", "/api/run", run_body()));
  REQUIRE(base.status == 200);
  const json& b = base.body["result"];
  CHECK(b["replications"] == 20);
  CHECK(metric(b, "mqls")["change"]["verdict"] == "same");  // the scenario against itself
  const auto strict = answer(*t.server, request("POST", "/api/run", run_body({{"threshold", 80}})));
  REQUIRE(strict.status == 200);
  const json& s = strict.body["result"];
  CHECK(s["levers"] == json{{"threshold", 80}});
  // A higher threshold makes fewer MQLs in every replication: the paired interval is all below 0.
  CHECK(metric(s, "mqls")["value"].get<double>() < metric(b, "mqls")["value"].get<double>());
  CHECK(metric(s, "mqls")["change"]["ci95_high"].get<double>() < 0);
  CHECK(metric(s, "mqls")["change"]["base"] == metric(b, "mqls")["value"]);
  CHECK(s["funnel"][1]["base"] == b["funnel"][1]["mean"]);
  CHECK(s["teams"][0]["team"] == "desk");
  // The same settings again: the same numbers, bit for bit.
  const auto again = answer(*t.server, request("POST", "/api/run", run_body({{"threshold", 80}})));
  CHECK(again.body == strict.body);
  // Every lever kind applies.
  const auto moved = answer(*t.server, request("POST", "/api/run",
                                               run_body({{"sdrs.desk", 3},
                                                         {"discipline.desk", "highest_score"},
                                                         {"recycling", false},
                                                         {"recycle_cooldown", 20},
                                                         {"budget_from", "search"},
                                                         {"budget_to", "social"},
                                                         {"budget_shift", 1000},
                                                         {"sla_hours.desk", 4}})));
  REQUIRE(moved.status == 200);
  CHECK(answer(*t.server, request("POST", "/api/run", run_body({{"nurture", false}}))).status == 200);
}

TEST_CASE("serve: a setting explored again is answered from the recent results, as a rerun would", "[server]") {
  TestServer t;
  const auto first = answer(*t.server, request("POST", "/api/run", run_body({{"threshold", 75}})));
  REQUIRE(first.status == 200);
  (void)answer(*t.server, request("POST", "/api/run", run_body({{"threshold", 65}})));
  const auto back = answer(*t.server, request("POST", "/api/run", run_body({{"threshold", 75}})));
  CHECK(back.text == first.text);
  // Another replication count is another run, never the kept one.
  const auto more = answer(*t.server, request("POST", "/api/run", run_body({{"threshold", 75}}, 30)));
  REQUIRE(more.status == 200);
  CHECK(more.body["result"]["replications"] == 30);
  // A server that never saw the setting computes the very same answer.
  TestServer fresh;
  CHECK(answer(*fresh.server, request("POST", "/api/run", run_body({{"threshold", 75}}))).text == first.text);
}

TEST_CASE("serve: levers write the scenario fields they name", "[server]") {
  const json doc = json::parse(funnelsim::test::kWorkshopScenario);
  const json moved = server::apply_levers(doc, {{"budget_from", "search"},
                                                {"budget_to", "social"},
                                                {"budget_shift", 1000},
                                                {"nurture", false},
                                                {"threshold", 70},
                                                {"sdrs.desk", 2}});
  CHECK(moved["sources"][0]["leads_per_week"] == 40.0);   // $3,000 - $1,000 at $50 a lead
  CHECK(moved["sources"][1]["leads_per_week"] == 120.0);  // $2,000 + $1,000 at $25 a lead
  CHECK(!moved.contains("nurture"));
  CHECK(moved["scoring"]["mql_threshold"] == 70);
  CHECK(moved["sales"]["teams"][0]["headcount"] == 2);
  CHECK(server::apply_levers(doc, json::object()) == doc);
}

TEST_CASE("serve: a newer run of a client cancels its older one, and a client that leaves cancels its run",
          "[server][threads]") {
  server::ServerConfig config;
  config.max_replications = 100000;
  TestServer t(config);
  const auto slow = t.server->handle(request("POST", "/api/run", run_body({{"threshold", 70}}, 5000)));
  REQUIRE(slow.job);
  std::atomic<bool> started{false};
  server::JobOutcome first;
  std::thread runner([&] { first = t.server->execute(*slow.job, [&](double) { return started = true, true; }); });
  while (!started) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  const auto quick = answer(*t.server, request("POST", "/api/run", run_body({{"threshold", 65}})));
  runner.join();
  CHECK(first.status == 409);
  CHECK(
      json::parse(first.body)["error"].get<std::string>().starts_with("cancelled: a newer request of the same client"));
  CHECK(quick.status == 200);
  // Gone: the tick says the client is no longer there.
  const auto left = t.server->handle(request("POST", "/api/run", run_body({{"threshold", 71}}, 5000)));
  int ticks = 0;
  const auto outcome = t.server->execute(*left.job, [&](double) { return ++ticks < 3; });
  CHECK(outcome.status == 409);
  CHECK(t.server->jobs_in_flight() == 0);
}

TEST_CASE("serve: the queue is bounded and each simulation has a time cap", "[server][threads]") {
  server::ServerConfig config;
  config.max_replications = 100000;
  config.max_queue = 1;
  config.max_seconds = 0.3;
  TestServer t(config);
  const auto slow = t.server->handle(request("POST", "/api/run", run_body({{"threshold", 70}}, 5000)));
  std::atomic<bool> started{false};
  server::JobOutcome first;
  std::thread runner([&] { first = t.server->execute(*slow.job, [&](double) { return started = true, true; }); });
  while (!started) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  auto other = request("POST", "/api/run", run_body({{"threshold", 65}}));
  other.client = "another-client";
  const auto busy = answer(*t.server, other);
  CHECK(busy.status == 503);
  CHECK(busy.body["error"].get<std::string>().starts_with("the server is busy (1 simulations running or waiting)"));
  runner.join();
  CHECK(first.status == 504);
  CHECK(json::parse(first.body)["error"] ==
        "stopped after 0.3 s, the server's cap per simulation: ask for fewer replications");
}
