#pragma once
/// Paired comparison of a scenario variant with its base. Both run on common random numbers
/// (same seed, same replication indices): replication r of each saw the same leads, so the
/// per-replication difference d_r = variant_r - base_r measures the change without most of the
/// noise, and its statistics are those of a paired sample.
#include <cstdint>
#include <string>
#include <optional>
#include <cstddef>
#include <limits>
#include <span>
#include <vector>

#include "funnelsim/metrics/metrics.hpp"
#include "funnelsim/metrics/replication_table.hpp"
#include "funnelsim/core/statistics.hpp"
#include "funnelsim/scenario/origin.hpp"
#include "funnelsim/whatif/precision.hpp"
#include "funnelsim/whatif/warmup_choice.hpp"

namespace funnelsim {

/// The paired difference of one metric. Replications where either value is undefined (NaN) are
/// dropped; everything below is over the n_paired that remain. A statistic that cannot be
/// computed is NaN: all but n_paired when n_paired == 0; the spreads, intervals and
/// p_better_normal when n_paired < 2.
struct PairedDifference {
  static constexpr double undefined = std::numeric_limits<double>::quiet_NaN();
  std::size_t n_paired = 0;
  double base_mean = undefined, variant_mean = undefined;  ///< over the paired replications
  double mean = undefined;                                 ///< mean of d_r
  double se = undefined;                                   ///< sd(d_r) / sqrt(n_paired)
  double ci95_low = undefined, ci95_high = undefined;      ///< mean -+ t(0.975, n_paired - 1) se
  /// mean / base_mean (undefined when base_mean is 0), with a delta-method interval for the
  /// ratio of paired means R = variant_mean / base_mean: se = sd(variant_r - R base_r) /
  /// (|base_mean| sqrt(n_paired)), interval relative -+ t(0.975, n_paired - 1) se.
  double relative = undefined, relative_se = undefined;
  double relative_ci95_low = undefined, relative_ci95_high = undefined;
  double paired_variance = undefined;    ///< sample variance of d_r
  double unpaired_variance = undefined;  ///< var(base_r) + var(variant_r): d's variance were the runs independent
  /// unpaired / paired variance: how many times more replications independent runs would need
  /// for the same interval width. Undefined when the paired variance is 0 (d_r constant).
  double variance_reduction = undefined;
  /// For a metric with a better direction (NaN for Better::neither):
  /// p_better_share: the share of paired replications in which the variant is better (ties count 1/2);
  /// p_better_normal: Phi(mean / se) (higher is better) or Phi(-mean / se) (lower is better), the
  /// normal-approximation probability that the true mean difference favours the variant.
  double p_better_share = undefined;
  double p_better_normal = undefined;
};

/// `base` and `variant` are one metric in replication order (equal sizes, else
/// std::invalid_argument).
PairedDifference paired_difference(std::span<const double> base, std::span<const double> variant, Better better);

/// The paired difference of a ratio metric's pooled ratios, D = R_variant - R_base, each the
/// pooled ratio over the n_paired replications where both scenarios' numerators and denominators
/// are defined. Delta method on the paired replications: with z_i = (x_i - R y_i) / ybar the
/// influence of replication i on each pooled ratio, D's influence is z_variant,i - z_base,i and
/// se = sd(z_variant - z_base) / sqrt(n_paired); the relative change D / R_base has influence
/// (z_variant,i - (R_variant / R_base) z_base,i) / R_base. Intervals by t(0.975, n_paired - 1).
/// Undefined (NaN) when a pooled ratio is; the spreads and intervals when n_paired < 2 too.
struct PooledDifference {
  static constexpr double undefined = std::numeric_limits<double>::quiet_NaN();
  std::size_t n_paired = 0;
  double base = undefined, variant = undefined;  ///< the pooled ratios over the paired replications
  double mean = undefined;                       ///< variant - base (named as PairedDifference's)
  double se = undefined, ci95_low = undefined, ci95_high = undefined;
  double relative = undefined, relative_se = undefined;  ///< mean / base
  double relative_ci95_low = undefined, relative_ci95_high = undefined;
  double paired_variance = undefined;     ///< n se^2: the variance of D's influence
  double unpaired_variance = undefined;   ///< n (se_base^2 + se_variant^2): were the runs independent
  double variance_reduction = undefined;  ///< unpaired / paired variance
  /// Phi(mean / se) (higher is better) or Phi(-mean / se) (lower); NaN for Better::neither.
  double p_better_normal = undefined;
};

/// Base and variant numerators and denominators, in replication order (equal sizes, else
/// std::invalid_argument).
PooledDifference pooled_difference(std::span<const double> base_numerators, std::span<const double> base_denominators,
                                   std::span<const double> variant_numerators,
                                   std::span<const double> variant_denominators, Better better);

struct MetricComparison {
  SummaryStats base, variant;   ///< each scenario's own statistics (all its defined replications)
  PairedDifference difference;  ///< of the per-replication values (the distribution of the change)
  /// Ratio metrics only (else n == 0 / n_paired == 0): each scenario's pooled ratio over all its
  /// replications, and the paired difference of the pooled ratios, the headline of a ratio.
  PooledRatio base_pooled, variant_pooled;
  PooledDifference pooled;
};

/// The change a reader takes away from a metric's comparison: for a ratio metric the pooled
/// ratios and their paired difference, for any other metric the means and the paired mean
/// difference. Field meanings as in PairedDifference.
struct HeadlineChange {
  static constexpr double undefined = std::numeric_limits<double>::quiet_NaN();
  bool pooled = false;
  double base = undefined, variant = undefined;  ///< pooled ratios, or each scenario's mean
  double mean = undefined, se = undefined, ci95_low = undefined, ci95_high = undefined;
  double relative = undefined, relative_ci95_low = undefined, relative_ci95_high = undefined;
  double paired_variance = undefined, unpaired_variance = undefined, variance_reduction = undefined;
  double p_better_normal = undefined;
  std::size_t n_paired = 0;
};
HeadlineChange headline_change(const MetricDef& def, const MetricComparison& comparison);
/// The change of the per-replication values (base and variant: their paired means).
HeadlineChange headline_change(const PairedDifference& difference);
/// The change of the pooled ratios.
HeadlineChange headline_change(const PooledDifference& difference);

struct ScopeComparison {
  Scope scope;
  std::vector<MetricComparison> metrics;  ///< in metric_defs(scope.kind) order
};

/// Every scope present in both tables (matched by kind and name), in the base table's order.
/// Throws std::invalid_argument when the tables hold different numbers of replications.
std::vector<ScopeComparison> compare_tables(const ReplicationTable& base, const ReplicationTable& variant);

struct ComparedScenario {
  std::string label;                   ///< the scenario's name, made unique among the compared ones (see unique_labels)
  std::string file;                    ///< as given on the command line
  std::vector<std::string> uncertain;  ///< JSON Pointers of its uncertain inputs (drawn per replication)
  WarmupChoice warmup;                 ///< the warm-up it ran with
  ScenarioProvenance provenance;       ///< which scenario it is: files, overrides, resolved hash
};

/// One scenario's whole-funnel weekly series: stats[series * weeks + week] (series_names order).
struct WeeklyView {
  std::size_t weeks = 0;
  std::vector<SummaryStats> stats;
  const SummaryStats& at(Series s, std::size_t week) const { return stats[static_cast<std::size_t>(s) * weeks + week]; }
};

struct ComparisonReport {
  ComparedScenario base;
  std::vector<ComparedScenario> variants;
  std::vector<std::vector<ScopeComparison>> results;  ///< [variant][scope], from compare_tables(base, variant)
  std::uint64_t seed = 0;
  std::uint64_t replications = 0;
  std::uint64_t first_replication = 0;
  /// With --precision: the target on every variant's paired difference, and how the run ended.
  std::optional<PrecisionOutcome> precision;
  /// The weekly series of the base (first) and each variant.
  std::vector<WeeklyView> weekly;
  int horizon_days = 0;  ///< the base's
};

/// Names as labels: a name used more than once keeps its first use and becomes "<name>#k" at
/// its k-th use (k >= 2).
std::vector<std::string> unique_labels(const std::vector<std::string>& names);

}  // namespace funnelsim
