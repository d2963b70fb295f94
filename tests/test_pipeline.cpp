// Pipeline and money: opportunities, deals, spend curves, costs.
#include <cmath>

#include <catch2/catch.hpp>

#include "funnelsim/core/statistics.hpp"
#include "test_support.hpp"

using namespace funnelsim;
using nlohmann::json;

namespace {

using test::at;

/// Every lead is an MQL at arrival (fit attribute with probability 1); fixed readiness r makes
/// P(SQL) = r under the default linear acceptance.
json every_lead_mql(double readiness, double leads_per_week = 700, int horizon = 28) {
  return json{{"horizon_days", horizon},
              {"sources", json::array({json{{"name", "s"},
                                            {"leads_per_week", leads_per_week},
                                            {"cost_per_lead", 50},
                                            {"profile",
                                             {{"readiness", {{"distribution", "fixed"}, {"value", readiness}}},
                                              {"attributes", {{"fit", {{"probability", 1}}}}}}}}})},
              {"scoring", {{"attribute_points", {{"fit", 100}}}, {"mql_threshold", 50}}}};
}

}  // namespace

TEST_CASE("pipeline: $50 per MQL at 10% MQL->SQL is $500 per SQL, at 20% $250", "[pipeline][money]") {
  for (auto [rate, expected] : {std::pair{0.1, 500.0}, std::pair{0.2, 250.0}}) {
    const RunResult r = test::run(every_lead_mql(rate), 400);
    double spend = 0, sqls = 0;
    std::vector<double> cost_per_sql;
    for (std::size_t rep = 0; rep < r.table.replications(); ++rep) {
      REQUIRE(at(r, rep, 0, Metric::cost_per_mql) == 50.0);  // exactly: every lead is an MQL
      spend += at(r, rep, 0, Metric::spend);
      sqls += at(r, rep, 0, Metric::sqls);
      cost_per_sql.push_back(at(r, rep, 0, Metric::cost_per_sql_marketing));
    }
    // Ratio of totals: spend/SQL = 50 / p. Its se by the delta method: SQLs ~ Binomial(MQLs, p).
    const double mqls = spend / 50.0;
    const double se = expected * std::sqrt((1 - rate) / (rate * mqls));
    INFO("rate " << rate << ": " << spend / sqls << " vs " << expected << " (se " << se << ")");
    CHECK(std::abs(spend / sqls - expected) < test::kSigmas * se);
    const SummaryStats s = summarize(cost_per_sql);
    CHECK(std::abs(s.mean - expected) < test::kSigmas * s.se + 0.01 * expected);  // 1/x bias is below 0.1% here
  }
}

TEST_CASE("pipeline: mean pipeline equals mean opportunities times mean amount", "[pipeline][theory]") {
  json doc = every_lead_mql(0.5);
  doc["pipeline"] = {{"amount", {{"mean", 40000}, {"cv", 0.8}}}};
  const RunResult r = test::run(doc, 1000);
  // pipeline - opportunities * E[amount] has mean 0 (Wald) and variance E[N] var(A).
  std::vector<double> d, opportunities;
  for (std::size_t rep = 0; rep < r.table.replications(); ++rep) {
    d.push_back(at(r, rep, 0, Metric::pipeline_value) - at(r, rep, 0, Metric::opportunities) * 40000.0);
    opportunities.push_back(at(r, rep, 0, Metric::opportunities));
  }
  const SummaryStats s = summarize(d);
  INFO("mean difference " << s.mean << " se " << s.se);
  CHECK(std::abs(s.mean) < test::kSigmas * s.se);
  // And the opportunity rate follows 0.3 + 0.6 r at r = 0.5 among SQLs.
  double sqls = 0, opps = 0;
  for (std::size_t rep = 0; rep < r.table.replications(); ++rep)
    sqls += at(r, rep, 0, Metric::sqls), opps += at(r, rep, 0, Metric::opportunities);
  CHECK(std::abs(opps / sqls - 0.6) < test::kSigmas * std::sqrt(0.6 * 0.4 / sqls));
}

TEST_CASE("pipeline: deals are won at the win rate once their cycle ends", "[pipeline]") {
  json doc = every_lead_mql(0.5, 700, 120);
  doc["pipeline"] = {{"cycle_days", {{"mean", 10}, {"cv", 0.5}}},
                     {"win_rate", {{"at_readiness_0", 0.1}, {"at_readiness_1", 0.5}}}};
  const RunResult r = test::run(doc, 100);
  double won = 0, closed = 0, weighted = 0, pipeline = 0;
  for (std::size_t rep = 0; rep < r.table.replications(); ++rep) {
    won += at(r, rep, 0, Metric::won_deals);
    closed += at(r, rep, 0, Metric::opportunities) - at(r, rep, 0, Metric::open_opportunities);
    weighted += at(r, rep, 0, Metric::weighted_pipeline);
    pipeline += at(r, rep, 0, Metric::pipeline_value);
  }
  CHECK(std::abs(won / closed - 0.3) < test::kSigmas * std::sqrt(0.3 * 0.7 / closed));
  CHECK(std::abs(weighted / pipeline - 0.3) < 1e-12);  // every lead has readiness 0.5: weight 0.3
}

TEST_CASE("pipeline: a budget curve spends exactly the budget and buys leads along the curve", "[pipeline][money]") {
  json doc = every_lead_mql(0.5);
  auto& source = doc["sources"][0];
  source.erase("leads_per_week");
  source.erase("cost_per_lead");
  source["budget_per_week"] = 8000;
  source["spend_curve"] = {{"reference_budget_per_week", 5000}, {"reference_leads_per_week", 100}, {"elasticity", 0.6}};
  const RunResult r = test::run(doc, 2000);
  std::vector<double> leads;
  for (std::size_t rep = 0; rep < r.table.replications(); ++rep) {
    REQUIRE(at(r, rep, 0, Metric::channel_spend) == 8000.0 * 28 / 7);  // money is conserved exactly
    leads.push_back(at(r, rep, 0, Metric::leads));
  }
  const double expected = 100 * std::pow(8000.0 / 5000.0, 0.6) * 28 / 7;  // Poisson mean
  const MeanVar mv = mean_variance(leads);
  CHECK(std::abs(mv.mean - expected) < test::kSigmas * std::sqrt(expected / 2000));
}

TEST_CASE("pipeline: account-executive capacity caps open opportunities", "[pipeline]") {
  json doc = every_lead_mql(0.9);
  doc["pipeline"] = {{"cycle_days", {{"mean", 10000}, {"cv", 0.1}}},  // nothing closes: slots never free
                     {"account_executives", {{"headcount", 1}, {"max_open_per_ae", 3}, {"patience_days", 5}}}};
  const RunResult r = test::run(doc, 20);
  for (std::size_t rep = 0; rep < r.table.replications(); ++rep) {
    CHECK(at(r, rep, 0, Metric::opportunities) == 3.0);
    CHECK(at(r, rep, 0, Metric::opportunities_lost_capacity) > 0.0);
  }
  doc["pipeline"]["account_executives"]["headcount"] = 0;  // no AE: nothing becomes an opportunity
  const RunResult none = test::run(doc, 5);
  for (std::size_t rep = 0; rep < none.table.replications(); ++rep)
    CHECK(at(none, rep, 0, Metric::opportunities) == 0.0);
}

TEST_CASE("pipeline: costs add up and are named apart", "[pipeline][money]") {
  json doc = every_lead_mql(0.3);
  doc["sources"].push_back(json{{"name", "t"},
                                {"leads_per_week", 70},
                                {"spend_per_week", 700},
                                {"profile", {{"attributes", {{"fit", {{"probability", 1}}}}}}}});
  doc["sales"] = {{"teams", json::array({json{{"name", "sdr"},
                                              {"headcount", 3},
                                              {"cost_per_rep_per_week", 2000},
                                              {"calendar", {{"always_open", true}}}}})}};
  doc["pipeline"] = {{"account_executives", {{"headcount", 2}, {"cost_per_ae_per_week", 3000}}},
                     {"coverage_target", 1e6}};
  const RunResult r = test::run(doc, 10);
  for (std::size_t rep = 0; rep < r.table.replications(); ++rep) {
    const double rep_cost = at(r, rep, 0, Metric::rep_cost);
    CHECK(rep_cost == Approx((3 * 2000.0 + 2 * 3000.0) * 28 / 7));
    // Per source, rep cost is allocated: the sources' shares add up to the total.
    CHECK(at(r, rep, 1, Metric::rep_cost) + at(r, rep, 2, Metric::rep_cost) == Approx(rep_cost));
    CHECK(at(r, rep, 0, Metric::spend) ==
          Approx(at(r, rep, 0, Metric::channel_spend) + at(r, rep, 0, Metric::nurture_spend) + rep_cost));
    CHECK(at(r, rep, 0, Metric::cost_per_sql_loaded) > at(r, rep, 0, Metric::cost_per_sql_marketing));
    CHECK(at(r, rep, 0, Metric::pipeline_coverage) == Approx(at(r, rep, 0, Metric::pipeline_value) / 1e6));
    if (at(r, rep, 0, Metric::won_deals) > 0)
      CHECK(at(r, rep, 0, Metric::cac) == Approx(at(r, rep, 0, Metric::spend) / at(r, rep, 0, Metric::won_deals)));
    else
      CHECK(std::isnan(at(r, rep, 0, Metric::cac)));  // no deal won: CAC undefined, never infinite
  }
}

TEST_CASE("pipeline: without a pipeline section its metrics are undefined, not zero", "[pipeline]") {
  const RunResult r = test::run(every_lead_mql(0.5), 3);
  CHECK(std::isnan(at(r, 0, 0, Metric::opportunities)));
  CHECK(std::isnan(at(r, 0, 0, Metric::cac)));
  CHECK(at(r, 0, 0, Metric::rep_cost) == 0.0);
}
