#pragma once
/// Regression-based sensitivity: how much of an output's spread across replications several
/// inputs that were drawn per replication (uncertain inputs) explain, and which of them.
#include <cstddef>
#include <limits>
#include <span>
#include <vector>

namespace funnelsim {

struct RegressionSensitivity {
  static constexpr double undefined = std::numeric_limits<double>::quiet_NaN();
  std::size_t n = 0;  ///< replications used: those where the output is defined
  /// Standardized regression coefficients, one per input: the least-squares coefficients of the
  /// output's z-score on the inputs' z-scores (sample standard deviations), fitted together.
  /// An input without spread gets NaN and stays out of the fit.
  std::vector<double> src;
  /// Spearman rank correlation of each input with the output (average ranks for ties); NaN for an
  /// input or output without spread.
  std::vector<double> spearman;
  /// 1 - residual / total sum of squares of that fit: the share of the output's variance the
  /// inputs explain linearly; 0 when no input has spread. NaN without spread in the output, or
  /// with n < (inputs fitted) + 2.
  double r_squared = undefined;
};

/// inputs[k][r]: input k in replication r; output[r] (NaN = undefined: that replication is dropped).
/// Every input must hold output.size() values (std::invalid_argument otherwise).
RegressionSensitivity regression_sensitivity(const std::vector<std::vector<double>>& inputs,
                                             std::span<const double> output);

/// Ranks 1..n of the values, ties sharing their average rank.
std::vector<double> average_ranks(std::span<const double> values);

/// Pearson correlation of the average ranks; NaN for fewer than 2 values or no spread.
double spearman_correlation(std::span<const double> x, std::span<const double> y);

}  // namespace funnelsim
