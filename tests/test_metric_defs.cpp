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
  std::vector<double> row(kMetricCount);
  compute_metrics(tally, 0.0, row);
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
  compute_metrics(tally, 10000.0, row);
  CHECK(at(row, Metric::opportunities) == 2.0);
  CHECK(at(row, Metric::pipeline_coverage) == 0.5);
  CHECK(at(row, Metric::cost_per_opportunity) == 750.0);
  CHECK(std::isnan(at(row, Metric::cac)));  // no won deals
}
