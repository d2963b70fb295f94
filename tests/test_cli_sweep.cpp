// `funnelsim sweep`: outputs, common random numbers across points, determinism, and every bad
// parameter exiting 2 with a message before anything runs.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "cli_support.hpp"
#include "funnelsim/metrics/metrics.hpp"

using namespace funnelsim;
using nlohmann::json;
using test::cli;
using test::read_file;
using test::TempDir;

namespace {

const std::string kSweep = "sweep scenarios/saas_baseline.json --replications 3 ";

/// Runs a sweep that must fail: exit 2, the message on stderr, nothing written.
std::string sweep_error(const std::string& args) {
  TempDir dir;
  const auto r = cli(kSweep + args + " --out '" + (dir / "out").string() + "'");
  CHECK(r.exit_code == 2);
  CHECK(r.out.empty());
  CHECK(!std::filesystem::exists(dir / "out"));
  return r.err;
}

}  // namespace

TEST_CASE("cli: sweep prints the grid, the best point and the Pareto front", "[cli][sweep]") {
  const auto r =
      cli(kSweep +
          "--param /scoring/mql_threshold=55:85:10 "
          "--objective 'maximize sqls subject to mql_to_sql_rate >= 0.12' --pareto mql_precision,mql_recall");
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  for (const char* phrase : {"4 points x 3 replications", "/scoring/mql_threshold", "sqls", "mql_to_sql_rate",
                             "objective: maximize sqls subject to mql_to_sql_rate >= 0.12", "best: point ",
                             "Pareto front (mql_precision higher is better, mql_recall higher is better): points "})
    CHECK(r.out.find(phrase) != std::string::npos);
}

TEST_CASE("cli: sweep.csv and sweep.json have the documented shape", "[cli][sweep]") {
  TempDir dir;
  const auto r = cli(kSweep +
                     "--quiet --param /scoring/mql_threshold=60,70 --param '/scoring/decay/model=none,half_life' "
                     "--objective 'minimize cost_per_sql_marketing subject to sla_attainment >= 0.9' --pareto "
                     "sqls,cost_per_sql_marketing "
                     "--out '" +
                     dir.path().string() + "'");
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.empty());
  const std::string csv = read_file(dir / "sweep.csv");
  CHECK(
      csv.starts_with("point,/scoring/mql_threshold,/scoring/decay/model,scope_kind,scope,metric,mean,ci95_low,"
                      "ci95_high,p10,p50,p90,n_defined,pooled,pooled_ci95_low,pooled_ci95_high\n"));
  // Per point: 7 funnel scopes (all + 6 sources), 2 teams and 3 reps, each with its kind's metrics.
  const std::size_t rows_per_point =
      7 * kMetricCount + 2 * metric_defs(ScopeKind::team).size() + 3 * metric_defs(ScopeKind::rep).size();
  CHECK(static_cast<std::size_t>(std::count(csv.begin(), csv.end(), '\n')) == 1 + 4 * rows_per_point);
  CHECK(csv.find("\n3,70,half_life,funnel,webinar,sqls,") != std::string::npos);
  CHECK(csv.find("\n3,70,half_life,team,sdr,sla_attainment,") != std::string::npos);
  CHECK(csv.find("\n0,60,none,rep,sdr.2,utilization,") != std::string::npos);

  const json s = json::parse(read_file(dir / "sweep.json"));
  CHECK(s["scenario"] == "saas_baseline");
  CHECK(s["replications"] == 3);
  CHECK(s["parameters"][1] ==
        json({{"pointer", "/scoring/decay/model"}, {"title", "Score decay model"}, {"values", {"none", "half_life"}}}));
  // saas_baseline has sales teams, so sla_attainment is defined, but no point comes near 0.9
  // (they reach about 40-60%): none is feasible, so there is no best point.
  CHECK(s["objective"]["text"] == "minimize cost_per_sql_marketing subject to sla_attainment >= 0.9");
  CHECK(s["objective"]["best_point"].is_null());
  CHECK(s["pareto"] == json({{"x", "sqls"}, {"y", "cost_per_sql_marketing"}}));
  REQUIRE(s["points"].size() == 4);
  for (const json& p : s["points"]) {
    INFO(p["point"]);
    CHECK(p["metrics"]["sla_attainment"]["n_defined"] == 3);
    CHECK(p["metrics"]["sla_attainment"]["mean"].get<double>() < 0.9);
    CHECK(p["feasible"] == false);
    CHECK(p["best"] == false);
  }
  const json& p1 = s["points"][1];
  CHECK(p1["values"] == json({{"/scoring/mql_threshold", 60}, {"/scoring/decay/model", "half_life"}}));
  CHECK(p1["feasible"] == false);
  CHECK(p1["best"] == false);
  CHECK(p1.contains("pareto"));
  CHECK(p1["metrics"]["mqls"]["n_defined"] == 3);
  CHECK(p1["by_source"].size() == 6);
  CHECK(p1["by_team"].size() == 2);
  CHECK(p1["by_rep"].size() == 3);
}

TEST_CASE("cli: sweep points share common random numbers", "[cli][sweep][crn]") {
  // The threshold does not touch arrivals or the leads' hidden state; a repeated value repeats
  // the point exactly.
  TempDir dir;
  REQUIRE(
      cli(kSweep + "--quiet --param /scoring/mql_threshold=60,80,60 --out '" + dir.path().string() + "'").exit_code ==
      0);
  const json s = json::parse(read_file(dir / "sweep.json"));
  const json& points = s["points"];
  CHECK(points[0]["metrics"] == points[2]["metrics"]);
  CHECK(points[0]["metrics"]["mqls"] != points[1]["metrics"]["mqls"]);
  for (const char* metric : {"leads", "spend", "ready_leads", "disqualified_leads"})
    CHECK(points[0]["metrics"][metric] == points[1]["metrics"][metric]);
}

TEST_CASE("cli: sweep outputs are byte-identical for 1 and 2 threads", "[cli][sweep][determinism]") {
  TempDir dir;
  const std::string args =
      kSweep + "--quiet --param /scoring/mql_threshold=60:70:10 --objective 'minimize cost_per_sql_marketing' ";
  REQUIRE(cli(args + "--threads 1 --out '" + (dir / "a").string() + "'").exit_code == 0);
  REQUIRE(cli(args + "--threads 2 --out '" + (dir / "b").string() + "'").exit_code == 0);
  check_same_files(dir / "a", dir / "b", {"sweep.csv", "sweep.json"});
}

TEST_CASE("cli: sweep pointers that miss the scenario or values it rejects exit 2", "[cli][sweep][errors]") {
  CHECK(sweep_error("--param /nope/x=1,2") ==
        "funnelsim: invalid scenario scenarios/saas_baseline.json at sweep point 0 (/nope/x=1):\n"
        "  /nope/x: expected a path whose parent /nope exists (in --param), found no such parent\n");
  CHECK(sweep_error("--param /scoring/mql_treshold=60,70") ==
        "funnelsim: invalid scenario scenarios/saas_baseline.json at sweep point 0 (/scoring/mql_treshold=60):\n"
        "  /scoring/mql_treshold: expected one of the known keys: attribute_points, by_segment, by_source, caps, "
        "decay, disqualifiers, engagement_threshold, event_groups, event_points, fit_threshold, instant_mql_events, "
        "mql_threshold, rule, sdr_follow_up (did you mean \"mql_threshold\"?), found unknown key "
        "\"mql_treshold\"\n");
  CHECK(sweep_error("--param /horizon_days=30,0") ==
        "funnelsim: invalid scenario scenarios/saas_baseline.json at sweep point 1 (/horizon_days=0):\n"
        "  /horizon_days: expected an integer >= 1, found 0\n");
  CHECK(sweep_error("--param /sources/9/leads_per_week=1") ==
        "funnelsim: invalid scenario scenarios/saas_baseline.json at sweep point 0 (/sources/9/leads_per_week=1):\n"
        "  /sources/9/leads_per_week: expected a path whose parent /sources/9 exists (in --param), found no such "
        "parent\n");
}

TEST_CASE("cli: malformed sweep parameters, objectives and metrics exit 2", "[cli][sweep][errors]") {
  CHECK(sweep_error("--param /scoring/mql_threshold=55:x:10") ==
        "funnelsim: --param /scoring/mql_threshold: expected a range a:b:step of three numbers, found \"55:x:10\"\n");
  CHECK(sweep_error("--param /scoring/mql_threshold=85:55:10") ==
        "funnelsim: --param /scoring/mql_threshold: expected a non-empty range a:b:step (a <= b and step > 0), "
        "found \"85:55:10\"\n");
  CHECK(sweep_error("--param /scoring/mql_threshold=55:85:0") ==
        "funnelsim: --param /scoring/mql_threshold: expected a non-empty range a:b:step (a <= b and step > 0), "
        "found \"55:85:0\"\n");
  CHECK(sweep_error("--param /scoring/mql_threshold=60 --objective 'minimize cost_per_sql_marketng'") ==
        "funnelsim: --objective: expected a whole-funnel metric name such as cost_per_sql_marketing (did you mean "
        "\"cost_per_sql_marketing\"?), found \"cost_per_sql_marketng\"\n");
  CHECK(sweep_error("--param /scoring/mql_threshold=60 --objective 'cheapest cost_per_sql_marketing'")
            .starts_with("funnelsim: --objective: expected \"minimize|maximize METRIC"));
  CHECK(sweep_error(
            "--param /scoring/mql_threshold=60 --objective 'minimize cost_per_sql_marketing subject to sqls >'") ==
        "funnelsim: --objective: expected a constraint METRIC (>=|<=|>|<) NUMBER, found \"sqls >\"\n");
  CHECK(sweep_error("--param /scoring/mql_threshold=60 --pareto mqls,cost_per_sql_marketing") ==
        "funnelsim: --pareto: expected metrics with a better direction (higher or lower is better), found mqls, "
        "whose better direction is neither\n");
  CHECK(sweep_error("--param /scoring/mql_threshold=60 --pareto sqls,nope") ==
        "funnelsim: --pareto: expected a whole-funnel metric name such as cost_per_sql_marketing, found \"nope\"\n");
  CHECK(sweep_error("--param mql_threshold=60").starts_with("funnelsim: --param: expected PTR=a:b:step"));
  CHECK(sweep_error("").find("--param is required") != std::string::npos);
}

TEST_CASE("cli: --param and --set take one value each, so the scenario may follow them", "[cli][sweep]") {
  const auto r =
      cli("sweep --param /scoring/mql_threshold=60,70 --set /seed=5 scenarios/saas_baseline.json "
          "--replications 2");
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find("2 points x 2 replications | seed 5") != std::string::npos);
}
