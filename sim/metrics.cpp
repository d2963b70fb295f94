#include "funnelsim/metrics.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "funnelsim/statistics.hpp"

namespace funnelsim {
namespace {

constexpr std::array<MetricDef, kMetricCount> kMetrics{{
    {"leads", "leads", Better::higher, "New leads that arrived in the horizon."},
    {"disqualified_leads", "leads", Better::neither, "Leads with a disqualifying attribute (never MQL)."},
    {"mqls", "leads", Better::neither, "Leads that became marketing qualified in the horizon."},
    {"mqls_instant", "leads", Better::neither, "MQLs by a high-intent action (instant path)."},
    {"mqls_engagement", "leads", Better::neither, "MQLs by accumulated score (engagement path)."},
    {"sqls", "leads", Better::higher, "MQLs accepted by sales."},
    {"lead_to_mql_rate", "ratio", Better::neither, "mqls / leads."},
    {"mql_to_sql_rate", "ratio", Better::higher, "sqls / mqls."},
    {"lead_to_sql_rate", "ratio", Better::higher, "sqls / leads."},
    {"spend", "currency", Better::lower, "Channel spend over the horizon."},
    {"cost_per_lead", "currency/lead", Better::lower, "spend / leads."},
    {"cost_per_mql", "currency/lead", Better::lower, "spend / mqls."},
    {"cost_per_sql", "currency/lead", Better::lower, "spend / sqls."},
    {"time_to_mql_days", "days", Better::lower, "Mean days from arrival to MQL, over MQLs."},
    {"time_to_mql_days_p90", "days", Better::lower, "90th percentile (type 7) of days to MQL within the replication."},
    {"ready_leads", "leads", Better::neither, "Leads sales would accept (by latent readiness), MQL or not."},
    {"mql_precision", "ratio", Better::higher, "Share of MQLs that sales would accept."},
    {"mql_recall", "ratio", Better::higher, "Share of ready leads that became MQLs."},
    {"missed_ready_leads", "leads", Better::lower, "Ready leads that never became MQLs in the horizon."},
}};

constexpr std::array<std::string_view, kSeriesCount> kSeries{"leads", "mqls", "sqls"};

double ratio(double numerator, double denominator) noexcept {
  return denominator > 0.0 ? numerator / denominator : std::numeric_limits<double>::quiet_NaN();
}

}  // namespace

std::span<const MetricDef> metric_defs() { return kMetrics; }
const MetricDef& metric_def(Metric m) { return kMetrics[static_cast<std::size_t>(m)]; }
std::span<const std::string_view> series_names() { return kSeries; }

std::size_t metric_index(std::string_view name) {
  for (std::size_t i = 0; i < kMetrics.size(); ++i)
    if (kMetrics[i].name == name) return i;
  return kMetricCount;
}

void FunnelCounts::add(const FunnelCounts& o) noexcept {
  leads += o.leads;
  disqualified += o.disqualified;
  mqls += o.mqls;
  mqls_instant += o.mqls_instant;
  mqls_engagement += o.mqls_engagement;
  sqls += o.sqls;
  ready_leads += o.ready_leads;
  ready_mqls += o.ready_mqls;
  spend += o.spend;
  time_to_mql_sum += o.time_to_mql_sum;
}

void compute_metrics(const FunnelCounts& c, std::span<double> time_to_mql, std::span<double> row) {
  auto set = [&](Metric m, double v) { row[static_cast<std::size_t>(m)] = v; };
  set(Metric::leads, c.leads);
  set(Metric::disqualified_leads, c.disqualified);
  set(Metric::mqls, c.mqls);
  set(Metric::mqls_instant, c.mqls_instant);
  set(Metric::mqls_engagement, c.mqls_engagement);
  set(Metric::sqls, c.sqls);
  set(Metric::lead_to_mql_rate, ratio(c.mqls, c.leads));
  set(Metric::mql_to_sql_rate, ratio(c.sqls, c.mqls));
  set(Metric::lead_to_sql_rate, ratio(c.sqls, c.leads));
  set(Metric::spend, c.spend);
  set(Metric::cost_per_lead, ratio(c.spend, c.leads));
  set(Metric::cost_per_mql, ratio(c.spend, c.mqls));
  set(Metric::cost_per_sql, ratio(c.spend, c.sqls));
  set(Metric::time_to_mql_days, ratio(c.time_to_mql_sum, c.mqls));
  std::sort(time_to_mql.begin(), time_to_mql.end());
  set(Metric::time_to_mql_days_p90, percentile_sorted(time_to_mql, 0.9));
  set(Metric::ready_leads, c.ready_leads);
  set(Metric::mql_precision, ratio(c.ready_mqls, c.mqls));
  set(Metric::mql_recall, ratio(c.ready_mqls, c.ready_leads));
  set(Metric::missed_ready_leads, c.ready_leads - c.ready_mqls);
}

}  // namespace funnelsim
