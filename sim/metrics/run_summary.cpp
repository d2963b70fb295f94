#include "funnelsim/metrics/run_summary.hpp"

namespace funnelsim {

RunSummary summarize_run(const ReplicationTable& table) {
  RunSummary summary;
  summary.scopes = table.scope_list();
  summary.weeks = table.weeks();
  std::vector<double> column, scratch;
  for (std::size_t scope = 0; scope < table.scopes(); ++scope) {
    auto& stats = summary.metrics.emplace_back();
    for (std::size_t m = 0; m < metric_defs(table.scope(scope).kind).size(); ++m) {
      table.column(scope, m, column);
      stats.push_back(summarize(column, scratch));
    }
  }
  column.resize(table.replications());
  for (std::size_t scope = 0; scope < table.funnel_scopes(); ++scope) {
    for (std::size_t k = 0; k < kSeriesCount; ++k) {
      for (std::size_t w = 0; w < table.weeks(); ++w) {
        for (std::size_t r = 0; r < table.replications(); ++r)
          column[r] = table.weekly(r, scope, static_cast<Series>(k))[w];
        summary.weekly.push_back(summarize(column, scratch));
      }
    }
  }
  return summary;
}

}  // namespace funnelsim
