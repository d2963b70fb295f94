// `funnelsim run` with uncertain inputs: summary.json's draws and variance split, the printed
// sections, determinism, zero spread, malformed values, and validate.

#include <catch2/catch.hpp>
#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>

#include "cli_support.hpp"
#include "small_scenario.hpp"
#include "test_support.hpp"

using funnelsim::test::cli;
using funnelsim::test::read_file;
using funnelsim::test::run_summary_json;
using funnelsim::test::TempDir;
using nlohmann::json;

namespace {

using Small = funnelsim::test::SmallScenario;

const char* kBetaFit =
    R"({"sources": [{ "name": "web", "leads_per_week": 100, "cost_per_lead": 20, "profile": {
      "attributes": { "fit": { "probability": {"uncertain": {"distribution": "beta", "alpha": 6, "beta": 14}},
                               "readiness_correlation": 0.5 } },
      "events": { "visit": { "rate_at_readiness_0": 0.5, "rate_at_readiness_1": 20, "half_life_days": 10 } } } }],
    "scoring": { "mql_threshold": {"uncertain": {"distribution": "normal", "mean": 60, "sd": 4}} } })";

}  // namespace

TEST_CASE("cli: run lists uncertain inputs, their draws and the variance split", "[cli][uncertain][statistical]") {
  const Small small(kBetaFit);
  const json s = run_summary_json("'" + small.file + "' --replications 400", small.dir);
  CHECK(s["replications"] == 400);
  const json& list = s["uncertain_parameters"];
  REQUIRE(list.size() == 2);
  const json& fit = list[1];
  CHECK(fit["pointer"] == "/sources/0/profile/attributes/fit/probability");
  CHECK(fit["distribution"] == "beta");
  CHECK(fit["params"] == json({{"alpha", 6}, {"beta", 14}}));
  CHECK(fit["clamped"] == 0);
  // beta(6, 14): mean 0.3, variance 0.3 * 0.7 / 21 = 0.01.
  const double n = 400;
  CHECK(std::abs(fit["sampled"]["mean"].get<double>() - 0.3) < funnelsim::test::kSigmas * std::sqrt(0.01 / n));
  CHECK(fit["sampled"]["sd"].get<double>() == Approx(0.1).epsilon(0.15));
  CHECK(fit["sampled"]["p10"].get<double>() < fit["sampled"]["p50"].get<double>());
  const json& threshold = list[0];
  CHECK(threshold["pointer"] == "/scoring/mql_threshold");
  CHECK(threshold["params"] == json({{"mean", 60}, {"sd", 4}}));
  CHECK(std::abs(threshold["sampled"]["mean"].get<double>() - 60.0) < funnelsim::test::kSigmas * 4.0 / std::sqrt(n));

  const json& split = s["variance_split"];
  CHECK(split["method"].get<std::string>().starts_with("R^2 of a least-squares regression"));
  for (const char* metric :
       {"mqls", "sqls", "mql_to_sql_rate", "cost_per_sql_marketing", "mql_precision", "mql_recall"}) {
    INFO(metric);
    const json& m = split["metrics"][metric];
    CHECK(m["n_defined"].get<int>() > 390);
    CHECK(m["uncertain_inputs_share"].get<double>() + m["random_share"].get<double>() == Approx(1.0));
  }
  // MQLs hinge on the threshold: most of their spread is not knowing it.
  CHECK(split["metrics"]["mqls"]["uncertain_inputs_share"].get<double>() > 0.5);
}

TEST_CASE("cli: run prints the uncertain inputs and where the spread comes from", "[cli][uncertain]") {
  const Small small(kBetaFit);
  const auto r = cli("run '" + small.file + "' --replications 30");
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  for (const char* phrase :
       {"uncertain inputs (drawn once per replication)", "/scoring/mql_threshold", "normal(mean 60, sd 4)",
        "beta(alpha 6, beta 14)", "from the uncertain inputs", "from the quarter itself", "\nmqls  "})
    CHECK(r.out.find(phrase) != std::string::npos);
}

TEST_CASE("cli: runs with uncertain inputs are byte-identical for 1 and 2 threads", "[cli][uncertain][determinism]") {
  const Small small(kBetaFit);
  const std::string args = "run '" + small.file + "' --replications 12 --quiet --out ";
  REQUIRE(cli(args + "'" + (small.dir / "a").string() + "' --threads 1").exit_code == 0);
  REQUIRE(cli(args + "'" + (small.dir / "b").string() + "' --threads 2").exit_code == 0);
  check_same_files(small.dir / "a", small.dir / "b", {"summary.json", "replications.csv", "weekly.csv"});
}

TEST_CASE("cli: an uncertain value without spread runs exactly as the fixed value", "[cli][uncertain][crn]") {
  const Small small;
  const std::string base = "'" + small.file + "' --replications 8 ";
  const json fixed = run_summary_json(base + "--set /scoring/mql_threshold=57", small.dir, "fixed");
  const json zero = run_summary_json(
      base + R"(--set '/scoring/mql_threshold={"uncertain":{"distribution":"uniform","low":57,"high":57}}')", small.dir,
      "zero");
  for (const char* file : {"replications.csv", "weekly.csv"})
    CHECK(read_file(small.dir / "fixed" / file) == read_file(small.dir / "zero" / file));
  CHECK(fixed["metrics"] == zero["metrics"]);
  CHECK(!fixed.contains("uncertain_parameters"));
  CHECK(zero["uncertain_parameters"][0]["sampled"]["sd"] == 0.0);
  // Nothing is explained by an input that never moves.
  CHECK(zero["variance_split"]["metrics"]["mqls"]["uncertain_inputs_share"] == 0.0);
}

TEST_CASE("cli: malformed uncertain values exit 2 and name their path", "[cli][uncertain][errors]") {
  const Small small;
  auto run_error = [&](const std::string& set) {
    const auto r = cli("run '" + small.file + "' --set '" + set + "' --out '" + (small.dir / "out").string() + "'");
    CHECK(r.exit_code == 2);
    CHECK(!std::filesystem::exists(small.dir / "out"));
    return r.err;
  };
  CHECK(run_error(R"(/scoring/mql_threshold={"uncertain":{"distribution":"normal","mean":60,"sd":-1}})") ==
        "funnelsim: invalid scenario:\n  /scoring/mql_threshold/uncertain/sd: expected a number >= 0, found -1\n");
  CHECK(run_error(R"(/sources/0/leads_per_week={"uncertain":{"distribution":"gamma","shape":2}})") ==
        "funnelsim: invalid scenario:\n  /sources/0/leads_per_week/uncertain/distribution: expected one of \"beta\", "
        "\"lognormal\", \"normal\", \"triangular\", \"uniform\", found \"gamma\"\n");
  CHECK(run_error(R"(/scoring/mql_threshold={"uncertain":{"distribution":"uniform","low":60}})") ==
        "funnelsim: invalid scenario:\n  /scoring/mql_threshold/uncertain/high: expected a value (this field is "
        "required), found nothing\n");
  CHECK(run_error(R"(/horizon_days={"uncertain":{"distribution":"uniform","low":20,"high":30}})") ==
        "funnelsim: invalid scenario:\n  /horizon_days: expected a number (an integer field, such as a count, cannot "
        "be uncertain), found an uncertain value\n");
}

TEST_CASE("cli: validate counts uncertain inputs, and --resolved shows them where the engine reads them",
          "[cli][uncertain]") {
  const auto v = cli("validate scenarios/uncertain_rates.json");
  INFO(v.err);
  REQUIRE(v.exit_code == 0);
  CHECK(v.out ==
        "scenarios/uncertain_rates.json: valid scenario \"uncertain_rates\": 6 sources, 90 days, 200 replications by "
        "default, 3 uncertain inputs drawn per replication\n");
  const auto r = cli("validate scenarios/uncertain_rates.json --resolved");
  REQUIRE(r.exit_code == 0);
  const json doc = json::parse(r.out);
  const json lognormal = {{"uncertain", {{"distribution", "lognormal"}, {"mean", 3.0}, {"cv", 0.25}}}};
  for (std::size_t s = 0; s < 6; ++s)
    CHECK(doc["sources"][s]["profile"]["events"]["pricing_page_visit"]["rate_at_readiness_1"] == lognormal);
  CHECK(doc["sales_acceptance"]["midpoint"]["uncertain"]["distribution"] == "normal");
}
