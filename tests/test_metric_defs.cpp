// The metric definitions: what the writers read from them (headline list, labels, units) and the
// formulas compute_*_metrics apply.
#include "funnelsim/metrics/metrics.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
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

TEST_CASE("metric definitions: the engine's selection of order statistics gives every percentile a sort gives",
          "[metrics]") {
  // SampleOrder::percentiles_only places only the order statistics P50 and P90 read; each row must
  // equal the sorted one bit for bit, at every size (the interpolating and the exact positions, ties).
  std::uint64_t state = 12345;
  const auto next = [&] {  // a fixed LCG: the test's samples, not a model's
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    return static_cast<double>(state >> 11) * 0x1.0p-53;
  };
  for (std::size_t n : {0, 1, 2, 3, 4, 9, 10, 11, 100, 101, 1000}) {
    INFO("n = " << n);
    FunnelTally sorted, selected;
    for (std::size_t i = 0; i < n; ++i) {
      const double v = std::floor(next() * 50.0) / 4.0;  // ties, as minutes rounded to a grid give
      sorted.time_to_mql_days.push_back(v);
      sorted.time_to_mql_by_path[i % 4].push_back(v * 2.0);
      sorted.response_hours.push_back(next() * 30.0);
    }
    sorted.counts.mqls = static_cast<double>(n);
    selected = sorted;
    TeamTally team_sorted, team_selected;  // the same response times, before anything orders them
    team_sorted.response_hours = sorted.response_hours;
    team_selected.response_hours = sorted.response_hours;
    std::vector<double> row_sorted(kMetricCount), row_selected(kMetricCount), parts(component_defs().size());
    compute_metrics(sorted, 0.0, row_sorted, parts, SampleOrder::sorted);
    compute_metrics(selected, 0.0, row_selected, parts, SampleOrder::percentiles_only);
    CHECK(std::is_sorted(sorted.time_to_mql_days.begin(), sorted.time_to_mql_days.end()));
    for (std::size_t m = 0; m < kMetricCount; ++m) {
      INFO(metric_defs()[m].name);
      CHECK((row_sorted[m] == row_selected[m] || (std::isnan(row_sorted[m]) && std::isnan(row_selected[m]))));
    }
    std::vector<double> team_row_sorted(metric_defs(ScopeKind::team).size()), team_row_selected(team_row_sorted),
        team_parts(component_defs(ScopeKind::team).size());
    compute_team_metrics(team_sorted, 24.0, team_row_sorted, team_parts, SampleOrder::sorted);
    compute_team_metrics(team_selected, 24.0, team_row_selected, team_parts, SampleOrder::percentiles_only);
    for (std::size_t m = 0; m < team_row_sorted.size(); ++m)
      CHECK((team_row_sorted[m] == team_row_selected[m] ||
             (std::isnan(team_row_sorted[m]) && std::isnan(team_row_selected[m]))));
  }
}
