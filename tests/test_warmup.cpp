// The warm-up rule (engine/warmup.hpp) against closed forms, its determinism, "auto" in scenario
// documents, and the shipped scenarios' weekly MQLs flat from week 1 (and the cold start's ramp).
#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include <boost/math/distributions/normal.hpp>
#include <catch2/catch.hpp>
#include <tbb/global_control.h>

#include "funnelsim/core/statistics.hpp"
#include "funnelsim/engine/warmup.hpp"
#include "funnelsim/whatif/cold_start.hpp"
#include "funnelsim/whatif/runnable_scenario.hpp"
#include "funnelsim/whatif/warmup_choice.hpp"
#include "test_support.hpp"

using namespace funnelsim;
using nlohmann::json;

namespace {

/// Leads of fixed readiness 1 whose only path to MQL is an intent signal at `per_week` (fading
/// with `half_life` days when > 0): the delay from arrival to MQL is exponential (or its fading
/// version), so its quantiles are known. No sales: an MQL is resolved when it happens.
json signal_funnel(double per_week, double half_life = 0.0) {
  json signals = {{"rate_at_readiness_0", per_week}, {"rate_at_readiness_1", per_week}};
  if (half_life > 0.0) signals["half_life_days"] = half_life;
  return json{{"horizon_days", 28},
              {"profile_defaults",
               {{"readiness", {{"distribution", "fixed"}, {"value", 1.0}}},
                {"events", json::object()},
                {"intent_signals", signals}}},
              {"sources", json::array({json{{"name", "web"}, {"leads_per_week", 250}, {"cost_per_lead", 1}}})},
              {"scoring", {{"mql_threshold", 50}}}};
}

/// The p-quantile of the delay to a signal among leads that signal: rate c per day, fading with
/// half-life h (0: constant). Constant: -ln(1 - p) / c. Fading: the mass is M = c h / ln 2, the
/// share that ever signals 1 - e^-M, and G(a) = (1 - exp(-M (1 - 2^(-a/h)))) / (1 - e^-M).
double signal_quantile(double c, double h, double p) {
  if (h <= 0.0) return -std::log(1.0 - p) / c;
  const double m = c * h / std::log(2.0);
  return -h * std::log2(1.0 + std::log(1.0 - p * (1.0 - std::exp(-m))) / m);
}

/// The standard error of an empirical p-quantile of n draws: sqrt(p (1 - p) / n) / density there
/// (the density taken numerically from the quantile function: 1 / dq/dp).
double quantile_se(double c, double h, double p, std::size_t n) {
  const double dp = 1e-6;
  const double dq = (signal_quantile(c, h, p + dp) - signal_quantile(c, h, p - dp)) / (2.0 * dp);
  return std::sqrt(p * (1.0 - p) / static_cast<double>(n)) * dq;
}

}  // namespace

TEST_CASE("warm-up rule: the 99% quantile of a cohort's delay to MQL, against closed forms", "[warmup][theory]") {
  for (double half_life : {0.0, 14.0}) {
    const Scenario scenario = test::scenario_from(signal_funnel(0.7, half_life));  // 0.1 a day
    const WarmupRecommendation r = *recommend_warmup(scenario);
    const double q = signal_quantile(0.1, half_life, 0.99), se = quantile_se(0.1, half_life, 0.99, r.cohort_mqls);
    INFO("half-life " << half_life << ": pick " << r.days << " (quantile " << r.resolved_quantile_days << "), theory "
                      << q << ", se " << se << ", " << r.cohort_mqls << " MQLs in " << r.replications
                      << " replications");
    CHECK(r.reached);
    CHECK(r.cohort_mqls >= WarmupRule{}.min_cohort_mqls);
    // No sales: resolved when it happens.
    CHECK(r.resolved_quantile_days == r.mql_quantile_days);
    CHECK(std::abs(r.resolved_quantile_days - q) < test::kSigmas * se);
    CHECK(r.days == static_cast<int>(std::ceil(r.resolved_quantile_days)));
  }
}

TEST_CASE("warm-up rule: the sales desk's patience is part of the pick", "[warmup]") {
  // Every lead is an MQL at arrival (fit alone) and a desk without reps lets each go cold after
  // exactly 10.5 days: the cohort's MQLs happen at 0 and are resolved at 10.5.
  json doc = signal_funnel(0.0);
  doc["profile_defaults"]["attributes"] = {{"fit", {{"probability", 1.0}}}};
  doc["scoring"]["attribute_points"] = {{"fit", 60}};
  doc["sales"] = {
      {"teams", json::array({json{{"name", "desk"},
                                  {"headcount", 0},
                                  {"contact", {{"patience", {{"distribution", "fixed"}, {"mean_days", 10.5}}}}}}})}};
  const WarmupRecommendation r = *recommend_warmup(test::scenario_from(doc));
  CHECK(r.mql_quantile_days == 0.0);
  CHECK(r.resolved_quantile_days == Approx(10.5).epsilon(1e-12));
  CHECK(r.days == 11);
}

TEST_CASE("warm-up rule: a pure function of the scenario, on any thread count", "[warmup][determinism]") {
  const Scenario scenario = test::scenario_from(signal_funnel(0.7, 14.0));
  const WarmupRecommendation a = *recommend_warmup(scenario);
  WarmupRecommendation b;
  {
    const tbb::global_control one(tbb::global_control::max_allowed_parallelism, 1);
    b = *recommend_warmup(scenario);
  }
  CHECK(a.days == b.days);
  CHECK(a.resolved_quantile_days == b.resolved_quantile_days);
  CHECK(a.cohort_mqls == b.cohort_mqls);
  CHECK(a.replications == b.replications);
}

TEST_CASE("warm-up rule: a funnel that never settles is not given a warm-up", "[warmup]") {
  // A constant signal of 0.01 a week: half the leads take over 69 weeks to signal.
  WarmupRule rule;
  rule.max_days = 60;  // keeps the probe short; the default cap (3,650 days) behaves alike
  const WarmupRecommendation r = *recommend_warmup(test::scenario_from(signal_funnel(0.01)), rule);
  CHECK_FALSE(r.reached);
  CHECK(r.days == rule.max_days);
}

TEST_CASE("warm-up: \"auto\" in a document is worked out before the scenario is built", "[warmup]") {
  json doc = signal_funnel(0.7);
  doc["warmup_days"] = "auto";
  CHECK(asks_for_auto_warmup(doc));
  // A scenario still saying auto cannot be compiled: it would silently run cold.
  CHECK_THROWS_AS(compile_model(test::scenario_from(doc)), ScenarioError);
  const WarmupChoice choice = *choose_warmup(doc, "test");
  CHECK(choice.automatic);
  CHECK(choice.days == recommend_warmup(test::scenario_from(signal_funnel(0.7)))->days);
  const RunnableScenario runnable(doc, "test");
  CHECK(runnable.warmup().automatic);
  CHECK(runnable.scenario().warmup_days == choice.days);
  CHECK_FALSE(runnable.scenario().warmup_auto);
  // A job's shared choice wins over the document's own pick; a number of days is kept.
  WarmupChoice shared = choice;
  shared.days = 40;
  CHECK(RunnableScenario(doc, "test", ScenarioOrigin{}, shared).scenario().warmup_days == 40);
  json fixed = doc;
  fixed["warmup_days"] = 7;
  const RunnableScenario seven(fixed, "test", ScenarioOrigin{}, shared);
  CHECK(seven.scenario().warmup_days == 7);
  CHECK_FALSE(seven.warmup().automatic);
  CHECK(shared_warmup({WarmupChoice{7, false, {}}, choice, shared}).days == std::max(40, choice.days));
  CHECK_FALSE(shared_warmup({WarmupChoice{7, false, {}}}).automatic);
  // Only "auto": another word is the schema's error at /warmup_days.
  json word = doc;
  word["warmup_days"] = "long";
  try {
    test::scenario_from(word);
    FAIL("expected a ScenarioError");
  } catch (const ScenarioError& e) {
    REQUIRE(e.issues().size() == 1);
    CHECK(e.issues()[0].path == "/warmup_days");
    CHECK(e.issues()[0].expected == "a string matching ^auto$");
  }
}

namespace {

/// A run's whole-funnel weekly MQLs, replication by replication, and its cold-start statistic.
struct WeeklyRun {
  std::vector<std::vector<double>> mqls;  ///< [week][replication]
  std::optional<ColdStart> cold;
  SummaryStats week(std::size_t w) const { return summarize(mqls[w]); }
};

WeeklyRun weekly_mqls(const json& doc, const std::string& name, std::uint64_t seed, std::uint64_t replications) {
  const RunnableScenario runnable(doc, name);
  RunOptions options;
  options.seed = seed;
  options.replications = replications;
  const RunResult r = runnable.run(options);
  WeeklyRun out;
  out.mqls.assign(r.table.weeks(), std::vector<double>(replications));
  for (std::size_t w = 0; w < r.table.weeks(); ++w)
    for (std::size_t rep = 0; rep < replications; ++rep) out.mqls[w][rep] = r.table.weekly(rep, 0, Series::mqls)[w];
  out.cold = compare_first_weeks(r.table, runnable.nominal_model());
  return out;
}

/// The largest |z| over the weeks: the difference of two runs' weekly means in standard errors of
/// independent runs (for runs on common random numbers, a conservative scale).
double largest_z(const WeeklyRun& a, const WeeklyRun& b) {
  double z = 0.0;
  for (std::size_t w = 0; w < a.mqls.size(); ++w) {
    const SummaryStats x = a.week(w), y = b.week(w);
    z = std::max(z, std::abs(x.mean - y.mean) / std::hypot(x.se, y.se));
  }
  return z;
}

}  // namespace

TEST_CASE("warm-up: every warm shipped scenario's weekly MQLs are flat from week 1", "[warmup][statistical][release]") {
  // Flat means the same weekly series as a far longer warm-up gives (365 days, or twice the pick).
  // Two checks, each over the 13 weeks with k set so that any week strays by chance with
  // probability 0.1% at most (Bonferroni: k = Phi^-1(1 - 0.001 / 26) = 3.95):
  //  1. week by week, the means agree within k standard errors of independent runs. Week
  //     multipliers by design (the webinar's 0.5 / 2.0 weeks) are in both runs. It must fail for
  //     the cold start (warmup_days 0) and for a warm-up of a third of the pick.
  //  2. on common random numbers (same seed: the horizon's leads are the same, days being keyed
  //     from the horizon's start), what the longer warm-up adds in a week (older leads' MQLs) is
  //     at most 1% of the week's MQLs, as the rule's 99% promises, to within k standard errors of
  //     the paired difference.
  // The cold-start warning's statistic must tell the warm run from the cold one.
  constexpr std::uint64_t kReplications = 100;
  for (const char* name : {"saas_baseline", "threshold_raise", "budget_shift", "uncertain_rates", "sdr_capacity",
                           "nurture_recycle", "nurture_recycle_off"}) {
    const json doc = read_scenario_document(test::source_path() + "/scenarios/" + name + ".json");
    REQUIRE(asks_for_auto_warmup(doc));
    const WarmupChoice choice = *choose_warmup(doc, name);
    const std::uint64_t seed = doc.value("seed", std::uint64_t{1});
    json reference = doc, cold = doc, short_warmup = doc;
    reference["warmup_days"] = std::max(365, 2 * choice.days);
    cold["warmup_days"] = 0;
    short_warmup["warmup_days"] = choice.days / 3;
    const WeeklyRun warm_run = weekly_mqls(doc, name, seed, kReplications);
    const WeeklyRun reference_run = weekly_mqls(reference, name, seed, kReplications);
    const WeeklyRun cold_run = weekly_mqls(cold, name, seed + 1000, kReplications);
    const WeeklyRun short_run = weekly_mqls(short_warmup, name, seed + 2000, kReplications);
    const std::size_t weeks = warm_run.mqls.size();
    const double k = boost::math::quantile(boost::math::normal(), 1.0 - 0.001 / (2.0 * static_cast<double>(weeks)));
    INFO(name << ": warm-up " << choice.days << " days; largest |z| warm " << largest_z(warm_run, reference_run)
              << ", a third of it " << largest_z(short_run, reference_run) << ", cold "
              << largest_z(cold_run, reference_run) << " (k = " << k << "); week 1 mean warm " << warm_run.week(0).mean
              << ", reference " << reference_run.week(0).mean << ", cold " << cold_run.week(0).mean);
    CHECK(largest_z(warm_run, reference_run) < k);
    CHECK(largest_z(short_run, reference_run) > k);
    CHECK(largest_z(cold_run, reference_run) > k);
    for (std::size_t w = 0; w < weeks; ++w) {
      std::vector<double> added(kReplications);
      for (std::size_t rep = 0; rep < kReplications; ++rep)
        added[rep] = reference_run.mqls[w][rep] - warm_run.mqls[w][rep];
      const SummaryStats d = summarize(added);
      INFO("week " << w + 1 << ": the longer warm-up adds " << d.mean << " +- " << d.se << " MQLs to "
                   << reference_run.week(w).mean);
      CHECK(d.mean - k * d.se <= 0.01 * reference_run.week(w).mean);
    }
    REQUIRE(warm_run.cold);
    REQUIRE(cold_run.cold);
    CHECK_FALSE(far_below(*warm_run.cold));
    CHECK(far_below(*cold_run.cold));
  }
}
