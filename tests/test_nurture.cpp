// Nurture tracks, recycling, every path to MQL, warm-up and backlog; lifecycle conservation.
#include <cmath>
#include <fstream>
#include <random>

#include <catch2/catch.hpp>

#include "funnelsim/core/statistics.hpp"
#include "test_support.hpp"

using namespace funnelsim;
using nlohmann::json;

namespace {

using test::at;

std::vector<double> column(const RunResult& r, Metric m) {
  std::vector<double> out;
  r.table.column(0, m, out);
  return out;
}

/// A small funnel: engagement builds from page visits; demo requests are instant.
json small_funnel(int horizon = 56) {
  return json{{"horizon_days", horizon},
              {"profile_defaults",
               {{"readiness", {{"alpha", 2}, {"beta", 4}}},
                {"attributes", {{"buyer", {{"probability", 0.3}, {"readiness_correlation", 0.4}}}}},
                {"events",
                 {{"visit", {{"rate_at_readiness_0", 0.2}, {"rate_at_readiness_1", 2.0}, {"half_life_days", 20}}},
                  {"demo", {{"rate_at_readiness_0", 0.0}, {"rate_at_readiness_1", 0.1}}}}}}},
              {"sources", json::array({json{{"name", "web"}, {"leads_per_week", 140}, {"cost_per_lead", 20}}})},
              {"scoring",
               {{"attribute_points", {{"buyer", 25}}},
                {"event_points", {{"visit", 10}}},
                {"instant_mql_events", {"demo"}},
                {"mql_threshold", 50}}}};
}

json with_nurture(json doc, bool recycling) {
  doc["nurture"] = {{"tracks", json::array({json{{"name", "fast"},
                                                 {"min_score", 25},
                                                 {"duration_days", 14},
                                                 {"touches_per_week", 3},
                                                 {"lift_per_touch", 0.3},
                                                 {"cost_per_touch", 0.5}},
                                            json{{"name", "slow"},
                                                 {"duration_days", 42},
                                                 {"touches_per_week", 1},
                                                 {"lift_per_touch", 0.2},
                                                 {"cost_per_touch", 0.25}},
                                            json{{"name", "recycle"},
                                                 {"reasons", {"not_ready", "cold"}},
                                                 {"duration_days", 28},
                                                 {"lift_per_touch", 0.5}}})},
                    {"recycling", {{"enabled", recycling}, {"cooldown_days", 10}, {"max_recycles", 2}}}};
  return doc;
}

/// Each lead is in exactly one state at every weekly snapshot: the states add up to every lead
/// created so far (warm-up, backlog and recycled journeys included), and none is negative.
/// With neither warm-up nor backlog, the leads created are exactly the arrivals so far: a
/// recycled journey is the same lead, never a new one.
void check_conservation(const RunResult& r, bool only_arrivals = false) {
  const ReplicationTable& t = r.table;
  for (std::size_t rep = 0; rep < t.replications(); ++rep)
    for (std::size_t scope = 0; scope < t.funnel_scopes(); ++scope)
      for (std::size_t w = 0, arrived = 0; w < t.weeks(); ++w) {
        arrived += static_cast<std::size_t>(t.weekly(rep, scope, Series::leads)[w]);
        if (only_arrivals) REQUIRE(t.weekly(rep, scope, Series::created_to_date)[w] == static_cast<double>(arrived));
        double states = 0;
        for (std::size_t k = kFirstState; k < kSeriesCount; ++k) {
          const double v = t.weekly(rep, scope, static_cast<Series>(k))[w];
          REQUIRE(v >= 0.0);
          states += v;
        }
        INFO("replication " << rep << " scope " << scope << " week " << w);
        REQUIRE(states == t.weekly(rep, scope, Series::created_to_date)[w]);
      }
}

}  // namespace

TEST_CASE("nurture: every lead is in exactly one state at every weekly snapshot", "[nurture][conservation]") {
  // A randomized set of scenarios: with or without sales teams, nurture, recycling, warm-up,
  // backlog, follow-up and signals, with random rates.
  std::mt19937 pick(2026);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  for (int k = 0; k < 12; ++k) {
    json doc = small_funnel(28 + 7 * static_cast<int>(u(pick) * 8));
    doc["sources"][0]["leads_per_week"] = 20 + 200 * u(pick);
    doc["profile_defaults"]["events"]["visit"]["rate_at_readiness_1"] = 0.5 + 3 * u(pick);
    if (u(pick) < 0.7) doc = with_nurture(doc, u(pick) < 0.7);
    if (u(pick) < 0.5) doc["warmup_days"] = static_cast<int>(60 * u(pick));
    if (u(pick) < 0.5)
      doc["sales"] = {{"teams", json::array({json{{"name", "sdr"},
                                                  {"headcount", static_cast<int>(4 * u(pick))},
                                                  {"contact", {{"patience", {{"mean_days", 3 + 20 * u(pick)}}}}}}})}};
    if (u(pick) < 0.4)
      doc["backlog"] = json::array({json{{"source", "web"}, {"leads_in_nurture", 40}, {"mqls_waiting", 10}}});
    if (u(pick) < 0.4)
      doc["scoring"]["sdr_follow_up"] = {{"min_fit", 20}, {"after_days", 5}, {"qualify_probability", 0.3}};
    if (u(pick) < 0.4) doc["profile_defaults"]["intent_signals"] = {{"rate_at_readiness_1", 0.2}};
    INFO("scenario " << k << ": " << doc.dump());
    const bool only_arrivals = !doc.contains("warmup_days") && !doc.contains("backlog");
    check_conservation(test::run(doc, 6, 0, 100 + static_cast<std::uint64_t>(k)), only_arrivals);
  }
}

TEST_CASE("nurture: a stationary funnel with a warm-up has flat expected weekly MQLs from week 1",
          "[nurture][warmup]") {
  json doc = small_funnel(56);
  doc["profile_defaults"]["events"]["visit"].erase("half_life_days");  // stationary behaviour
  const std::size_t reps = 400;
  auto weekly_mqls = [&](const json& d) {
    const RunResult r = test::run(d, reps);
    std::vector<double> first, later;
    for (std::size_t rep = 0; rep < reps; ++rep) {
      const auto series = r.table.weekly(rep, 0, Series::mqls);
      first.push_back(series[0]);
      later.push_back((series[4] + series[5] + series[6] + series[7]) / 4.0);
    }
    return std::pair{summarize(first), summarize(later)};
  };
  // Without a warm-up the quarter starts empty: week 1 has visibly fewer MQLs (the ramp) ...
  const auto [cold_first, cold_later] = weekly_mqls(doc);
  CHECK(cold_first.mean < cold_later.mean - test::kSigmas * std::hypot(cold_first.se, cold_later.se));
  // ... with one long enough for leads to mature, week 1 is like any later week.
  doc["warmup_days"] = 180;
  const auto [warm_first, warm_later] = weekly_mqls(doc);
  INFO("week 1 " << warm_first.mean << " +- " << warm_first.se << ", weeks 5-8 " << warm_later.mean << " +- "
                 << warm_later.se);
  CHECK(std::abs(warm_first.mean - warm_later.mean) < test::kSigmas * std::hypot(warm_first.se, warm_later.se));
}

TEST_CASE("nurture: a track's lift brings the same leads to MQL sooner (common random numbers)", "[nurture]") {
  json plain = small_funnel();
  plain["profile_defaults"]["events"]["visit"].erase("half_life_days");
  json nurtured = with_nurture(plain, false);
  const RunResult a = test::run(plain, 30), b = test::run(nurtured, 30);
  bool more = false;
  for (std::size_t rep = 0; rep < 30; ++rep) {
    REQUIRE(at(a, rep, 0, Metric::leads) == at(b, rep, 0, Metric::leads));
    // Without decay, multiplying the rates moves every event earlier: nobody MQLs later.
    REQUIRE(at(b, rep, 0, Metric::mqls) >= at(a, rep, 0, Metric::mqls));
    more = more || at(b, rep, 0, Metric::mqls) > at(a, rep, 0, Metric::mqls);
    REQUIRE(at(a, rep, 0, Metric::nurture_spend) == 0.0);
    REQUIRE(at(b, rep, 0, Metric::nurture_spend) > 0.0);
  }
  CHECK(more);
}

TEST_CASE("nurture: recycling only adds second chances", "[nurture][recycling]") {
  for (bool with_sales : {false, true}) {
    json off = with_nurture(small_funnel(84), false);
    if (with_sales)
      off["sales"] = {
          {"teams", json::array({json{{"name", "sdr"}, {"headcount", 6}, {"calendar", {{"always_open", true}}}}})}};
    json on = off;
    on["nurture"]["recycling"]["enabled"] = true;
    const RunResult a = test::run(off, 20), b = test::run(on, 20);
    INFO("with sales " << with_sales);
    for (std::size_t rep = 0; rep < 20; ++rep) {
      REQUIRE(at(a, rep, 0, Metric::recycled_leads) == 0.0);
      REQUIRE(at(b, rep, 0, Metric::recycled_leads) > 0.0);
      REQUIRE(at(b, rep, 0, Metric::mqls_recycled) > 0.0);
      // First journeys are identical; recycled journeys add MQLs (the queue may reorder SQLs).
      REQUIRE(at(b, rep, 0, Metric::mqls) - at(b, rep, 0, Metric::mqls_recycled) == at(a, rep, 0, Metric::mqls));
      if (!with_sales)
        REQUIRE(at(b, rep, 0, Metric::sqls) - at(b, rep, 0, Metric::sqls_from_recycled) == at(a, rep, 0, Metric::sqls));
    }
    CHECK(summarize(column(b, Metric::sqls_from_recycled)).mean > 0.0);
  }
}

TEST_CASE("nurture: intent signals make MQLs at their Poisson rate", "[nurture][paths]") {
  // No events, no fit points: only signals qualify. Fixed readiness 0.5 -> rate 0.7/week.
  json doc = small_funnel(28);
  doc["profile_defaults"]["events"] = json::object();
  doc["profile_defaults"]["readiness"] = {{"distribution", "fixed"}, {"value", 0.5}};
  doc["profile_defaults"]["intent_signals"] = {{"rate_at_readiness_0", 0.0}, {"rate_at_readiness_1", 1.4}};
  doc["scoring"] = {{"mql_threshold", 50}};
  const RunResult r = test::run(doc, 300);
  // A lead arriving at a uniform time in [0, H) signals before H with probability
  // 1 - (1 - e^(-c H)) / (c H), c = 0.1 per day.
  const double c = 0.7 / 7, H = 28;
  const double p = 1 - (1 - std::exp(-c * H)) / (c * H);
  double leads = 0, signals = 0;
  for (std::size_t rep = 0; rep < 300; ++rep) {
    leads += at(r, rep, 0, Metric::leads);
    signals += at(r, rep, 0, Metric::mqls_signal);
    REQUIRE(at(r, rep, 0, Metric::mqls) == at(r, rep, 0, Metric::mqls_signal));
  }
  CHECK(std::abs(signals / leads - p) < test::kSigmas * std::sqrt(p * (1 - p) / leads));
}

TEST_CASE("nurture: an SDR follow-up qualifies high-fit leads with its probability", "[nurture][paths]") {
  json doc = small_funnel(56);
  doc["profile_defaults"]["events"] = json::object();
  doc["profile_defaults"]["attributes"]["buyer"]["probability"] = 1.0;
  doc["scoring"] = {{"attribute_points", {{"buyer", 25}}},
                    {"mql_threshold", 50},
                    {"sdr_follow_up", {{"min_fit", 25}, {"after_days", 14}, {"qualify_probability", 0.3}}}};
  const RunResult r = test::run(doc, 200);
  // Leads arriving in the first 42 days are followed up inside the horizon: a share 42/56.
  const double p = 0.3 * 42.0 / 56.0;
  double leads = 0, sdr = 0;
  for (std::size_t rep = 0; rep < 200; ++rep) {
    leads += at(r, rep, 0, Metric::leads);
    sdr += at(r, rep, 0, Metric::mqls_sdr_qualified);
    REQUIRE(at(r, rep, 0, Metric::time_to_mql_days_p50_sdr_qualified) == 14.0);
  }
  CHECK(std::abs(sdr / leads - p) < test::kSigmas * std::sqrt(p * (1 - p) / leads));
}

TEST_CASE("nurture: a backlog starts the quarter with leads, MQLs and opportunities in flight", "[nurture][backlog]") {
  json doc = with_nurture(small_funnel(28), false);
  doc["pipeline"] = {{"cycle_days", {{"mean", 20}, {"cv", 0.5}}}};
  doc["backlog"] = json::array({json{{"source", "web"},
                                     {"leads_in_nurture", 50},
                                     {"nurture_score", {20, 40}},
                                     {"mqls_waiting", 30},
                                     {"open_opportunities", 25}}});
  const RunResult r = test::run(doc, 20);
  json empty = doc;
  empty.erase("backlog");
  const RunResult e = test::run(empty, 20);
  check_conservation(r);
  for (std::size_t rep = 0; rep < 20; ++rep) {
    // Backlog leads are created at day 0 but are not new leads of the quarter.
    REQUIRE(r.table.weekly(rep, 0, Series::created_to_date)[0] >= 80.0);
    REQUIRE(at(r, rep, 0, Metric::leads) == at(e, rep, 0, Metric::leads));
    // Waiting MQLs are decided in the quarter, open opportunities close in it.
    REQUIRE(at(r, rep, 0, Metric::sqls) >= at(e, rep, 0, Metric::sqls));
    REQUIRE(at(r, rep, 0, Metric::won_deals) >= at(e, rep, 0, Metric::won_deals));
  }
  CHECK(summarize(column(r, Metric::won_deals)).mean > summarize(column(e, Metric::won_deals)).mean);
}

TEST_CASE("nurture: time to MQL by path lands where the seeds put it (nurture_recycle)", "[nurture][calibration]") {
  // Seed 004: instant for high intent, 15-30 days from mid-funnel content. The scenario's
  // description states its figures; these are the design bands.
  std::ifstream in(test::source_path() + "/scenarios/nurture_recycle.json");
  json doc = json::parse(in);
  doc.erase("extends");
  std::ifstream base_in(test::source_path() + "/scenarios/saas_baseline.json");
  json base = json::parse(base_in);
  base.merge_patch(doc);
  const RunResult r = test::run(test::with_warmup_worked_out(base, "nurture_recycle"), 40);
  const SummaryStats engagement = summarize(column(r, Metric::time_to_mql_days_p50_engagement));
  const SummaryStats instant = summarize(column(r, Metric::time_to_mql_days_p50_instant));
  CHECK(engagement.ci95_low > 15.0);
  CHECK(engagement.ci95_high < 30.0);
  CHECK(instant.ci95_high < 7.0);
  // The SDR follow-up is due on day 10; its conversation now waits for an SDR and takes their
  // time, so the MQL comes some hours later (10.39 days), never before.
  const SummaryStats sdr = summarize(column(r, Metric::time_to_mql_days_p50_sdr_qualified));
  CHECK(sdr.mean >= 10.0);
  CHECK(sdr.mean < 11.0);
}
