#include "funnelsim/metrics/metrics.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "funnelsim/core/statistics.hpp"

namespace funnelsim {
namespace {

constexpr std::array<MetricDef, kMetricCount> kFunnelMetrics{{
    {"leads", "leads", Better::higher, "New leads that arrived in the horizon."},
    {"disqualified_leads", "leads", Better::neither, "Leads with a disqualifying attribute (never MQL)."},
    {"mqls", "leads", Better::neither, "Leads that became marketing qualified in the horizon."},
    {"mqls_instant", "leads", Better::neither, "MQLs by a high-intent action (instant path)."},
    {"mqls_engagement", "leads", Better::neither, "MQLs by accumulated score (engagement path)."},
    {"mqls_sdr_qualified", "leads", Better::neither, "MQLs qualified by an SDR follow-up conversation."},
    {"mqls_signal", "leads", Better::neither, "MQLs triggered by a company intent signal."},
    {"mqls_recycled", "leads", Better::neither, "MQLs of recycled leads (also counted in their path)."},
    {"sqls", "leads", Better::higher, "MQLs accepted by sales within the horizon."},
    {"sqls_from_recycled", "leads", Better::higher, "SQLs whose MQL came from a recycled lead."},
    {"recycled_leads", "leads", Better::neither, "Times a rejected or cold lead was sent back to nurture."},
    {"leads_in_nurture_end", "leads", Better::neither, "Leads in a nurture track at the end of the horizon."},
    {"opportunities", "opportunities", Better::higher, "SQLs that became opportunities within the horizon."},
    {"won_deals", "deals", Better::higher, "Opportunities closed won within the horizon."},
    {"lead_to_mql_rate", "ratio", Better::neither, "mqls / leads."},
    {"mql_to_sql_rate", "ratio", Better::higher, "sqls / mqls."},
    {"lead_to_sql_rate", "ratio", Better::higher, "sqls / leads."},
    {"sql_to_opportunity_rate", "ratio", Better::higher, "opportunities / sqls."},
    {"spend", "currency", Better::lower, "Total cost: channel_spend + nurture_spend + rep_cost."},
    {"channel_spend", "currency", Better::lower, "Spend on lead sources (cost per lead, weekly spend or budget)."},
    {"nurture_spend", "currency", Better::lower, "Spend on nurture touches."},
    {"rep_cost", "currency", Better::lower, "Fully loaded SDR and AE cost; per source, allocated by the rep time its leads used (AEs by opportunities)."},
    {"cost_per_lead", "currency/lead", Better::lower, "Marketing spend (channel + nurture) / leads."},
    {"cost_per_mql", "currency/lead", Better::lower, "Marketing spend (channel + nurture) / mqls."},
    {"cost_per_sql_marketing", "currency/lead", Better::lower, "Marketing spend (channel + nurture) / sqls: the marketing-only cost per SQL."},
    {"cost_per_sql_loaded", "currency/lead", Better::lower, "Total cost including rep cost / sqls: the fully loaded cost per SQL."},
    {"cost_per_opportunity", "currency/opportunity", Better::lower, "Total cost / opportunities."},
    {"cac", "currency/deal", Better::lower, "Customer acquisition cost: total cost / won deals."},
    {"pipeline_value", "currency", Better::higher, "Sum of the amounts of opportunities created within the horizon."},
    {"weighted_pipeline", "currency", Better::higher, "Sum of amount x win probability of opportunities created."},
    {"revenue", "currency", Better::higher, "Sum of the amounts of deals won within the horizon."},
    {"open_opportunities", "opportunities", Better::neither, "Opportunities still open at the end of the horizon."},
    {"opportunities_lost_capacity", "opportunities", Better::lower, "Would-be opportunities lost waiting for a free account executive."},
    {"pipeline_per_dollar", "ratio", Better::higher, "pipeline_value / total cost."},
    {"pipeline_coverage", "ratio", Better::higher, "pipeline_value / the scenario's coverage target."},
    {"time_to_mql_days", "days", Better::lower, "Mean days from arrival to MQL, over MQLs."},
    {"time_to_mql_days_p50", "days", Better::lower, "Median days to MQL within the replication."},
    {"time_to_mql_days_p90", "days", Better::lower, "90th percentile (type 7) of days to MQL within the replication."},
    {"time_to_mql_days_p50_instant", "days", Better::lower, "Median days to MQL, instant path."},
    {"time_to_mql_days_p90_instant", "days", Better::lower, "90th percentile of days to MQL, instant path."},
    {"time_to_mql_days_p50_engagement", "days", Better::lower, "Median days to MQL, engagement path."},
    {"time_to_mql_days_p90_engagement", "days", Better::lower, "90th percentile of days to MQL, engagement path."},
    {"time_to_mql_days_p50_sdr_qualified", "days", Better::lower, "Median days to MQL, SDR-qualified path."},
    {"time_to_mql_days_p90_sdr_qualified", "days", Better::lower, "90th percentile of days to MQL, SDR-qualified path."},
    {"time_to_mql_days_p50_signal", "days", Better::lower, "Median days to MQL, signal path."},
    {"time_to_mql_days_p90_signal", "days", Better::lower, "90th percentile of days to MQL, signal path."},
    {"ready_leads", "leads", Better::neither, "Leads sales would accept (by latent readiness), MQL or not."},
    {"mql_precision", "ratio", Better::higher, "Share of MQLs that sales would accept."},
    {"mql_recall", "ratio", Better::higher, "Share of ready leads (arrived in the horizon) that became MQLs, each lead once."},
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

constexpr std::array<std::string_view, kSeriesCount> kSeries{
    "leads", "mqls", "sqls", "created", "active", "nurture", "dormant", "recycle_wait", "backlog", "sql", "rejected",
    "cold", "disqualified"};

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
  for (std::size_t p = 0; p < mqls_by_path.size(); ++p) mqls_by_path[p] += o.mqls_by_path[p];
  mqls_recycled += o.mqls_recycled;
  sqls_from_recycled += o.sqls_from_recycled;
  recycled += o.recycled;
  in_nurture_end += o.in_nurture_end;
  sqls += o.sqls;
  ready_leads += o.ready_leads;
  ready_mqls += o.ready_mqls;
  ready_leads_mql += o.ready_leads_mql;
  time_to_mql_sum += o.time_to_mql_sum;
  channel_spend += o.channel_spend;
  nurture_spend += o.nurture_spend;
  rep_cost += o.rep_cost;
  opportunities += o.opportunities;
  won_deals += o.won_deals;
  open_opportunities += o.open_opportunities;
  lost_capacity += o.lost_capacity;
  pipeline_value += o.pipeline_value;
  weighted_pipeline += o.weighted_pipeline;
  revenue += o.revenue;
  has_pipeline = has_pipeline || o.has_pipeline;
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
  for (auto& v : time_to_mql_by_path) v.clear();
  response_hours.clear();
}

void TeamTally::clear() noexcept {
  counts = TeamCounts{};
  response_hours.clear();
}

void compute_metrics(FunnelTally& tally, double coverage_target, std::span<double> row) {
  const FunnelCounts& c = tally.counts;
  const double nan = std::numeric_limits<double>::quiet_NaN();
  auto set = [&](Metric m, double v) { row[static_cast<std::size_t>(m)] = v; };
  // Without a pipeline section, pipeline quantities are undefined rather than zero.
  auto pipeline = [&](double v) { return c.has_pipeline ? v : nan; };
  const double marketing = c.channel_spend + c.nurture_spend;
  const double total = marketing + c.rep_cost;
  set(Metric::leads, c.leads);
  set(Metric::disqualified_leads, c.disqualified);
  set(Metric::mqls, c.mqls);
  set(Metric::mqls_instant, c.mqls_by_path[0]);
  set(Metric::mqls_engagement, c.mqls_by_path[1]);
  set(Metric::mqls_sdr_qualified, c.mqls_by_path[2]);
  set(Metric::mqls_signal, c.mqls_by_path[3]);
  set(Metric::mqls_recycled, c.mqls_recycled);
  set(Metric::sqls, c.sqls);
  set(Metric::sqls_from_recycled, c.sqls_from_recycled);
  set(Metric::recycled_leads, c.recycled);
  set(Metric::leads_in_nurture_end, c.in_nurture_end);
  set(Metric::opportunities, pipeline(c.opportunities));
  set(Metric::won_deals, pipeline(c.won_deals));
  set(Metric::lead_to_mql_rate, ratio(c.mqls, c.leads));
  set(Metric::mql_to_sql_rate, ratio(c.sqls, c.mqls));
  set(Metric::lead_to_sql_rate, ratio(c.sqls, c.leads));
  set(Metric::sql_to_opportunity_rate, pipeline(ratio(c.opportunities, c.sqls)));
  set(Metric::spend, total);
  set(Metric::channel_spend, c.channel_spend);
  set(Metric::nurture_spend, c.nurture_spend);
  set(Metric::rep_cost, c.rep_cost);
  set(Metric::cost_per_lead, ratio(marketing, c.leads));
  set(Metric::cost_per_mql, ratio(marketing, c.mqls));
  set(Metric::cost_per_sql_marketing, ratio(marketing, c.sqls));
  set(Metric::cost_per_sql_loaded, ratio(total, c.sqls));
  set(Metric::cost_per_opportunity, pipeline(ratio(total, c.opportunities)));
  set(Metric::cac, pipeline(ratio(total, c.won_deals)));
  set(Metric::pipeline_value, pipeline(c.pipeline_value));
  set(Metric::weighted_pipeline, pipeline(c.weighted_pipeline));
  set(Metric::revenue, pipeline(c.revenue));
  set(Metric::open_opportunities, pipeline(c.open_opportunities));
  set(Metric::opportunities_lost_capacity, pipeline(c.lost_capacity));
  set(Metric::pipeline_per_dollar, pipeline(ratio(c.pipeline_value, total)));
  set(Metric::pipeline_coverage, coverage_target > 0.0 ? pipeline(c.pipeline_value / coverage_target) : nan);
  set(Metric::time_to_mql_days, ratio(c.time_to_mql_sum, c.mqls));
  set(Metric::time_to_mql_days_p90, sorted_percentile(tally.time_to_mql_days, 0.9));
  set(Metric::time_to_mql_days_p50, percentile_sorted(tally.time_to_mql_days, 0.5));
  for (std::size_t p = 0; p < tally.time_to_mql_by_path.size(); ++p) {
    const auto p50 = static_cast<std::size_t>(Metric::time_to_mql_days_p50_instant) + 2 * p;
    row[p50] = sorted_percentile(tally.time_to_mql_by_path[p], 0.5);
    row[p50 + 1] = percentile_sorted(tally.time_to_mql_by_path[p], 0.9);
  }
  set(Metric::ready_leads, c.ready_leads);
  set(Metric::mql_precision, ratio(c.ready_mqls, c.mqls));
  set(Metric::mql_recall, ratio(c.ready_leads_mql, c.ready_leads));
  set(Metric::missed_ready_leads, c.ready_leads - c.ready_leads_mql);
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
