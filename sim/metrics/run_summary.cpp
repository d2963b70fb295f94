#include "funnelsim/metrics/run_summary.hpp"

namespace funnelsim {

HeadlineFigure RunSummary::headline(std::size_t scope, std::size_t m) const {
  if (metric_defs(scopes[scope].kind)[m].is_ratio()) {
    const PooledRatio& p = pooled[scope][m];
    return {p.value, p.ci95_low, p.ci95_high, true};
  }
  const SummaryStats& s = metrics[scope][m];
  return {s.mean, s.ci95_low, s.ci95_high, false};
}

PooledRatio pooled_ratio_of(const ReplicationTable& table, std::size_t scope, std::size_t metric) {
  const auto columns = ratio_columns(table.scope(scope).kind, metric);
  if (!columns) return {};
  std::vector<double> numerators, denominators;
  table.column(scope, columns->numerator, numerators);
  table.column(scope, columns->denominator, denominators);
  return pooled_ratio(numerators, denominators);
}

RunSummary summarize_run(const ReplicationTable& table) {
  RunSummary summary;
  summary.scopes = table.scope_list();
  summary.weeks = table.weeks();
  summary.replications = table.replications();
  std::vector<double> column, scratch;
  for (std::size_t scope = 0; scope < table.scopes(); ++scope) {
    auto& stats = summary.metrics.emplace_back();
    auto& pooled = summary.pooled.emplace_back();
    for (std::size_t m = 0; m < metric_defs(table.scope(scope).kind).size(); ++m) {
      table.column(scope, m, column);
      stats.push_back(summarize(column, scratch));
      pooled.push_back(pooled_ratio_of(table, scope, m));
    }
  }
  for (std::size_t scope = 0; scope < table.funnel_scopes(); ++scope) {
    const std::vector<SummaryStats> weekly = summarize_weekly(table, scope);
    summary.weekly.insert(summary.weekly.end(), weekly.begin(), weekly.end());
  }
  return summary;
}

std::vector<SummaryStats> summarize_weekly(const ReplicationTable& table, std::size_t scope) {
  std::vector<SummaryStats> out;
  std::vector<double> column(table.replications()), scratch;
  for (std::size_t k = 0; k < kSeriesCount; ++k) {
    for (std::size_t w = 0; w < table.weeks(); ++w) {
      for (std::size_t r = 0; r < table.replications(); ++r)
        column[r] = table.weekly(r, scope, static_cast<Series>(k))[w];
      out.push_back(summarize(column, scratch));
    }
  }
  return out;
}

}  // namespace funnelsim
