// What a warm quarter makes matter (issue 13): the SDR follow-up takes rep time, backlog
// opportunities hold account executives' slots, a recycled lead's time to MQL is read both from
// its first arrival and from its re-entry, and the weekly response-time and SLA series add up to
// the quarter's counts.
#include <cmath>
#include <string>

#include <catch2/catch.hpp>

#include "funnelsim/core/statistics.hpp"
#include "funnelsim/scenario/loader.hpp"
#include "test_support.hpp"

using namespace funnelsim;
using nlohmann::json;

namespace {

using test::at;

/// Leads that never score their way in (fit 25 against a threshold of 50, no events): the SDR
/// follow-up, due 2 days after arrival, is their only path to MQL, and it qualifies each.
json follow_up_only(int headcount) {
  return json{
      {"horizon_days", 28},
      {"start_weekday", "monday"},
      {"sources",
       json::array({json{{"name", "web"},
                         {"leads_per_week", 70},
                         {"profile", {{"attributes", {{"fit", {{"probability", 1}}}}}, {"events", json::object()}}}}})},
      {"scoring",
       {{"attribute_points", {{"fit", 25}}},
        {"mql_threshold", 50},
        {"sdr_follow_up", {{"min_fit", 25}, {"after_days", 2}, {"qualify_probability", 1.0}}}}},
      {"sales",
       {{"speed_to_lead", {{"preset", "none"}}},
        {"teams", json::array({json{{"name", "desk"},
                                    {"headcount", headcount},
                                    {"calendar", {{"always_open", true}}},
                                    {"handle_time", {{"distribution", "fixed"}, {"mean_minutes", 30}}},
                                    {"contact", {{"max_attempts", 1}}}}})}}}};
}

}  // namespace

TEST_CASE("SDR follow-up: each conversation takes a rep's handle time", "[sales][nurture]") {
  const RunResult r = test::run(follow_up_only(1), 10);
  const std::size_t team = 2;  // scopes: funnel, web, then the team
  for (std::size_t rep = 0; rep < r.table.replications(); ++rep) {
    const double held = at(r, rep, team, TeamMetric::follow_ups);
    const double hours = at(r, rep, team, TeamMetric::follow_up_hours);
    INFO("replication " << rep << ": " << held << " follow-ups, " << hours << " hours");
    // About 10 leads a day are due from day 2: a single always-open rep holds them all.
    CHECK(held > 200.0);
    // 30 minutes each; only the one still running at the horizon is cut short.
    CHECK(hours <= 0.5 * held + 1e-9);
    CHECK(hours >= 0.5 * (held - 1.0) - 1e-9);
    // Every conversation qualifies: the path's MQLs are the conversations that ended in the quarter.
    CHECK(at(r, rep, 0, Metric::mqls_sdr_qualified) <= held);
    CHECK(at(r, rep, 0, Metric::mqls_sdr_qualified) >= held - 1.0);
    CHECK(at(r, rep, team, TeamMetric::rep_utilization) > 0.0);
  }
}

TEST_CASE("SDR follow-up: a desk without reps holds no conversation, so the path makes no MQL", "[sales][nurture]") {
  const RunResult none = test::run(follow_up_only(0), 5);
  json no_sales = follow_up_only(0);
  no_sales.erase("sales");  // without a sales section the conversation happens when it is due
  const RunResult free_time = test::run(no_sales, 5);
  for (std::size_t rep = 0; rep < 5; ++rep) {
    CHECK(at(none, rep, 0, Metric::mqls_sdr_qualified) == 0.0);
    CHECK(at(none, rep, 2, TeamMetric::follow_ups) == 0.0);
    CHECK(at(free_time, rep, 0, Metric::mqls_sdr_qualified) > 150.0);
  }
}

TEST_CASE("backlog: open opportunities hold account executives' slots", "[pipeline][backlog]") {
  // Every lead an MQL and an SQL at once is not needed: the team accepts what it reaches, and
  // nothing closes within the horizon (a 10,000-day cycle), so slots never free up.
  json doc = follow_up_only(3);
  doc["scoring"]["attribute_points"]["fit"] = 60;  // every lead an MQL at arrival
  doc["pipeline"] = {{"cycle_days", {{"mean", 10000}, {"cv", 0.1}}},
                     {"account_executives", {{"headcount", 1}, {"max_open_per_ae", 3}, {"patience_days", 5}}}};
  const RunResult empty = test::run(doc, 10);
  doc["backlog"] = json::array({json{{"source", "web"}, {"open_opportunities", 3}}});
  const RunResult full = test::run(doc, 10);
  double full_opportunities = 0.0;
  for (std::size_t rep = 0; rep < 10; ++rep) {
    REQUIRE(at(empty, rep, 0, Metric::sqls) > 3.0);
    CHECK(at(empty, rep, 0, Metric::opportunities) == 3.0);
    // The three backlog opportunities fill the only AE's three slots: one frees only when one of
    // them closes, and their remaining cycles (a uniform share of about 10,000 days) rarely end
    // within the 28 days.
    CHECK(at(full, rep, 0, Metric::opportunities) < at(empty, rep, 0, Metric::opportunities));
    full_opportunities += at(full, rep, 0, Metric::opportunities);
    CHECK(at(full, rep, 0, Metric::opportunities_lost_capacity) > 0.0);
  }
  CHECK(full_opportunities <= 0.1 * 10 * 3.0);
}

TEST_CASE("recycling: time to MQL from first arrival and from re-entry", "[nurture]") {
  json doc = read_scenario_document(test::source_path() + "/scenarios/nurture_recycle.json");
  doc["warmup_days"] = 60;  // a fixed warm-up: this test is about the two readings, not the rule
  const RunResult r = test::run(doc, 10);
  const double cooldown = doc["nurture"]["recycling"]["cooldown_days"].get<double>();
  for (std::size_t rep = 0; rep < 10; ++rep) {
    const double reentry = at(r, rep, 0, Metric::time_to_mql_days_recycled_from_reentry);
    const double arrival = at(r, rep, 0, Metric::time_to_mql_days_recycled_from_arrival);
    INFO("replication " << rep << ": " << reentry << " days from re-entry, " << arrival << " from arrival");
    REQUIRE(at(r, rep, 0, Metric::mqls_recycled) > 0.0);
    // From arrival counts the first journey, the time with sales and the cooldown as well.
    CHECK(arrival >= reentry + cooldown);
    // Over every MQL the from-arrival mean is at least the journey's.
    CHECK(at(r, rep, 0, Metric::time_to_mql_days_from_arrival) >= at(r, rep, 0, Metric::time_to_mql_days));
  }
  // Without recycling both readings of every MQL are one.
  doc["nurture"]["recycling"]["enabled"] = false;
  const RunResult off = test::run(doc, 5);
  for (std::size_t rep = 0; rep < 5; ++rep) {
    CHECK(at(off, rep, 0, Metric::mqls_recycled) == 0.0);
    CHECK(at(off, rep, 0, Metric::time_to_mql_days_from_arrival) ==
          Approx(at(off, rep, 0, Metric::time_to_mql_days)).epsilon(1e-12));
    CHECK(std::isnan(at(off, rep, 0, Metric::time_to_mql_days_recycled_from_arrival)));
  }
}

TEST_CASE("weekly series: first attempts and SLA deadlines add up to the week's rates", "[sales]") {
  json doc = follow_up_only(1);
  doc["scoring"]["attribute_points"]["fit"] = 60;  // every lead an MQL at arrival
  doc["scoring"].erase("sdr_follow_up");
  const RunResult r = test::run(doc, 5);
  for (std::size_t rep = 0; rep < 5; ++rep) {
    double due = 0.0, firsts = 0.0;
    for (std::size_t w = 0; w < r.table.weeks(); ++w) {
      const double n = r.table.weekly(rep, 0, Series::first_attempts)[w];
      const double rt = r.table.weekly(rep, 0, Series::response_time_hours)[w];
      const double sla = r.table.weekly(rep, 0, Series::sla_attainment)[w];
      firsts += n;
      due += r.table.weekly(rep, 0, Series::sla_due)[w];
      // Defined exactly when the week has any; the whole funnel's values equal its one source's.
      CHECK(std::isnan(rt) == (n == 0.0));
      if (n > 0.0) CHECK(rt == r.table.weekly(rep, 1, Series::response_time_hours)[w]);
      if (!std::isnan(sla)) CHECK((sla >= 0.0 && sla <= 1.0));
    }
    // Every MQL of the quarter gets its one attempt: the week's first attempts add up to about
    // the quarter's MQLs (those still queued at the horizon and the warm-up's are the difference).
    CHECK(firsts > 0.9 * at(r, rep, 0, Metric::mqls));
    CHECK(firsts <= at(r, rep, 0, Metric::mqls) + 1e-9);
    CHECK(due > 0.0);
  }
}
