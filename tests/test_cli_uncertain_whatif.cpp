// Uncertain inputs in compare and sweep: each scenario runs exactly the replications `run` gives
// it (same draws, same leads), an input uncertain in two scenarios is drawn alike in both, and a
// scenario compared with itself differs by exactly 0. bench still asks for fixed values.
#include <catch2/catch.hpp>
#include <fstream>
#include <nlohmann/json.hpp>

#include "cli_support.hpp"
#include "small_scenario.hpp"
#include "test_support.hpp"

using funnelsim::test::cli;
using funnelsim::test::csv_column;
using funnelsim::test::read_file;
using funnelsim::test::TempDir;
using nlohmann::json;

namespace {

/// The small scenario with its fit probability and MQL threshold uncertain.
json small_scenario(double threshold_mean) {
  json doc = json::parse(funnelsim::test::kSmallScenario);
  doc.merge_patch(json::parse(R"({"replications": 16,
    "sources": [{ "name": "web", "leads_per_week": 100, "cost_per_lead": 20, "profile": {
      "attributes": { "fit": { "probability": {"uncertain": {"distribution": "beta", "alpha": 6, "beta": 14}},
                               "readiness_correlation": 0.5 } },
      "events": { "visit": { "rate_at_readiness_0": 0.5, "rate_at_readiness_1": 20, "half_life_days": 10 } } } }],
    "scoring": { "mql_threshold": {"uncertain": {"distribution": "normal", "mean": 60, "sd": 4}} } })"));
  doc["scoring"]["mql_threshold"]["uncertain"]["mean"] = threshold_mean;
  return doc;
}

struct Files {
  TempDir dir;
  std::string base = (dir / "base.json").string(), raise = (dir / "raise.json").string();
  Files() {
    std::ofstream(base) << small_scenario(60).dump();
    json raised = small_scenario(66);
    raised["name"] = "raise";
    std::ofstream(raise) << raised.dump();
  }
  /// A quoted folder for --out.
  std::string out(const std::string& name) const {
    std::string quoted = "'";
    quoted += (dir / name).string();
    return quoted += '\'';
  }
};

json run_metrics(const Files& f, const std::string& file, const std::string& name) {
  return funnelsim::test::run_summary_json("'" + file + "'", f.dir, name)["metrics"];
}

}  // namespace

TEST_CASE("cli: compare with uncertain inputs pairs the very replications run gives each scenario",
          "[cli][uncertain][compare][crn]") {
  const Files f;
  const auto r = cli("compare '" + f.base + "' '" + f.raise + "' '" + f.base + "' --out " + f.out("cmp"));
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find("uncertain inputs, drawn per replication") != std::string::npos);
  const json c = json::parse(read_file(f.dir / "cmp" / "compare.json"));
  const json inputs = {"/scoring/mql_threshold", "/sources/0/profile/attributes/fit/probability"};
  for (const json& s : c["scenarios"]) CHECK(s["uncertain_inputs"] == inputs);

  const json base = run_metrics(f, f.base, "run_base"), raise = run_metrics(f, f.raise, "run_raise");
  for (const char* metric : {"mqls", "sqls", "cost_per_sql_marketing"}) {
    INFO(metric);
    const json& m = c["comparisons"][0]["metrics"][metric];
    CHECK(m["base"] == base[metric]);
    CHECK(m["variant"] == raise[metric]);
    // The base against itself: the same draws and leads, so exactly no difference.
    const json& self = c["comparisons"][1]["metrics"][metric]["difference"];
    CHECK(self["mean"] == 0.0);
    CHECK(self["ci95_low"] == 0.0);
    CHECK(self["ci95_high"] == 0.0);
  }
  // The threshold's draw is the same normal deviate in both scenarios, 6 points higher in the
  // variant: no replication can gain an MQL from it.
  const std::vector<double> before = csv_column(read_file(f.dir / "run_base" / "replications.csv"), "mqls"),
                            after = csv_column(read_file(f.dir / "run_raise" / "replications.csv"), "mqls");
  REQUIRE(before.size() == 16);
  REQUIRE(after.size() == 16);
  for (std::size_t i = 0; i < before.size(); ++i) CHECK(after[i] <= before[i]);
  CHECK(c["comparisons"][0]["metrics"]["mqls"]["difference"]["mean"].get<double>() < 0.0);
}

TEST_CASE("cli: a sweep over an uncertain input's mean runs what run gives each point", "[cli][uncertain][sweep]") {
  const Files f;
  const auto r =
      cli("sweep '" + f.base + "' --param /scoring/mql_threshold/uncertain/mean=60,66 --quiet --out " + f.out("sweep"));
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const json s = json::parse(read_file(f.dir / "sweep" / "sweep.json"));
  REQUIRE(s["points"].size() == 2);
  const json base = run_metrics(f, f.base, "run_base"), raise = run_metrics(f, f.raise, "run_raise");
  CHECK(s["points"][0]["metrics"]["mqls"] == base["mqls"]);
  CHECK(s["points"][1]["metrics"]["mqls"] == raise["mqls"]);
  // Fixing an uncertain input at a point is a sweep too: it replaces the distribution.
  const auto fixed = cli("sweep '" + f.base + "' --param /scoring/mql_threshold=60 --quiet");
  CHECK(fixed.exit_code == 0);
}

TEST_CASE("cli: bench asks for fixed values and says which commands draw them", "[cli][uncertain][errors]") {
  const Files f;
  const auto r = cli("bench '" + f.base + "' --replications 2");
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("/scoring/mql_threshold: expected a number (an uncertain value is drawn per replication by run, "
                   "compare, sweep and sensitivity; bench needs fixed values), found an object") != std::string::npos);
}
