#pragma once
/// Statistics across replications, computed in replication order from the table.
#include <string>
#include <vector>

#include "funnelsim/metrics/metrics.hpp"
#include "funnelsim/metrics/replication_table.hpp"
#include "funnelsim/core/statistics.hpp"

namespace funnelsim {

struct RunSummary {
  std::vector<Scope> scopes;
  std::size_t weeks = 0;
  std::vector<std::vector<SummaryStats>> metrics;  ///< [scope][metric of the scope's set]
  std::vector<SummaryStats> weekly;                ///< [funnel scope][series][week]

  const SummaryStats& metric(std::size_t scope, std::size_t m) const { return metrics[scope][m]; }
  const SummaryStats& metric(std::size_t scope, Metric m) const { return metrics[scope][static_cast<std::size_t>(m)]; }
  const SummaryStats& week(std::size_t scope, Series s, std::size_t w) const {
    return weekly[(scope * kSeriesCount + static_cast<std::size_t>(s)) * weeks + w];
  }
};

RunSummary summarize_run(const ReplicationTable& table);

}  // namespace funnelsim
