// Words and layout a reader sees: notes beside figures, aligned tables, parameters named from
// the schema's titles, money per money.
#include <fstream>
#include <string>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "funnelsim/metrics/metrics.hpp"
#include "funnelsim/scenario/loader.hpp"
#include "output/format.hpp"
#include "output/notes.hpp"
#include "output/text_table.hpp"
#include "test_support.hpp"

using namespace funnelsim;
using nlohmann::json;

TEST_CASE("notes: a ratio undefined in some quarters says so in its denominator's words", "[outputs]") {
  const auto cac = static_cast<std::size_t>(Metric::cac);
  CHECK(undefined_note(ScopeKind::funnel, cac, 73, 200, 90) == "no won deals in 64% of quarters");
  CHECK(undefined_note(ScopeKind::funnel, static_cast<std::size_t>(Metric::cost_per_sql_marketing), 199, 200, 30) ==
        "no SQLs in <1% of months");
  CHECK(undefined_note(ScopeKind::team, static_cast<std::size_t>(TeamMetric::sla_attainment), 5, 10, 45) ==
        "no MQLs with an SLA due in 50% of replications");
  CHECK(undefined_note(ScopeKind::funnel, cac, 200, 200, 90).empty());  // defined everywhere: nothing to say
  CHECK(undefined_note(ScopeKind::funnel, cac, 0, 200, 90).empty());    // nowhere: listed apart
  // A percentile within a replication is not a ratio: it says where it is defined.
  CHECK(undefined_note(ScopeKind::funnel, static_cast<std::size_t>(Metric::time_to_mql_days_p50_instant), 150, 200,
                       90) == "defined in 150 of 200 quarters");
  CHECK(period_word(91) == "quarters");
  CHECK(period_word(365) == "years");
  CHECK(period_word(60) == "replications");
}

TEST_CASE("notes: won deals, revenue and CAC get the horizon caveat when most opportunities close after it",
          "[outputs]") {
  CHECK(counts_closed_deals(ScopeKind::funnel, static_cast<std::size_t>(Metric::cac)));
  CHECK(counts_closed_deals(ScopeKind::funnel, static_cast<std::size_t>(Metric::revenue)));
  CHECK(!counts_closed_deals(ScopeKind::funnel, static_cast<std::size_t>(Metric::pipeline_value)));
  CHECK(horizon_note(0.31) == "only 31% of opportunities closed in the horizon");
  CHECK(horizon_note(0.6).empty());
  CHECK(horizon_note(std::nan("")).empty());  // no pipeline
  CHECK(horizon_sentence(0.31, 90).rfind("Only 31% of the opportunities created in these 90 days closed", 0) == 0);
}

TEST_CASE("text table: columns as wide as their widest cell, right or left aligned, no trailing blanks", "[outputs]") {
  TextTable t({"metric", "value", "note"}, "lrl");
  t.add({"opportunities_lost_capacity", "0.0", ""});
  t.add({"sqls", "136.1", "a note"});
  t.add({"r\xc3\xa9sum\xc3\xa9", "1"});  // two-byte characters count once
  CHECK(t.render() ==
        "metric                       value  note\n"
        "opportunities_lost_capacity    0.0\n"
        "sqls                         136.1  a note\n"
        "r\xc3\xa9sum\xc3\xa9                           1\n");
  CHECK(display_width("r\xc3\xa9sum\xc3\xa9") == 6);
  CHECK_THROWS_AS(TextTable({"a", "b"}, "l"), std::invalid_argument);
}

TEST_CASE("units: pipeline per dollar reads as money per money, everywhere it is printed", "[outputs]") {
  CHECK(display_value(7.2, "currency/currency") == "$7.20 per $1");
  CHECK(display_interval(6.71, 7.72, "currency/currency") == "[$6.71, $7.72] per $1");
  CHECK(display_value(0.134, "ratio") == "13.4%");
  CHECK(display_value(3405.92, "currency/SQL") == "3405.92");
}

TEST_CASE("parameter titles: the schema's title, qualified by the names on the way", "[outputs][schema]") {
  std::ifstream in(test::source_path() + "/scenarios/saas_baseline.json");
  const json doc = json::parse(in);
  CHECK(parameter_title(doc, "/scoring/mql_threshold") == "MQL threshold (points)");
  CHECK(parameter_title(doc, "/sources/1/cost_per_lead") == "Paid social: cost per lead ($)");
  CHECK(parameter_title(doc, "/sales/teams/0/headcount") == "SDR: headcount (reps)");
  CHECK(parameter_title(doc, "/sales/teams/1/sla_hours/instant") == "Enterprise SDR: SLA, instant path (hours)");
  CHECK(parameter_title(doc, "/pipeline/amount/by_segment/enterprise/mean") == "Enterprise: deal amount, mean ($)");
  CHECK(parameter_title(doc, "/sources/0/profile/events/demo_request/rate_at_readiness_1") ==
        "Paid search, Demo request: event rate at readiness 1 (per week)");
  CHECK(parameter_title(doc, "/scoring/event_points/demo_request") == "Demo request: event points (points)");
  CHECK(parameter_title(doc, "/sources/2/week_multipliers/3") == "Webinar: week multiplier, item 4");
  // No title in the schema: the key in words, with its unit.
  CHECK(parameter_title(doc, "/seed") == "Seed");
  CHECK(parameter_title(doc, "/replications") == "Replications");
  CHECK(parameter_title(doc, "/sources/0/overdispersion") == "Paid search: weekly volume overdispersion");
  CHECK(parameter_title(doc, "/not/a/field") == "/not/a/field");
  // Every lever a tornado moves by default reads in words, none as its bare key.
  for (const char* pointer :
       {"/sales_acceptance/midpoint", "/pipeline/cycle_days/mean", "/nurture/dormant_rate_multiplier"})
    CHECK(parameter_title(doc, pointer).find('_') == std::string::npos);
}
