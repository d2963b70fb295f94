#include "funnelsim/whatif/precision.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <optional>
#include <vector>

#include "core/fraction.hpp"
#include "funnelsim/metrics/metrics.hpp"
#include "funnelsim/metrics/run_summary.hpp"
#include "funnelsim/whatif/comparison.hpp"
#include "funnelsim/whatif/objective.hpp"
#include "funnelsim/core/statistics.hpp"

namespace funnelsim {

PrecisionTarget parse_precision(std::string_view text) {
  const auto eq = text.find('=');
  if (eq == std::string_view::npos || eq == 0)
    throw UsageError(fmt::format("expected METRIC=REL% (e.g. cost_per_sql_marketing=1%), found \"{}\"", text));
  const std::string_view name = text.substr(0, eq), rel = text.substr(eq + 1);
  PrecisionTarget target;
  target.metric = parse_funnel_metric(name);
  const auto fraction = parse_fraction(rel);
  if (!fraction || !(*fraction > 0.0 && *fraction <= 1.0))
    throw UsageError(std::string(name),
                     fmt::format("expected a relative half-width such as 1% or 0.01, above 0 and at most 100%, found "
                                 "\"{}\"",
                                 rel));
  target.relative_half_width = *fraction;
  return target;
}

double relative_half_width(std::span<const double> values) {
  const MeanVar mv = mean_variance(values);
  if (mv.n < 2 || mv.mean == 0.0) return PrecisionOutcome::undefined;
  const double n = static_cast<double>(mv.n);
  const double half_width = student_t_critical(0.05, n - 1.0) * (std::sqrt(mv.variance) / std::sqrt(n));
  return half_width / std::abs(mv.mean);
}

double paired_relative_half_width(std::span<const double> base, std::span<const double> variant) {
  std::vector<double> b, d;
  for (std::size_t r = 0; r < base.size() && r < variant.size(); ++r)
    if (!std::isnan(base[r]) && !std::isnan(variant[r])) {
      b.push_back(base[r]);
      d.push_back(variant[r] - base[r]);
    }
  const MeanVar base_mv = mean_variance(b), diff = mean_variance(d);
  if (diff.n < 2 || base_mv.mean == 0.0) return PrecisionOutcome::undefined;
  const double n = static_cast<double>(diff.n);
  return student_t_critical(0.05, n - 1.0) * (std::sqrt(diff.variance) / std::sqrt(n)) / std::abs(base_mv.mean);
}

PrecisionReading mean_precision(std::span<const double> values) {
  const MeanVar mv = mean_variance(values);
  return {relative_half_width(values), mv.n == 0 || (mv.mean == 0.0 && !(mv.variance > 0.0))};
}

PrecisionReading table_precision(const ReplicationTable& table, std::size_t metric) {
  std::vector<double> column;
  if (!metric_defs()[metric].is_ratio()) {
    table.column(0, metric, column);
    return mean_precision(column);
  }
  const PooledRatio p = pooled_ratio_of(table, 0, metric);
  PrecisionReading reading;
  reading.hopeless = std::isnan(p.value) || (p.value == 0.0 && !(p.se > 0.0));
  if (p.n >= 2 && std::isfinite(p.se) && p.value != 0.0)
    reading.achieved = student_t_critical(0.05, static_cast<double>(p.n) - 1.0) * p.se / std::abs(p.value);
  return reading;
}

double paired_table_half_width(const ReplicationTable& base, const ReplicationTable& variant, std::size_t metric) {
  std::vector<double> b, v;
  const auto columns = ratio_columns(ScopeKind::funnel, metric);
  if (!columns) {
    base.column(0, metric, b);
    variant.column(0, metric, v);
    return paired_relative_half_width(b, v);
  }
  std::vector<double> bd, vd;
  base.column(0, columns->numerator, b);
  base.column(0, columns->denominator, bd);
  variant.column(0, columns->numerator, v);
  variant.column(0, columns->denominator, vd);
  const PooledDifference d = pooled_difference(b, bd, v, vd, Better::neither);
  if (d.n_paired < 2 || !std::isfinite(d.se) || d.base == 0.0 || std::isnan(d.base)) return PrecisionOutcome::undefined;
  return student_t_critical(0.05, static_cast<double>(d.n_paired) - 1.0) * d.se / std::abs(d.base);
}

std::uint64_t run_batches_to_precision(const std::function<bool(std::uint64_t first, std::uint64_t count)>& run_batch,
                                       const std::function<PrecisionReading()>& read, const PrecisionTarget& target,
                                       std::uint64_t first_replication, std::uint64_t cap, PrecisionOutcome& outcome) {
  outcome = PrecisionOutcome{target};
  std::uint64_t done = 0;
  while (done < cap) {
    const std::uint64_t count = std::min(kPrecisionBatch, cap - done);
    if (!run_batch(first_replication + done, count)) return done + count;  // cancelled: the caller discards it
    done += count;
    const PrecisionReading reading = read();
    outcome.achieved = reading.achieved;
    outcome.met = reading.achieved < target.relative_half_width;
    if (outcome.met || reading.hopeless) break;
  }
  return done;
}

}  // namespace funnelsim
