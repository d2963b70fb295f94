// The warm-up from the command line: the cold-start warning of `run`, `--warmup auto`, and the
// weekly series weekly.csv carries.
#include <fstream>
#include <string>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "cli_support.hpp"
#include "funnelsim/scenario/loader.hpp"
#include "test_support.hpp"

using namespace funnelsim;
using nlohmann::json;
using test::cli;
using test::TempDir;

namespace {

/// saas_baseline with its "warmup_days" left out (or set to `days`), as a file in `dir`.
std::string baseline_variant(const TempDir& dir, const json& days) {
  json doc = read_scenario_document(test::source_path() + "/scenarios/saas_baseline.json");
  doc.erase("warmup_days");
  if (!days.is_null()) doc["warmup_days"] = days;
  const std::string file = (dir / "baseline.json").string();
  std::ofstream(file) << doc.dump();
  return file;
}

constexpr const char* kWarning = "warning: the quarter starts with an empty funnel";

}  // namespace

TEST_CASE("cli: run warns when the quarter starts empty, and says how far and how to fix it", "[cli][warmup]") {
  const TempDir dir;
  const auto cold = cli("run " + baseline_variant(dir, nullptr) + " --replications 40");
  REQUIRE(cold.exit_code == 0);
  INFO(cold.err);
  const std::size_t at = cold.err.find(kWarning);
  REQUIRE(at != std::string::npos);
  // How far (week 1-2 MQLs as a share of the last weeks') and the fix, with the rule's pick.
  CHECK(cold.err.find("of weeks 9-12's", at) != std::string::npos);
  CHECK(cold.err.find("--warmup auto (the rule picks", at) != std::string::npos);
  CHECK(cold.err.find("\"warmup_days\": 0", at) != std::string::npos);
  // The warning is on stderr only: stdout is the summary table.
  CHECK(cold.out.find(kWarning) == std::string::npos);
  // An empty start that is meant ("warmup_days": 0 written out) is not warned about.
  const auto meant = cli("run " + baseline_variant(dir, 0) + " --replications 10");
  REQUIRE(meant.exit_code == 0);
  CHECK(meant.err.find(kWarning) == std::string::npos);
  // Neither is a warm start.
  const auto warm = cli("run " + baseline_variant(dir, 90) + " --replications 10");
  REQUIRE(warm.exit_code == 0);
  CHECK(warm.err.find(kWarning) == std::string::npos);
}

TEST_CASE("cli: --warmup auto picks the warm-up, says it, and records it", "[cli][warmup]") {
  const TempDir dir;
  const std::string file = baseline_variant(dir, nullptr);
  const auto r = cli("run " + file + " --warmup auto --replications 4 --out " + (dir / "auto").string());
  REQUIRE(r.exit_code == 0);
  INFO(r.err);
  CHECK(r.err.find("warm-up auto: ") != std::string::npos);
  CHECK(r.err.find(kWarning) == std::string::npos);
  const json summary = json::parse(test::read_file(dir / "auto" / "summary.json"));
  REQUIRE(summary.contains("warmup_days"));
  CHECK(summary["warmup_days"].get<int>() > 30);
  CHECK(summary["warmup_auto"] == true);
  // The shipped scenario asks for auto itself: the same pick.
  const auto shipped = cli("run scenarios/saas_baseline.json --replications 4 --out " + (dir / "shipped").string());
  REQUIRE(shipped.exit_code == 0);
  const json shipped_summary = json::parse(test::read_file(dir / "shipped" / "summary.json"));
  CHECK(shipped_summary["warmup_days"] == summary["warmup_days"]);
  // The resolved hash is taken with the pick filled in (docs/variants.md): the rule's days written
  // out hash alike; warmup_auto tells the two apart.
  const std::string days = std::to_string(summary["warmup_days"].get<int>());
  const auto written = cli("run " + file + " --warmup " + days + " --replications 2 --out " + (dir / "days").string());
  REQUIRE(written.exit_code == 0);
  const json written_summary = json::parse(test::read_file(dir / "days" / "summary.json"));
  CHECK(written_summary["provenance"]["resolved_sha256"] == summary["provenance"]["resolved_sha256"]);
  CHECK(written_summary["warmup_auto"] == false);
  // A number of days is kept as given, and is another scenario; another word is a usage error.
  const auto fixed = cli("run " + file + " --warmup 30 --replications 2 --out " + (dir / "fixed").string());
  REQUIRE(fixed.exit_code == 0);
  const json fixed_summary = json::parse(test::read_file(dir / "fixed" / "summary.json"));
  CHECK(fixed_summary["warmup_days"] == 30);
  CHECK(fixed_summary["provenance"]["resolved_sha256"] != summary["provenance"]["resolved_sha256"]);
  const auto bad = cli("run " + file + " --warmup long");
  CHECK(bad.exit_code == 2);
  CHECK(bad.err.find("expected auto or a whole number of days") != std::string::npos);
}

TEST_CASE("cli: weekly.csv has one name per series, response-time, SLA and backlog included", "[cli]") {
  const TempDir dir;
  const auto r = cli("run " + baseline_variant(dir, 90) + " --replications 4 --out " + (dir / "out").string());
  REQUIRE(r.exit_code == 0);
  const std::string weekly = test::read_file(dir / "out" / "weekly.csv");
  for (const char* series : {",mqls,", ",first_attempts,", ",response_time_hours,", ",sla_due,", ",sla_attainment,",
                             ",in_sales_backlog,", ",created_to_date,"})
    CHECK(weekly.find(std::string("\nall") + series) != std::string::npos);
  // The old, ambiguous names are gone (a state read like a count: "sql", "backlog", "created").
  for (const char* old : {",sql,", ",backlog,", ",created,", ",cold,"}) CHECK(weekly.find(old) == std::string::npos);
}
