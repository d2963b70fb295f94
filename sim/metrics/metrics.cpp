#include "funnelsim/metrics/metrics.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>
#include <type_traits>

#include "funnelsim/core/statistics.hpp"

namespace funnelsim {
namespace {

constexpr bool kHeadline = true;
const double kNaN = std::numeric_limits<double>::quiet_NaN();

/// Undefined (NaN) when the denominator is 0, or so small that the quotient overflows: a
/// coverage target of 5e-324 gives no number, not infinity.
double ratio(double numerator, double denominator) noexcept {
  const double q = denominator > 0.0 ? numerator / denominator : kNaN;
  return std::isfinite(q) ? q : kNaN;
}

/// What a funnel metric needs to be defined: without a pipeline section pipeline quantities
/// are undefined rather than zero; without sales teams so are the counts of attempts.
enum class Needs { nothing, pipeline, sales };

/// What a formula reads, per scope kind.
struct FunnelInput {
  const FunnelTally& tally;
  const FunnelCounts& c;
  double coverage_target;
  bool has(Needs needs) const noexcept {
    return needs == Needs::pipeline ? c.has_pipeline : needs == Needs::sales ? c.has_sales : true;
  }
};
struct TeamInput {
  const TeamTally& tally;
  const TeamCounts& c;
  double horizon_hours;
  bool has(Needs) const noexcept { return true; }
};
struct RepInput {
  const RepCounts& c;
  bool has(Needs) const noexcept { return true; }
};

// Formulas: a count, a ratio of two quantities, or a percentile of a sorted sample. A count is
// a member of the kind's counts or a function of them.
template <auto Q>
double get(const auto& counts) {
  if constexpr (std::is_member_object_pointer_v<decltype(Q)>)
    return counts.*Q;
  else
    return Q(counts);
}
template <auto Q>
double count(const auto& in) {
  return get<Q>(in.c);
}
template <auto Sample, int Percent>
double percentile(const auto& in) {
  return percentile_sorted(Sample(in.tally), Percent / 100.0);
}

/// How a metric is computed: a function of the scope's input, or a ratio of two quantities named
/// by a metric or a component of the same kind (its value: ratio(numerator, denominator)).
template <class Input>
struct Formula {
  double (*value)(const Input&) = nullptr;
  std::string_view numerator = {}, denominator = {};
  constexpr Formula(double (*f)(const Input&)) : value(f) {}
  constexpr Formula(std::string_view n, std::string_view d) : numerator(n), denominator(d) {}
};
struct Rate {
  std::string_view numerator, denominator;
  template <class Input>
  constexpr operator Formula<Input>() const {
    return Formula<Input>(numerator, denominator);
  }
};
constexpr Rate rate(std::string_view numerator, std::string_view denominator) { return {numerator, denominator}; }

double marketing_spend(const FunnelCounts& c) { return c.channel_spend + c.nurture_spend; }
double total_cost(const FunnelCounts& c) { return marketing_spend(c) + c.rep_cost; }
double missed_ready_leads(const FunnelCounts& c) { return c.ready_leads - c.ready_leads_mql; }
template <std::size_t Path>
double mqls_on(const FunnelCounts& c) {
  return c.mqls_by_path[Path];
}
template <std::size_t... Paths>
double sla_met_on(const FunnelCounts& c) {
  return (c.sla_met[Paths] + ...);
}
template <std::size_t... Paths>
double sla_due_on(const FunnelCounts& c) {
  return (c.sla_due[Paths] + ...);
}
const std::vector<double>& days_to_mql(const FunnelTally& t) { return t.time_to_mql_days; }
template <std::size_t Path>
const std::vector<double>& days_to_mql_on(const FunnelTally& t) {
  return t.time_to_mql_by_path[Path];
}
const std::vector<double>& funnel_response_hours(const FunnelTally& t) { return t.response_hours; }
const std::vector<double>& team_response_hours(const TeamTally& t) { return t.response_hours; }
double pipeline_coverage(const FunnelInput& in) { return ratio(in.c.pipeline_value, in.coverage_target); }
double queue_length_mean(const TeamInput& in) { return ratio(in.c.queue_area_hours, in.horizon_hours); }

/// One metric: what it is and how it is computed, at index `id` of its kind's table.
template <class Id, class Input>
struct Entry {
  Id id;
  MetricDef def;
  Formula<Input> formula;
  Needs needs = Needs::nothing;
};

/// One component: what it is and how it is counted.
template <class Input>
struct ComponentEntry {
  ComponentDef def;
  double (*value)(const Input&);
};

/// A name of a metric or component of the kind, as a record column; nullopt when none has it.
template <class Table, class Components>
constexpr std::optional<RecordColumn> find_column(const Table& table, const Components& components,
                                                  std::string_view name) {
  for (std::size_t i = 0; i < table.size(); ++i)
    if (table[i].def.name == name) return RecordColumn{false, i};
  for (std::size_t i = 0; i < components.size(); ++i)
    if (components[i].def.name == name) return RecordColumn{true, i};
  return std::nullopt;
}

/// Every entry sits at its id's index, has a formula (a function, or a ratio of two names that
/// exist and are not ratios themselves), a unit the writers know and a name no other entry or
/// component has; every component has a counting function and a known unit.
template <class Table, class Components>
constexpr bool well_formed(const Table& table, const Components& components) {
  for (std::size_t i = 0; i < table.size(); ++i) {
    const auto& f = table[i].formula;
    if (static_cast<std::size_t>(table[i].id) != i || table[i].def.name.empty() ||
        unit_kind(table[i].def.unit) == UnitKind::other)
      return false;
    if ((f.value == nullptr) == f.numerator.empty()) return false;  // exactly one of a function and a ratio
    if (!f.numerator.empty()) {
      for (std::string_view operand : {f.numerator, f.denominator}) {
        const auto column = find_column(table, components, operand);
        if (!column || (!column->component && !table[column->index].formula.numerator.empty())) return false;
      }
    }
    for (std::size_t j = 0; j < i; ++j)
      if (table[j].def.name == table[i].def.name) return false;
  }
  for (std::size_t i = 0; i < components.size(); ++i) {
    if (components[i].value == nullptr || components[i].def.name.empty() || components[i].def.label.empty() ||
        unit_kind(components[i].def.unit) == UnitKind::other)
      return false;
    for (std::size_t j = 0; j < table.size(); ++j)
      if (table[j].def.name == components[i].def.name) return false;
    for (std::size_t j = 0; j < i; ++j)
      if (components[j].def.name == components[i].def.name) return false;
  }
  return true;
}

template <class Table>
constexpr auto defs_of(const Table& table) {
  std::array<MetricDef, std::tuple_size_v<Table>> defs{};
  for (std::size_t i = 0; i < table.size(); ++i) {
    defs[i] = table[i].def;
    defs[i].numerator = table[i].formula.numerator;
    defs[i].denominator = table[i].formula.denominator;
  }
  return defs;
}

template <class Components>
constexpr auto component_defs_of(const Components& components) {
  std::array<ComponentDef, std::tuple_size_v<Components>> defs{};
  for (std::size_t i = 0; i < components.size(); ++i) defs[i] = components[i].def;
  return defs;
}

/// Each metric's numerator and denominator columns (both at index 0 for a metric that is not a ratio).
template <class Table, class Components>
constexpr auto ratio_columns_of(const Table& table, const Components& components) {
  std::array<std::optional<RatioColumns>, std::tuple_size_v<Table>> columns{};
  for (std::size_t i = 0; i < table.size(); ++i) {
    const auto& f = table[i].formula;
    if (f.numerator.empty()) continue;
    columns[i] =
        RatioColumns{*find_column(table, components, f.numerator), *find_column(table, components, f.denominator)};
  }
  return columns;
}

// Each row: id, {name, unit, better, description[, label[, short label[, headline]]]}, formula[, needs].
constexpr std::array<Entry<Metric, FunnelInput>, kMetricCount> kFunnel{{
    {Metric::leads,
     {"leads", "leads", Better::higher, "New leads that arrived in the horizon.", "Leads"},
     count<&FunnelCounts::leads>},
    {Metric::disqualified_leads,
     {"disqualified_leads", "leads", Better::neither, "Leads with a disqualifying attribute (never MQL).",
      "Disqualified leads"},
     count<&FunnelCounts::disqualified>},
    {Metric::mqls,
     {"mqls", "leads", Better::neither, "Leads that became marketing qualified in the horizon.", "MQLs", "", kHeadline},
     count<&FunnelCounts::mqls>},
    {Metric::mqls_instant,
     {"mqls_instant", "leads", Better::neither, "MQLs by a high-intent action (instant path).",
      "MQLs by demo request (instant)"},
     count<mqls_on<0>>},
    {Metric::mqls_engagement,
     {"mqls_engagement", "leads", Better::neither, "MQLs by accumulated score (engagement path).",
      "MQLs by score (engagement)"},
     count<mqls_on<1>>},
    {Metric::mqls_sdr_qualified,
     {"mqls_sdr_qualified", "leads", Better::neither, "MQLs qualified by an SDR follow-up conversation."},
     count<mqls_on<2>>},
    {Metric::mqls_signal,
     {"mqls_signal", "leads", Better::neither, "MQLs triggered by a company intent signal."},
     count<mqls_on<3>>},
    {Metric::mqls_recycled,
     {"mqls_recycled", "leads", Better::neither, "MQLs of recycled leads (also counted in their path)."},
     count<&FunnelCounts::mqls_recycled>},
    {Metric::sqls,
     {"sqls", "leads", Better::higher, "MQLs accepted by sales within the horizon.", "SQLs", "", kHeadline},
     count<&FunnelCounts::sqls>},
    {Metric::sqls_from_recycled,
     {"sqls_from_recycled", "leads", Better::higher, "SQLs whose MQL came from a recycled lead."},
     count<&FunnelCounts::sqls_from_recycled>},
    {Metric::recycled_leads,
     {"recycled_leads", "leads", Better::neither, "Times a rejected or cold lead was sent back to nurture."},
     count<&FunnelCounts::recycled>},
    {Metric::leads_in_nurture_end,
     {"leads_in_nurture_end", "leads", Better::neither, "Leads in a nurture track at the end of the horizon."},
     count<&FunnelCounts::in_nurture_end>},
    {Metric::opportunities,
     {"opportunities", "opportunities", Better::higher, "SQLs that became opportunities within the horizon.",
      "Opportunities"},
     count<&FunnelCounts::opportunities>,
     Needs::pipeline},
    {Metric::won_deals,
     {"won_deals", "deals", Better::higher, "Opportunities closed won within the horizon.", "Won deals"},
     count<&FunnelCounts::won_deals>,
     Needs::pipeline},
    {Metric::lead_to_mql_rate,
     {"lead_to_mql_rate", "ratio", Better::neither, "mqls / leads.", "Lead to MQL rate"},
     rate("mqls", "leads")},
    {Metric::mql_to_sql_rate,
     {"mql_to_sql_rate", "ratio", Better::higher, "sqls / mqls.", "SQL rate (MQL to SQL)", "SQL rate", kHeadline},
     rate("sqls", "mqls")},
    {Metric::lead_to_sql_rate,
     {"lead_to_sql_rate", "ratio", Better::higher, "sqls / leads.", "Lead to SQL rate"},
     rate("sqls", "leads")},
    {Metric::sql_to_opportunity_rate,
     {"sql_to_opportunity_rate", "ratio", Better::higher, "opportunities / sqls.", "SQL to opportunity rate"},
     rate("opportunities", "sqls"),
     Needs::pipeline},
    {Metric::spend,
     {"spend", "currency", Better::lower, "Total cost: channel_spend + nurture_spend + rep_cost.", "Total cost"},
     count<total_cost>},
    {Metric::channel_spend,
     {"channel_spend", "currency", Better::lower, "Spend on lead sources (cost per lead, weekly spend or budget).",
      "Channel spend"},
     count<&FunnelCounts::channel_spend>},
    {Metric::nurture_spend,
     {"nurture_spend", "currency", Better::lower, "Spend on nurture touches.", "Nurture spend"},
     count<&FunnelCounts::nurture_spend>},
    {Metric::rep_cost,
     {"rep_cost", "currency", Better::lower,
      "Fully loaded SDR and AE cost; per source, allocated by the rep time its leads used (AEs by opportunities).",
      "Rep cost"},
     count<&FunnelCounts::rep_cost>},
    {Metric::cost_per_lead,
     {"cost_per_lead", "currency/lead", Better::lower, "Marketing spend (channel + nurture) / leads.", "Cost per lead"},
     rate("marketing_spend", "leads")},
    {Metric::cost_per_mql,
     {"cost_per_mql", "currency/MQL", Better::lower, "Marketing spend (channel + nurture) / mqls.", "Cost per MQL"},
     rate("marketing_spend", "mqls")},
    {Metric::cost_per_sql_marketing,
     {"cost_per_sql_marketing", "currency/SQL", Better::lower,
      "Marketing spend (channel + nurture) / sqls: the marketing-only cost per SQL.", "Cost per SQL, marketing",
      "cost per SQL (marketing)", kHeadline},
     rate("marketing_spend", "sqls")},
    {Metric::cost_per_sql_loaded,
     {"cost_per_sql_loaded", "currency/SQL", Better::lower,
      "Total cost including rep cost / sqls: the fully loaded cost per SQL.", "Cost per SQL, fully loaded"},
     rate("spend", "sqls")},
    {Metric::cost_per_opportunity,
     {"cost_per_opportunity", "currency/opportunity", Better::lower, "Total cost / opportunities.",
      "Cost per opportunity"},
     rate("spend", "opportunities"),
     Needs::pipeline},
    {Metric::cac,
     {"cac", "currency/deal", Better::lower, "Customer acquisition cost: total cost / won deals.",
      "Customer acquisition cost (CAC)"},
     rate("spend", "won_deals"),
     Needs::pipeline},
    {Metric::pipeline_value,
     {"pipeline_value", "currency", Better::higher, "Sum of the amounts of opportunities created within the horizon.",
      "Pipeline created"},
     count<&FunnelCounts::pipeline_value>,
     Needs::pipeline},
    {Metric::weighted_pipeline,
     {"weighted_pipeline", "currency", Better::higher, "Sum of amount x win probability of opportunities created.",
      "Weighted pipeline"},
     count<&FunnelCounts::weighted_pipeline>,
     Needs::pipeline},
    {Metric::revenue,
     {"revenue", "currency", Better::higher, "Sum of the amounts of deals won within the horizon.", "Revenue won"},
     count<&FunnelCounts::revenue>,
     Needs::pipeline},
    {Metric::open_opportunities,
     {"open_opportunities", "opportunities", Better::neither, "Opportunities still open at the end of the horizon."},
     count<&FunnelCounts::open_opportunities>,
     Needs::pipeline},
    {Metric::opportunities_lost_capacity,
     {"opportunities_lost_capacity", "opportunities", Better::lower,
      "Would-be opportunities lost waiting for a free account executive."},
     count<&FunnelCounts::lost_capacity>,
     Needs::pipeline},
    {Metric::opportunities_closed_share,
     {"opportunities_closed_share", "ratio", Better::neither,
      "Share of the opportunities created in the horizon that closed (won or lost) within it: won deals, revenue "
      "and CAC count only the deals that closed inside the horizon.",
      "Opportunities closed within the horizon"},
     rate("opportunities_closed", "opportunities"),
     Needs::pipeline},
    {Metric::pipeline_per_dollar,
     {"pipeline_per_dollar", "currency/currency", Better::higher,
      "pipeline_value / total cost: dollars of pipeline created per dollar spent.", "Pipeline per dollar spent"},
     rate("pipeline_value", "spend"),
     Needs::pipeline},
    {Metric::pipeline_coverage,
     {"pipeline_coverage", "ratio", Better::higher, "pipeline_value / the scenario's coverage target.",
      "Pipeline coverage"},
     pipeline_coverage,
     Needs::pipeline},
    {Metric::time_to_mql_days,
     {"time_to_mql_days", "days", Better::lower,
      "Mean days from the journey's start to MQL, over MQLs: from arrival, or for a recycled lead from its re-entry "
      "into nurture.",
      "Days to MQL"},
     rate("time_to_mql_days_sum", "mqls")},
    {Metric::time_to_mql_days_p50,
     {"time_to_mql_days_p50", "days", Better::lower, "Median days to MQL within the replication."},
     percentile<days_to_mql, 50>},
    {Metric::time_to_mql_days_p90,
     {"time_to_mql_days_p90", "days", Better::lower, "90th percentile (type 7) of days to MQL within the replication."},
     percentile<days_to_mql, 90>},
    {Metric::time_to_mql_days_p50_instant,
     {"time_to_mql_days_p50_instant", "days", Better::lower, "Median days to MQL, instant path."},
     percentile<days_to_mql_on<0>, 50>},
    {Metric::time_to_mql_days_p90_instant,
     {"time_to_mql_days_p90_instant", "days", Better::lower, "90th percentile of days to MQL, instant path."},
     percentile<days_to_mql_on<0>, 90>},
    {Metric::time_to_mql_days_p50_engagement,
     {"time_to_mql_days_p50_engagement", "days", Better::lower, "Median days to MQL, engagement path."},
     percentile<days_to_mql_on<1>, 50>},
    {Metric::time_to_mql_days_p90_engagement,
     {"time_to_mql_days_p90_engagement", "days", Better::lower, "90th percentile of days to MQL, engagement path."},
     percentile<days_to_mql_on<1>, 90>},
    {Metric::time_to_mql_days_p50_sdr_qualified,
     {"time_to_mql_days_p50_sdr_qualified", "days", Better::lower, "Median days to MQL, SDR-qualified path."},
     percentile<days_to_mql_on<2>, 50>},
    {Metric::time_to_mql_days_p90_sdr_qualified,
     {"time_to_mql_days_p90_sdr_qualified", "days", Better::lower,
      "90th percentile of days to MQL, SDR-qualified path."},
     percentile<days_to_mql_on<2>, 90>},
    {Metric::time_to_mql_days_p50_signal,
     {"time_to_mql_days_p50_signal", "days", Better::lower, "Median days to MQL, signal path."},
     percentile<days_to_mql_on<3>, 50>},
    {Metric::time_to_mql_days_p90_signal,
     {"time_to_mql_days_p90_signal", "days", Better::lower, "90th percentile of days to MQL, signal path."},
     percentile<days_to_mql_on<3>, 90>},
    {Metric::time_to_mql_days_from_arrival,
     {"time_to_mql_days_from_arrival", "days", Better::lower,
      "Mean days from the lead's first arrival to MQL, over MQLs (a recycled lead's earlier journeys, sales time and "
      "cooldown included; equal to time_to_mql_days without recycling).",
      "Days to MQL from first arrival"},
     rate("time_to_mql_days_from_arrival_sum", "mqls")},
    {Metric::time_to_mql_days_recycled_from_reentry,
     {"time_to_mql_days_recycled_from_reentry", "days", Better::lower,
      "Mean days from re-entry into nurture to MQL, over recycled MQLs.",
      "Days to MQL of recycled leads, from re-entry"},
     rate("recycled_time_to_mql_days_sum", "mqls_recycled")},
    {Metric::time_to_mql_days_recycled_from_arrival,
     {"time_to_mql_days_recycled_from_arrival", "days", Better::lower,
      "Mean days from first arrival to MQL, over recycled MQLs.", "Days to MQL of recycled leads, from first arrival"},
     rate("recycled_time_to_mql_days_from_arrival_sum", "mqls_recycled")},
    {Metric::ready_leads,
     {"ready_leads", "leads", Better::neither, "Leads sales would accept (by latent readiness), MQL or not.",
      "Ready leads"},
     count<&FunnelCounts::ready_leads>},
    {Metric::mql_precision,
     {"mql_precision", "ratio", Better::higher, "Share of MQLs that sales would accept.", "MQL precision", "",
      kHeadline},
     rate("ready_mqls", "mqls")},
    {Metric::mql_recall,
     {"mql_recall", "ratio", Better::higher,
      "Share of ready leads (arrived in the horizon) that became MQLs, each lead once.", "MQL recall", "", kHeadline},
     rate("ready_leads_mql", "ready_leads")},
    {Metric::missed_ready_leads,
     {"missed_ready_leads", "leads", Better::lower, "Ready leads that never became MQLs in the horizon.",
      "Ready leads missed"},
     count<missed_ready_leads>},
    {Metric::response_time_hours,
     {"response_time_hours", "hours", Better::lower, "Mean hours from MQL to the first contact attempt.",
      "Response time"},
     rate("response_hours_sum", "mqls_attempted")},
    {Metric::response_time_hours_p50,
     {"response_time_hours_p50", "hours", Better::lower,
      "Median hours from MQL to the first attempt, within the replication."},
     percentile<funnel_response_hours, 50>},
    {Metric::response_time_hours_p90,
     {"response_time_hours_p90", "hours", Better::lower,
      "90th percentile of hours from MQL to the first attempt, within the replication.", "Response time, P90"},
     percentile<funnel_response_hours, 90>},
    {Metric::sla_attainment,
     {"sla_attainment", "ratio", Better::higher,
      "Share of MQLs whose first attempt came within their path's SLA (MQLs whose deadline passed or who were "
      "attempted).",
      "SLA met"},
     rate("sla_met", "sla_due")},
    {Metric::sla_attainment_instant,
     {"sla_attainment_instant", "ratio", Better::higher, "sla_attainment for instant-path MQLs."},
     rate("sla_met_instant", "sla_due_instant")},
    {Metric::sla_attainment_engagement,
     {"sla_attainment_engagement", "ratio", Better::higher, "sla_attainment for engagement-path MQLs."},
     rate("sla_met_engagement", "sla_due_engagement")},
    {Metric::queue_wait_hours,
     {"queue_wait_hours", "hours", Better::lower,
      "Mean hours a queue entry waited for a rep (every attempt; waits still open at the horizon end count up to it).",
      "Queue wait"},
     rate("queue_wait_hours_sum", "queue_entries")},
    {Metric::contact_attempts,
     {"contact_attempts", "attempts", Better::neither, "Contact attempts made by reps.", "Contact attempts"},
     count<&FunnelCounts::attempts>,
     Needs::sales},
    {Metric::cold_leads,
     {"cold_leads", "leads", Better::lower, "MQLs that went cold: not reached within their patience.",
      "Leads gone cold"},
     count<&FunnelCounts::cold>,
     Needs::sales},
    {Metric::backlog_at_end,
     {"backlog_at_end", "leads", Better::lower,
      "MQLs with sales and not yet resolved (waiting, or between contact attempts) at the horizon's end: the "
      "weekly backlog series' last value.",
      "Sales backlog at the end"},
     count<&FunnelCounts::backlog_end>,
     Needs::sales},
    {Metric::rejections_bad_fit,
     {"rejections_bad_fit", "leads", Better::neither,
      "MQLs sales rejected as a bad fit (readiness below the bad-fit cut)."},
     count<&FunnelCounts::rejected_bad_fit>},
    {Metric::rejections_not_ready,
     {"rejections_not_ready", "leads", Better::neither,
      "MQLs sales rejected as not ready yet (candidates for recycling)."},
     count<&FunnelCounts::rejected_not_ready>},
    {Metric::rejections_unreachable,
     {"rejections_unreachable", "leads", Better::lower, "MQLs never reached after every contact attempt."},
     count<&FunnelCounts::rejected_unreachable>,
     Needs::sales},
}};
// Each component: {name, unit, label (plural, in users' words), description}, counting function.
constexpr std::array<ComponentEntry<FunnelInput>, 18> kFunnelComponents{{
    {{"marketing_spend", "currency", "marketing spend", "Channel and nurture spend (channel_spend + nurture_spend)."},
     count<marketing_spend>},
    {{"time_to_mql_days_sum", "days", "MQLs",
      "Days from the journey's start (arrival, or a recycled lead's re-entry) to MQL, summed over the MQLs."},
     count<&FunnelCounts::time_to_mql_sum>},
    {{"ready_mqls", "leads", "ready MQLs", "MQLs that sales would accept (by latent readiness)."},
     count<&FunnelCounts::ready_mqls>},
    {{"ready_leads_mql", "leads", "ready leads that became MQLs",
      "Ready leads (arrived in the horizon) whose first journey made them MQLs."},
     count<&FunnelCounts::ready_leads_mql>},
    {{"mqls_attempted", "leads", "MQLs attempted", "MQLs of the horizon that had a first contact attempt in it."},
     count<&FunnelCounts::responded>},
    {{"response_hours_sum", "hours", "MQLs attempted", "Hours from MQL to the first attempt, summed over them."},
     count<&FunnelCounts::response_hours_sum>},
    {{"sla_due", "leads", "MQLs with an SLA due", "MQLs whose SLA deadline passed or that were attempted."},
     count<sla_due_on<0, 1>>},
    {{"sla_met", "leads", "MQLs attempted within their SLA", "MQLs whose first attempt came within their SLA."},
     count<sla_met_on<0, 1>>},
    {{"sla_due_instant", "leads", "instant-path MQLs with an SLA due", "sla_due of instant-path MQLs."},
     count<sla_due_on<0>>},
    {{"sla_met_instant", "leads", "instant-path MQLs attempted within their SLA", "sla_met of instant-path MQLs."},
     count<sla_met_on<0>>},
    {{"sla_due_engagement", "leads", "engagement-path MQLs with an SLA due", "sla_due of engagement-path MQLs."},
     count<sla_due_on<1>>},
    {{"sla_met_engagement", "leads", "engagement-path MQLs attempted within their SLA",
      "sla_met of engagement-path MQLs."},
     count<sla_met_on<1>>},
    {{"queue_entries", "entries", "queue entries", "Times a lead joined a sales queue (first attempts and retries)."},
     count<&FunnelCounts::queue_entries>},
    {{"queue_wait_hours_sum", "hours", "queue entries", "Hours waited in the queue, summed over the entries."},
     count<&FunnelCounts::queue_wait_hours_sum>},
    {{"opportunities_closed", "opportunities", "opportunities closed",
      "Opportunities created in the horizon that closed (won or lost) within it."},
     count<&FunnelCounts::opportunities_closed>},
    {{"time_to_mql_days_from_arrival_sum", "days", "MQLs",
      "Days from the lead's first arrival to MQL, summed over the MQLs."},
     count<&FunnelCounts::time_to_mql_from_arrival_sum>},
    {{"recycled_time_to_mql_days_sum", "days", "recycled MQLs",
      "Days from re-entry into nurture to MQL, summed over the recycled MQLs."},
     count<&FunnelCounts::recycled_time_to_mql_sum>},
    {{"recycled_time_to_mql_days_from_arrival_sum", "days", "recycled MQLs",
      "Days from first arrival to MQL, summed over the recycled MQLs."},
     count<&FunnelCounts::recycled_time_to_mql_from_arrival_sum>},
}};
static_assert(well_formed(kFunnel, kFunnelComponents),
              "kFunnel: entry i must define Metric i, with a formula (a ratio of known, non-ratio quantities), a known "
              "unit and a name no other metric or component has");

constexpr std::array<Entry<TeamMetric, TeamInput>, static_cast<std::size_t>(TeamMetric::count)> kTeam{{
    {TeamMetric::mqls, {"mqls", "leads", Better::neither, "MQLs routed to the team."}, count<&TeamCounts::mqls>},
    {TeamMetric::attempts,
     {"attempts", "attempts", Better::neither, "Contact attempts made."},
     count<&TeamCounts::attempts>},
    {TeamMetric::contacts,
     {"contacts", "leads", Better::neither, "Attempts that reached the lead."},
     count<&TeamCounts::contacts>},
    {TeamMetric::sqls, {"sqls", "leads", Better::higher, "Leads the team accepted."}, count<&TeamCounts::sqls>},
    {TeamMetric::acceptance_rate,
     {"acceptance_rate", "ratio", Better::neither, "sqls / contacts."},
     rate("sqls", "contacts")},
    {TeamMetric::response_time_hours,
     {"response_time_hours", "hours", Better::lower, "Mean hours from MQL to the first attempt."},
     rate("response_hours_sum", "mqls_attempted")},
    {TeamMetric::response_time_hours_p50,
     {"response_time_hours_p50", "hours", Better::lower, "Median hours from MQL to the first attempt."},
     percentile<team_response_hours, 50>},
    {TeamMetric::response_time_hours_p90,
     {"response_time_hours_p90", "hours", Better::lower, "90th percentile of hours from MQL to the first attempt."},
     percentile<team_response_hours, 90>},
    {TeamMetric::sla_attainment,
     {"sla_attainment", "ratio", Better::higher, "Share of MQLs attempted within their path's SLA."},
     rate("sla_met", "sla_due")},
    {TeamMetric::queue_entries,
     {"queue_entries", "entries", Better::neither,
      "Times a lead joined the queue (first attempts, retries and SDR follow-ups)."},
     count<&TeamCounts::queue_entries>},
    {TeamMetric::queue_wait_hours,
     {"queue_wait_hours", "hours", Better::lower, "Mean hours per queue entry until a rep took it or it left."},
     rate("queue_wait_hours_sum", "queue_entries")},
    {TeamMetric::queue_wait_share,
     {"queue_wait_share", "ratio", Better::lower,
      "Share of queue entries that waited at all (Erlang C's P(wait > 0))."},
     rate("waited_entries", "queue_entries")},
    {TeamMetric::queue_length_mean,
     {"queue_length_mean", "leads", Better::lower,
      "Time-average number of leads waiting in the queue over the horizon.", "Mean queue length"},
     queue_length_mean},
    {TeamMetric::queue_length_max,
     {"queue_length_max", "leads", Better::lower, "Largest number of leads waiting at once."},
     count<&TeamCounts::queue_max>},
    {TeamMetric::rep_utilization,
     {"rep_utilization", "ratio", Better::neither,
      "Busy hours / scheduled hours of the team's reps (work finishing after a shift counts as busy).",
      "Rep utilisation"},
     rate("busy_hours", "scheduled_hours")},
    {TeamMetric::follow_ups,
     {"follow_ups", "attempts", Better::neither,
      "SDR follow-up conversations held with leads not yet MQLs (scoring.sdr_follow_up)."},
     count<&TeamCounts::follow_ups>},
    {TeamMetric::follow_up_hours,
     {"follow_up_hours", "hours", Better::neither,
      "Rep hours the SDR follow-up conversations took (part of the busy hours of rep_utilization)."},
     count<&TeamCounts::follow_up_hours>},
    {TeamMetric::cold_leads,
     {"cold_leads", "leads", Better::lower, "Leads that went cold waiting for this team."},
     count<&TeamCounts::cold>},
    {TeamMetric::backlog_at_end,
     {"backlog_at_end", "leads", Better::lower, "MQLs routed to the team and not yet resolved at the horizon's end.",
      "Backlog at the end"},
     count<&TeamCounts::backlog_end>},
    {TeamMetric::rejections_bad_fit,
     {"rejections_bad_fit", "leads", Better::neither, "Rejected as a bad fit."},
     count<&TeamCounts::rejected_bad_fit>},
    {TeamMetric::rejections_not_ready,
     {"rejections_not_ready", "leads", Better::neither, "Rejected as not ready."},
     count<&TeamCounts::rejected_not_ready>},
    {TeamMetric::rejections_unreachable,
     {"rejections_unreachable", "leads", Better::lower, "Never reached after every attempt."},
     count<&TeamCounts::rejected_unreachable>},
}};
constexpr std::array<ComponentEntry<TeamInput>, 8> kTeamComponents{{
    {{"mqls_attempted", "leads", "MQLs attempted", "MQLs of the horizon the team made a first attempt on."},
     count<&TeamCounts::responded>},
    {{"response_hours_sum", "hours", "MQLs attempted", "Hours from MQL to the first attempt, summed over them."},
     count<&TeamCounts::response_hours_sum>},
    {{"sla_due", "leads", "MQLs with an SLA due", "MQLs whose SLA deadline passed or that were attempted."},
     count<&TeamCounts::sla_due>},
    {{"sla_met", "leads", "MQLs attempted within their SLA", "MQLs whose first attempt came within their SLA."},
     count<&TeamCounts::sla_met>},
    {{"queue_wait_hours_sum", "hours", "queue entries", "Hours waited in the queue, summed over the entries."},
     count<&TeamCounts::queue_wait_hours_sum>},
    {{"waited_entries", "entries", "queue entries that waited", "Queue entries that waited at all."},
     count<&TeamCounts::waited_entries>},
    {{"busy_hours", "hours", "busy hours", "Hours the team's reps were busy."}, count<&TeamCounts::busy_hours>},
    {{"scheduled_hours", "hours", "scheduled hours", "Hours the team's reps were on shift."},
     count<&TeamCounts::scheduled_hours>},
}};
static_assert(well_formed(kTeam, kTeamComponents),
              "kTeam: entry i must define TeamMetric i, with a formula (a ratio of known, non-ratio quantities), a "
              "known unit and a name no other metric or component has");

constexpr std::array<Entry<RepMetric, RepInput>, static_cast<std::size_t>(RepMetric::count)> kRep{{
    {RepMetric::attempts,
     {"attempts", "attempts", Better::neither, "Contact attempts made by the rep."},
     count<&RepCounts::attempts>},
    {RepMetric::contacts,
     {"contacts", "leads", Better::neither, "Attempts that reached the lead."},
     count<&RepCounts::contacts>},
    {RepMetric::sqls, {"sqls", "leads", Better::higher, "Leads the rep accepted."}, count<&RepCounts::sqls>},
    {RepMetric::acceptance_rate,
     {"acceptance_rate", "ratio", Better::neither, "sqls / contacts: differs between reps by their strictness."},
     rate("sqls", "contacts")},
    {RepMetric::utilization,
     {"utilization", "ratio", Better::neither, "Busy hours / scheduled hours."},
     rate("busy_hours", "scheduled_hours")},
}};
constexpr std::array<ComponentEntry<RepInput>, 2> kRepComponents{{
    {{"busy_hours", "hours", "busy hours", "Hours the rep was busy."}, count<&RepCounts::busy_hours>},
    {{"scheduled_hours", "hours", "scheduled hours", "Hours the rep was on shift."},
     count<&RepCounts::scheduled_hours>},
}};
static_assert(well_formed(kRep, kRepComponents),
              "kRep: entry i must define RepMetric i, with a formula (a ratio of known, non-ratio quantities), a "
              "known unit and a name no other metric or component has");

constexpr auto kFunnelMetrics = defs_of(kFunnel);
constexpr auto kTeamMetrics = defs_of(kTeam);
constexpr auto kRepMetrics = defs_of(kRep);
constexpr auto kFunnelComponentDefs = component_defs_of(kFunnelComponents);
constexpr auto kTeamComponentDefs = component_defs_of(kTeamComponents);
constexpr auto kRepComponentDefs = component_defs_of(kRepComponents);
constexpr auto kFunnelRatios = ratio_columns_of(kFunnel, kFunnelComponents);
constexpr auto kTeamRatios = ratio_columns_of(kTeam, kTeamComponents);
constexpr auto kRepRatios = ratio_columns_of(kRep, kRepComponents);

constexpr auto kHeadlineNames = [] {
  std::array<std::string_view,
             std::count_if(kFunnelMetrics.begin(), kFunnelMetrics.end(), [](const MetricDef& d) { return d.headline; })>
      names{};
  std::size_t n = 0;
  for (const MetricDef& d : kFunnelMetrics)
    if (d.headline) names[n++] = d.name;
  return names;
}();

/// The components first, then every metric that is a function, then the ratios of them: a
/// ratio's value is exactly its recorded numerator over its recorded denominator.
template <class Table, class Components, class Ratios, class Input>
void fill_record(const Table& table, const Components& components, const Ratios& ratios, const Input& in,
                 std::span<double> row, std::span<double> parts) {
  for (std::size_t i = 0; i < components.size(); ++i) parts[i] = components[i].value(in);
  for (std::size_t i = 0; i < table.size(); ++i)
    if (table[i].formula.value) row[i] = in.has(table[i].needs) ? table[i].formula.value(in) : kNaN;
  auto at = [&](RecordColumn c) { return c.component ? parts[c.index] : row[c.index]; };
  for (std::size_t i = 0; i < table.size(); ++i)
    if (const auto& r = ratios[i]) row[i] = in.has(table[i].needs) ? ratio(at(r->numerator), at(r->denominator)) : kNaN;
}

constexpr std::array<std::string_view, kSeriesCount> kSeries{"leads",
                                                             "mqls",
                                                             "sqls",
                                                             "first_attempts",
                                                             "response_time_hours",
                                                             "sla_due",
                                                             "sla_attainment",
                                                             "created_to_date",
                                                             "in_active",
                                                             "in_nurture",
                                                             "in_dormant",
                                                             "in_recycle_wait",
                                                             "in_sales_backlog",
                                                             "in_sql",
                                                             "in_rejected",
                                                             "in_cold",
                                                             "in_disqualified"};

}  // namespace

std::string_view scope_kind_name(ScopeKind kind) {
  return kind == ScopeKind::funnel ? "funnel" : kind == ScopeKind::team ? "team" : "rep";
}

std::span<const MetricDef> metric_defs(ScopeKind kind) {
  switch (kind) {
    case ScopeKind::team:
      return kTeamMetrics;
    case ScopeKind::rep:
      return kRepMetrics;
    default:
      return kFunnelMetrics;
  }
}

const MetricDef& metric_def(Metric m) { return kFunnelMetrics[static_cast<std::size_t>(m)]; }

std::span<const ComponentDef> component_defs(ScopeKind kind) {
  switch (kind) {
    case ScopeKind::team:
      return kTeamComponentDefs;
    case ScopeKind::rep:
      return kRepComponentDefs;
    default:
      return kFunnelComponentDefs;
  }
}

std::optional<RatioColumns> ratio_columns(ScopeKind kind, std::size_t metric) {
  switch (kind) {
    case ScopeKind::team:
      return metric < kTeamRatios.size() ? kTeamRatios[metric] : std::nullopt;
    case ScopeKind::rep:
      return metric < kRepRatios.size() ? kRepRatios[metric] : std::nullopt;
    default:
      return metric < kFunnelRatios.size() ? kFunnelRatios[metric] : std::nullopt;
  }
}

std::string_view column_name(ScopeKind kind, RecordColumn column) {
  return column.component ? component_defs(kind)[column.index].name : metric_defs(kind)[column.index].name;
}

std::string column_label(ScopeKind kind, RecordColumn column) {
  return column.component ? std::string(component_defs(kind)[column.index].label)
                          : metric_label(metric_defs(kind)[column.index]);
}
std::span<const std::string_view> series_names() { return kSeries; }

std::size_t metric_index(std::string_view name, ScopeKind kind) {
  const auto defs = metric_defs(kind);
  for (std::size_t i = 0; i < defs.size(); ++i)
    if (defs[i].name == name) return i;
  return defs.size();
}

const MetricDef* find_metric(std::string_view name) {
  for (ScopeKind kind : {ScopeKind::funnel, ScopeKind::team, ScopeKind::rep})
    if (const std::size_t i = metric_index(name, kind); i < metric_defs(kind).size()) return &metric_defs(kind)[i];
  return nullptr;
}

std::string metric_label(std::string_view name) {
  if (const MetricDef* def = find_metric(name); def && !def->label.empty()) return std::string(def->label);
  std::string out(name);
  std::replace(out.begin(), out.end(), '_', ' ');
  if (!out.empty() && out[0] >= 'a' && out[0] <= 'z') out[0] = static_cast<char>(out[0] - 'a' + 'A');
  return out;
}

std::string metric_label(const MetricDef& def) {
  return def.label.empty() ? metric_label(def.name) : std::string(def.label);
}

std::string short_metric_label(const MetricDef& def) {
  return def.short_label.empty() ? metric_label(def) : std::string(def.short_label);
}

std::span<const std::string_view> headline_metrics() { return kHeadlineNames; }

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
  time_to_mql_from_arrival_sum += o.time_to_mql_from_arrival_sum;
  recycled_time_to_mql_sum += o.recycled_time_to_mql_sum;
  recycled_time_to_mql_from_arrival_sum += o.recycled_time_to_mql_from_arrival_sum;
  channel_spend += o.channel_spend;
  nurture_spend += o.nurture_spend;
  rep_cost += o.rep_cost;
  opportunities += o.opportunities;
  won_deals += o.won_deals;
  open_opportunities += o.open_opportunities;
  lost_capacity += o.lost_capacity;
  opportunities_closed += o.opportunities_closed;
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
  backlog_end += o.backlog_end;
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

namespace {

/// Puts in place the order statistics percentile_sorted reads at P50 and P90 (the only percentiles
/// the tables above take): positions floor((n - 1) q) and the one after. Each selection works on
/// what lies above the last one placed, which holds exactly the larger order statistics.
void order_sample(std::vector<double>& sample, SampleOrder order) {
  if (order == SampleOrder::sorted) {
    std::sort(sample.begin(), sample.end());
    return;
  }
  if (sample.empty()) return;
  const std::size_t n = sample.size();
  std::size_t placed_below = 0;  // [placed_below, n) holds the order statistics placed_below .. n - 1
  for (const double q : {0.5, 0.9}) {
    const auto i = static_cast<std::size_t>(std::floor(static_cast<double>(n - 1) * q));
    for (std::size_t k = i; k <= std::min(i + 1, n - 1); ++k) {
      if (k < placed_below) continue;
      std::nth_element(sample.begin() + static_cast<std::ptrdiff_t>(placed_below),
                       sample.begin() + static_cast<std::ptrdiff_t>(k), sample.end());
      placed_below = k + 1;
    }
  }
}

}  // namespace

void compute_metrics(FunnelTally& tally, double coverage_target, std::span<double> row, std::span<double> components,
                     SampleOrder order) {
  order_sample(tally.time_to_mql_days, order);
  for (auto& sample : tally.time_to_mql_by_path) order_sample(sample, order);
  order_sample(tally.response_hours, order);
  fill_record(kFunnel, kFunnelComponents, kFunnelRatios, FunnelInput{tally, tally.counts, coverage_target}, row,
              components);
}

void compute_team_metrics(TeamTally& tally, double horizon_hours, std::span<double> row, std::span<double> components,
                          SampleOrder order) {
  order_sample(tally.response_hours, order);
  fill_record(kTeam, kTeamComponents, kTeamRatios, TeamInput{tally, tally.counts, horizon_hours}, row, components);
}

void compute_rep_metrics(const RepCounts& counts, std::span<double> row, std::span<double> components) {
  fill_record(kRep, kRepComponents, kRepRatios, RepInput{counts}, row, components);
}

}  // namespace funnelsim
