// `funnelsim compare`: outputs, exact zero differences, determinism, CRN variance reduction,
// and errors.
#include <algorithm>
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "cli_support.hpp"
#include "funnelsim/metrics/metrics.hpp"
#include "funnelsim/core/statistics.hpp"

using namespace funnelsim;
using nlohmann::json;
using test::cli;
using test::read_file;
using test::TempDir;

namespace {

const std::string kBaseline = "scenarios/saas_baseline.json";
const std::string kRaise = "scenarios/threshold_raise.json";

json compare_json(const std::string& args, const TempDir& dir) {
  const auto r = cli("compare " + args + " --quiet --out '" + dir.path().string() + "'");
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  return json::parse(read_file(dir / "compare.json"));
}

/// Every paired difference of every scope (whole funnel, sources, teams, reps) and metric is
/// exactly 0 where defined at all. A metric defined in a single replication has a mean
/// difference but no variance, so no interval: those are null.
void check_all_zero(const json& comparison) {
  std::size_t checked = 0;
  auto check_scope = [&](const std::string& scope, const json& metrics) {
    for (const auto& [name, m] : metrics.items()) {
      const json& d = m["difference"];
      if (d["n_paired"] == 0) continue;
      INFO(scope << " " << name);
      CHECK(d["mean"] == 0.0);
      CHECK(m["base"] == m["variant"]);
      ++checked;
      if (d["n_paired"] == 1) {
        for (const char* key : {"ci95_low", "ci95_high", "se", "paired_variance"}) CHECK(d[key].is_null());
        continue;
      }
      CHECK(d["ci95_low"] == 0.0);
      CHECK(d["ci95_high"] == 0.0);
      CHECK(d["paired_variance"] == 0.0);
    }
  };
  check_scope("all", comparison["metrics"]);
  for (const char* group : {"by_source", "by_team", "by_rep"}) {
    CHECK(!comparison[group].empty());
    for (const auto& [name, scope] : comparison[group].items()) check_scope(name, scope);
  }
  CHECK(checked > 0);
}

}  // namespace

TEST_CASE("cli: compare prints a verdict on the headline metrics and a table", "[cli][compare]") {
  const auto r = cli("compare " + kBaseline + " " + kRaise + " --replications 6");
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find("threshold_raise vs saas_baseline (6 paired replications, seed 20261122):") != std::string::npos);
  for (const char* phrase :
       {"MQLs -", "SQL rate +", " pp [", "cost per SQL (marketing) +$", "MQL precision", "MQL recall -",
        "clearly better: SQL rate, MQL precision", "variance reduction from common random numbers",
        "metric (whole funnel)", "cost_per_sql_marketing"})
    CHECK(r.out.find(phrase) != std::string::npos);
  // Only the warm-up both scenarios' "warmup_days": "auto" share (no progress bar off a terminal).
  CHECK(r.err.starts_with("funnelsim: warm-up auto: "));
  CHECK(r.err.ends_with("for every scenario asking for auto\n"));
  CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
}

TEST_CASE("cli: a scenario compared with itself differs by exactly zero", "[cli][compare]") {
  TempDir dir;
  const json c = compare_json(kBaseline + " " + kBaseline + " --replications 4", dir);
  CHECK(c["base"] == "saas_baseline");
  CHECK(c["scenarios"][1]["name"] == "saas_baseline#2");
  REQUIRE(c["comparisons"].size() == 1);
  check_all_zero(c["comparisons"][0]);
  const json& mqls = c["comparisons"][0]["metrics"]["mqls"];
  CHECK(!mqls["difference"].contains("p_better_share"));  // mqls has no better direction
  const json& sqls = c["comparisons"][0]["metrics"]["sqls"]["difference"];
  CHECK(sqls["p_better_share"] == 0.5);
  CHECK(sqls["p_better_normal"] == 0.5);
  CHECK(sqls["variance_reduction"].is_null());  // the paired variance is 0
}

TEST_CASE("cli: compare --set applies to every scenario, after extends", "[cli][compare]") {
  // threshold_raise differs from the baseline only by the threshold, which --set now fixes in both.
  TempDir dir;
  const json c = compare_json(kBaseline + " " + kRaise + " --replications 3 --set /scoring/mql_threshold=70", dir);
  check_all_zero(c["comparisons"][0]);
}

TEST_CASE("cli: compare.json and compare.csv have the documented shape", "[cli][compare]") {
  TempDir dir;
  const json c = compare_json(kBaseline + " " + kRaise + " " + kBaseline + " --replications 5 --seed 3", dir);
  CHECK(c["seed"] == 3);
  CHECK(c["replications"] == 5);
  CHECK(c["scenarios"].size() == 3);
  json base = c["scenarios"][0];
  CHECK(base["provenance"]["file"]["path"] == kBaseline);  // tests/test_provenance.cpp checks the block
  base.erase("provenance");
  // Every scenario asking for "auto" runs with one warm-up, the rule's pick.
  CHECK(base["warmup_auto"] == true);
  CHECK(base["warmup_days"].get<int>() > 0);
  for (const json& s : c["scenarios"]) CHECK(s["warmup_days"] == base["warmup_days"]);
  base.erase("warmup_auto");
  base.erase("warmup_days");
  CHECK(base ==
        json({{"name", "saas_baseline"}, {"file", kBaseline}, {"role", "base"}, {"uncertain_inputs", json::array()}}));
  REQUIRE(c["comparisons"].size() == 2);
  const json& raise = c["comparisons"][0];
  CHECK(raise["variant"] == "threshold_raise");
  for (const MetricDef& def : metric_defs()) {
    INFO(def.name);
    const json& m = raise["metrics"][std::string(def.name)];
    CHECK(m["better"] == (def.better == Better::higher ? "higher" : def.better == Better::lower ? "lower" : "neither"));
    for (std::string_view stat : statistic_names()) CHECK(m["base"].contains(std::string(stat)));
    for (const char* key :
         {"mean", "ci95_low", "ci95_high", "se", "relative", "relative_ci95_low", "relative_ci95_high", "n_paired",
          "paired_variance", "unpaired_variance", "variance_reduction"})
      CHECK(m["difference"].contains(key));
    CHECK(m["difference"].contains("p_better_share") == (def.better != Better::neither));
    CHECK(m["difference"].contains("p_better_normal") == (def.better != Better::neither));
    // A ratio leads with its pooled ratios and their paired difference.
    CHECK(m["headline"] == (def.is_ratio() ? "pooled" : "mean"));
    CHECK(m["base"].contains("pooled") == def.is_ratio());
    CHECK(m.contains("pooled_difference") == def.is_ratio());
    if (def.is_ratio() && m["pooled_difference"]["mean"].is_number())
      CHECK(m["pooled_difference"]["mean"].get<double>() ==
            Approx(m["variant"]["pooled"]["value"].get<double>() - m["base"]["pooled"]["value"].get<double>()));
  }
  CHECK(c["weekly"].size() == 3);
  CHECK(c["horizon_days"] == 90);
  CHECK(raise["by_source"].size() == 6);
  const json& mqls = raise["metrics"]["mqls"];
  CHECK(mqls["difference"]["n_paired"] == 5);
  CHECK(mqls["difference"]["mean"].get<double>() ==
        Approx(mqls["variant"]["mean"].get<double>() - mqls["base"]["mean"].get<double>()));
  // Undefined in every replication (no lead of saas_baseline takes the signal path): null, n_paired 0.
  CHECK(raise["metrics"]["time_to_mql_days_p50_signal"]["difference"]["mean"].is_null());
  CHECK(raise["metrics"]["time_to_mql_days_p50_signal"]["difference"]["n_paired"] == 0);
  // saas_baseline has sales teams, so the SLA is defined in every replication.
  CHECK(raise["metrics"]["sla_attainment"]["difference"]["n_paired"] == 5);
  CHECK(raise["by_team"].size() == 2);  // sdr, enterprise_sdr
  CHECK(raise["by_rep"].size() == 3);   // sdr.1, sdr.2, enterprise_sdr.1
  for (const auto& [team, metrics] : raise["by_team"].items()) {
    INFO(team);
    CHECK(metrics.size() == metric_defs(ScopeKind::team).size());
  }
  for (const auto& [rep, metrics] : raise["by_rep"].items()) {
    INFO(rep);
    CHECK(metrics.size() == metric_defs(ScopeKind::rep).size());
  }

  const std::string csv = read_file(dir / "compare.csv");
  CHECK(
      csv.starts_with("variant,scope_kind,scope,metric,base_mean,variant_mean,diff_mean,diff_ci95_low,"
                      "diff_ci95_high,relative,p_better_share,p_better_normal,variance_reduction,n_paired,headline,"
                      "base_pooled,variant_pooled,pooled_diff,pooled_diff_ci95_low,pooled_diff_ci95_high,"
                      "pooled_relative,pooled_relative_ci95_low,pooled_relative_ci95_high,pooled_p_better_normal,"
                      "pooled_variance_reduction,pooled_n_paired\n"));
  // Per variant: 7 funnel scopes (all + 6 sources), 2 teams and 3 reps, each with its kind's metrics.
  const std::size_t rows_per_variant =
      7 * kMetricCount + 2 * metric_defs(ScopeKind::team).size() + 3 * metric_defs(ScopeKind::rep).size();
  CHECK(static_cast<std::size_t>(std::count(csv.begin(), csv.end(), '\n')) == 1 + 2 * rows_per_variant);
  CHECK(csv.find("\nthreshold_raise,funnel,all,mqls,") != std::string::npos);
  CHECK(csv.find("\nsaas_baseline#2,funnel,webinar,sqls,") != std::string::npos);
  CHECK(csv.find("\nthreshold_raise,team,sdr,sqls,") != std::string::npos);
  CHECK(csv.find("\nsaas_baseline#2,rep,enterprise_sdr.1,utilization,") != std::string::npos);
  const std::string text = read_file(dir / "compare.json");
  CHECK(text.find("NaN") == std::string::npos);
  CHECK(text.find("Infinity") == std::string::npos);
}

TEST_CASE("cli: compare outputs are byte-identical for 1 and 2 threads", "[cli][compare][determinism]") {
  TempDir dir;
  const std::string args = "compare " + kBaseline + " " + kRaise + " --replications 6 --quiet --out ";
  REQUIRE(cli(args + "'" + (dir / "a").string() + "' --threads 1").exit_code == 0);
  REQUIRE(cli(args + "'" + (dir / "b").string() + "' --threads 2").exit_code == 0);
  check_same_files(dir / "a", dir / "b", {"compare.json", "compare.csv"});
}

TEST_CASE("cli: common random numbers shrink the variance of the threshold raise", "[cli][compare][crn]") {
  // With the warm start ("warmup_days": "auto", both sides 87 days) the reduction at 200
  // replications is 6.0x for MQLs, 4.6x for SQLs and 4.2x for the marketing cost per SQL (9.4x,
  // 5.6x and 4.9x from an empty start: the threshold also acts during the warm-up, so the two
  // desks start the quarter in different states). 60 replications estimate it well enough for
  // the bound (20 gave 2.0x for SQLs).
  TempDir dir;
  const json c = compare_json(kBaseline + " " + kRaise + " --replications 60", dir);
  for (const char* metric : {"mqls", "sqls", "cost_per_sql_marketing"}) {
    const json& d = c["comparisons"][0]["metrics"][metric]["difference"];
    INFO(metric << ": " << d.dump());
    CHECK(d["variance_reduction"].get<double>() > 3.0);
    CHECK(d["paired_variance"].get<double>() * 3.0 < d["unpaired_variance"].get<double>());
  }
}

TEST_CASE("cli: compare errors exit 2, name the file and write nothing", "[cli][compare][errors]") {
  TempDir dir;
  {
    std::ofstream f(dir / "bad.json");
    f << R"({"extends": ")" << FUNNELSIM_SOURCE_DIR
      << R"(/scenarios/saas_baseline.json", "scoring": {"mql_threshold": "high"}})";
  }
  const auto out = dir / "out";
  const std::string bad = (dir / "bad.json").string();
  const auto r = cli("compare " + kBaseline + " '" + bad + "' --replications 2 --out '" + out.string() + "'");
  CHECK(r.exit_code == 2);
  CHECK(r.err ==
        "funnelsim: invalid scenario " + bad + ":\n  /scoring/mql_threshold: expected a number, found \"high\"\n");
  CHECK(!std::filesystem::exists(out));
  CHECK(cli("compare " + kBaseline).exit_code == 2);  // a base and at least one variant
  const auto missing = cli("compare " + kBaseline + " scenarios/nope.json");
  CHECK(missing.exit_code == 2);
  CHECK(missing.err.find("invalid scenario scenarios/nope.json:\n  /: expected a readable scenario file") !=
        std::string::npos);
}

TEST_CASE("cli: --set takes one value, so the scenarios may follow it", "[cli][compare]") {
  const auto r = cli("compare --set /seed=5 " + kBaseline + " " + kRaise + " --replications 2");
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find("threshold_raise vs saas_baseline (2 paired replications, seed 5)") != std::string::npos);
}
