#include "funnelsim/core/regression.hpp"

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>

#include "funnelsim/core/statistics.hpp"

namespace funnelsim {
namespace {

double pearson(std::span<const double> x, std::span<const double> y) {
  const MeanVar mx = mean_variance(x), my = mean_variance(y);
  if (mx.n < 2 || !(mx.variance > 0.0) || !(my.variance > 0.0)) return RegressionSensitivity::undefined;
  double sxy = 0.0;
  for (std::size_t i = 0; i < x.size(); ++i) sxy += (x[i] - mx.mean) * (y[i] - my.mean);
  const double r = sxy / static_cast<double>(mx.n - 1) / std::sqrt(mx.variance * my.variance);
  return std::clamp(r, -1.0, 1.0);
}

}  // namespace

std::vector<double> average_ranks(std::span<const double> values) {
  std::vector<std::size_t> order(values.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return values[a] < values[b]; });
  std::vector<double> ranks(values.size());
  for (std::size_t i = 0; i < order.size();) {
    std::size_t j = i;
    while (j + 1 < order.size() && values[order[j + 1]] == values[order[i]]) ++j;
    const double rank = 0.5 * static_cast<double>(i + j) + 1.0;  // ranks i+1 .. j+1 share their mean
    for (std::size_t k = i; k <= j; ++k) ranks[order[k]] = rank;
    i = j + 1;
  }
  return ranks;
}

double spearman_correlation(std::span<const double> x, std::span<const double> y) {
  if (x.size() != y.size()) throw std::invalid_argument("spearman_correlation: x and y differ in size");
  const std::vector<double> rx = average_ranks(x), ry = average_ranks(y);
  return pearson(rx, ry);
}

RegressionSensitivity regression_sensitivity(const std::vector<std::vector<double>>& inputs,
                                             std::span<const double> output) {
  for (const auto& input : inputs)
    if (input.size() != output.size())
      throw std::invalid_argument("regression_sensitivity: every input needs one value per replication");
  RegressionSensitivity result;
  result.src.assign(inputs.size(), RegressionSensitivity::undefined);
  result.spearman.assign(inputs.size(), RegressionSensitivity::undefined);
  std::vector<std::size_t> rows;
  for (std::size_t r = 0; r < output.size(); ++r)
    if (!std::isnan(output[r])) rows.push_back(r);
  result.n = rows.size();
  std::vector<double> y;
  for (std::size_t r : rows) y.push_back(output[r]);
  std::vector<std::vector<double>> x(inputs.size());
  for (std::size_t k = 0; k < inputs.size(); ++k)
    for (std::size_t r : rows) x[k].push_back(inputs[k][r]);
  for (std::size_t k = 0; k < inputs.size(); ++k) result.spearman[k] = spearman_correlation(x[k], y);

  const MeanVar my = mean_variance(y);
  if (my.n < 2 || !(my.variance > 0.0)) return result;
  std::vector<std::size_t> fitted;  // inputs with spread
  std::vector<MeanVar> mx(inputs.size());
  for (std::size_t k = 0; k < inputs.size(); ++k) {
    mx[k] = mean_variance(x[k]);
    if (mx[k].variance > 0.0) fitted.push_back(k);
  }
  const std::size_t n = rows.size();
  if (n < fitted.size() + 2) return result;
  if (fitted.empty()) {  // inputs without spread explain none of the output's variance
    result.r_squared = 0.0;
    return result;
  }
  Eigen::MatrixXd z(static_cast<Eigen::Index>(n), static_cast<Eigen::Index>(fitted.size()));
  Eigen::VectorXd zy(static_cast<Eigen::Index>(n));
  const double sy = std::sqrt(my.variance);
  for (std::size_t i = 0; i < n; ++i) {
    const auto row = static_cast<Eigen::Index>(i);
    zy(row) = (y[i] - my.mean) / sy;
    for (std::size_t c = 0; c < fitted.size(); ++c) {
      const MeanVar& m = mx[fitted[c]];
      z(row, static_cast<Eigen::Index>(c)) = (x[fitted[c]][i] - m.mean) / std::sqrt(m.variance);
    }
  }
  // Centered variables need no intercept; column-pivoting QR copes with nearly collinear inputs.
  const Eigen::VectorXd beta = z.colPivHouseholderQr().solve(zy);
  for (std::size_t c = 0; c < fitted.size(); ++c) result.src[fitted[c]] = beta(static_cast<Eigen::Index>(c));
  const double residual = (zy - z * beta).squaredNorm(), total = zy.squaredNorm();
  result.r_squared = std::clamp(1.0 - residual / total, 0.0, 1.0);
  return result;
}

}  // namespace funnelsim
