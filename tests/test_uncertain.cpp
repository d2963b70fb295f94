// Uncertain inputs: draws against each distribution's moments, clamping to the schema's bounds,
// exact zero-spread values, malformed objects, where inherited values land, and runs that compile
// a model per replication.
#include <fmt/format.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <vector>

#include "funnelsim/whatif/comparison.hpp"
#include "funnelsim/core/statistics.hpp"
#include "funnelsim/scenario/uncertain.hpp"
#include "funnelsim/engine/uncertain_run.hpp"
#include "test_support.hpp"

using namespace funnelsim;
using nlohmann::json;

namespace {

/// 100 leads a week for 4 weeks, scored by a fit attribute and frequent visits.
json small_funnel() {
  return json::parse(R"({
    "horizon_days": 28,
    "sources": [{ "name": "web", "leads_per_week": 100, "cost_per_lead": 20,
      "profile": {
        "attributes": { "fit": { "probability": 0.3, "readiness_correlation": 0.5 } },
        "events": { "visit": { "rate_at_readiness_0": 0.5, "rate_at_readiness_1": 20 } } } }],
    "scoring": { "attribute_points": { "fit": 20 }, "event_points": { "visit": 5 }, "mql_threshold": 60 }
  })");
}

json uncertain(json spec) { return json{{"uncertain", std::move(spec)}}; }

/// The scenario with one field uncertain.
UncertainScenario with_uncertain(const std::string& pointer, const json& spec) {
  json doc = small_funnel();
  doc[json::json_pointer(pointer)] = uncertain(spec);
  return UncertainScenario(doc);
}

std::vector<Issue> issues_of(const json& doc) {
  try {
    UncertainScenario scenario(doc);
  } catch (const ScenarioError& e) {
    return e.issues();
  }
  return {};
}

/// Mean within k se of the theory; the sample variance within k of its own standard error
/// (sqrt((m4 - s^4) / n), from the sample's fourth central moment).
void check_moments(const std::vector<double>& x, double mean, double variance) {
  const double n = static_cast<double>(x.size());
  const MeanVar mv = mean_variance(x);
  CHECK(std::abs(mv.mean - mean) < test::kSigmas * std::sqrt(variance / n));
  double m4 = 0.0;
  for (double v : x) m4 += std::pow(v - mv.mean, 4) / n;
  CHECK(std::abs(mv.variance - variance) < test::kSigmas * std::sqrt((m4 - mv.variance * mv.variance) / n));
}

}  // namespace

TEST_CASE("uncertain: draws follow each distribution's mean and variance", "[uncertain][statistical]") {
  constexpr std::uint64_t n = 20000;
  struct Case {
    json spec;
    double mean, variance;
  };
  const Case cases[] = {
      {{{"distribution", "beta"}, {"alpha", 2}, {"beta", 5}}, 2.0 / 7.0, 10.0 / (49.0 * 8.0)},
      {{{"distribution", "normal"}, {"mean", 65}, {"sd", 5}}, 65.0, 25.0},
      {{{"distribution", "lognormal"}, {"mean", 100}, {"cv", 0.5}}, 100.0, 2500.0},
      {{{"distribution", "uniform"}, {"low", 40}, {"high", 80}}, 60.0, 1600.0 / 12.0},
      {{{"distribution", "triangular"}, {"low", 40}, {"mode", 50}, {"high", 80}},
       170.0 / 3.0,
       (1600.0 + 2500.0 + 6400.0 - 2000.0 - 3200.0 - 4000.0) / 18.0},
  };
  for (const Case& c : cases) {
    INFO(c.spec.dump());
    // A field without bounds that matter here: the MQL threshold (>= nothing, <= nothing).
    const UncertainScenario scenario = with_uncertain("/scoring/mql_threshold", c.spec);
    REQUIRE(scenario.parameters().size() == 1);
    CHECK(scenario.parameters()[0].nominal() == Approx(c.mean).epsilon(1e-12));
    const UncertainDraws draws = scenario.draws(11, 0, n);
    CHECK(draws.clamped[0] == 0);
    check_moments(draws.values[0], c.mean, c.variance);
  }
}

TEST_CASE("uncertain: a draw is a pure function of (seed, replication, pointer)", "[uncertain]") {
  const UncertainScenario a =
      with_uncertain("/scoring/mql_threshold", {{"distribution", "normal"}, {"mean", 65}, {"sd", 5}});
  const UncertainParameter& p = a.parameters()[0];
  CHECK(p.draw(3, 17) == p.draw(3, 17));
  CHECK(p.draw(3, 17) != p.draw(3, 18));
  CHECK(p.draw(3, 17) != p.draw(4, 17));
  // The batch of draws is the same draws, whatever range it is asked for in.
  const UncertainDraws all = a.draws(3, 0, 10), tail = a.draws(3, 6, 4);
  for (std::size_t r = 0; r < 4; ++r) CHECK(all.values[0][6 + r] == tail.values[0][r]);
}

TEST_CASE("uncertain: draws outside the field's bounds are clamped to them", "[uncertain][statistical]") {
  // A normal(0.5, 1) probability: P(draw < 0) + P(draw > 1) = 2 Phi(-0.5) of the draws are clamped.
  const UncertainScenario scenario = with_uncertain("/sources/0/profile/attributes/fit/probability",
                                                    {{"distribution", "normal"}, {"mean", 0.5}, {"sd", 1}});
  const UncertainParameter& p = scenario.parameters()[0];
  CHECK(p.field.lower == 0.0);
  CHECK(p.field.upper == 1.0);
  constexpr std::uint64_t n = 4000;
  const UncertainDraws draws = scenario.draws(5, 0, n);
  for (double v : draws.values[0]) REQUIRE((v >= 0.0 && v <= 1.0));
  const double share = 2.0 * normal_cdf(-0.5);
  CHECK(std::abs(static_cast<double>(draws.clamped[0]) / n - share) <
        test::kSigmas * std::sqrt(share * (1 - share) / n));
  // Exclusive bounds move one step inside: leads_per_week is >= 0, a lognormal mean > 0.
  const UncertainScenario positive =
      with_uncertain("/sources/0/leads_per_week", {{"distribution", "normal"}, {"mean", 100}, {"sd", 10}});
  CHECK(positive.parameters()[0].field.lower == 0.0);
  // The nominal value is the mean, clamped: a beta's mean lands inside [0, 1] anyway.
  const UncertainScenario beta = with_uncertain("/sources/0/profile/attributes/fit/probability",
                                                {{"distribution", "beta"}, {"alpha", 3}, {"beta", 1}});
  CHECK(beta.nominal_document()["sources"][0]["profile"]["attributes"]["fit"]["probability"] == 0.75);
}

TEST_CASE("uncertain: a distribution without spread gives its value exactly, with no draw", "[uncertain]") {
  for (const json& spec : {json{{"distribution", "uniform"}, {"low", 0.37}, {"high", 0.37}},
                           json{{"distribution", "triangular"}, {"low", 0.37}, {"mode", 0.37}, {"high", 0.37}},
                           json{{"distribution", "normal"}, {"mean", 0.37}, {"sd", 0}},
                           json{{"distribution", "lognormal"}, {"mean", 0.37}, {"cv", 0}}}) {
    INFO(spec.dump());
    const UncertainScenario scenario = with_uncertain("/sources/0/profile/attributes/fit/probability", spec);
    CHECK(scenario.parameters()[0].nominal() == 0.37);
    for (std::uint64_t r = 0; r < 20; ++r) CHECK(scenario.parameters()[0].draw(1, r) == 0.37);
  }
}

TEST_CASE("uncertain: malformed uncertain values name their JSON Pointer", "[uncertain][errors]") {
  auto doc_with = [](const std::string& pointer, const json& value) {
    json doc = small_funnel();
    doc[json::json_pointer(pointer)] = value;
    return doc;
  };
  const std::string t = "/scoring/mql_threshold";
  CHECK(issues_of(doc_with(t, uncertain({{"distribution", "gauss"}, {"mean", 1}, {"sd", 1}}))) ==
        std::vector<Issue>{{t + "/uncertain/distribution",
                            "one of \"beta\", \"lognormal\", \"normal\", \"triangular\", \"uniform\"", "\"gauss\""}});
  CHECK(issues_of(doc_with(t, uncertain({{"mean", 1}, {"sd", 1}}))) ==
        std::vector<Issue>{{t + "/uncertain/distribution", "a value (this field is required)", "nothing"}});
  CHECK(issues_of(doc_with(t, uncertain({{"distribution", "normal"}, {"mean", 65}, {"sd", -5}}))) ==
        std::vector<Issue>{{t + "/uncertain/sd", "a number >= 0", "-5"}});
  CHECK(issues_of(doc_with(t, uncertain({{"distribution", "normal"}, {"mean", 65}}))) ==
        std::vector<Issue>{{t + "/uncertain/sd", "a value (this field is required)", "nothing"}});
  CHECK(issues_of(doc_with(t, uncertain({{"distribution", "normal"}, {"mean", 65}, {"sd", 5}, {"sigma", 1}}))) ==
        std::vector<Issue>{
            {t + "/uncertain/sigma", "one of the known keys: distribution, mean, sd", "unknown key \"sigma\""}});
  CHECK(
      issues_of(doc_with(t, uncertain({{"distribution", "beta"}, {"alpha", 0}, {"beta", "x"}}))) ==
      std::vector<Issue>{{t + "/uncertain/alpha", "a number > 0", "0"}, {t + "/uncertain/beta", "a number", "\"x\""}});
  CHECK(issues_of(doc_with(t, uncertain({{"distribution", "uniform"}, {"low", 70}, {"high", 60}}))) ==
        std::vector<Issue>{{t + "/uncertain/high", "a number >= low (70)", "60"}});
  CHECK(issues_of(doc_with(t, uncertain({{"distribution", "triangular"}, {"low", 1}, {"mode", 5}, {"high", 4}}))) ==
        std::vector<Issue>{{t + "/uncertain/high", "a number >= mode (5)", "4"}});
  CHECK(issues_of(doc_with(t, uncertain(5))) == std::vector<Issue>{{t + "/uncertain", "an object", "5"}});
  CHECK(
      issues_of(doc_with(t, json{{"uncertain", {{"distribution", "normal"}, {"mean", 1}, {"sd", 1}}}, {"note", 1}})) ==
      std::vector<Issue>{
          {t + "/note", "no other key beside \"uncertain\" in an uncertain value", "unknown key \"note\""}});
  // Counts cannot be uncertain: the replications would not share their teams and reps.
  CHECK(issues_of(doc_with("/horizon_days", uncertain({{"distribution", "uniform"}, {"low", 20}, {"high", 30}}))) ==
        std::vector<Issue>{{"/horizon_days", "a number (an integer field, such as a count, cannot be uncertain)",
                            "an uncertain value"}});
}

TEST_CASE("uncertain: a value where no number is asked for is left to the validator", "[uncertain][errors]") {
  // A segment named "uncertain" is data; an uncertain value where a string belongs is a schema issue.
  json doc = small_funnel();
  doc["scoring"]["rule"] = uncertain({{"distribution", "uniform"}, {"low", 1}, {"high", 2}});
  const UncertainScenario scenario(doc);
  CHECK(scenario.empty());
  CHECK_THROWS_AS(scenario_from_json(scenario.nominal_document(), "t"), ScenarioError);
  // A path that only the per-replication runs read says so.
  json fixed_only = small_funnel();
  fixed_only["scoring"]["mql_threshold"] = uncertain({{"distribution", "uniform"}, {"low", 1}, {"high", 2}});
  try {
    (void)scenario_from_json(fixed_only, "t");
    FAIL("no error");
  } catch (const ScenarioError& e) {
    CHECK(format_issue(e.issues().at(0)) ==
          "/scoring/mql_threshold: expected a number (an uncertain value is drawn per replication by run, compare, "
          "sweep and sensitivity; bench needs fixed values), found an object");
  }
}

TEST_CASE("uncertain: a value in profile_defaults lands in every source that inherits it", "[uncertain]") {
  json doc = small_funnel();
  doc["sources"].push_back(doc["sources"][0]);
  doc["sources"][1]["name"] = "events";
  doc["sources"].push_back(doc["sources"][0]);
  doc["sources"][2]["name"] = "partners";
  doc["sources"][1]["profile"]["readiness"] = {{"beta", 4}};   // its own beta, the default alpha
  doc["sources"][2]["profile"]["readiness"] = {{"alpha", 3}};  // its own alpha
  doc["profile_defaults"] = {
      {"readiness", {{"alpha", uncertain({{"distribution", "uniform"}, {"low", 1}, {"high", 3}})}}}};
  const UncertainScenario scenario(doc);
  REQUIRE(scenario.parameters().size() == 1);
  CHECK(scenario.parameters()[0].pointer == "/profile_defaults/readiness/alpha");
  CHECK(scenario.resolved_pointers() == std::vector<std::vector<std::string>>{{"/sources/0/profile/readiness/alpha",
                                                                               "/sources/1/profile/readiness/alpha"}});
  // One draw, shared by the sources that inherit it.
  const Scenario s = scenario.scenario_for(9, 4, "t");
  const double drawn = scenario.parameters()[0].draw(9, 4);
  CHECK(s.sources[0].profile.readiness.alpha == drawn);
  CHECK(s.sources[1].profile.readiness.alpha == drawn);
  CHECK(s.sources[2].profile.readiness.alpha == 3.0);
}

TEST_CASE("uncertain: a replication whose draws fail validation names it and its draws", "[uncertain][errors]") {
  // Clamping keeps each field valid; a rule across fields can still fail: min_score <= max_score.
  json doc = small_funnel();
  doc["nurture"] = {{"tracks",
                     {{{"name", "t"},
                       {"duration_days", 30},
                       {"min_score", 10},
                       {"max_score", uncertain({{"distribution", "uniform"}, {"low", 0}, {"high", 20}})}}}}};
  const UncertainScenario scenario(doc);
  RunOptions options;
  options.seed = 2;
  options.replications = 8;
  std::uint64_t first_bad = options.replications;
  for (std::uint64_t r = 0; r < options.replications && first_bad == options.replications; ++r)
    if (scenario.parameters()[0].draw(2, r) < 10) first_bad = r;
  REQUIRE(first_bad < options.replications);
  for (int threads : {1, 2}) {
    options.threads = threads;
    try {
      (void)run_uncertain(scenario, "t", options);
      FAIL("no error");
    } catch (const ScenarioError& e) {
      const std::string text = e.what();
      INFO(text);
      CHECK(text.starts_with("/nurture/tracks/0/max_score: expected a number >= min_score (10), found "));
      CHECK(text.find(fmt::format("(in replication {}, which drew /nurture/tracks/0/max_score=", first_bad)) !=
            std::string::npos);
    }
  }
}

TEST_CASE("uncertain: zero spread runs exactly like the fixed value, on any thread count", "[uncertain][crn]") {
  json fixed = small_funnel();
  fixed["scoring"]["mql_threshold"] = 55;
  fixed["sources"][0]["profile"]["attributes"]["fit"]["probability"] = 0.35;
  const RunResult reference = test::run(fixed, 12, 1);
  json doc = small_funnel();
  doc["scoring"]["mql_threshold"] = uncertain({{"distribution", "uniform"}, {"low", 55}, {"high", 55}});
  doc["sources"][0]["profile"]["attributes"]["fit"]["probability"] =
      uncertain({{"distribution", "normal"}, {"mean", 0.35}, {"sd", 0}});
  const UncertainScenario scenario(doc);
  for (int threads : {1, 2}) {
    RunOptions options;
    options.seed = 7;
    options.replications = 12;
    options.threads = threads;
    const RunResult r = run_uncertain(scenario, "test", options);
    for (std::size_t rep = 0; rep < 12; ++rep)
      for (std::size_t scope = 0; scope < r.table.scopes(); ++scope) {
        const auto a = reference.table.row(rep, scope), b = r.table.row(rep, scope);
        for (std::size_t m = 0; m < a.size(); ++m) REQUIRE((a[m] == b[m] || (std::isnan(a[m]) && std::isnan(b[m]))));
      }
  }
}

TEST_CASE("uncertain: each replication runs its own draws", "[uncertain]") {
  // Replication r with a drawn threshold equals a fixed run at that threshold, replication r.
  json doc = small_funnel();
  doc["scoring"]["mql_threshold"] = uncertain({{"distribution", "uniform"}, {"low", 40}, {"high", 80}});
  const UncertainScenario scenario(doc);
  RunOptions options;
  options.seed = 7;
  options.replications = 4;
  const RunResult r = run_uncertain(scenario, "test", options);
  std::vector<double> mqls;
  r.table.column(0, Metric::mqls, mqls);
  for (std::uint64_t rep = 0; rep < 4; ++rep) {
    json fixed = small_funnel();
    fixed["scoring"]["mql_threshold"] = scenario.parameters()[0].draw(7, rep);
    RunOptions one = options;
    one.first_replication = rep;
    one.replications = 1;
    const RunResult f = run_replications(compile_model(test::scenario_from(fixed)), one);
    CHECK(f.table.row(0, 0)[static_cast<std::size_t>(Metric::mqls)] == mqls[rep]);
  }
  CHECK(mqls[0] != mqls[1]);
}

TEST_CASE("uncertain: the resolved document holds each uncertain value where the engine reads it", "[uncertain]") {
  json doc = small_funnel();
  doc["sources"].push_back(doc["sources"][0]);
  doc["sources"][1]["name"] = "events";
  doc["sources"][1]["profile"]["readiness"] = {{"alpha", 3}};  // its own alpha: not inherited
  const json alpha = uncertain({{"distribution", "uniform"}, {"low", 1}, {"high", 3}});
  doc["profile_defaults"] = {{"readiness", {{"alpha", alpha}}}};
  const UncertainScenario scenario(doc);
  const json resolved = scenario.resolved_document();
  CHECK(resolved["sources"][0]["profile"]["readiness"]["alpha"] == alpha);
  CHECK(resolved["sources"][1]["profile"]["readiness"]["alpha"] == 3);
  // Everything else is the nominal document resolved.
  json expected = funnelsim::resolved_scenario_json(scenario.nominal_document());
  expected["sources"][0]["profile"]["readiness"]["alpha"] = alpha;
  CHECK(resolved == expected);
}
