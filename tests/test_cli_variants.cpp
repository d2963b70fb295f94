// Variants that say what they changed: `compare --variant LABEL:PTR=VALUE,...` (a what-if without
// a file), a variant listing only the changed fields of the sources it changes (arrays of named
// items merge by name), and headcount as a lever on its own.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <string>

#include <nlohmann/json.hpp>

#include "cli_support.hpp"
#include "funnelsim/whatif/inline_variant.hpp"
#include "test_support.hpp"

using namespace funnelsim;
using nlohmann::json;
using test::cli;
using test::read_file;
using test::TempDir;
using test::usage_message;

namespace {

const std::string kBaseline = "scenarios/saas_baseline.json";

json compare_json(const std::string& args, const TempDir& dir, const std::string& name = "c") {
  const auto r = cli("compare " + args + " --quiet --out '" + (dir / name).string() + "'");
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  return json::parse(read_file(dir / name / "compare.json"));
}

/// The same comparison results, whatever the variants are called.
void check_same_numbers(const json& a, const json& b) {
  REQUIRE(a.size() == b.size());
  for (const char* section : {"metrics", "by_source", "by_team", "by_rep"}) CHECK(a.at(section) == b.at(section));
}

/// The user's budget shift: only the two sources it changes, only the fields that change (the
/// base's cost per lead and fixed volume dropped with null: a budget buys the leads).
const char* kPartialBudgetShift = R"({
  "name": "budget_shift_partial",
  "sources": [
    { "name": "webinar", "leads_per_week": null, "cost_per_lead": null, "budget_per_week": 5800,
      "spend_curve": { "reference_budget_per_week": 2800, "reference_leads_per_week": 35, "elasticity": 0.6 } },
    { "name": "content_syndication", "leads_per_week": null, "cost_per_lead": null, "budget_per_week": 5000,
      "spend_curve": { "reference_budget_per_week": 8000, "reference_leads_per_week": 200, "elasticity": 0.7 } } ] })";

}  // namespace

TEST_CASE("variants: --variant text is LABEL:PTR=VALUE[,PTR=VALUE...], read like --set", "[variant][errors]") {
  const InlineVariant v = parse_inline_variant(
      "more_sdrs:/sales/teams/0/headcount=3, /scoring/mql_threshold=60,/sources/0/day_of_week_weights=[1,1,1,1,1,0,0],"
      "/description=\"a, b\",/scoring/rule=threshold");
  CHECK(v.label == "more_sdrs");
  REQUIRE(v.overrides.size() == 5);
  CHECK(v.overrides[0].pointer == "/sales/teams/0/headcount");
  CHECK(v.overrides[0].json_value() == 3);
  CHECK(v.overrides[1].json_value() == 60);                                    // blanks around a pair are ignored
  CHECK(v.overrides[2].json_value() == json({1, 1, 1, 1, 1, 0, 0}));           // commas inside [] do not split
  CHECK(v.overrides[3].json_value() == "a, b");                                // nor inside quotes
  CHECK(v.overrides[4].json_value() == "threshold");                           // not JSON: a string
  CHECK(parse_inline_variant("x:/a=b=c").overrides[0].json_value() == "b=c");  // the first '=' splits
  CHECK(parse_inline_variant("Threshold 55 (trial):/scoring/mql_threshold=55").label == "Threshold 55 (trial)");

  const std::string form =
      "expected LABEL:PTR=VALUE[,PTR=VALUE...] (e.g. threshold55:/scoring/mql_threshold=55), found ";
  CHECK(usage_message([] { parse_inline_variant("/scoring/mql_threshold=55"); }) ==
        form + "\"/scoring/mql_threshold=55\"");
  CHECK(usage_message([] { parse_inline_variant(":/scoring/mql_threshold=55"); }) ==
        form + "\":/scoring/mql_threshold=55\"");
  CHECK(usage_message([] { parse_inline_variant("t55:"); }) ==
        "t55: expected one or more PTR=VALUE separated by commas (e.g. "
        "/scoring/mql_threshold=55,/sales/teams/0/headcount=3), found \"\"");
  CHECK(usage_message([] { parse_inline_variant("t55:/a=1,,/b=2"); }).starts_with("t55: expected one or more"));
  CHECK(usage_message([] { parse_inline_variant("t55:scoring/mql_threshold=55"); }) ==
        "t55: expected PTR=VALUE with PTR a JSON Pointer (e.g. /scoring/mql_threshold=55), found "
        "\"scoring/mql_threshold=55\"");
  CHECK(usage_message([] { parse_inline_variant("t55:/a=\xff"); }) ==
        "t55: expected text in UTF-8, found byte 0xFF at offset 3, which is not UTF-8");
  CHECK(usage_message([] { parse_inline_variant("t\xff:/a=1"); }) ==
        "expected a label in UTF-8, found bytes that are not UTF-8");
}

TEST_CASE("cli: compare --variant gives exactly the numbers of the same variant written as a file",
          "[cli][compare][variant]") {
  TempDir dir;
  // threshold_raise.json is saas_baseline with /scoring/mql_threshold 75.
  const json file = compare_json(kBaseline + " scenarios/threshold_raise.json --replications 8", dir, "file");
  const json inline_variant =
      compare_json(kBaseline + " --variant 'raise75:/scoring/mql_threshold=75' --replications 8", dir, "inline");
  check_same_numbers(file["comparisons"][0], inline_variant["comparisons"][0]);
  CHECK(inline_variant["comparisons"][0]["variant"] == "raise75");  // the label names it everywhere
  const json& s = inline_variant["scenarios"][1];
  CHECK(s["name"] == "raise75");
  CHECK(s["file"] == kBaseline);  // the file it is made from
  CHECK(s["provenance"]["file"]["path"] == kBaseline);
  CHECK(s["provenance"]["overrides"] == json::parse(R"([{"pointer": "/scoring/mql_threshold", "value": 75}])"));
  // The same resolved scenario as the file: the same hash.
  CHECK(s["provenance"]["resolved_sha256"] == file["scenarios"][1]["provenance"]["resolved_sha256"]);
  CHECK(s["provenance"]["resolved_sha256"] != inline_variant["scenarios"][0]["provenance"]["resolved_sha256"]);

  // The printed comparison names the label too.
  const auto printed = cli("compare " + kBaseline + " --variant 'raise75:/scoring/mql_threshold=75' --replications 4");
  REQUIRE(printed.exit_code == 0);
  CHECK(printed.out.find("raise75 vs saas_baseline (4 paired replications") != std::string::npos);
}

TEST_CASE("cli: --variant mixes with variant files (files first) and applies after --set", "[cli][compare][variant]") {
  TempDir dir;
  const json c = compare_json(kBaseline +
                                  " --variant 'more_sdrs:/sales/teams/0/headcount=3,/scoring/mql_threshold=60' "
                                  "scenarios/threshold_raise.json --variant 't70:/scoring/mql_threshold=70' "
                                  "--set /scoring/mql_threshold=65 --set /sales/teams/0/headcount=2 --replications 4",
                              dir);
  std::vector<std::string> names;
  for (const json& s : c["scenarios"]) names.push_back(s["name"]);
  CHECK(names == std::vector<std::string>{"saas_baseline", "threshold_raise", "more_sdrs", "t70"});
  // --set first (common to every scenario), then the variant's own pairs: the variant's word is last.
  CHECK(c["scenarios"][2]["provenance"]["overrides"] == json::parse(R"([
    {"pointer": "/scoring/mql_threshold", "value": 65}, {"pointer": "/sales/teams/0/headcount", "value": 2},
    {"pointer": "/sales/teams/0/headcount", "value": 3}, {"pointer": "/scoring/mql_threshold", "value": 60}])"));
  // Headcount is a lever: 3 reps on a two-rep strictness list (the list repeats) take 15% more
  // MQLs (threshold 60 < 65) with 50% more capacity, so each rep is busier less of the time.
  const json& more = c["comparisons"][1];
  CHECK(more["metrics"]["mqls"]["difference"]["mean"].get<double>() > 0.0);
  CHECK(more["by_team"]["sdr"]["rep_utilization"]["difference"]["ci95_high"].get<double>() < 0.0);
  // --set applies to file variants after their file: threshold_raise's 75 is 65 here, as the base.
  CHECK(c["comparisons"][0]["metrics"]["mqls"]["difference"]["mean"] == 0.0);
}

TEST_CASE("cli: a bad --variant names the variant and the pointer, exits 2 and writes nothing",
          "[cli][compare][variant][errors]") {
  TempDir dir;
  const std::string out = " --out '" + (dir / "out").string() + "'";
  auto r = cli("compare " + kBaseline + " --variant 'hot:/scoring/mql_threshold=\"high\"'" + out);
  CHECK(r.exit_code == 2);
  CHECK(r.err ==
        "funnelsim: invalid scenario hot (--variant on scenarios/saas_baseline.json):\n"
        "  /scoring/mql_threshold: expected a number, found \"high\"\n");
  r = cli("compare " + kBaseline + " --variant 'far:/scoring/nope/deeper=1'" + out);
  CHECK(r.exit_code == 2);
  CHECK(r.err ==
        "funnelsim: invalid scenario far (--variant on scenarios/saas_baseline.json):\n"
        "  /scoring/nope/deeper: expected a path whose parent /scoring/nope exists (in --variant), found no such "
        "parent\n");
  r = cli("compare " + kBaseline + " --variant 'scoring/mql_threshold=55'" + out);
  CHECK(r.exit_code == 2);
  CHECK(r.err ==
        "funnelsim: --variant: expected LABEL:PTR=VALUE[,PTR=VALUE...] (e.g. threshold55:/scoring/mql_threshold=55), "
        "found \"scoring/mql_threshold=55\"\n");
  r = cli("compare " + kBaseline + out);
  CHECK(r.exit_code == 2);
  CHECK(r.err ==
        "funnelsim: compare: expected a base and at least one variant (a scenario file or --variant "
        "LABEL:PTR=VALUE), found only the base\n");
  CHECK(!std::filesystem::exists(dir / "out"));
}

TEST_CASE("cli: a variant listing only the changed fields of two sources equals the shipped budget_shift",
          "[cli][compare][extends][named]") {
  // Before arrays of named items merged by name, this variant replaced all six sources by two
  // profile-less ones: SQLs -20.7% where budget_shift.json says +6.6%.
  TempDir dir;
  json partial = json::parse(kPartialBudgetShift);
  partial["extends"] = std::string(FUNNELSIM_SOURCE_DIR) + "/scenarios/saas_baseline.json";
  std::ofstream(dir / "partial.json") << partial.dump(2);
  const std::string file = (dir / "partial.json").string();

  // The same scenario: validate --resolved prints the same document (but its name), and says how
  // the sources were merged.
  const auto shipped = cli("validate scenarios/budget_shift.json --resolved");
  const auto written = cli("validate '" + file + "' --resolved");
  REQUIRE(shipped.exit_code == 0);
  REQUIRE(written.exit_code == 0);
  json a = json::parse(shipped.out), b = json::parse(written.out);
  CHECK(a["name"] == "budget_shift");
  a.erase("name"), a.erase("description"), b.erase("name"), b.erase("description");
  CHECK(a == b);
  CHECK(written.err.find("partial.json: /sources: merged by name into the base's items (merged: webinar, "
                         "content_syndication)\n") != std::string::npos);

  // The same numbers, replication by replication, and the same resolved hash.
  const json c = compare_json(kBaseline + " scenarios/budget_shift.json '" + file + "' --replications 20", dir);
  REQUIRE(c["comparisons"].size() == 2);
  check_same_numbers(c["comparisons"][0], c["comparisons"][1]);
  CHECK(c["scenarios"][1]["provenance"]["resolved_sha256"] == c["scenarios"][2]["provenance"]["resolved_sha256"]);
  const json& sqls = c["comparisons"][1]["metrics"]["sqls"]["difference"];
  INFO("SQLs " << sqls.dump());
  CHECK(sqls["relative_ci95_low"].get<double>() > 0.0);  // more SQLs, as the shipped shift says
}
