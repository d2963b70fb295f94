#pragma once
/// Statistics across replications, computed in replication order from the table.
#include <string>
#include <vector>

#include "funnelsim/metrics/metrics.hpp"
#include "funnelsim/metrics/replication_table.hpp"
#include "funnelsim/core/statistics.hpp"

namespace funnelsim {

/// The figure a reader takes away for a metric, with its 95% interval: the pooled ratio (totals
/// over totals) for a ratio metric, the mean across replications for every other one.
struct HeadlineFigure {
  double value = SummaryStats::undefined, ci95_low = SummaryStats::undefined, ci95_high = SummaryStats::undefined;
  bool pooled = false;
};

struct RunSummary {
  std::vector<Scope> scopes;
  std::size_t weeks = 0;
  std::size_t replications = 0;
  /// [scope][metric of the scope's set]: the distribution of the metric's per-replication values.
  std::vector<std::vector<SummaryStats>> metrics;
  /// [scope][metric]: the pooled ratio of a ratio metric (n == 0 for any other metric).
  std::vector<std::vector<PooledRatio>> pooled;
  std::vector<SummaryStats> weekly;  ///< [funnel scope][series][week]

  const SummaryStats& metric(std::size_t scope, std::size_t m) const { return metrics[scope][m]; }
  const SummaryStats& metric(std::size_t scope, Metric m) const { return metrics[scope][static_cast<std::size_t>(m)]; }
  const PooledRatio& pooled_ratio(std::size_t scope, std::size_t m) const { return pooled[scope][m]; }
  const PooledRatio& pooled_ratio(std::size_t scope, Metric m) const {
    return pooled[scope][static_cast<std::size_t>(m)];
  }
  HeadlineFigure headline(std::size_t scope, std::size_t m) const;
  HeadlineFigure headline(std::size_t scope, Metric m) const { return headline(scope, static_cast<std::size_t>(m)); }
  const SummaryStats& week(std::size_t scope, Series s, std::size_t w) const {
    return weekly[(scope * kSeriesCount + static_cast<std::size_t>(s)) * weeks + w];
  }
};

/// A ratio metric's pooled ratio from a table's numerator and denominator columns.
PooledRatio pooled_ratio_of(const ReplicationTable& table, std::size_t scope, std::size_t metric);

/// A funnel scope's weekly series across replications: [series][week] (series_names order).
std::vector<SummaryStats> summarize_weekly(const ReplicationTable& table, std::size_t scope);

RunSummary summarize_run(const ReplicationTable& table);

}  // namespace funnelsim
