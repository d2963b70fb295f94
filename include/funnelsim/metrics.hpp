#pragma once
/// The metrics of one replication, for the whole funnel and for each source.
/// Each metric is declared once here with its unit and which direction is better.
#include <array>
#include <cstddef>
#include <span>
#include <string_view>
#include <vector>

namespace funnelsim {

enum class Better { higher, lower, neither };

struct MetricDef {
  std::string_view name;
  std::string_view unit;
  Better better;
  std::string_view description;
};

/// Metric indices; the order is the output column order.
enum class Metric : std::size_t {
  leads, disqualified_leads, mqls, mqls_instant, mqls_engagement, sqls,
  lead_to_mql_rate, mql_to_sql_rate, lead_to_sql_rate,
  spend, cost_per_lead, cost_per_mql, cost_per_sql,
  time_to_mql_days, time_to_mql_days_p90,
  ready_leads, mql_precision, mql_recall, missed_ready_leads,
  count
};
inline constexpr std::size_t kMetricCount = static_cast<std::size_t>(Metric::count);

std::span<const MetricDef> metric_defs();
const MetricDef& metric_def(Metric m);
/// Index of a metric by name, or kMetricCount.
std::size_t metric_index(std::string_view name);

/// Weekly series, bucketed by the week the step happened in.
enum class Series : std::size_t { leads, mqls, sqls, count };
inline constexpr std::size_t kSeriesCount = static_cast<std::size_t>(Series::count);
std::span<const std::string_view> series_names();

/// Raw counts of one scope (whole funnel or one source) in one replication.
struct FunnelCounts {
  double leads = 0, disqualified = 0, mqls = 0, mqls_instant = 0, mqls_engagement = 0, sqls = 0;
  double ready_leads = 0, ready_mqls = 0, spend = 0, time_to_mql_sum = 0;
  void add(const FunnelCounts& other) noexcept;
};

/// Fills one metrics row from counts. `time_to_mql` holds the scope's times to MQL (days);
/// it is partially reordered to take the p90. Undefined ratios (x / 0) are NaN.
void compute_metrics(const FunnelCounts& counts, std::span<double> time_to_mql, std::span<double> row);

}  // namespace funnelsim
