// The command line as users meet it: shipped scenarios, outputs, determinism, exit codes.
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

std::size_t count_lines(const std::string& text) {
  return static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n'));
}

}  // namespace

TEST_CASE("cli: every shipped scenario validates", "[cli]") {
  for (const char* file :
       {"scenarios/saas_baseline.json", "scenarios/channel_mix.json", "scenarios/threshold_raise.json"}) {
    const auto r = cli(std::string("validate ") + file);
    INFO(file << ": " << r.err);
    CHECK(r.exit_code == 0);
    CHECK(r.out.find("valid scenario") != std::string::npos);
  }
}

TEST_CASE("cli: run prints a readable summary", "[cli]") {
  const auto r = cli("run scenarios/saas_baseline.json --replications 8");
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find("scenario saas_baseline") != std::string::npos);
  for (const char* m : {"\ncost_per_sql_marketing ", "\ncost_per_sql_loaded "})
    CHECK(r.out.find(m) != std::string::npos);
  CHECK(r.out.find("content_syndication") != std::string::npos);
  // No progress bar when stderr is not a terminal: only what "warmup_days": "auto" picked and the
  // memory estimate.
  CHECK(r.err.starts_with("funnelsim: warm-up auto: "));
  CHECK(r.err.find("\nfunnelsim: estimated peak memory ") != std::string::npos);
  CHECK(count_lines(r.err) == 2);
}

TEST_CASE("cli: outputs are byte-identical for 1 and 2 threads", "[cli][determinism]") {
  TempDir dir;
  const auto a = cli("run scenarios/saas_baseline.json --replications 12 --threads 1 --quiet --out '" +
                     (dir / "a").string() + "'");
  const auto b = cli("run scenarios/saas_baseline.json --replications 12 --threads 2 --quiet --out '" +
                     (dir / "b").string() + "'");
  REQUIRE(a.exit_code == 0);
  REQUIRE(b.exit_code == 0);
  CHECK(a.out.empty());  // --quiet
  check_same_files(dir / "a", dir / "b", {"summary.json", "replications.csv", "weekly.csv"});
}

TEST_CASE("cli: summary.json and replications.csv have the documented shape", "[cli]") {
  TempDir dir;
  const auto r =
      cli("run scenarios/saas_baseline.json --replications 10 --seed 99 --quiet --out '" + dir.path().string() + "'");
  REQUIRE(r.exit_code == 0);
  const std::string text = read_file(dir / "summary.json");
  const json summary = json::parse(text);
  CHECK(summary["scenario"] == "saas_baseline");
  CHECK(summary["seed"] == 99);
  CHECK(summary["replications"] == 10);
  CHECK(summary.contains("funnelsim_version"));
  for (const MetricDef& d : metric_defs()) {
    INFO(d.name);
    const json& m = summary["metrics"][std::string(d.name)];
    for (std::string_view stat : statistic_names()) CHECK(m.contains(std::string(stat)));
    CHECK(summary["by_source"]["webinar"][std::string(d.name)].contains("p90"));
  }
  CHECK(summary["metrics"]["mqls"]["n_defined"] == 10);
  CHECK(text.find("NaN") == std::string::npos);
  CHECK(text.find("Infinity") == std::string::npos);

  const std::string csv = read_file(dir / "replications.csv");
  CHECK(count_lines(csv) == 11);
  const std::string header = csv.substr(0, csv.find('\n'));
  // 7 funnel scopes, 2 teams and 3 reps in saas_baseline: their metrics, then their components.
  const std::size_t columns =
      7 * record_size(ScopeKind::funnel) + 2 * record_size(ScopeKind::team) + 3 * record_size(ScopeKind::rep);
  CHECK(static_cast<std::size_t>(std::count(header.begin(), header.end(), ',')) == columns);
  const std::size_t first_component = header.find(",marketing_spend,");
  CHECK(first_component > header.find(",rep.enterprise_sdr.1.utilization"));  // after every metric column
  CHECK(header.find(",team.sdr.busy_hours") > first_component);
  CHECK(header.ends_with(",rep.enterprise_sdr.1.scheduled_hours"));
  CHECK(summary["metrics"]["cost_per_sql_marketing"]["pooled"]["n"] == 10);
  CHECK(!summary["metrics"]["sqls"].contains("pooled"));
  CHECK(header.find(",team.sdr.queue_length_mean") != std::string::npos);
  CHECK(header.find(",rep.sdr.2.acceptance_rate") != std::string::npos);
  CHECK(summary["by_team"]["enterprise_sdr"]["rep_utilization"].contains("mean"));
  CHECK(summary["by_rep"]["sdr.1"]["sqls"].contains("p90"));
  CHECK(header.find(",webinar.cost_per_sql_marketing") != std::string::npos);
  const std::string weekly = read_file(dir / "weekly.csv");
  // 7 funnel scopes x 4 series (leads, mqls, sqls, backlog) x 13 weeks, plus the header.
  CHECK(count_lines(weekly) == 1 + 7 * kSeriesCount * 13);
}

TEST_CASE("cli: an undefined metric is null in JSON and an empty CSV cell", "[cli]") {
  TempDir dir;
  const auto r =
      cli("run scenarios/channel_mix.json --replications 4 --quiet --set /scoring/mql_threshold=100000 "
          "--set '/scoring/instant_mql_events=[]' --set '/scoring/by_segment={}' --out '" +
          dir.path().string() + "'");
  REQUIRE(r.exit_code == 0);
  const json summary = json::parse(read_file(dir / "summary.json"));
  CHECK(summary["metrics"]["cost_per_sql_marketing"]["mean"].is_null());
  CHECK(summary["metrics"]["cost_per_sql_marketing"]["n_defined"] == 0);
  CHECK(summary["metrics"]["leads"]["n_defined"] == 4);
  const std::string csv = read_file(dir / "replications.csv");
  CHECK(csv.find(",,") != std::string::npos);
}

TEST_CASE("cli: the seed changes results and the same seed repeats them", "[cli][determinism]") {
  TempDir dir;
  auto run = [&](const std::string& name, int seed) {
    REQUIRE(cli("run scenarios/channel_mix.json --replications 5 --quiet --seed " + std::to_string(seed) + " --out '" +
                (dir / name).string() + "'")
                .exit_code == 0);
    return read_file(dir / name / "replications.csv");
  };
  const std::string a = run("a", 1), b = run("b", 1), c = run("c", 2);
  CHECK(a == b);
  CHECK(a != c);
}

TEST_CASE("cli: channel_mix gives about 40 and 52 MQLs through the scoring model", "[cli][calibration]") {
  // The scenario's design targets (seed 004): 500 leads at ~8% and 150 at ~35%. A calibration
  // band of +-10% around the targets; the run's own 95% CI must lie inside it.
  TempDir dir;
  REQUIRE(cli("run scenarios/channel_mix.json --quiet --out '" + dir.path().string() + "'").exit_code == 0);
  const json s = json::parse(read_file(dir / "summary.json"));
  for (auto [source, target] : {std::pair{"content_syndication", 40.0}, std::pair{"webinar", 52.0}}) {
    const json& mqls = s["by_source"][source]["mqls"];
    INFO(source << " mean " << mqls["mean"]);
    CHECK(mqls["ci95_low"].get<double>() > 0.9 * target);
    CHECK(mqls["ci95_high"].get<double>() < 1.1 * target);
  }
}

TEST_CASE("cli: a bad scenario exits 2, names the path and writes nothing", "[cli][errors]") {
  TempDir dir;
  {
    std::ofstream f(dir / "bad.json");
    f << R"({"sources": [{"name": "web", "leads_per_week": -5}]})";
  }
  const auto out = dir / "out";
  const auto r = cli("run '" + (dir / "bad.json").string() + "' --out '" + out.string() + "'");
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("/sources/0/leads_per_week: expected a number >= 0, found -5") != std::string::npos);
  CHECK(!std::filesystem::exists(out));
  const auto v = cli("validate '" + (dir / "bad.json").string() + "'");
  CHECK(v.exit_code == 2);
  CHECK(v.err.find("/sources/0/leads_per_week") != std::string::npos);
}

TEST_CASE("cli: bad usage exits 2", "[cli][errors]") {
  CHECK(cli("").exit_code == 2);
  CHECK(cli("run").exit_code == 2);
  CHECK(cli("run scenarios/saas_baseline.json --no-such-flag").exit_code == 2);
  CHECK(cli("run scenarios/saas_baseline.json --replications 0").exit_code == 2);
  const auto missing = cli("run scenarios/no_such_file.json");
  CHECK(missing.exit_code == 2);
  CHECK(missing.err.find("cannot open") != std::string::npos);
  const auto bad_set = cli("run scenarios/saas_baseline.json --set /nope/deeper=1");
  CHECK(bad_set.exit_code == 2);
  CHECK(bad_set.err.find("/nope/deeper") != std::string::npos);
  const auto no_equals = cli("run scenarios/saas_baseline.json --set /seed");
  CHECK(no_equals.exit_code == 2);
  CHECK(cli("--help").exit_code == 0);
}

TEST_CASE("cli: --set overrides a field, --resolved shows the merged scenario", "[cli]") {
  const auto r = cli("validate scenarios/saas_baseline.json --resolved --set /scoring/mql_threshold=80");
  REQUIRE(r.exit_code == 0);
  const json doc = json::parse(r.out);
  CHECK(doc["scoring"]["mql_threshold"] == 80);
  // Profile defaults are merged into every source, with the source's own values on top.
  CHECK(doc["sources"][3]["profile"]["attributes"]["personal_email"]["probability"] == 0.3);
  CHECK(doc["sources"][0]["profile"]["attributes"]["personal_email"]["probability"] == 0.18);
  CHECK(!doc.contains("profile_defaults"));
}
