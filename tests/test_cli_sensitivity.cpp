// `funnelsim sensitivity`: the tornado's ranking, exact zeros, the documented files, the default
// parameter set and its skips, uncertain inputs, determinism, and bad input exiting 2.
#include <catch2/catch.hpp>
#include <fstream>
#include <nlohmann/json.hpp>

#include "cli_support.hpp"
#include "small_scenario.hpp"
#include "funnelsim/core/statistics.hpp"

using funnelsim::test::cli;
using funnelsim::test::read_file;
using funnelsim::test::TempDir;
using nlohmann::json;

namespace {

const std::string kParams = "--params /scoring/mql_threshold,/sources/0/cost_per_lead,/sources/0/leads_per_week";
const std::string kUncertainThreshold =
    R"(--set '/scoring/mql_threshold={"uncertain":{"distribution":"uniform","low":40,"high":80}}')";
const std::string kUncertainRate =
    R"(--set '/sources/0/profile/events/visit/rate_at_readiness_1={"uncertain":{"distribution":"normal","mean":20,"sd":3}}')";

using Small = funnelsim::test::SmallScenario;

json sensitivity_json(const std::string& args, const TempDir& out) {
  const auto r = cli("sensitivity " + args + " --quiet --out '" + (out / "s").string() + "'");
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.empty());
  return json::parse(read_file(out / "s" / "sensitivity.json"));
}

/// Runs a sensitivity that must fail: exit 2, nothing printed or written; returns stderr.
std::string sensitivity_error(const std::string& args) {
  const Small small;
  const auto r = cli("sensitivity '" + small.file + "' --replications 2 " + args + " --out '" +
                     (small.dir / "out").string() + "'");
  CHECK(r.exit_code == 2);
  CHECK(r.out.empty());
  CHECK(!std::filesystem::exists(small.dir / "out"));
  return r.err;
}

/// The keys of an object in the order the file has them.
std::vector<std::string> keys(const nlohmann::ordered_json& object) {
  std::vector<std::string> out;
  for (const auto& [key, _] : object.items()) out.push_back(key);
  return out;
}

}  // namespace

TEST_CASE("cli: the tornado ranks the threshold first and a cost last, with exactly zero effect",
          "[cli][sensitivity]") {
  const Small small;
  const json s = sensitivity_json("'" + small.file + "' --metric mqls " + kParams, small.dir);
  const json& p = s["parameters"];
  REQUIRE(p.size() == 3);
  CHECK(p[0]["pointer"] == "/scoring/mql_threshold");
  CHECK(p[0]["rank"] == 1);
  CHECK(p[0]["low"]["mean"].get<double>() > 0.0);  // a lower threshold makes more MQLs
  CHECK(p[0]["high"]["mean"].get<double>() < 0.0);
  CHECK(p[1]["pointer"] == "/sources/0/leads_per_week");
  // What a lead costs cannot change who becomes an MQL: zero in every replication, a zero-width interval.
  CHECK(p[2]["pointer"] == "/sources/0/cost_per_lead");
  CHECK(p[2]["rank"] == 3);
  for (const char* side : {"low", "high"})
    CHECK(p[2][side] == json({{"mean", 0.0}, {"ci95_low", 0.0}, {"ci95_high", 0.0}}));
  CHECK(s["skipped"] == json::array());
}

TEST_CASE("cli: sensitivity.json and sensitivity.csv have the documented shape", "[cli][sensitivity]") {
  const Small small;
  const json s = sensitivity_json("'" + small.file + "' --replications 6 --seed 3 " + kParams, small.dir);
  const nlohmann::ordered_json file = nlohmann::ordered_json::parse(read_file(small.dir / "s" / "sensitivity.json"));
  CHECK(keys(file) == std::vector<std::string>{"run_id", "funnelsim_version", "scenario", "provenance", "seed",
                                               "replications", "warmup_days", "warmup_auto", "metric", "vary", "base",
                                               "parameters", "skipped", "uncertain"});
  CHECK(s["scenario"] == "small");
  CHECK(s["seed"] == 3);
  CHECK(s["replications"] == 6);
  CHECK(s["metric"] == "cost_per_sql_marketing");
  CHECK(s["vary"] == 0.2);
  for (std::string_view stat : funnelsim::statistic_names()) CHECK(s["base"].contains(std::string(stat)));
  CHECK(s["base"]["n_defined"] == 6);
  CHECK(s["base"]["pooled"]["n"] == 6);  // a ratio: its base is the pooled ratio
  CHECK(s["uncertain"].is_null());
  const json& threshold = s["parameters"][0];
  CHECK(keys(file["parameters"][0]) ==
        std::vector<std::string>{"pointer", "title", "base_value", "low_value", "high_value", "low", "high", "rank"});
  CHECK(threshold["pointer"] == "/scoring/mql_threshold");
  CHECK(threshold["title"] == "MQL threshold (points)");
  CHECK(threshold["base_value"] == 60);
  CHECK(threshold["low_value"] == 48);
  CHECK(threshold["high_value"] == 72);
  CHECK(keys(file["parameters"][0]["low"]) == std::vector<std::string>{"mean", "ci95_low", "ci95_high"});
  for (std::size_t i = 1; i < s["parameters"].size(); ++i) CHECK(s["parameters"][i]["rank"] == i + 1);

  const std::string csv = read_file(small.dir / "s" / "sensitivity.csv");
  CHECK(
      csv.starts_with("rank,pointer,base_value,low_value,high_value,low_mean,low_ci95_low,low_ci95_high,high_mean,"
                      "high_ci95_low,high_ci95_high,title\n"));
  CHECK(std::count(csv.begin(), csv.end(), '\n') == 4);
  CHECK(csv.find("\n1,/scoring/mql_threshold,60,48,72,") != std::string::npos);
  const std::string text = read_file(small.dir / "s" / "sensitivity.json");
  CHECK(text.find("NaN") == std::string::npos);
}

TEST_CASE("cli: the default parameter set moves every non-integer number and says what it skipped",
          "[cli][sensitivity]") {
  const Small small;
  const auto r =
      cli("sensitivity '" + small.file + "' --replications 3 --metric mqls --out '" + (small.dir / "s").string() + "'");
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const json s = json::parse(read_file(small.dir / "s" / "sensitivity.json"));
  std::vector<std::string> moved;
  for (const json& p : s["parameters"]) moved.push_back(p["pointer"]);
  for (const char* integer : {"/seed", "/replications", "/horizon_days", "/warmup_days"})
    CHECK(std::find(moved.begin(), moved.end(), integer) == moved.end());
  CHECK(std::find(moved.begin(), moved.end(), "/sources/0/profile/readiness/alpha") != moved.end());
  CHECK(s["skipped"] == json::parse(R"([
    {"pointer": "/sales_acceptance/at_readiness_0", "title": "Sales acceptance at readiness 0",
     "reason": "base value 0: a relative change cannot move it"},
    {"pointer": "/sources/0/overdispersion", "title": "Web: weekly volume overdispersion",
     "reason": "base value 0: a relative change cannot move it"}])"));
  CHECK(s["parameters"][0]["pointer"] == "/scoring/mql_threshold");
  for (const char* phrase :
       {"funnelsim 0.1.0 | sensitivity | scenario small | mqls | vary 20% | 3 replications | seed 5",
        "every run on the base's replications (common random numbers)", "lowers | raises", "#|",
        "changed mqls in no replication (an effect of exactly 0): ", "Web: cost per lead ($)",
        "skipped 2 parameters:\n  Sales acceptance at readiness 0 (/sales_acceptance/at_readiness_0): base value 0: a "
        "relative change cannot move it\n"})
    CHECK(r.out.find(phrase) != std::string::npos);
}

TEST_CASE("cli: with uncertain inputs sensitivity adds SRC, Spearman and R^2", "[cli][sensitivity][uncertain]") {
  const Small small;
  const json s = sensitivity_json(
      "'" + small.file + "' --metric mqls --replications 30 " + kParams + " " + kUncertainThreshold, small.dir);
  const json& u = s["uncertain"];
  REQUIRE(u.is_object());
  const nlohmann::ordered_json file = nlohmann::ordered_json::parse(read_file(small.dir / "s" / "sensitivity.json"));
  CHECK(keys(file["uncertain"]) == std::vector<std::string>{"parameters", "r_squared"});
  REQUIRE(u["parameters"].size() == 1);
  CHECK(keys(file["uncertain"]["parameters"][0]) == std::vector<std::string>{"pointer", "src", "spearman"});
  CHECK(u["parameters"][0]["pointer"] == "/scoring/mql_threshold");
  // A higher threshold, fewer MQLs: strongly negative, and most of the spread.
  CHECK(u["parameters"][0]["src"].get<double>() < -0.8);
  CHECK(u["parameters"][0]["spearman"].get<double>() < -0.8);
  CHECK(u["r_squared"].get<double>() > 0.6);
  CHECK(u["r_squared"].get<double>() <= 1.0);
  // The uncertain input is not moved by hand; the others still are, on the same draws.
  CHECK(s["skipped"] == json::parse(R"js([{"pointer": "/scoring/mql_threshold", "title": "MQL threshold (points)",
    "reason": "an uncertain input, drawn per replication (see the regression-based sensitivity)"}])js"));
  REQUIRE(s["parameters"].size() == 2);
  CHECK(s["parameters"][1]["pointer"] == "/sources/0/cost_per_lead");
  CHECK(s["parameters"][1]["high"]["mean"] == 0.0);
}

TEST_CASE("cli: sensitivity outputs are byte-identical for 1 and 2 threads", "[cli][sensitivity][determinism]") {
  const Small small;
  const std::string args =
      "sensitivity '" + small.file + "' --replications 6 --quiet " + kParams + " " + kUncertainRate + " --out ";
  REQUIRE(cli(args + "'" + (small.dir / "a").string() + "' --threads 1").exit_code == 0);
  REQUIRE(cli(args + "'" + (small.dir / "b").string() + "' --threads 2").exit_code == 0);
  check_same_files(small.dir / "a", small.dir / "b", {"sensitivity.json", "sensitivity.csv"});
  CHECK(!json::parse(read_file(small.dir / "a" / "sensitivity.json"))["uncertain"].is_null());
}

TEST_CASE("cli: bad --params, --vary and --metric exit 2 before anything runs", "[cli][sensitivity][errors]") {
  const std::string field = "a numeric field of the resolved scenario (funnelsim validate --resolved prints them)";
  CHECK(sensitivity_error("--params /scoring/nope") ==
        "funnelsim: --params /scoring/nope: expected " + field + ", found no such field\n");
  CHECK(sensitivity_error("--params /scoring/mql_threshold,/sources/0/name") ==
        "funnelsim: --params /sources/0/name: expected " + field + ", found \"web\"\n");
  CHECK(sensitivity_error("--params /scoring/decay") ==
        "funnelsim: --params /scoring/decay: expected " + field + ", found an object\n");
  CHECK(sensitivity_error("--params /seed")
            .find("funnelsim: --params /seed: expected " + field + ", found a run control") == 0);
  CHECK(sensitivity_error("--params scoring/mql_threshold") ==
        "funnelsim: --params: expected JSON Pointers separated by commas, such as /scoring/mql_threshold,/sources/0/"
        "leads_per_week, found \"scoring/mql_threshold\"\n");
  const std::string vary =
      "funnelsim: --vary: expected a fraction of each value such as 20% or 0.2, above 0 and at most 100%, found ";
  CHECK(sensitivity_error("--vary 0%") == vary + "\"0%\"\n");
  CHECK(sensitivity_error("--vary=-10%") == vary + "\"-10%\"\n");
  CHECK(sensitivity_error("--vary lots") == vary + "\"lots\"\n");
  CHECK(sensitivity_error("--metric cost_per_sql") ==
        "funnelsim: --metric: expected a whole-funnel metric name such as cost_per_sql_marketing (cost_per_sql is now "
        "cost_per_sql_marketing or cost_per_sql_loaded), found \"cost_per_sql\"\n");
  CHECK(sensitivity_error("--first-replication 3").find("--first-replication") != std::string::npos);
}
