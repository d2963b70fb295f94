// What run, compare and sweep print and write for a reader: --metrics, summary.csv, columns that
// line up whatever the names, figures in the units they are in; the replications' checksum that run
// and bench both print.
#include <sstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "cli_support.hpp"

using funnelsim::test::cli;
using funnelsim::test::read_file;
using funnelsim::test::TempDir;
using nlohmann::json;

namespace {

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

/// The rows of the printed table whose header starts with `header`, up to the first blank line.
std::vector<std::string> table_after(const std::string& text, const std::string& header) {
  std::vector<std::string> rows;
  bool in = false;
  for (const std::string& line : lines_of(text)) {
    if (!in && line.rfind(header, 0) == 0) in = true;
    if (!in) continue;
    if (line.empty() || line.rfind("value:", 0) == 0) break;
    if (line.front() != '(') rows.push_back(line);  // a note under the table is not a row
  }
  return rows;
}

/// Every row's cell of a right-aligned column (one filled in every row) ends where the
/// header's name ends.
void check_right_edge(const std::vector<std::string>& rows, const std::string& column) {
  REQUIRE(rows.size() > 1);
  std::size_t at = rows[0].find("  " + column);
  while (at != std::string::npos && at + 2 + column.size() < rows[0].size() && rows[0][at + 2 + column.size()] != ' ')
    at = rows[0].find("  " + column, at + 1);
  REQUIRE(at != std::string::npos);
  const std::size_t end = at + 2 + column.size();
  for (std::size_t i = 1; i < rows.size(); ++i) {
    INFO(rows[i]);
    REQUIRE(rows[i].size() >= end);
    CHECK(rows[i][end - 1] != ' ');
    if (rows[i].size() > end) CHECK(rows[i][end] == ' ');
  }
}

/// The 64 hex digits after "checksum of the replications (sha256): ", or "" when none is printed.
std::string printed_checksum(const std::string& out) {
  const std::string label = "checksum of the replications (sha256): ";
  const std::size_t at = out.find(label);
  if (at == std::string::npos || at + label.size() + 64 > out.size()) return {};
  return out.substr(at + label.size(), 64);
}

std::string checksum_of(const std::string& command) {
  const auto r = cli(command);
  INFO(command << "\n" << r.err);
  REQUIRE(r.exit_code == 0);
  const std::string digest = printed_checksum(r.out);
  CHECK(digest.find_first_not_of("0123456789abcdef") == std::string::npos);
  REQUIRE(digest.size() == 64);
  return digest;
}

}  // namespace

TEST_CASE("cli: the summary table's columns line up whatever the metric names", "[cli][outputs]") {
  const auto r = cli("run scenarios/saas_baseline.json --replications 6");
  REQUIRE(r.exit_code == 0);
  const auto rows = table_after(r.out, "metric (whole funnel)");
  // The long names that pushed their rows out of line before.
  bool long_names = false;
  for (const std::string& row : rows)
    long_names = long_names || row.rfind("opportunities_lost_capacity ", 0) == 0 ||
                 row.rfind("time_to_mql_days_p50_instant ", 0) == 0;
  CHECK(long_names);
  check_right_edge(rows, "value");
  check_right_edge(rows, "P90");
  check_right_edge(table_after(r.out, "by source"), "cost/SQL mkt");
  check_right_edge(table_after(r.out, "by team"), "backlog end");
  CHECK(r.out.find("pipeline_per_dollar") != std::string::npos);
  CHECK(r.out.find(" per $1") != std::string::npos);  // money per money, not 720%
  CHECK(r.out.find("of opportunities closed in the horizon") != std::string::npos);
}

TEST_CASE("cli: compare and sweep tables line up whatever the names", "[cli][outputs][compare][sweep]") {
  auto r = cli("compare scenarios/saas_baseline.json scenarios/threshold_raise.json --replications 4");
  REQUIRE(r.exit_code == 0);
  const auto rows = table_after(r.out, "metric (whole funnel)");
  check_right_edge(rows, "variant");
  check_right_edge(rows, "relative");
  check_right_edge(table_after(r.out, "by team"), "variant");
  check_right_edge(table_after(r.out, "by source"), "difference");
  r =
      cli("sweep scenarios/saas_baseline.json --replications 2 --param /scoring/mql_threshold=60,70 "
          "--param /sources/1/cost_per_lead=40,50");
  REQUIRE(r.exit_code == 0);
  const auto sweep = table_after(r.out, "point");
  CHECK(sweep[0].find("MQL threshold (points)") != std::string::npos);
  CHECK(sweep[0].find("Paid social: cost per lead ($)") != std::string::npos);
  check_right_edge(sweep, "sqls");
  check_right_edge(sweep, "mql_recall");
  CHECK(r.out.find("MQL threshold (points): /scoring/mql_threshold") != std::string::npos);
}

TEST_CASE("cli: --metrics chooses the rows of run, compare and sweep, in its order", "[cli][outputs]") {
  auto r = cli("run scenarios/saas_baseline.json --replications 3 --metrics cac,sqls,rep_utilization");
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  auto rows = table_after(r.out, "metric (whole funnel)");
  REQUIRE(rows.size() == 3);
  CHECK(rows[1].rfind("cac ", 0) == 0);
  CHECK(rows[2].rfind("sqls ", 0) == 0);
  const auto by_source = table_after(r.out, "by source");
  REQUIRE(!by_source.empty());
  CHECK(by_source[0].find("CAC") < by_source[0].find("SQLs"));
  CHECK(by_source[0].find("MQLs") == std::string::npos);
  CHECK(table_after(r.out, "by team")[0].find("utiliz.") != std::string::npos);

  r =
      cli("compare scenarios/saas_baseline.json scenarios/threshold_raise.json --replications 3 --metrics "
          "sla_attainment,mqls");
  REQUIRE(r.exit_code == 0);
  rows = table_after(r.out, "metric (whole funnel)");
  REQUIRE(rows.size() == 3);
  CHECK(rows[1].rfind("sla_attainment ", 0) == 0);
  CHECK(r.out.find("SLA met ") != std::string::npos);  // the verdict reads the chosen metrics
  CHECK(r.out.find("cost per SQL (marketing)") == std::string::npos);

  r =
      cli("sweep scenarios/saas_baseline.json --replications 2 --param /scoring/mql_threshold=60,70 --metrics "
          "cold_leads");
  REQUIRE(r.exit_code == 0);
  CHECK(table_after(r.out, "point")[0].find("cold_leads") != std::string::npos);
  CHECK(table_after(r.out, "point")[0].find("mql_recall") == std::string::npos);
}

TEST_CASE("cli: an unknown --metrics name exits 2 with a did-you-mean, writing nothing", "[cli][outputs]") {
  TempDir dir;
  for (const std::string command :
       {"run scenarios/saas_baseline.json", "compare scenarios/saas_baseline.json scenarios/threshold_raise.json",
        "sweep scenarios/saas_baseline.json --param /scoring/mql_threshold=60,70"}) {
    const auto r =
        cli(command + " --replications 2 --metrics sqls,cost_per_sql_marketng --out '" + (dir / "o").string() + "'");
    INFO(command);
    CHECK(r.exit_code == 2);
    CHECK(r.err ==
          "funnelsim: --metrics: expected metric names separated by commas, such as mqls,sqls,cost_per_sql_marketing "
          "(did you mean \"cost_per_sql_marketing\"?), found \"cost_per_sql_marketng\"\n");
    CHECK(r.out.empty());
    CHECK(!std::filesystem::exists(dir / "o"));
  }
  const auto twice = cli("run scenarios/saas_baseline.json --replications 2 --metrics sqls,sqls");
  CHECK(twice.exit_code == 2);
  CHECK(twice.err == "funnelsim: --metrics sqls: expected each metric once, found it twice\n");
}

TEST_CASE("cli: run --out writes summary.csv, one row per metric and scope, the figures of summary.json",
          "[cli][outputs]") {
  TempDir dir;
  const auto r = cli("run scenarios/saas_baseline.json --replications 5 --quiet --out '" + (dir / "o").string() + "'");
  REQUIRE(r.exit_code == 0);
  const json summary = json::parse(read_file(dir / "o" / "summary.json"));
  const std::string csv = read_file(dir / "o" / "summary.csv");
  const auto lines = lines_of(csv);
  CHECK(lines[0] ==
        "scope_kind,scope,metric,unit,headline,value,value_ci95_low,value_ci95_high,pooled,pooled_ci95_low,"
        "pooled_ci95_high,pooled_se,pooled_n,mean,sd,se,ci95_low,ci95_high,p5,p10,p25,p50,p75,p90,p95,min,max,"
        "n_defined");
  std::size_t expected = 0;
  auto count = [&](const json& scopes, const char* kind) {
    for (const auto& [scope, metrics] : scopes.items()) expected += metrics.size();
    (void)kind;
  };
  expected += summary["metrics"].size();
  count(summary["by_source"], "funnel");
  count(summary["by_team"], "team");
  count(summary["by_rep"], "rep");
  CHECK(lines.size() == expected + 1);
  auto row_of = [&](const std::string& prefix) -> std::vector<std::string> {
    for (const std::string& line : lines)
      if (line.rfind(prefix, 0) == 0) {
        std::vector<std::string> cells;
        std::istringstream in(line);
        for (std::string cell; std::getline(in, cell, ',');) cells.push_back(cell);
        if (line.back() == ',') cells.emplace_back();
        return cells;
      }
    FAIL("no row " << prefix);
    return {};
  };
  const auto cost = row_of("funnel,all,cost_per_sql_marketing,");
  REQUIRE(cost.size() == 28);
  CHECK(cost[3] == "currency/SQL");
  CHECK(cost[4] == "pooled");
  CHECK(std::stod(cost[5]) == summary["metrics"]["cost_per_sql_marketing"]["pooled"]["value"].get<double>());
  CHECK(std::stod(cost[13]) == summary["metrics"]["cost_per_sql_marketing"]["mean"].get<double>());
  const auto sqls = row_of("funnel,paid_social,sqls,");
  CHECK(sqls[4] == "mean");
  CHECK(std::stod(sqls[5]) == summary["by_source"]["paid_social"]["sqls"]["mean"].get<double>());
  CHECK(sqls[8].empty());  // no pooled ratio for a count
  const auto utilisation = row_of("team,sdr,rep_utilization,");
  CHECK(utilisation[4] == "pooled");
  // summary.csv belongs to the set: it carries no run_id of its own, the run_id file speaks for it.
  CHECK(std::filesystem::exists(dir / "o" / "run_id"));
  CHECK(cli("report '" + (dir / "o").string() + "'").exit_code == 0);
}

TEST_CASE("checksum: bench prints the checksum that a plain run prints, on any thread count", "[cli][bench]") {
  for (const std::string scenario : {"scenarios/channel_mix.json", "scenarios/saas_baseline.json"}) {
    INFO(scenario);
    const std::string args = scenario + " --replications 6 --seed 11";
    const std::string run = checksum_of("run " + args + " --threads 1");
    CHECK(checksum_of("run " + args + " --threads 2") == run);
    CHECK(checksum_of("bench " + args + " --repeats 1 --max-threads 2") == run);
  }
}

TEST_CASE("checksum: another seed, replication count or threshold gives another checksum", "[cli][bench]") {
  const std::string base = checksum_of("run scenarios/channel_mix.json --replications 6 --seed 11");
  CHECK(checksum_of("run scenarios/channel_mix.json --replications 6 --seed 12") != base);
  CHECK(checksum_of("run scenarios/channel_mix.json --replications 7 --seed 11") != base);
  CHECK(checksum_of("run scenarios/channel_mix.json --replications 6 --seed 11 --set /scoring/mql_threshold=70") !=
        base);
}
