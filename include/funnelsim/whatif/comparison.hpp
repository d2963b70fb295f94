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

struct MetricComparison {
  SummaryStats base, variant;  ///< each scenario's own statistics (all its defined replications)
  PairedDifference difference;
};

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

struct ComparisonReport {
  ComparedScenario base;
  std::vector<ComparedScenario> variants;
  std::vector<std::vector<ScopeComparison>> results;  ///< [variant][scope], from compare_tables(base, variant)
  std::uint64_t seed = 0;
  std::uint64_t replications = 0;
  std::uint64_t first_replication = 0;
  /// With --precision: the target on every variant's paired difference, and how the run ended.
  std::optional<PrecisionOutcome> precision;
};

/// Names as labels: a name used more than once keeps its first use and becomes "<name>#k" at
/// its k-th use (k >= 2).
std::vector<std::string> unique_labels(const std::vector<std::string>& names);

}  // namespace funnelsim
