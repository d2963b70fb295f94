// One-at-a-time sensitivity: --vary and --params parsing, which fields a plan moves and how
// (rounding, clamping, integers, skips with reasons), and the ranking of effects.
#include <catch2/catch.hpp>
#include <limits>
#include <string>

#include "funnelsim/scenario/loader.hpp"
#include "funnelsim/whatif/sensitivity.hpp"
#include "test_support.hpp"

using namespace funnelsim;
using nlohmann::json;
using test::usage_message;

namespace {

using test::undefined;

json resolved_funnel() {
  return resolved_scenario_json(json::parse(R"({
    "horizon_days": 28,
    "sources": [{ "name": "web", "leads_per_week": 100, "cost_per_lead": 20,
      "profile": {
        "attributes": { "fit": { "probability": 0.9, "readiness_correlation": 0.5 } },
        "events": { "visit": { "rate_at_readiness_0": 0.5, "rate_at_readiness_1": 20 } } } }],
    "scoring": { "attribute_points": { "fit": 20 }, "event_points": { "visit": 5 }, "mql_threshold": 65 }
  })"));
}

const SensitivityParameter* find(const SensitivityPlan& plan, const std::string& pointer) {
  for (const auto& p : plan.parameters)
    if (p.pointer == pointer) return &p;
  return nullptr;
}

std::string skip_reason(const SensitivityPlan& plan, const std::string& pointer) {
  for (const auto& s : plan.skipped)
    if (s.pointer == pointer) return s.reason;
  return "not skipped";
}

}  // namespace

TEST_CASE("sensitivity: --vary takes a percentage or a fraction above 0 and at most 100%", "[sensitivity][errors]") {
  CHECK(parse_vary("20%") == 0.2);
  CHECK(parse_vary("0.2") == 0.2);
  CHECK(parse_vary("100%") == 1.0);
  const std::string expected = "expected a fraction of each value such as 20% or 0.2, above 0 and at most 100%, found ";
  CHECK(usage_message([] { parse_vary("0%"); }) == expected + "\"0%\"");
  CHECK(usage_message([] { parse_vary("-10%"); }) == expected + "\"-10%\"");
  CHECK(usage_message([] { parse_vary("abc"); }) == expected + "\"abc\"");
  CHECK(usage_message([] { parse_vary("20"); }) == expected + "\"20\"");
}

TEST_CASE("sensitivity: --params is a list of JSON Pointers, each once", "[sensitivity][errors]") {
  CHECK(parse_pointer_list("/scoring/mql_threshold, /sources/0/leads_per_week") ==
        std::vector<std::string>{"/scoring/mql_threshold", "/sources/0/leads_per_week"});
  CHECK(usage_message([] { parse_pointer_list("/a,scoring"); }) ==
        "expected JSON Pointers separated by commas, such as /scoring/mql_threshold,/sources/0/"
        "leads_per_week, found \"scoring\"");
  CHECK(usage_message([] { parse_pointer_list("/a,,/b"); }).ends_with("found \"\""));
  CHECK(usage_message([] { parse_pointer_list("/a,/a"); }) == "/a: expected each pointer once, found it twice");
  CHECK(usage_message([] { parse_sensitivity_metric("cost_per_sql_marketin"); }) ==
        "expected a whole-funnel metric name such as cost_per_sql_marketing (did you mean "
        "\"cost_per_sql_marketing\"?), found \"cost_per_sql_marketin\"");
}

TEST_CASE("sensitivity: the default set is every non-integer number, each moved by the fraction", "[sensitivity]") {
  const json resolved = resolved_funnel();
  const SensitivityPlan plan = plan_sensitivity(resolved, {}, 0.2);
  for (const char* integer : {"/seed", "/replications", "/horizon_days", "/warmup_days"}) {
    INFO(integer);
    CHECK(find(plan, integer) == nullptr);
    CHECK(skip_reason(plan, integer) == "not skipped");
  }
  const SensitivityParameter* threshold = find(plan, "/scoring/mql_threshold");
  REQUIRE(threshold);
  CHECK(threshold->base_value == 65);
  CHECK(threshold->low_value == 52);  // JSON integers, rounded: 65 * 1.2 is 77.99999999999999 in doubles
  CHECK(threshold->high_value == 78);
  CHECK(threshold->high_value.is_number_integer());
  const SensitivityParameter* rate = find(plan, "/sources/0/profile/events/visit/rate_at_readiness_0");
  REQUIRE(rate);
  CHECK(rate->low_value == 0.4);
  CHECK(rate->high_value == 0.6);
  // A probability moved past 1 is clamped to the schema's bound.
  const SensitivityParameter* p = find(plan, "/sources/0/profile/attributes/fit/probability");
  REQUIRE(p);
  CHECK(p->low_value == 0.72);
  CHECK(p->high_value == 1);
  // A zero cannot move by a share of itself.
  CHECK(skip_reason(plan, "/sources/0/overdispersion") == "base value 0: a relative change cannot move it");
  // Every parameter moved is in document order.
  for (std::size_t i = 1; i < plan.parameters.size(); ++i)
    CHECK(plan.parameters[i - 1].pointer < plan.parameters[i].pointer);
}

TEST_CASE("sensitivity: listed parameters may be integers, missing or non-numeric ones are errors", "[sensitivity]") {
  const json resolved = resolved_funnel();
  const SensitivityPlan plan = plan_sensitivity(resolved, {"/horizon_days", "/scoring/mql_threshold"}, 0.01);
  REQUIRE(plan.parameters.size() == 2);
  CHECK(plan.parameters[0].pointer == "/horizon_days");  // the order given
  CHECK(plan.parameters[0].low_value == 27);             // 28 * 0.99 rounds back to 28: one step instead
  CHECK(plan.parameters[0].high_value == 29);
  CHECK(plan.parameters[1].low_value == 64.35);
  const std::string expected = "a numeric field of the resolved scenario";
  CHECK(usage_message([&] { plan_sensitivity(resolved, {"/scoring/nope"}, 0.2); }) ==
        "/scoring/nope: expected " + expected + ", found no such field");
  CHECK(usage_message([&] { plan_sensitivity(resolved, {"/scoring/rule"}, 0.2); }) ==
        "/scoring/rule: expected " + expected + ", found \"threshold\"");
  CHECK(usage_message([&] { plan_sensitivity(resolved, {"/scoring/decay"}, 0.2); }) ==
        "/scoring/decay: expected " + expected + ", found an object");
  CHECK(usage_message([&] { plan_sensitivity(resolved, {"/sources/0/day_of_week_weights"}, 0.2); }) ==
        "/sources/0/day_of_week_weights: expected " + expected + ", found an array of 7 items");
  // The seed is not an input of the funnel: with common random numbers it read as "an effect of exactly 0".
  for (const std::string control : {"/seed", "/replications"})
    CHECK(usage_message([&] { plan_sensitivity(resolved, {control}, 0.2); }) ==
          control + ": expected " + expected +
              ", found a run control: it does not change the funnel, and with common random numbers its effect would "
              "read as exactly 0");
}

TEST_CASE("sensitivity: a headcount moves on its own, against a per-rep strictness list", "[sensitivity][headcount]") {
  json resolved = resolved_funnel();
  resolved["sales"] = resolved_scenario_json(json::parse(R"({
    "sources": [{ "name": "web", "leads_per_week": 1 }],
    "sales": { "teams": [{ "name": "sdr", "headcount": 2, "strictness": [1.0, 0.85] }] } })"))["sales"];
  const SensitivityPlan plan = plan_sensitivity(resolved, {"/sales/teams/0/headcount"}, 0.2);
  CHECK(plan.skipped.empty());
  REQUIRE(plan.parameters.size() == 1);
  CHECK(plan.parameters[0].low_value == 1);  // 1.6 rounds back to 2: one rep fewer instead
  CHECK(plan.parameters[0].high_value == 3);
  // Each side is a valid scenario whose reps keep their strictness by the per-rep rule.
  for (const auto& [value, expected] :
       {std::pair{1, std::vector<double>{1.0}}, std::pair{3, std::vector<double>{1.0, 0.85, 1.0}}}) {
    json side = resolved;
    set_parameter(side, "/sales/teams/0/headcount", value);
    CHECK(scenario_from_json(side, "side").sales->teams.at(0).strictness == expected);
  }
  // Integers stay out of the default set (their step is at least 1, not --vary).
  const SensitivityPlan all = plan_sensitivity(resolved, {}, 0.2);
  CHECK(find(all, "/sales/teams/0/headcount") == nullptr);
  CHECK(find(all, "/sales/teams/0/strictness/1") != nullptr);
}

TEST_CASE("sensitivity: values the schema or the semantic checks reject skip their parameter", "[sensitivity]") {
  json resolved = resolved_funnel();
  resolved["nurture"] = resolved_scenario_json(json::parse(R"({
    "sources": [{ "name": "web", "leads_per_week": 1 }],
    "nurture": { "tracks": [{ "name": "t", "duration_days": 30, "min_score": 10, "max_score": 11 }] } })"))["nurture"];
  const SensitivityPlan plan = plan_sensitivity(resolved, {"/nurture/tracks/0/min_score", "/scoring/mql_threshold"},
                                                0.2, {"/scoring/mql_threshold"});
  CHECK(plan.parameters.empty());
  CHECK(skip_reason(plan, "/nurture/tracks/0/min_score") ==
        "the high value 12 is invalid: /nurture/tracks/0/max_score: expected a number >= min_score (12), found 11");
  CHECK(skip_reason(plan, "/scoring/mql_threshold") ==
        "an uncertain input, drawn per replication (see the regression-based sensitivity)");
  // A probability of 1 cannot rise, and 100% takes it to 0: both sides still move.
  resolved["sources"][0]["profile"]["attributes"]["fit"]["probability"] = 1;
  const SensitivityPlan full = plan_sensitivity(resolved, {"/sources/0/profile/attributes/fit/probability"}, 1.0);
  REQUIRE(full.parameters.size() == 1);
  CHECK(full.parameters[0].low_value == 0);
  CHECK(full.parameters[0].high_value == 1);
}

TEST_CASE("sensitivity: effects rank by the larger absolute mean, undefined last, ties in order", "[sensitivity]") {
  SensitivityPlan plan;
  for (const char* p : {"/a", "/b", "/c", "/d", "/e"}) plan.parameters.push_back({p, 1, 0.8, 1.2});
  const MetricRun base{{10, 12, 11, 13}, {}, {}};
  auto shifted = [&](double by) {
    MetricRun v = base;
    for (double& x : v.values) x += by;
    return v;
  };
  const MetricRun none{std::vector<double>(4, undefined), {}, {}};
  const std::vector<MetricRun> low = {shifted(-1), shifted(0), none, shifted(-5), shifted(1)};
  const std::vector<MetricRun> high = {shifted(2), shifted(0), none, shifted(3), shifted(-2)};
  const auto effects = rank_effects(plan, base, low, high, Better::lower);
  std::vector<std::string> order;
  for (const auto& e : effects) order.push_back(e.parameter.pointer);
  CHECK(order == std::vector<std::string>{"/d", "/a", "/e", "/b", "/c"});
  for (std::size_t i = 0; i < effects.size(); ++i) CHECK(effects[i].rank == i + 1);
  CHECK(effects[0].low.mean == -5.0);
  CHECK(effects[0].high.mean == 3.0);
  CHECK(effects[0].high.ci95_low == 3.0);  // a constant shift: an interval of zero width
  CHECK(effects[3].low.mean == 0.0);
  CHECK(effects[4].low.n_paired == 0);
}

TEST_CASE("sensitivity: a ratio's effect is the change of its pooled ratio", "[sensitivity][pooled]") {
  SensitivityPlan plan;
  plan.parameters.push_back({"/a", 1, 0.8, 1.2});
  // Spend over SQLs: pooled 40 / 8 = 5 at the base; the low side doubles the SQLs of one quarter.
  const MetricRun base{{5, 5, 5, 5}, {10, 10, 10, 10}, {2, 2, 2, 2}};
  const MetricRun low{{5, 5, 5, 2.5}, {10, 10, 10, 10}, {2, 2, 2, 4}};
  const auto effects = rank_effects(plan, base, {low}, {base}, Better::lower);
  REQUIRE(effects.size() == 1);
  CHECK(effects[0].low.pooled);
  CHECK(effects[0].low.mean == Approx(40.0 / 10 - 5.0));  // -1, where the per-replication mean moves by -0.625
  CHECK(effects[0].high.mean == 0.0);
}
