// What a user sees for a bad scenario: every case starts from one small valid document, breaks
// one thing and pins the exact issue list (path, expected, found), so that changing a message
// is a visible decision.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli_support.hpp"
#include "scenario/json_schema.hpp"
#include "funnelsim/model/model.hpp"
#include "core/random.hpp"
#include "funnelsim/scenario/error.hpp"
#include "funnelsim/scenario/loader.hpp"
#include "issue_printing.hpp"
#include "test_support.hpp"

using funnelsim::Issue;
using funnelsim::Override;
using funnelsim::ScenarioError;
using nlohmann::json;
using Issues = std::vector<Issue>;

namespace {

/// Two sources, a shared profile and a scoring model that refers to every kind of name.
json valid_doc() {
  return json::parse(R"({
    "horizon_days": 28,
    "profile_defaults": {
      "segment_mix": { "smb": 0.6, "enterprise": 0.4 },
      "attributes": {
        "economic_buyer": { "probability": 0.2, "readiness_correlation": 0.4 },
        "student": { "probability": 0.05 }
      },
      "events": {
        "pricing_page_visit": { "rate_at_readiness_0": 0.1, "rate_at_readiness_1": 2 },
        "demo_request": { "rate_at_readiness_1": 0.1 }
      }
    },
    "sources": [
      { "name": "paid_search", "leads_per_week": 100, "cost_per_lead": 50 },
      { "name": "webinar", "leads_per_week": 20, "spend_per_week": 500 }
    ],
    "scoring": {
      "attribute_points": { "economic_buyer": 20 },
      "event_points": { "pricing_page_visit": 8 },
      "event_groups": { "pricing_page_visit": "web" },
      "caps": { "groups": { "web": 30 } },
      "disqualifiers": ["student"],
      "instant_mql_events": ["demo_request"],
      "by_segment": { "enterprise": { "mql_threshold": 50 } },
      "by_source": { "webinar": { "mql_threshold": 40 } }
    }
  })");
}

Issues issues_of(const json& doc) {
  try {
    (void)funnelsim::scenario_from_json(doc, "test");
  } catch (const ScenarioError& e) {
    return e.issues();
  }
  FAIL("scenario was accepted: " << doc.dump());
  return {};
}

/// The issues of scenario text, from the parser or, if it parses, from the loader.
Issues text_issues(std::string_view text) {
  try {
    (void)funnelsim::scenario_from_json(funnelsim::parse_json_text(text), "test");
  } catch (const ScenarioError& e) {
    return e.issues();
  }
  FAIL("scenario text was accepted: " << text);
  return {};
}

/// Parses each `--set` argument and applies them all to `doc`.
void apply_sets(json& doc, const std::vector<std::string>& sets) {
  std::vector<Override> overrides;
  for (const auto& s : sets) overrides.push_back(Override::parse(s));
  funnelsim::apply_overrides(doc, overrides);
}

Issues set_issues(const std::vector<std::string>& sets) {
  json doc = valid_doc();
  try {
    apply_sets(doc, sets);
  } catch (const ScenarioError& e) {
    return e.issues();
  }
  FAIL("--set was accepted");
  return {};
}

const funnelsim::AttributeSpec& attribute(const funnelsim::SourceSpec& source, const std::string& name) {
  for (const auto& a : source.profile.attributes)
    if (a.name == name) return a;
  FAIL("source " << source.name << " has no attribute " << name);
  return source.profile.attributes.front();
}

bool has_attribute(const funnelsim::SourceSpec& source, const std::string& name) {
  for (const auto& a : source.profile.attributes)
    if (a.name == name) return true;
  return false;
}

using funnelsim::test::write_text;

const std::string kUnknownKeyInSource =
    "one of the known keys: budget_per_week, cost_per_lead, day_of_week_weights, description, leads_per_week, name, "
    "overdispersion, profile, spend_curve, spend_per_week, week_multipliers";
const std::string kUnknownKeyInScoring =
    "one of the known keys: attribute_points, by_segment, by_source, caps, decay, disqualifiers, "
    "engagement_threshold, event_groups, event_points, fit_threshold, instant_mql_events, mql_threshold, rule, "
    "sdr_follow_up";

}  // namespace

TEST_CASE("scenario errors: the base document is valid", "[errors]") {
  const funnelsim::Scenario s = funnelsim::scenario_from_json(valid_doc(), "test");
  CHECK(s.name == "test");
  CHECK(s.sources.size() == 2);
  CHECK(s.horizon_days == 28);
  CHECK_NOTHROW(funnelsim::compile_model(s));
}

// 1, 17: JSON syntax.

TEST_CASE("scenario errors: a JSON syntax error names line and column", "[errors]") {
  const std::string text =
      "{\n"
      "  \"sources\": [\n"
      "    { \"name\": \"a\", \"leads_per_week\": 10, }\n"
      "  ]\n"
      "}\n";
  CHECK(text_issues(text) ==
        Issues{{"", "valid JSON", "syntax error at line 3, column 42: unexpected '}'; expected string literal"}});
}

TEST_CASE("scenario errors: trailing text after the document is a syntax error", "[errors]") {
  const std::string doc = R"({"sources": [{"name": "a", "leads_per_week": 10}]})";
  REQUIRE(doc.size() == 50);
  CHECK(text_issues(doc + " x") ==
        Issues{{"", "valid JSON", "syntax error at line 1, column 52: invalid literal; expected end of input"}});
  CHECK(text_issues(doc + "{}") ==
        Issues{{"", "valid JSON", "syntax error at line 1, column 51: unexpected '{'; expected end of input"}});
  CHECK(text_issues("") ==
        Issues{{"", "valid JSON",
                "syntax error at line 1, column 1: unexpected end of input; expected '[', '{', or a literal"}});
}

TEST_CASE("scenario errors: NaN and Infinity are not JSON", "[errors]") {
  CHECK(text_issues(R"({"sources": [{"name": "a", "leads_per_week": NaN}]})") ==
        Issues{{"", "valid JSON", "syntax error at line 1, column 46: invalid literal"}});
  CHECK(text_issues(R"({"sources": [{"name": "a", "leads_per_week": Infinity}]})") ==
        Issues{{"", "valid JSON", "syntax error at line 1, column 46: invalid literal"}});
  CHECK(text_issues(R"({"sources": [{"name": "a", "leads_per_week": -Infinity}]})") ==
        Issues{{"", "valid JSON", "syntax error at line 1, column 47: invalid number; expected digit after '-'"}});
  CHECK(text_issues(R"({"sources": [{"name": "a", "leads_per_week": 1e400}]})") ==
        Issues{{"", "valid JSON", "number overflow parsing '1e400'"}});
}

TEST_CASE("scenario errors: load_scenario reports syntax errors and unreadable files at the root", "[errors]") {
  funnelsim::test::TempDir dir;
  write_text(dir / "broken.json", "{\"sources\": [}");
  try {
    (void)funnelsim::load_scenario(dir / "broken.json");
    FAIL("broken.json was accepted");
  } catch (const ScenarioError& e) {
    CHECK(e.issues() == Issues{{"", "valid JSON",
                                "syntax error at line 1, column 14: unexpected '}'; expected '[', '{', or a literal"}});
  }
  const auto missing = dir / "missing.json";
  try {
    (void)funnelsim::load_scenario(missing);
    FAIL("missing.json was accepted");
  } catch (const ScenarioError& e) {
    CHECK(e.issues() == Issues{{"", "a readable scenario file", "cannot open \"" + missing.string() + "\""}});
  }
}

// 2: wrong types.

TEST_CASE("scenario errors: wrong types", "[errors]") {
  json doc = valid_doc();
  doc["sources"][0]["leads_per_week"] = "100";
  CHECK(issues_of(doc) == Issues{{"/sources/0/leads_per_week", "a number", "\"100\""}});

  doc = valid_doc();
  doc["sources"] = {{"name", "paid_search"}, {"leads_per_week", 100}};
  CHECK(issues_of(doc) == Issues{{"/sources", "an array", "an object"}});

  doc = valid_doc();
  doc["profile_defaults"]["segment_mix"] = 5;
  CHECK(issues_of(doc) == Issues{{"/profile_defaults/segment_mix", "an object or null", "5"}});

  doc = valid_doc();
  doc["scoring"]["disqualifiers"] = "student";
  CHECK(issues_of(doc) == Issues{{"/scoring/disqualifiers", "an array", "\"student\""}});

  CHECK(issues_of(json::array()) == Issues{{"", "an object", "an array of 0 items"}});
}

// 3: numbers out of range.

TEST_CASE("scenario errors: numbers out of range", "[errors]") {
  json doc = valid_doc();
  doc["sources"][0]["leads_per_week"] = -1;
  CHECK(issues_of(doc) == Issues{{"/sources/0/leads_per_week", "a number >= 0", "-1"}});

  doc = valid_doc();
  doc["profile_defaults"]["attributes"]["student"]["probability"] = 1.5;
  CHECK(issues_of(doc) == Issues{{"/profile_defaults/attributes/student/probability", "a number <= 1", "1.5"}});

  doc = valid_doc();
  doc["horizon_days"] = 0;
  CHECK(issues_of(doc) == Issues{{"/horizon_days", "an integer >= 1", "0"}});

  doc = valid_doc();
  doc["horizon_days"] = 1.5;
  CHECK(issues_of(doc) == Issues{{"/horizon_days", "an integer", "1.5"}});

  doc = valid_doc();
  doc["sources"][1]["profile"] = {{"readiness", {{"alpha", 0}}}};
  CHECK(issues_of(doc) == Issues{{"/sources/1/profile/readiness/alpha", "a number > 0", "0"}});

  doc = valid_doc();
  doc["seed"] = -1;
  CHECK(issues_of(doc) == Issues{{"/seed", "an integer >= 0", "-1"}});
}

TEST_CASE("scenario errors: event_rate_scale is a positive number, named where it is written", "[errors]") {
  json doc = valid_doc();
  doc["sources"][0]["profile"]["event_rate_scale"] = 0;
  CHECK(issues_of(doc) == Issues{{"/sources/0/profile/event_rate_scale", "a number > 0", "0"}});

  doc = valid_doc();
  doc["profile_defaults"]["event_rate_scale"] = -1;
  CHECK(issues_of(doc) == Issues{{"/profile_defaults/event_rate_scale", "a number > 0", "-1"}});

  doc = valid_doc();
  doc["sources"][0]["profile"]["event_rate_scale"] = "2";
  CHECK(issues_of(doc) == Issues{{"/sources/0/profile/event_rate_scale", "a number", "\"2\""}});

  doc = valid_doc();
  doc["sources"][0]["profile"]["event_rate_scale"] = 2000;
  CHECK(issues_of(doc) == Issues{{"/sources/0/profile/event_rate_scale", "a number <= 1000", "2000"}});

  // Absent: 1; profile_defaults' value reaches every source that does not set its own.
  doc = valid_doc();
  CHECK(funnelsim::scenario_from_json(doc, "test").sources[0].profile.event_rate_scale == 1.0);
  doc["profile_defaults"]["event_rate_scale"] = 2;
  doc["sources"][1]["profile"]["event_rate_scale"] = 0.5;
  const funnelsim::Scenario s = funnelsim::scenario_from_json(doc, "test");
  CHECK(s.sources[0].profile.event_rate_scale == 2.0);
  CHECK(s.sources[1].profile.event_rate_scale == 0.5);
  CHECK(funnelsim::resolved_scenario_json(valid_doc())["sources"][0]["profile"].count("event_rate_scale") == 0);
}

TEST_CASE("scenario errors: an integral float is an integer", "[errors]") {
  json doc = valid_doc();
  doc["horizon_days"] = 14.0;
  CHECK(funnelsim::scenario_from_json(doc, "test").horizon_days == 14);
}

// 4: missing required fields.

TEST_CASE("scenario errors: missing required fields", "[errors]") {
  json doc = valid_doc();
  doc.erase("sources");
  // The scoring still names sources, attributes and events, but semantic checks wait for a
  // schema-valid document, so only the missing field is reported.
  CHECK(issues_of(doc) == Issues{{"/sources", "a value (this field is required)", "nothing"}});

  CHECK(issues_of(json::object()) == Issues{{"/sources", "a value (this field is required)", "nothing"}});

  doc = valid_doc();
  doc["sources"][1].erase("name");
  CHECK(issues_of(doc) == Issues{{"/sources/1/name", "a value (this field is required)", "nothing"}});

  doc = valid_doc();
  doc["sources"][0].erase("leads_per_week");
  CHECK(issues_of(doc) == Issues{{"/sources/0/leads_per_week",
                                  "either leads_per_week or budget_per_week (with spend_curve)", "neither"}});
}

// 5: unknown keys.

TEST_CASE("scenario errors: unknown keys, with and without a close match", "[errors]") {
  json doc = valid_doc();
  doc["sources"][0]["leads_per_wek"] = 100;
  CHECK(issues_of(doc) ==
        Issues{{"/sources/0/leads_per_wek", kUnknownKeyInSource + " (did you mean \"leads_per_week\"?)",
                "unknown key \"leads_per_wek\""}});

  doc = valid_doc();
  doc["scoring"]["mql_treshold"] = 70;
  CHECK(issues_of(doc) == Issues{{"/scoring/mql_treshold", kUnknownKeyInScoring + " (did you mean \"mql_threshold\"?)",
                                  "unknown key \"mql_treshold\""}});

  doc = valid_doc();
  doc["sources"][1]["colour"] = "blue";
  CHECK(issues_of(doc) == Issues{{"/sources/1/colour", kUnknownKeyInSource, "unknown key \"colour\""}});

  doc = valid_doc();
  doc["budget"] = 1000;
  CHECK(issues_of(doc) ==
        Issues{{"/budget",
                "one of the known keys: backlog, description, extends, horizon_days, name, nurture, pipeline, "
                "profile_defaults, replications, sales, sales_acceptance, scoring, seed, sources, start_weekday, "
                "warmup_days",
                "unknown key \"budget\""}});

  doc = valid_doc();
  doc["sources"][0]["profile"] = {{"attributes", {{"student", {{"probabilty", 0.1}}}}}};
  CHECK(issues_of(doc) == Issues{{"/sources/0/profile/attributes/student/probabilty",
                                  "one of the known keys: probability, readiness_correlation (did you mean "
                                  "\"probability\"?)",
                                  "unknown key \"probabilty\""}});
}

// 6: enums.

TEST_CASE("scenario errors: bad enum values suggest the closest one", "[errors]") {
  json doc = valid_doc();
  doc["scoring"]["decay"] = {{"model", "halflife"}};
  CHECK(issues_of(doc) ==
        Issues{{"/scoring/decay/model", "one of \"none\", \"half_life\", \"window\" (did you mean \"half_life\"?)",
                "\"halflife\""}});

  doc = valid_doc();
  doc["start_weekday"] = "Monday";
  CHECK(issues_of(doc) == Issues{{"/start_weekday",
                                  "one of \"monday\", \"tuesday\", \"wednesday\", \"thursday\", \"friday\", "
                                  "\"saturday\", \"sunday\" (did you mean \"monday\"?)",
                                  "\"Monday\""}});

  doc = valid_doc();
  doc["sales_acceptance"] = {{"model", "sigmoid"}};
  CHECK(issues_of(doc) == Issues{{"/sales_acceptance/model", "one of \"linear\", \"logistic\"", "\"sigmoid\""}});
}

// 7: name patterns.

TEST_CASE("scenario errors: names must be snake_case", "[errors]") {
  json doc = valid_doc();
  doc["sources"][0]["name"] = "Paid Search";
  CHECK(issues_of(doc) == Issues{{"/sources/0/name", "a string matching ^[a-z][a-z0-9_]*$", "\"Paid Search\""}});

  doc = valid_doc();
  doc["profile_defaults"]["segment_mix"] = {{"Mid Market", 1}};
  CHECK(issues_of(doc) ==
        Issues{{"/profile_defaults/segment_mix/Mid Market", "a key matching ^[a-z][a-z0-9_]*$", "\"Mid Market\""}});
}

// 8: empty sources.

TEST_CASE("scenario errors: sources must not be empty", "[errors]") {
  json doc = valid_doc();
  doc["sources"] = json::array();
  CHECK(issues_of(doc) == Issues{{"/sources", "an array of at least 1 item", "an array of 0 items"}});
}

// 9, 10, 11, 12: semantic checks on sources.

TEST_CASE("scenario errors: duplicate source names", "[errors]") {
  json doc = valid_doc();
  doc["sources"][0]["name"] = "webinar";
  CHECK(issues_of(doc) == Issues{{"/sources/1/name", "a name not used by an earlier source", "\"webinar\""}});

  doc = valid_doc();
  doc["sources"].push_back({{"name", "webinar"}, {"leads_per_week", 5}});
  doc["sources"].push_back({{"name", "webinar"}, {"leads_per_week", 5}});
  CHECK(issues_of(doc) == Issues{{"/sources/2/name", "a name not used by an earlier source", "\"webinar\""},
                                 {"/sources/3/name", "a name not used by an earlier source", "\"webinar\""}});
}

TEST_CASE("scenario errors: cost_per_lead and spend_per_week together", "[errors]") {
  json doc = valid_doc();
  doc["sources"][1]["cost_per_lead"] = 25;
  CHECK(issues_of(doc) == Issues{{"/sources/1/spend_per_week", "either cost_per_lead or spend_per_week, not both",
                                  "both (cost_per_lead is also set)"}});
}

TEST_CASE("scenario errors: day_of_week_weights", "[errors]") {
  json doc = valid_doc();
  doc["sources"][0]["day_of_week_weights"] = {0, 0, 0, 0, 0, 0, 0};
  CHECK(issues_of(doc) == Issues{{"/sources/0/day_of_week_weights", "at least one positive weight", "all weights 0"}});

  doc = valid_doc();
  doc["sources"][0]["day_of_week_weights"] = {1, 1, 1};
  CHECK(issues_of(doc) ==
        Issues{{"/sources/0/day_of_week_weights", "an array of at least 7 items", "an array of 3 items"}});

  doc = valid_doc();
  doc["sources"][1]["day_of_week_weights"] = {1, 1, 1, 1, 1, 1, 1, 1};
  CHECK(issues_of(doc) ==
        Issues{{"/sources/1/day_of_week_weights", "an array of at most 7 items", "an array of 8 items"}});

  doc = valid_doc();
  doc["sources"][1]["day_of_week_weights"] = {1, 1, 1, 1, 1, 1, -1};
  CHECK(issues_of(doc) == Issues{{"/sources/1/day_of_week_weights/6", "a number >= 0", "-1"}});
}

TEST_CASE("scenario errors: segment_mix with all weights 0", "[errors]") {
  json doc = valid_doc();
  doc["sources"][0]["profile"] = {{"segment_mix", {{"smb", 0}, {"enterprise", 0}}}};
  CHECK(issues_of(doc) ==
        Issues{{"/sources/0/profile/segment_mix", "at least one segment with a positive weight", "all weights 0"}});

  doc = valid_doc();
  doc["sources"][0]["profile"] = {{"segment_mix", {{"smb", -1}}}};
  CHECK(issues_of(doc) == Issues{{"/sources/0/profile/segment_mix/smb", "a number >= 0", "-1"}});
}

// 13: attributes after the profile merge.

TEST_CASE("scenario errors: an attribute needs a probability after the merge", "[errors]") {
  json doc = valid_doc();
  doc["sources"][0]["profile"] = {{"attributes", {{"competitor", {{"readiness_correlation", -0.2}}}}}};
  CHECK(issues_of(doc) ==
        Issues{{"/sources/0/profile/attributes/competitor/probability",
                "a probability (set it here or in /profile_defaults/attributes/competitor)", "nothing"}});
}

TEST_CASE("scenario errors: a probability from profile_defaults completes a source's attribute", "[errors]") {
  json doc = valid_doc();
  doc["profile_defaults"]["attributes"]["competitor"] = {{"probability", 0.01}};
  doc["sources"][0]["profile"] = {{"attributes", {{"competitor", {{"readiness_correlation", -0.2}}}}}};
  doc["sources"][1]["profile"] = {{"attributes", {{"student", nullptr}}}};  // null removes an inherited one
  const funnelsim::Scenario s = funnelsim::scenario_from_json(doc, "test");
  REQUIRE(s.sources.size() == 2);
  CHECK(attribute(s.sources[0], "competitor").probability == 0.01);
  CHECK(attribute(s.sources[0], "competitor").readiness_correlation == -0.2);
  CHECK(attribute(s.sources[1], "competitor").probability == 0.01);
  CHECK(attribute(s.sources[1], "competitor").readiness_correlation == 0.0);
  CHECK(attribute(s.sources[0], "student").probability == 0.05);
  CHECK_FALSE(has_attribute(s.sources[1], "student"));
}

// 14: scoring refers to names defined elsewhere.

TEST_CASE("scenario errors: scoring names an unknown attribute, event or segment", "[errors]") {
  const auto only = [](const json& doc) {
    const Issues issues = issues_of(doc);
    REQUIRE(issues.size() == 1);
    return issues[0];
  };

  json doc = valid_doc();
  doc["scoring"]["attribute_points"]["economic_buyr"] = 5;
  Issue issue = only(doc);
  CHECK(issue.path == "/scoring/attribute_points/economic_buyr");
  CHECK(issue.expected == "the name of an attribute defined in a source profile (did you mean \"economic_buyer\"?)");
  CHECK(issue.found == "unknown attribute \"economic_buyr\"");

  doc = valid_doc();
  doc["scoring"]["event_points"]["webinar_attended"] = 10;
  issue = only(doc);
  CHECK(issue.path == "/scoring/event_points/webinar_attended");
  CHECK(issue.expected == "the name of an event type defined in a source profile");
  CHECK(issue.found == "unknown event type \"webinar_attended\"");

  doc = valid_doc();
  doc["scoring"]["instant_mql_events"].push_back("contact_sales");
  issue = only(doc);
  CHECK(issue.path == "/scoring/instant_mql_events/1");
  CHECK(issue.expected == "the name of an event type defined in a source profile");

  doc = valid_doc();
  doc["scoring"]["disqualifiers"] = {"competitor", "student"};
  issue = only(doc);
  CHECK(issue.path == "/scoring/disqualifiers/0");
  CHECK(issue.expected == "the name of an attribute defined in a source profile");

  doc = valid_doc();
  doc["scoring"]["event_groups"]["demo_reqest"] = "sales";
  issue = only(doc);
  CHECK(issue.path == "/scoring/event_groups/demo_reqest");
  CHECK(issue.expected == "the name of an event type defined in a source profile (did you mean \"demo_request\"?)");

  doc = valid_doc();
  doc["scoring"]["by_segment"]["mid_market"] = {{"mql_threshold", 60}};
  issue = only(doc);
  CHECK(issue.path == "/scoring/by_segment/mid_market");
  CHECK(issue.expected == "the name of a segment named in a segment_mix");
  CHECK(issue.found == "unknown segment \"mid_market\"");

  doc = valid_doc();
  doc["scoring"]["attribute_points"]["a/b"] = 5;  // the path escapes '/' (RFC 6901)
  issue = only(doc);
  CHECK(issue.path == "/scoring/attribute_points/a~1b");

  // Groups come from scoring.event_groups as well as from event names.
  doc = valid_doc();
  doc["scoring"]["caps"]["groups"]["wbe"] = 10;
  issue = only(doc);
  CHECK(issue.path == "/scoring/caps/groups/wbe");
  CHECK(
      issue.expected ==
      "the name of an event group (an event type, or a group named in /scoring/event_groups) (did you mean \"web\"?)");
  CHECK(issue.found == "unknown event group \"wbe\"");
}

TEST_CASE("scenario errors: scoring names an unknown source", "[errors]") {
  json doc = valid_doc();
  doc["scoring"]["by_source"]["paid_serch"] = {{"mql_threshold", 60}};
  CHECK(issues_of(doc) ==
        Issues{{"/scoring/by_source/paid_serch", "the name of a source in /sources (did you mean \"paid_search\"?)",
                "unknown source \"paid_serch\""}});

  doc = valid_doc();
  doc["scoring"]["by_source"]["trade_shows"] = {{"mql_threshold", 60}};
  CHECK(issues_of(doc) == Issues{{"/scoring/by_source/trade_shows", "the name of a source in /sources",
                                  "unknown source \"trade_shows\""}});
}

TEST_CASE("scenario errors: a removed attribute is unknown to scoring only if no source keeps it", "[errors]") {
  json doc = valid_doc();
  for (auto& source : doc["sources"]) source["profile"] = {{"attributes", {{"economic_buyer", nullptr}}}};
  const Issues issues = issues_of(doc);
  REQUIRE(issues.size() == 1);
  CHECK(issues[0].path == "/scoring/attribute_points/economic_buyer");

  doc = valid_doc();
  doc["sources"][1]["profile"] = {{"attributes", {{"economic_buyer", nullptr}}}};
  CHECK_NOTHROW(funnelsim::scenario_from_json(doc, "test"));
}

// 15: several problems at once.

TEST_CASE("scenario errors: several schema problems are all reported, in document order", "[errors]") {
  json doc = valid_doc();
  doc["horizon_days"] = 0;
  doc["sources"][0]["leads_per_week"] = "x";
  doc["sources"][1].erase("name");
  doc["sources"][1]["colour"] = 1;
  doc["scoring"]["mql_treshold"] = 1;
  // Object keys in nlohmann's (sorted) order; a missing required key sorts as if present.
  CHECK(issues_of(doc) == Issues{{"/horizon_days", "an integer >= 1", "0"},
                                 {"/scoring/mql_treshold", kUnknownKeyInScoring + " (did you mean \"mql_threshold\"?)",
                                  "unknown key \"mql_treshold\""},
                                 {"/sources/0/leads_per_week", "a number", "\"x\""},
                                 {"/sources/1/colour", kUnknownKeyInSource, "unknown key \"colour\""},
                                 {"/sources/1/name", "a value (this field is required)", "nothing"}});
}

TEST_CASE("scenario errors: several semantic problems are all reported, in source order", "[errors]") {
  json doc = valid_doc();
  doc["sources"][0]["spend_per_week"] = 100;
  doc["sources"][0]["day_of_week_weights"] = {0, 0, 0, 0, 0, 0, 0};
  doc["sources"][1]["name"] = "paid_search";
  doc["sources"][1]["profile"] = {{"segment_mix", {{"smb", 0}, {"enterprise", 0}}}};
  doc["scoring"].erase("by_source");
  CHECK(issues_of(doc) ==
        Issues{{"/sources/0/spend_per_week", "either cost_per_lead or spend_per_week, not both",
                "both (cost_per_lead is also set)"},
               {"/sources/0/day_of_week_weights", "at least one positive weight", "all weights 0"},
               {"/sources/1/name", "a name not used by an earlier source", "\"paid_search\""},
               {"/sources/1/profile/segment_mix", "at least one segment with a positive weight", "all weights 0"}});
}

// 16: --set.

TEST_CASE("scenario errors: --set text that is not POINTER=VALUE", "[errors]") {
  const std::string expected = "an override /json/pointer=value (e.g. /scoring/mql_threshold=75)";
  CHECK(set_issues({"horizon_days=30"}) == Issues{{"", expected, "\"horizon_days=30\""}});
  CHECK(set_issues({"/horizon_days"}) == Issues{{"", expected, "\"/horizon_days\""}});
  CHECK(set_issues({"=30"}) == Issues{{"", expected, "\"=30\""}});
  CHECK(set_issues({""}) == Issues{{"", expected, "\"\""}});
}

TEST_CASE("scenario errors: --set pointers that do not fit the document", "[errors]") {
  CHECK(set_issues({"/nope/x=3"}) ==
        Issues{{"/nope/x", "a path whose parent /nope exists (in an override)", "no such parent"}});
  CHECK(set_issues({"/sources/5/name=x"}) ==
        Issues{{"/sources/5/name", "a path whose parent /sources/5 exists (in an override)", "no such parent"}});
  CHECK(set_issues({"/sources/2=3"}) ==
        Issues{{"/sources/2", "an index below 2 or - to append (in an override)", "\"2\""}});
  CHECK(set_issues({"/sources/first=3"}) ==
        Issues{{"/sources/first", "an index below 2 or - to append (in an override)", "\"first\""}});
  CHECK(set_issues({"/horizon_days/x=3"}) ==
        Issues{{"/horizon_days/x", "/horizon_days to be an object or an array (in an override)", "a number"}});
  CHECK(set_issues({"/a~2b=3"}) ==
        Issues{{"/a~2b", "a JSON Pointer such as /sources/0/leads_per_week (in an override)", "\"/a~2b\""}});
  // Overrides apply in order: the first one succeeds, the second one's parent is then missing.
  CHECK(set_issues({"/scoring/caps=7", "/scoring/caps/total=100"}) ==
        Issues{{"/scoring/caps/total", "/scoring/caps to be an object or an array (in an override)", "a number"}});
}

TEST_CASE("scenario errors: --set values are JSON when they parse, else strings", "[errors]") {
  json doc = valid_doc();
  apply_sets(doc, {"/scoring/mql_threshold=75", "/sources/0/day_of_week_weights=[1,1,1,1,1,0,0]",
                   "/sales_acceptance={\"model\": \"logistic\", \"ceiling\": 0.9}", "/name=spring_push",
                   "/description=\"quoted\"", "/sources/1/leads_per_week=35.5",
                   "/sources/-={\"name\": \"referral\", \"leads_per_week\": 4}",
                   "/profile_defaults/attributes/x~1y=null", "/a=b=c"});
  CHECK(doc["scoring"]["mql_threshold"] == 75);
  CHECK(doc["sources"][0]["day_of_week_weights"] == json({1, 1, 1, 1, 1, 0, 0}));
  CHECK(doc["sales_acceptance"] == json({{"model", "logistic"}, {"ceiling", 0.9}}));
  CHECK(doc["name"] == "spring_push");
  CHECK(doc["description"] == "quoted");
  CHECK(doc["sources"][1]["leads_per_week"] == 35.5);
  CHECK(doc["sources"][2] == json({{"name", "referral"}, {"leads_per_week", 4}}));
  CHECK(doc["profile_defaults"]["attributes"]["x/y"].is_null());
  CHECK(doc["a"] == "b=c");  // split at the first '='

  doc.erase("a");
  doc["profile_defaults"]["attributes"].erase("x/y");
  const funnelsim::Scenario s = funnelsim::scenario_from_json(doc, "test");
  CHECK(s.name == "spring_push");
  CHECK(s.scoring.thresholds.mql == 75.0);
  CHECK(s.sources.size() == 3);
  CHECK(s.sources[1].leads_per_week == 35.5);
  CHECK(s.sales_acceptance.ceiling == 0.9);
}

TEST_CASE("scenario errors: a --set value of the wrong type is caught by the schema", "[errors]") {
  json doc = valid_doc();
  apply_sets(doc, {"/sources/0/leads_per_week=lots"});  // not JSON, so a string
  CHECK(issues_of(doc) == Issues{{"/sources/0/leads_per_week", "a number", "\"lots\""}});

  doc = valid_doc();
  apply_sets(doc, {"/scoring/mql_treshold=70"});
  CHECK(issues_of(doc) == Issues{{"/scoring/mql_treshold", kUnknownKeyInScoring + " (did you mean \"mql_threshold\"?)",
                                  "unknown key \"mql_treshold\""}});
}

// compile_model: the last check, on random-stream tags.

TEST_CASE("scenario errors: attribute names whose stream tags collide", "[errors]") {
  // FNV-1a("attribute:a64699") == FNV-1a("attribute:a647834").
  json doc = valid_doc();
  doc["profile_defaults"]["attributes"]["a64699"] = {{"probability", 0.1}};
  doc["profile_defaults"]["attributes"]["a647834"] = {{"probability", 0.1}};
  const funnelsim::Scenario s = funnelsim::scenario_from_json(doc, "test");
  try {
    (void)funnelsim::compile_model(s);
    FAIL("colliding attribute names were accepted");
  } catch (const ScenarioError& e) {
    CHECK(e.issues() == Issues{{"", "attribute names with distinct random-stream tags",
                                "\"a64699\" and \"a647834\" collide; rename one"}});
  }
}

TEST_CASE("scenario errors: source names whose stream tags collide", "[errors]") {
  // stream_tag("s31597") == stream_tag("s618190"): the engine hashes source names unprefixed,
  // and the check must hash exactly the same string, or two sources would share every stream.
  STATIC_REQUIRE(funnelsim::stream_tag("s31597") == funnelsim::stream_tag("s618190"));
  json doc = valid_doc();
  doc["scoring"].erase("by_source");
  doc["sources"][0]["name"] = "s31597";
  doc["sources"][1]["name"] = "s618190";
  try {
    (void)funnelsim::compile_model(funnelsim::scenario_from_json(doc, "test"));
    FAIL("colliding source names were accepted");
  } catch (const ScenarioError& e) {
    CHECK(e.issues() == Issues{{"", "source names with distinct random-stream tags",
                                "\"s31597\" and \"s618190\" collide; rename one"}});
  }
  // Names that only collide under a prefix the engine does not use are fine.
  doc["sources"][0]["name"] = "s31384";
  doc["sources"][1]["name"] = "s1400860";
  CHECK_NOTHROW(funnelsim::compile_model(funnelsim::scenario_from_json(doc, "test")));
}

TEST_CASE("scenario errors: a seed beyond 2^53 - 1 is refused, not wrapped", "[errors]") {
  json doc = valid_doc();
  doc["seed"] = nlohmann::json::parse("18446744073709551616");  // 2^64, parsed as a double
  CHECK(issues_of(doc) == Issues{{"/seed", "an integer <= 9007199254740991", "1.8446744073709552e+19"}});
}

TEST_CASE("scenario errors: a problem inherited from profile_defaults is reported there, once", "[errors]") {
  json doc = valid_doc();
  doc["profile_defaults"]["attributes"]["partner"] = {{"readiness_correlation", -0.2}};
  CHECK(issues_of(doc) ==
        Issues{{"/profile_defaults/attributes/partner/probability",
                "a probability (set it here or in /profile_defaults/attributes/partner)", "nothing"}});
  doc = valid_doc();
  doc["profile_defaults"]["segment_mix"] = {{"smb", 0}, {"enterprise", 0}};
  CHECK(issues_of(doc) ==
        Issues{{"/profile_defaults/segment_mix", "at least one segment with a positive weight", "all weights 0"}});
}

// 18: through the command line.

TEST_CASE("scenario errors: the CLI prints the issues, exits 2 and writes nothing", "[errors][cli]") {
  funnelsim::test::TempDir dir;
  json doc = valid_doc();
  doc["sources"][0]["leads_per_week"] = -1;
  doc["scoring"]["decay"] = {{"model", "halflife"}};
  write_text(dir / "bad.json", doc.dump(2));
  const std::string out = (dir / "out").string();

  const auto r = funnelsim::test::cli("run '" + (dir / "bad.json").string() + "' --quiet --out '" + out + "'");
  CHECK(r.exit_code == 2);
  CHECK(r.out.empty());
  CHECK(r.err ==
        "funnelsim: invalid scenario:\n"
        "  /scoring/decay/model: expected one of \"none\", \"half_life\", \"window\" (did you mean \"half_life\"?), "
        "found \"halflife\"\n"
        "  /sources/0/leads_per_week: expected a number >= 0, found -1\n");
  CHECK_FALSE(std::filesystem::exists(out));

  const auto v = funnelsim::test::cli("validate '" + (dir / "bad.json").string() + "'");
  CHECK(v.exit_code == 2);
  CHECK(v.err == r.err);
}

TEST_CASE("scenario errors: the CLI reports syntax and --set errors at the root as /", "[errors][cli]") {
  funnelsim::test::TempDir dir;
  write_text(dir / "broken.json", "{\n  \"sources\": [\n}\n");
  const auto r =
      funnelsim::test::cli("run '" + (dir / "broken.json").string() + "' --out '" + (dir / "out").string() + "'");
  CHECK(r.exit_code == 2);
  CHECK(r.err ==
        "funnelsim: invalid scenario:\n"
        "  /: expected valid JSON, found syntax error at line 3, column 1: unexpected '}'; expected '[', '{', or a "
        "literal\n");
  CHECK_FALSE(std::filesystem::exists(dir / "out"));

  const auto s = funnelsim::test::cli("validate scenarios/saas_baseline.json --set horizon_days=30");
  CHECK(s.exit_code == 2);
  CHECK(s.err ==
        "funnelsim: invalid scenario:\n"
        "  /: expected --set /json/pointer=value (e.g. --set /scoring/mql_threshold=75), found \"horizon_days=30\"\n");

  const auto t = funnelsim::test::cli("validate scenarios/saas_baseline.json --set /horizon_days=0");
  CHECK(t.exit_code == 2);
  CHECK(t.err == "funnelsim: invalid scenario:\n  /horizon_days: expected an integer >= 1, found 0\n");
}

// Found by fuzzing (tests/fuzz/): each input is also kept in the fuzz target's seed corpus.

TEST_CASE("scenario errors: --set array tokens that are no index mean no such parent (fuzz)", "[errors]") {
  // Found by fuzz_set_override: nlohmann's json_pointer::contains throws parse_error for ""
  // and out_of_range for an index past 2^64, which escaped as an internal error (exit 1).
  CHECK(set_issues({"/sources//name=x"}) ==
        Issues{{"/sources//name", "a path whose parent /sources/ exists (in an override)", "no such parent"}});
  CHECK(set_issues({"/sources/99999999999999999999/name=x"}) ==
        Issues{{"/sources/99999999999999999999/name",
                "a path whose parent /sources/99999999999999999999 exists (in an override)", "no such parent"}});
  CHECK(set_issues({"/sources/01/name=x"}) ==
        Issues{{"/sources/01/name", "a path whose parent /sources/01 exists (in an override)", "no such parent"}});
}

// Hardening: repeated keys, deep nesting, --set text that is not UTF-8, huge files.

TEST_CASE("scenario errors: a repeated key is refused, naming it", "[errors]") {
  // nlohmann would keep the last value silently; other JSON readers keep the first.
  CHECK(text_issues(R"({"seed": 1, "sources": [{"name": "a", "leads_per_week": 1}], "seed": 2})") ==
        Issues{{"/seed", "each key once in an object", "the key \"seed\" again"}});
  CHECK(text_issues(R"({"sources": [{"name": "a", "leads_per_week": 1}, {"name": "b", "name": "c"}]})") ==
        Issues{{"/sources/1/name", "each key once in an object", "the key \"name\" again"}});
  CHECK(text_issues(R"({"a/b": 1, "a/b": 2})") ==
        Issues{{"/a~1b", "each key once in an object", "the key \"a/b\" again"}});
  // The same key in sibling objects is no repetition.
  CHECK_NOTHROW(funnelsim::parse_json_text(R"([{"a": 1}, {"a": 2}, {"b": {"a": 3}}])"));
}

TEST_CASE("scenario errors: nesting deeper than 64 levels is refused before anything recurses", "[errors]") {
  // 100,000 nested arrays as two equal items of a uniqueItems array used to overflow the stack
  // in the validator's recursive comparison; parsing itself is iterative.
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  std::string too_deep_path = "/scoring/disqualifiers";  // the array is level 3, its items level 4
  for (int level = 4; level <= 65; ++level) too_deep_path += "/0";
  const Issues expected{{too_deep_path, "arrays and objects nested at most 64 levels deep", "a 65th level"}};
  CHECK(text_issues(R"({"scoring": {"disqualifiers": [)" + deep + "," + deep + "]}}") == expected);

  // Exactly 64 levels parse (the schema then has its say).
  CHECK_NOTHROW(funnelsim::parse_json_text(std::string(64, '[') + std::string(64, ']')));
  CHECK(text_issues(std::string(65, '[') + std::string(65, ']')).front().found == "a 65th level");

  // A document built in code is checked too, without recursion.
  json doc = valid_doc();
  json* node = &doc["scoring"]["disqualifiers"];
  for (int level = 3; level < 100000; ++level) node = &(*node = json::array({json::array()}))[0];
  CHECK(issues_of(doc) == expected);
}

TEST_CASE("scenario errors: a --set value with a repeated key or deep nesting is refused at its path", "[errors]") {
  CHECK(set_issues({R"(/sales_acceptance={"model": "linear", "model": "logistic"})"}) ==
        Issues{{"/sales_acceptance/model", "each key once in an object (in an override)", "the key \"model\" again"}});
  CHECK(set_issues({"/description=" + std::string(70, '[') + std::string(70, ']')}).front().found == "a 65th level");
  // Overrides can nest values inside earlier ones; the whole document is checked before use.
  json doc = valid_doc();
  std::vector<std::string> sets{"/description=" + std::string(40, '[') + std::string(40, ']')};
  std::string pointer = "/description";
  for (int i = 0; i < 39; ++i) pointer += "/0";
  sets.push_back(pointer + "/-=" + std::string(40, '[') + std::string(40, ']'));  // append inside
  apply_sets(doc, sets);
  CHECK(issues_of(doc).front().found == "a 65th level");
}

TEST_CASE("scenario errors: --set text must be UTF-8", "[errors]") {
  // A plain-string value is not parsed as JSON, so nothing else would check it; the bad bytes
  // failed only when `validate --resolved` printed the document (exit 1, internal error).
  CHECK(set_issues({"/description=caf\xff"}) ==
        Issues{{"", "override text in UTF-8", "byte 0xFF at offset 16, which is not UTF-8"}});
  CHECK(set_issues({"/description=\xc3"}).front().found == "byte 0xC3 at offset 13, which is not UTF-8");
  CHECK(set_issues({"/description=\xed\xa0\x80"}).front().found == "byte 0xA0 at offset 14, which is not UTF-8");
  CHECK(set_issues({"/description=\xc0\xaf"}).front().found == "byte 0xC0 at offset 13, which is not UTF-8");
  json doc = valid_doc();
  apply_sets(doc, {"/description=caf\xc3\xa9 \xf0\x9f\x93\x88"});
  CHECK(doc["description"] == "caf\xc3\xa9 \xf0\x9f\x93\x88");
}

TEST_CASE("scenario errors: a UTF-8 byte order mark is skipped, a UTF-16 one refused", "[errors]") {
  CHECK(funnelsim::parse_json_text("\xef\xbb\xbf{\"seed\": 3}") == json{{"seed", 3}});
  CHECK(text_issues("{\"seed\": 3}\xef\xbb\xbf").front().found.starts_with("syntax error at line 1, column 12"));
  // UTF-16 is refused with a hint rather than nlohmann's "invalid literal".
  CHECK(text_issues(std::string("\xff\xfe{\0}\0", 6)) ==
        Issues{{"", "JSON in UTF-8", "a UTF-16 byte order mark (save the file as UTF-8)"}});
}

TEST_CASE("scenario errors: a scenario file over 16 MiB is refused before parsing", "[errors]") {
  funnelsim::test::TempDir dir;
  write_text(dir / "huge.json", "{\"description\": \"" + std::string(funnelsim::kMaxScenarioBytes, 'x') + "\"}");
  try {
    (void)funnelsim::load_scenario(dir / "huge.json");
    FAIL("a 16 MiB file was accepted");
  } catch (const ScenarioError& e) {
    CHECK(e.issues() == Issues{{"", "a scenario file of at most 16 MiB",
                                fmt::format("a file of {} bytes", funnelsim::kMaxScenarioBytes + 19)}});
  }
}
