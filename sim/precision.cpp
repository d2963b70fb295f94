#include "funnelsim/precision.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "funnelsim/fraction.hpp"
#include "funnelsim/metrics.hpp"
#include "funnelsim/objective.hpp"
#include "funnelsim/statistics.hpp"

namespace funnelsim {

PrecisionTarget parse_precision(std::string_view text) {
  const auto eq = text.find('=');
  if (eq == std::string_view::npos || eq == 0)
    throw UsageError(
        fmt::format("--precision: expected METRIC=REL% (e.g. cost_per_sql_marketing=1%), found \"{}\"", text));
  const std::string_view name = text.substr(0, eq), rel = text.substr(eq + 1);
  PrecisionTarget target;
  target.metric = parse_funnel_metric("--precision", name);
  const auto fraction = parse_fraction(rel);
  if (!fraction || !(*fraction > 0.0 && *fraction <= 1.0))
    throw UsageError(fmt::format(
        "--precision {}: expected a relative half-width such as 1% or 0.01, above 0 and at most 100%, found \"{}\"",
        name, rel));
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

RunResult run_to_precision(const BatchRunner& run_batch, const PrecisionTarget& target, std::uint64_t first_replication,
                           std::uint64_t cap, PrecisionOutcome& outcome) {
  outcome = PrecisionOutcome{target};
  std::uint64_t done = 0;
  RunResult all = run_batch(first_replication, std::min(kPrecisionBatch, cap));
  std::vector<double> column;
  for (;;) {
    done = all.table.replications();
    all.table.column(0, target.metric, column);
    outcome.achieved = relative_half_width(column);
    outcome.met = outcome.achieved < target.relative_half_width;
    // Undefined everywhere, or 0 everywhere: no relative precision, and more of the same will not help.
    const MeanVar mv = mean_variance(column);
    const bool hopeless = mv.n == 0 || (mv.mean == 0.0 && !(mv.variance > 0.0));
    if (all.cancelled || outcome.met || hopeless || done >= cap) return all;
    RunResult next = run_batch(first_replication + done, std::min(kPrecisionBatch, cap - done));
    all.table.append(next.table);
    all.cancelled = next.cancelled;
    all.work.leads += next.work.leads;
    all.work.events += next.work.events;
    all.work.sales_events += next.work.sales_events;
    all.work.sales_seconds += next.work.sales_seconds;
  }
}

}  // namespace funnelsim
