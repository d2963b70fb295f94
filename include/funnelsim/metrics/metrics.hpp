#pragma once
/// The metrics of one replication. Three kinds of scope each have their own metric set:
/// the funnel (the whole funnel and each source), a sales team, and one rep. Each metric is
/// defined once, in sim/metrics/metrics.cpp: name, unit, better direction, label, whether it
/// is a headline metric, and its formula; writers, the report and option parsing read that.
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace funnelsim {

enum class Better { higher, lower, neither };

struct MetricDef {
  std::string_view name;
  std::string_view unit;
  Better better;
  std::string_view description;
  /// In users' words ("Cost per SQL, marketing"); empty: the name with spaces, capitalised.
  std::string_view label = {};
  /// Shorter, for the text verdicts ("SQL rate"); empty: the label.
  std::string_view short_label = {};
  /// A funnel metric every verdict, variance split and comparison chart leads with.
  bool headline = false;
  /// A ratio metric: the names of its numerator and denominator, each a metric or a component
  /// (component_defs) of the same scope kind; empty for every other metric. Its value in a
  /// replication is numerator / denominator, and its headline across replications is the pooled
  /// ratio, sum of numerators / sum of denominators (see pooled_ratio).
  std::string_view numerator = {}, denominator = {};
  bool is_ratio() const noexcept { return !numerator.empty(); }
};

/// A quantity a replication records beside its metrics because a ratio metric divides by it (or
/// divides it) and it is not a metric itself: marketing spend, SLAs due, busy hours...
struct ComponentDef {
  std::string_view name;
  std::string_view unit;
  /// In users' words, plural, for "no <label> in 12% of quarters" ("MQLs attempted").
  std::string_view label;
  std::string_view description;
};

/// How values of a unit read: counts of things, a ratio (shown as a percentage), money
/// ("currency", "currency/SQL", ...), money per money ("currency/currency": "$7.20 per $1"), a
/// duration, or other (no metric may have such a unit).
enum class UnitKind { count, ratio, currency, currency_ratio, duration, other };
constexpr UnitKind unit_kind(std::string_view unit) {
  if (unit == "ratio") return UnitKind::ratio;
  if (unit == "currency/currency") return UnitKind::currency_ratio;
  if (unit.starts_with("currency")) return UnitKind::currency;
  if (unit == "days" || unit == "hours") return UnitKind::duration;
  if (unit.empty() || unit == "leads" || unit == "opportunities" || unit == "deals" || unit == "attempts" ||
      unit == "entries")
    return UnitKind::count;
  return UnitKind::other;
}

enum class ScopeKind : std::uint8_t { funnel, team, rep };
std::string_view scope_kind_name(ScopeKind kind);

/// Funnel metrics (whole funnel and per source); the order is the output column order.
// One line per family of metrics, kept by hand:
// clang-format off
enum class Metric : std::size_t {
  leads, disqualified_leads, mqls, mqls_instant, mqls_engagement, mqls_sdr_qualified, mqls_signal, mqls_recycled,
  sqls, sqls_from_recycled, recycled_leads, leads_in_nurture_end, opportunities, won_deals,
  lead_to_mql_rate, mql_to_sql_rate, lead_to_sql_rate, sql_to_opportunity_rate,
  spend, channel_spend, nurture_spend, rep_cost,
  cost_per_lead, cost_per_mql, cost_per_sql_marketing, cost_per_sql_loaded, cost_per_opportunity, cac,
  pipeline_value, weighted_pipeline, revenue, open_opportunities, opportunities_lost_capacity,
  opportunities_closed_share, pipeline_per_dollar, pipeline_coverage,
  time_to_mql_days, time_to_mql_days_p50, time_to_mql_days_p90,
  time_to_mql_days_p50_instant, time_to_mql_days_p90_instant, time_to_mql_days_p50_engagement,
  time_to_mql_days_p90_engagement, time_to_mql_days_p50_sdr_qualified, time_to_mql_days_p90_sdr_qualified,
  time_to_mql_days_p50_signal, time_to_mql_days_p90_signal,
  time_to_mql_days_from_arrival, time_to_mql_days_recycled_from_reentry, time_to_mql_days_recycled_from_arrival,
  ready_leads, mql_precision, mql_recall, missed_ready_leads,
  response_time_hours, response_time_hours_p50, response_time_hours_p90,
  sla_attainment, sla_attainment_instant, sla_attainment_engagement,
  queue_wait_hours, contact_attempts, cold_leads, backlog_at_end,
  rejections_bad_fit, rejections_not_ready, rejections_unreachable,
  count
};
// clang-format on
inline constexpr std::size_t kMetricCount = static_cast<std::size_t>(Metric::count);

/// Sales-team metrics.
// One line per family of metrics, kept by hand:
// clang-format off
enum class TeamMetric : std::size_t {
  mqls, attempts, contacts, sqls, acceptance_rate,
  response_time_hours, response_time_hours_p50, response_time_hours_p90, sla_attainment,
  queue_entries, queue_wait_hours, queue_wait_share, queue_length_mean, queue_length_max,
  rep_utilization, follow_ups, follow_up_hours, cold_leads, backlog_at_end, rejections_bad_fit,
  rejections_not_ready, rejections_unreachable,
  count
};
// clang-format on

/// Per-rep metrics.
enum class RepMetric : std::size_t { attempts, contacts, sqls, acceptance_rate, utilization, count };

std::span<const MetricDef> metric_defs(ScopeKind kind = ScopeKind::funnel);
const MetricDef& metric_def(Metric m);
/// The components a replication records for a kind's ratio metrics, in record order.
std::span<const ComponentDef> component_defs(ScopeKind kind = ScopeKind::funnel);
/// Values a replication records per scope of the kind: its metrics, then its components.
inline std::size_t record_size(ScopeKind kind) { return metric_defs(kind).size() + component_defs(kind).size(); }

/// Where a quantity sits in a scope's record: metric `index` (metric_defs order) or, with
/// `component`, component `index` (component_defs order).
struct RecordColumn {
  bool component = false;
  std::size_t index = 0;
  bool operator==(const RecordColumn&) const = default;
};
struct RatioColumns {
  RecordColumn numerator, denominator;
};
/// The numerator and denominator of a ratio metric; nullopt for any other metric.
std::optional<RatioColumns> ratio_columns(ScopeKind kind, std::size_t metric);
/// The name, unit and label of a record column ("sqls", "SQLs"; "sla_due", "SLAs due").
std::string_view column_name(ScopeKind kind, RecordColumn column);
/// A column's label in users' words, plural: a metric's label, a component's label.
std::string column_label(ScopeKind kind, RecordColumn column);
/// Index of a metric by name within a kind's set, or the set's size when unknown.
std::size_t metric_index(std::string_view name, ScopeKind kind = ScopeKind::funnel);
/// The first metric of that name in the funnel, team, then rep set; null when none.
const MetricDef* find_metric(std::string_view name);
/// The label of a metric, or of the first of that name (find_metric); unknown names read as
/// their name with spaces, capitalised.
std::string metric_label(const MetricDef& def);
std::string metric_label(std::string_view name);
/// The short label, else the label.
std::string short_metric_label(const MetricDef& def);
/// The names of the headline funnel metrics, in set order.
std::span<const std::string_view> headline_metrics();

/// Weekly series of funnel scopes, each with one name (weekly.csv, the report, docs/model.md).
/// Counted in the week they happened: leads, mqls, sqls, first_attempts (MQLs a rep attempted for
/// the first time) and sla_due (MQLs whose SLA deadline fell in the week). Rates of the week:
/// response_time_hours (mean hours from MQL to first attempt, over the week's first_attempts) and
/// sla_attainment (the share of the week's sla_due whose first attempt came in time), NaN in a
/// week without any. Snapshots at each week's end: created_to_date (every lead so far, warm-up
/// and backlog included) and the lifecycle states in_*, which partition it: each lead is in
/// exactly one state (in_sales_backlog = MQLs with sales, not yet resolved).
// One line per family of series, kept by hand:
// clang-format off
enum class Series : std::size_t {
  leads, mqls, sqls, first_attempts, response_time_hours, sla_due, sla_attainment, created_to_date,
  in_active, in_nurture, in_dormant, in_recycle_wait, in_sales_backlog, in_sql, in_rejected, in_cold, in_disqualified,
  count
};
// clang-format on
inline constexpr std::size_t kFirstState = static_cast<std::size_t>(Series::in_active);
inline constexpr std::size_t kSeriesCount = static_cast<std::size_t>(Series::count);
/// A rate of the week (not a count): never summed across sources or weeks.
constexpr bool is_weekly_rate(Series s) { return s == Series::response_time_hours || s == Series::sla_attainment; }
std::span<const std::string_view> series_names();

/// Raw counts of one funnel scope (whole funnel or one source) in one replication.
struct FunnelCounts {
  double leads = 0, disqualified = 0, mqls = 0, sqls = 0;
  std::array<double, 4> mqls_by_path{};  ///< instant, engagement, sdr_qualified, signal
  double mqls_recycled = 0, sqls_from_recycled = 0, recycled = 0, in_nurture_end = 0;
  double ready_leads = 0, ready_mqls = 0, time_to_mql_sum = 0;
  double time_to_mql_from_arrival_sum =
      0;  ///< from each MQL's first arrival (time_to_mql_sum: from its journey's start)
  double recycled_time_to_mql_sum = 0, recycled_time_to_mql_from_arrival_sum = 0;  ///< recycled MQLs only
  double ready_leads_mql = 0;  ///< ready leads whose first journey made them MQLs (recall is per lead)
  double channel_spend = 0, nurture_spend = 0, rep_cost = 0;
  // Pipeline (zero when the scenario has no pipeline section).
  double opportunities = 0, won_deals = 0, open_opportunities = 0, lost_capacity = 0;
  double opportunities_closed = 0;  ///< opportunities created in the window that closed (won or lost) in it
  double pipeline_value = 0, weighted_pipeline = 0, revenue = 0;
  bool has_pipeline = false;
  // Sales handoff (zero when the scenario has no sales teams).
  double responded = 0, response_hours_sum = 0;
  std::array<double, 2> sla_due{}, sla_met{};  ///< by path: instant, engagement
  double queue_entries = 0, queue_wait_hours_sum = 0, attempts = 0, cold = 0;
  double backlog_end = 0;  ///< MQLs with sales, unresolved, at the horizon's end
  double rejected_bad_fit = 0, rejected_not_ready = 0, rejected_unreachable = 0;
  bool has_sales = false;
  void add(const FunnelCounts& other) noexcept;
};

/// A funnel scope's counts plus the samples it takes percentiles of.
struct FunnelTally {
  FunnelCounts counts;
  std::vector<double> time_to_mql_days;
  std::array<std::vector<double>, 4> time_to_mql_by_path;
  std::vector<double> response_hours;
  void clear() noexcept;
};

/// What compute_metrics leaves of a tally's samples: sorted (for a caller that reads them after,
/// as observe's distributions), or only the order statistics the percentile metrics read in their
/// places (the engine, which clears them next: a selection, linear, where a sort is n log n; the
/// same values either way).
enum class SampleOrder { sorted, percentiles_only };

/// Fills one funnel scope's record: its metrics `row` and its `components` (component_defs).
/// Orders the tally's samples in place (`order`). Undefined ratios are NaN. `coverage_target` 0
/// means none (coverage undefined).
void compute_metrics(FunnelTally& tally, double coverage_target, std::span<double> row, std::span<double> components,
                     SampleOrder order = SampleOrder::sorted);

struct TeamCounts {
  double mqls = 0, attempts = 0, contacts = 0, sqls = 0, responded = 0, response_hours_sum = 0;
  double sla_due = 0, sla_met = 0, queue_entries = 0, queue_wait_hours_sum = 0, waited_entries = 0;
  double queue_area_hours = 0, queue_max = 0, busy_hours = 0, scheduled_hours = 0;
  double follow_ups = 0, follow_up_hours = 0;  ///< SDR follow-up conversations held, their rep hours (in busy_hours)
  double cold = 0, rejected_bad_fit = 0, rejected_not_ready = 0, rejected_unreachable = 0;
  double backlog_end = 0;  ///< MQLs routed to the team, unresolved, at the horizon's end
};
struct TeamTally {
  TeamCounts counts;
  std::vector<double> response_hours;
  void clear() noexcept;
};
/// `horizon_hours` turns the queue-length area into a time average.
void compute_team_metrics(TeamTally& tally, double horizon_hours, std::span<double> row, std::span<double> components,
                          SampleOrder order = SampleOrder::sorted);

struct RepCounts {
  double attempts = 0, contacts = 0, sqls = 0, busy_hours = 0, scheduled_hours = 0;
};
void compute_rep_metrics(const RepCounts& counts, std::span<double> row, std::span<double> components);

}  // namespace funnelsim
