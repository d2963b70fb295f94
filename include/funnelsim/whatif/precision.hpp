#pragma once
/// Precision targets: add replications in batches until the 95% confidence interval of one
/// whole-funnel metric's headline figure is narrow enough relative to the figure: its mean, or
/// for a ratio metric its pooled ratio (delta-method interval, see pooled_ratio).
///
/// Replication r is always the same replication (its streams depend on (seed, r) only), the
/// batches have a fixed size, and the stopping rule looks only at completed batches, in order:
/// the replications run, and so every output, are a pure function of (scenario, seed, target,
/// cap), whatever the thread count.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <span>
#include <string_view>

#include "funnelsim/core/usage_error.hpp"
#include "funnelsim/metrics/replication_table.hpp"

namespace funnelsim {

inline constexpr std::uint64_t kPrecisionBatch = 50;   ///< replications added per step
inline constexpr std::uint64_t kPrecisionCap = 20000;  ///< the most replications, unless the caller says

struct PrecisionTarget {
  std::size_t metric = 0;            ///< index in metric_defs(ScopeKind::funnel)
  double relative_half_width = 0.0;  ///< e.g. 0.01: the half-width below 1% of |mean|
};

/// Parses "METRIC=REL%" (or a fraction, "METRIC=0.01"), 0 < REL <= 100%. Throws UsageError
/// ("expected ..., found ...", with the metric as subject for a bad REL) for malformed text or
/// an unknown metric.
PrecisionTarget parse_precision(std::string_view text);

struct PrecisionOutcome {
  static constexpr double undefined = std::numeric_limits<double>::quiet_NaN();
  PrecisionTarget target;
  double achieved = undefined;  ///< the final relative half-width
  bool met = false;             ///< achieved < target (false when the cap stopped the run first)
};

/// t(0.975, n - 1) * sd / sqrt(n) / |mean| over the defined values, exactly as summarize()
/// computes the interval; NaN with fewer than two defined values or a mean of 0.
double relative_half_width(std::span<const double> values);

/// The relative half-width of the paired difference variant - base: t(0.975, n - 1) * sd(d) /
/// sqrt(n) / |mean of base| over the replications where both are defined; NaN with fewer than
/// two pairs or a base mean of 0. A difference that is the same in every pair has width 0.
double paired_relative_half_width(std::span<const double> base, std::span<const double> variant);

/// What a stopping rule reads after a batch: the relative half-width now achieved (NaN when it
/// is undefined), and whether more replications cannot help (undefined or 0 everywhere so far).
struct PrecisionReading {
  double achieved = PrecisionOutcome::undefined;
  bool hopeless = false;
};

/// The reading for one metric's mean over `values`: relative_half_width, and hopeless when the
/// metric is undefined in every value or 0 in every one (no relative precision to reach).
PrecisionReading mean_precision(std::span<const double> values);

/// The reading for one whole-funnel metric of a table: mean_precision of its column, or for a
/// ratio metric that of its pooled ratio, t(0.975, n - 1) se / |value| (NaN with fewer than two
/// replications or a value of 0), hopeless when the ratio is undefined (no denominator in any
/// replication) or 0 without spread.
PrecisionReading table_precision(const ReplicationTable& table, std::size_t metric);

/// The relative half-width of the paired difference variant - base of one whole-funnel metric,
/// relative to the base's figure: paired_relative_half_width of its columns, or for a ratio
/// metric t(0.975, n - 1) se / |base pooled ratio| of pooled_difference. NaN when undefined.
double paired_table_half_width(const ReplicationTable& base, const ReplicationTable& variant, std::size_t metric);

/// The batching and stopping rule, apart from what a batch runs: run_batch(first, count) runs
/// replications [first, first + count) and keeps them wherever the caller keeps them; read()
/// then measures everything run so far. Batches of kPrecisionBatch (the last cut short at `cap`
/// replications in all) until the target holds at the end of a batch, read() says it is
/// hopeless, the cap is reached, or run_batch returns false (cancelled). Returns the
/// replications run; `outcome` says how it ended.
std::uint64_t run_batches_to_precision(const std::function<bool(std::uint64_t first, std::uint64_t count)>& run_batch,
                                       const std::function<PrecisionReading()>& read, const PrecisionTarget& target,
                                       std::uint64_t first_replication, std::uint64_t cap, PrecisionOutcome& outcome);

}  // namespace funnelsim
