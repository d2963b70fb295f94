#include "funnelsim/metrics.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "funnelsim/statistics.hpp"

namespace funnelsim {
namespace {

constexpr std::array<MetricDef, kMetricCount> kFunnelMetrics{{
    {"leads", "leads", Better::higher, "New leads that arrived in the horizon."},
    {"disqualified_leads", "leads", Better::neither, "Leads with a disqualifying attribute (never MQL)."},
    {"mqls", "leads", Better::neither, "Leads that became marketing qualified in the horizon."},
    {"mqls_instant", "leads", Better::neither, "MQLs by a high-intent action (instant path)."},
    {"mqls_engagement", "leads", Better::neither, "MQLs by accumulated score (engagement path)."},
    {"sqls", "leads", Better::higher, "MQLs accepted by sales within the horizon."},
    {"lead_to_mql_rate", "ratio", Better::neither, "mqls / leads."},
    {"mql_to_sql_rate", "ratio", Better::higher, "sqls / mqls."},
    {"lead_to_sql_rate", "ratio", Better::higher, "sqls / leads."},
    {"spend", "currency", Better::lower, "Channel spend over the horizon."},
    {"cost_per_lead", "currency/lead", Better::lower, "spend / leads."},
    {"cost_per_mql", "currency/lead", Better::lower, "spend / mqls."},
    {"cost_per_sql", "currency/lead", Better::lower, "spend / sqls (marketing spend only)."},
    {"time_to_mql_days", "days", Better::lower, "Mean days from arrival to MQL, over MQLs."},
    {"time_to_mql_days_p90", "days", Better::lower, "90th percentile (type 7) of days to MQL within the replication."},
    {"ready_leads", "leads", Better::neither, "Leads sales would accept (by latent readiness), MQL or not."},
    {"mql_precision", "ratio", Better::higher, "Share of MQLs that sales would accept."},
    {"mql_recall", "ratio", Better::higher, "Share of ready leads that became MQLs."},
    {"missed_ready_leads", "leads", Better::lower, "Ready leads that never became MQLs in the horizon."},
    {"response_time_hours", "hours", Better::lower, "Mean hours from MQL to the first contact attempt."},
    {"response_time_hours_p50", "hours", Better::lower, "Median hours from MQL to the first attempt, within the replication."},
    {"response_time_hours_p90", "hours", Better::lower, "90th percentile of hours from MQL to the first attempt, within the replication."},
    {"sla_attainment", "ratio", Better::higher, "Share of MQLs whose first attempt came within their path's SLA (MQLs whose deadline passed or who were attempted)."},
    {"sla_attainment_instant", "ratio", Better::higher, "sla_attainment for instant-path MQLs."},
    {"sla_attainment_engagement", "ratio", Better::higher, "sla_attainment for engagement-path MQLs."},
    {"queue_wait_hours", "hours", Better::lower, "Mean hours a queue entry waited for a rep (every attempt; waits still open at the horizon end count up to it)."},
    {"contact_attempts", "attempts", Better::neither, "Contact attempts made by reps."},
    {"cold_leads", "leads", Better::lower, "MQLs that went cold: not reached within their patience."},
    {"rejections_bad_fit", "leads", Better::neither, "MQLs sales rejected as a bad fit (readiness below the bad-fit cut)."},
    {"rejections_not_ready", "leads", Better::neither, "MQLs sales rejected as not ready yet (candidates for recycling)."},
    {"rejections_unreachable", "leads", Better::lower, "MQLs never reached after every contact attempt."},
}};

constexpr std::array<MetricDef, static_cast<std::size_t>(TeamMetric::count)> kTeamMetrics{{
    {"mqls", "leads", Better::neither, "MQLs routed to the team."},
    {"attempts", "attempts", Better::neither, "Contact attempts made."},
    {"contacts", "leads", Better::neither, "Attempts that reached the lead."},
    {"sqls", "leads", Better::higher, "Leads the team accepted."},
    {"acceptance_rate", "ratio", Better::neither, "sqls / contacts."},
    {"response_time_hours", "hours", Better::lower, "Mean hours from MQL to the first attempt."},
    {"response_time_hours_p50", "hours", Better::lower, "Median hours from MQL to the first attempt."},
    {"response_time_hours_p90", "hours", Better::lower, "90th percentile of hours from MQL to the first attempt."},
    {"sla_attainment", "ratio", Better::higher, "Share of MQLs attempted within their path's SLA."},
    {"queue_entries", "entries", Better::neither, "Times a lead joined the queue (first attempts and retries)."},
    {"queue_wait_hours", "hours", Better::lower, "Mean hours per queue entry until a rep took it or it left."},
    {"queue_wait_share", "ratio", Better::lower, "Share of queue entries that waited at all (Erlang C's P(wait > 0))."},
    {"queue_length_mean", "leads", Better::lower, "Time-average number of leads waiting in the queue over the horizon."},
    {"queue_length_max", "leads", Better::lower, "Largest number of leads waiting at once."},
    {"rep_utilization", "ratio", Better::neither, "Busy hours / scheduled hours of the team's reps (work finishing after a shift counts as busy)."},
    {"cold_leads", "leads", Better::lower, "Leads that went cold waiting for this team."},
    {"rejections_bad_fit", "leads", Better::neither, "Rejected as a bad fit."},
    {"rejections_not_ready", "leads", Better::neither, "Rejected as not ready."},
    {"rejections_unreachable", "leads", Better::lower, "Never reached after every attempt."},
}};

constexpr std::array<MetricDef, static_cast<std::size_t>(RepMetric::count)> kRepMetrics{{
    {"attempts", "attempts", Better::neither, "Contact attempts made by the rep."},
    {"contacts", "leads", Better::neither, "Attempts that reached the lead."},
    {"sqls", "leads", Better::higher, "Leads the rep accepted."},
    {"acceptance_rate", "ratio", Better::neither, "sqls / contacts: differs between reps by their strictness."},
    {"utilization", "ratio", Better::neither, "Busy hours / scheduled hours."},
}};

constexpr std::array<std::string_view, kSeriesCount> kSeries{"leads", "mqls", "sqls", "backlog"};

double ratio(double numerator, double denominator) noexcept {
  return denominator > 0.0 ? numerator / denominator : std::numeric_limits<double>::quiet_NaN();
}

double sorted_percentile(std::vector<double>& values, double q) {
  std::sort(values.begin(), values.end());
  return percentile_sorted(values, q);
}

}  // namespace

std::string_view scope_kind_name(ScopeKind kind) {
  return kind == ScopeKind::funnel ? "funnel" : kind == ScopeKind::team ? "team" : "rep";
}

std::span<const MetricDef> metric_defs(ScopeKind kind) {
  switch (kind) {
    case ScopeKind::team: return kTeamMetrics;
    case ScopeKind::rep: return kRepMetrics;
    default: return kFunnelMetrics;
  }
}

const MetricDef& metric_def(Metric m) { return kFunnelMetrics[static_cast<std::size_t>(m)]; }
std::span<const std::string_view> series_names() { return kSeries; }

std::size_t metric_index(std::string_view name, ScopeKind kind) {
  const auto defs = metric_defs(kind);
  for (std::size_t i = 0; i < defs.size(); ++i)
    if (defs[i].name == name) return i;
  return defs.size();
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
  responded += o.responded;
  response_hours_sum += o.response_hours_sum;
  for (std::size_t p = 0; p < 2; ++p) {
    sla_due[p] += o.sla_due[p];
    sla_met[p] += o.sla_met[p];
  }
  queue_entries += o.queue_entries;
  queue_wait_hours_sum += o.queue_wait_hours_sum;
  attempts += o.attempts;
  cold += o.cold;
  rejected_bad_fit += o.rejected_bad_fit;
  rejected_not_ready += o.rejected_not_ready;
  rejected_unreachable += o.rejected_unreachable;
  has_sales = has_sales || o.has_sales;
}

void FunnelTally::clear() noexcept {
  counts = FunnelCounts{};
  time_to_mql_days.clear();
  response_hours.clear();
}

void TeamTally::clear() noexcept {
  counts = TeamCounts{};
  response_hours.clear();
}

void compute_metrics(FunnelTally& tally, std::span<double> row) {
  const FunnelCounts& c = tally.counts;
  const double nan = std::numeric_limits<double>::quiet_NaN();
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
  set(Metric::time_to_mql_days_p90, sorted_percentile(tally.time_to_mql_days, 0.9));
  set(Metric::ready_leads, c.ready_leads);
  set(Metric::mql_precision, ratio(c.ready_mqls, c.mqls));
  set(Metric::mql_recall, ratio(c.ready_mqls, c.ready_leads));
  set(Metric::missed_ready_leads, c.ready_leads - c.ready_mqls);
  set(Metric::response_time_hours, ratio(c.response_hours_sum, c.responded));
  std::sort(tally.response_hours.begin(), tally.response_hours.end());
  set(Metric::response_time_hours_p50, percentile_sorted(tally.response_hours, 0.5));
  set(Metric::response_time_hours_p90, percentile_sorted(tally.response_hours, 0.9));
  set(Metric::sla_attainment, ratio(c.sla_met[0] + c.sla_met[1], c.sla_due[0] + c.sla_due[1]));
  set(Metric::sla_attainment_instant, ratio(c.sla_met[0], c.sla_due[0]));
  set(Metric::sla_attainment_engagement, ratio(c.sla_met[1], c.sla_due[1]));
  set(Metric::queue_wait_hours, ratio(c.queue_wait_hours_sum, c.queue_entries));
  // Without sales teams there are no attempts, so these counts are undefined, not zero.
  set(Metric::contact_attempts, c.has_sales ? c.attempts : nan);
  set(Metric::cold_leads, c.has_sales ? c.cold : nan);
  set(Metric::rejections_bad_fit, c.rejected_bad_fit);
  set(Metric::rejections_not_ready, c.rejected_not_ready);
  set(Metric::rejections_unreachable, c.has_sales ? c.rejected_unreachable : nan);
}

void compute_team_metrics(TeamTally& tally, double horizon_hours, std::span<double> row) {
  const TeamCounts& c = tally.counts;
  auto set = [&](TeamMetric m, double v) { row[static_cast<std::size_t>(m)] = v; };
  set(TeamMetric::mqls, c.mqls);
  set(TeamMetric::attempts, c.attempts);
  set(TeamMetric::contacts, c.contacts);
  set(TeamMetric::sqls, c.sqls);
  set(TeamMetric::acceptance_rate, ratio(c.sqls, c.contacts));
  set(TeamMetric::response_time_hours, ratio(c.response_hours_sum, c.responded));
  std::sort(tally.response_hours.begin(), tally.response_hours.end());
  set(TeamMetric::response_time_hours_p50, percentile_sorted(tally.response_hours, 0.5));
  set(TeamMetric::response_time_hours_p90, percentile_sorted(tally.response_hours, 0.9));
  set(TeamMetric::sla_attainment, ratio(c.sla_met, c.sla_due));
  set(TeamMetric::queue_entries, c.queue_entries);
  set(TeamMetric::queue_wait_hours, ratio(c.queue_wait_hours_sum, c.queue_entries));
  set(TeamMetric::queue_wait_share, ratio(c.waited_entries, c.queue_entries));
  set(TeamMetric::queue_length_mean, ratio(c.queue_area_hours, horizon_hours));
  set(TeamMetric::queue_length_max, c.queue_max);
  set(TeamMetric::rep_utilization, ratio(c.busy_hours, c.scheduled_hours));
  set(TeamMetric::cold_leads, c.cold);
  set(TeamMetric::rejections_bad_fit, c.rejected_bad_fit);
  set(TeamMetric::rejections_not_ready, c.rejected_not_ready);
  set(TeamMetric::rejections_unreachable, c.rejected_unreachable);
}

void compute_rep_metrics(const RepCounts& c, std::span<double> row) {
  auto set = [&](RepMetric m, double v) { row[static_cast<std::size_t>(m)] = v; };
  set(RepMetric::attempts, c.attempts);
  set(RepMetric::contacts, c.contacts);
  set(RepMetric::sqls, c.sqls);
  set(RepMetric::acceptance_rate, ratio(c.sqls, c.contacts));
  set(RepMetric::utilization, ratio(c.busy_hours, c.scheduled_hours));
}

}  // namespace funnelsim
