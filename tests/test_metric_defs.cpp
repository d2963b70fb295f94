// The metric definitions: what the writers read from them (headline list, labels, units) and the
// formulas compute_*_metrics apply.
#include "funnelsim/metrics/metrics.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <string>
#include <vector>

using namespace funnelsim;

namespace {

double at(const std::vector<double>& row, Metric m) { return row[static_cast<std::size_t>(m)]; }

}  // namespace

TEST_CASE("metric definitions: headline metrics in set order, labels in users' words", "[metrics]") {
  const std::vector<std::string_view> headline(headline_metrics().begin(), headline_metrics().end());
  CHECK(headline == std::vector<std::string_view>{"mqls", "sqls", "mql_to_sql_rate", "cost_per_sql_marketing",
                                                  "mql_precision", "mql_recall"});
  CHECK(metric_label("cost_per_sql_marketing") == "Cost per SQL, marketing");
  CHECK(metric_label("rep_utilization") == "Rep utilisation");            // a team metric
  CHECK(metric_label("time_to_mql_days_p50") == "Time to mql days p50");  // no label: the name
  CHECK(metric_label("not_a_metric") == "Not a metric");
  CHECK(short_metric_label(metric_def(Metric::mql_to_sql_rate)) == "SQL rate");
  CHECK(short_metric_label(metric_def(Metric::mqls)) == "MQLs");  // no short label: the label
  CHECK(find_metric("queue_length_mean") ==
        &metric_defs(ScopeKind::team)[static_cast<std::size_t>(TeamMetric::queue_length_mean)]);
  CHECK(find_metric("nope") == nullptr);
}

TEST_CASE("metric definitions: every unit is a count, ratio, money or duration", "[metrics]") {
  for (ScopeKind kind : {ScopeKind::funnel, ScopeKind::team, ScopeKind::rep})
    for (const MetricDef& d : metric_defs(kind)) CHECK(unit_kind(d.unit) != UnitKind::other);
  CHECK(unit_kind("currency/deal") == UnitKind::currency);
  CHECK(unit_kind("currency/currency") == UnitKind::currency_ratio);
  CHECK(unit_kind("hours") == UnitKind::duration);
  CHECK(unit_kind("") == UnitKind::count);
  CHECK(unit_kind("furlongs") == UnitKind::other);
}

TEST_CASE("metric definitions: formulas, and pipeline and sales metrics undefined without them", "[metrics]") {
  FunnelTally tally;
  FunnelCounts& c = tally.counts;
  c.leads = 100;
  c.mqls = 20;
  c.sqls = 5;
  c.channel_spend = 900;
  c.nurture_spend = 100;
  c.rep_cost = 500;
  c.rejected_bad_fit = 2;
  tally.time_to_mql_days = {3.0, 1.0, 2.0};
  std::vector<double> row(kMetricCount), parts(component_defs().size());
  compute_metrics(tally, 0.0, row, parts);
  CHECK(at(row, Metric::lead_to_mql_rate) == 0.2);
  CHECK(at(row, Metric::cost_per_sql_marketing) == 200.0);
  CHECK(at(row, Metric::cost_per_sql_loaded) == 300.0);
  CHECK(at(row, Metric::spend) == 1500.0);
  CHECK(at(row, Metric::time_to_mql_days_p50) == 2.0);
  CHECK(std::isnan(at(row, Metric::mql_recall)));     // no ready leads: 0 / 0
  CHECK(std::isnan(at(row, Metric::opportunities)));  // no pipeline section
  CHECK(std::isnan(at(row, Metric::pipeline_coverage)));
  CHECK(std::isnan(at(row, Metric::contact_attempts)));  // no sales teams
  CHECK(at(row, Metric::rejections_bad_fit) == 2.0);

  c.has_pipeline = true;
  c.opportunities = 2;
  c.pipeline_value = 5000;
  compute_metrics(tally, 10000.0, row, parts);
  CHECK(at(row, Metric::opportunities) == 2.0);
  CHECK(at(row, Metric::pipeline_coverage) == 0.5);
  CHECK(at(row, Metric::cost_per_opportunity) == 750.0);
  CHECK(std::isnan(at(row, Metric::cac)));  // no won deals
}

TEST_CASE("metric definitions: a ratio's unit follows from its numerator and denominator", "[metrics]") {
  // Money over a count is money per that thing (cost per SQL is per SQL, not per lead), money over
  // money is money per money, a count over a count a ratio, a sum of hours or days over a count
  // hours or days.
  auto unit_of = [](ScopeKind kind, RecordColumn c) {
    return c.component ? component_defs(kind)[c.index].unit : metric_defs(kind)[c.index].unit;
  };
  auto per = [](std::string_view denominator) -> std::string {
    if (denominator == "leads") return "lead";
    if (denominator == "mqls") return "MQL";
    if (denominator == "sqls") return "SQL";
    if (denominator == "opportunities") return "opportunity";
    if (denominator == "won_deals") return "deal";
    return "?";
  };
  int ratios = 0;
  for (ScopeKind kind : {ScopeKind::funnel, ScopeKind::team, ScopeKind::rep}) {
    const auto defs = metric_defs(kind);
    for (std::size_t m = 0; m < defs.size(); ++m) {
      const auto columns = ratio_columns(kind, m);
      CHECK(columns.has_value() == defs[m].is_ratio());
      if (!columns) continue;
      ++ratios;
      INFO(defs[m].name);
      CHECK(column_name(kind, columns->numerator) == defs[m].numerator);
      CHECK(column_name(kind, columns->denominator) == defs[m].denominator);
      const UnitKind num = unit_kind(unit_of(kind, columns->numerator));
      const UnitKind den = unit_kind(unit_of(kind, columns->denominator));
      if (num == UnitKind::currency && den == UnitKind::currency)
        CHECK(defs[m].unit == "currency/currency");
      else if (num == UnitKind::currency)
        CHECK(std::string(defs[m].unit) == "currency/" + per(defs[m].denominator));
      else if (num == UnitKind::duration && den != UnitKind::duration)
        CHECK(defs[m].unit == unit_of(kind, columns->numerator));
      else
        CHECK(defs[m].unit == "ratio");
    }
  }
  CHECK(ratios == 31);  // 28, and the three days-to-MQL means from arrival and of recycled leads
  CHECK(metric_def(Metric::cost_per_sql_marketing).unit == "currency/SQL");
  CHECK(metric_def(Metric::pipeline_per_dollar).unit == "currency/currency");
  CHECK(!metric_def(Metric::time_to_mql_days_p90).is_ratio());  // a percentile within a replication
}

TEST_CASE("metric definitions: a ratio is its recorded numerator over its recorded denominator", "[metrics]") {
  FunnelTally tally;
  FunnelCounts& c = tally.counts;
  c.has_sales = c.has_pipeline = true;
  c.leads = 50, c.mqls = 10, c.sqls = 4, c.channel_spend = 700, c.nurture_spend = 50, c.rep_cost = 250;
  c.opportunities = 3, c.opportunities_closed = 1, c.won_deals = 1, c.pipeline_value = 9000;
  c.responded = 8, c.response_hours_sum = 20, c.sla_due = {2, 6}, c.sla_met = {1, 3};
  c.queue_entries = 12, c.queue_wait_hours_sum = 6, c.backlog_end = 2;
  std::vector<double> row(kMetricCount), parts(component_defs().size());
  compute_metrics(tally, 0.0, row, parts);
  for (std::size_t m = 0; m < kMetricCount; ++m) {
    const auto columns = ratio_columns(ScopeKind::funnel, m);
    if (!columns) continue;
    auto at_column = [&](RecordColumn col) { return col.component ? parts[col.index] : row[col.index]; };
    INFO(metric_defs()[m].name);
    const double den = at_column(columns->denominator);
    if (den == 0)
      CHECK(std::isnan(row[m]));  // undefined where nothing divides it
    else
      CHECK(row[m] == at_column(columns->numerator) / den);
  }
  CHECK(at(row, Metric::cost_per_sql_marketing) == 750.0 / 4);
  CHECK(at(row, Metric::sla_attainment) == 4.0 / 8);
  CHECK(at(row, Metric::opportunities_closed_share) == 1.0 / 3);
  CHECK(at(row, Metric::pipeline_per_dollar) == 9000.0 / 1000);
  CHECK(at(row, Metric::backlog_at_end) == 2.0);
  CHECK(component_defs()[0].name == "marketing_spend");
  CHECK(parts[0] == 750.0);
}
