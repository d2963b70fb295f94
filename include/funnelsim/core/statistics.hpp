#pragma once
#include <cmath>
#include <cstddef>
#include <limits>
#include <numbers>
#include <span>
#include <string_view>
#include <vector>

namespace funnelsim {

/// Statistics of one metric across replications. Undefined values (NaN) are skipped; n_defined
/// counts the rest. A statistic that cannot be computed is NaN: everything when n_defined == 0;
/// sd, se, ci95_* when n_defined < 2. A default-constructed value is the n_defined == 0 result.
struct SummaryStats {
  static constexpr double undefined = std::numeric_limits<double>::quiet_NaN();
  double mean = undefined, sd = undefined, se = undefined, ci95_low = undefined, ci95_high = undefined, p5 = undefined,
         p10 = undefined, p25 = undefined, p50 = undefined, p75 = undefined, p90 = undefined, p95 = undefined,
         min = undefined, max = undefined;
  std::size_t n_defined = 0;

  /// The statistic by its output name (one of statistic_names()), n_defined as a double.
  /// Throws std::out_of_range for an unknown name.
  double get(std::string_view name) const;
};

/// The output names, in output order: mean, sd, se, ci95_low, ci95_high, p5, p10, p25, p50, p75,
/// p90, p95, min, max, n_defined.
std::span<const std::string_view> statistic_names();

/// Summarize values given in replication order (NaN = undefined). The mean is Welford's running
/// mean over the values in that order (so it equals mean_variance(values).mean bit for bit);
/// percentiles are Hyndman & Fan type 7 on the sorted defined values; ci95 = mean ± t(0.975, n-1)·se.
/// `scratch` is reused storage (cleared and refilled) so callers can avoid allocation in loops.
SummaryStats summarize(std::span<const double> values, std::vector<double>& scratch);
SummaryStats summarize(std::span<const double> values);

/// Percentile of already-sorted, NaN-free data, q in [0,1] (else std::invalid_argument), linear
/// interpolation between order statistics (Hyndman & Fan type 7, R's default, numpy's 'linear'):
/// h = (n-1)q, x[floor h] + (h - floor h)(x[floor h + 1] - x[floor h]). NaN for empty input.
double percentile_sorted(std::span<const double> sorted, double q);

/// Two-sided Student t critical value: the quantile at 1 - alpha/2 with dof degrees of freedom
/// (dof >= 1; non-integer dof allowed), via Boost.Math. Throws std::domain_error for alpha
/// outside (0, 1) or dof <= 0.
double student_t_critical(double alpha, double dof);

/// Standard normal CDF. Inline: cheap enough to call once per simulated lead.
inline double normal_cdf(double x) noexcept { return 0.5 * std::erfc(-x / std::numbers::sqrt2); }

/// The pooled ratio of a ratio metric across replications: R = sum(x_i) / sum(y_i) over the n
/// replications where both the numerator x_i and the denominator y_i are defined (not NaN), the
/// figure a finance reader computes as totals over totals. Its 95% interval is by the delta
/// method for a ratio of means: var(R) ~ (s_x^2 - 2 R s_xy + R^2 s_y^2) / (n ybar^2), which is
/// the sample variance of the residuals x_i - R y_i over n ybar^2; ci95 = R -+ t(0.975, n - 1) se.
/// value is NaN when n == 0 or sum(y) is 0 (or the quotient is not finite); se and the interval
/// when n < 2 as well.
struct PooledRatio {
  static constexpr double undefined = std::numeric_limits<double>::quiet_NaN();
  double value = undefined, se = undefined, ci95_low = undefined, ci95_high = undefined;
  double numerator_total = undefined, denominator_total = undefined;  ///< sum(x_i), sum(y_i)
  std::size_t n = 0;                                                  ///< replications where both are defined
};
/// Sums in replication order (the same sums a reader of replications.csv makes).
PooledRatio pooled_ratio(std::span<const double> numerators, std::span<const double> denominators);

/// The per-replication influence of a pooled ratio, (x_i - R y_i) / ybar: the linear term of R's
/// error that the delta method sums. `out` gets one value per replication, NaN where x_i or y_i
/// is NaN; returns false (out unchanged) when the ratio is undefined.
bool pooled_ratio_influence(std::span<const double> numerators, std::span<const double> denominators,
                            const PooledRatio& ratio, std::vector<double>& out);

/// Mean and sample variance by Welford's algorithm (numerically stable), skipping NaN.
struct MeanVar {
  std::size_t n;    ///< number of defined (non-NaN) values
  double mean;      ///< NaN when n == 0
  double variance;  ///< n-1 denominator; NaN when n < 2
};
MeanVar mean_variance(std::span<const double> values);

}  // namespace funnelsim
