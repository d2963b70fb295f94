// Regression-based sensitivity: standardized coefficients recover a known linear law, Spearman
// correlations and average ranks, and what happens without spread or with undefined outputs.
#include <boost/random/normal_distribution.hpp>
#include <catch2/catch.hpp>
#include <cmath>
#include <limits>
#include <vector>

#include "core/random.hpp"
#include "funnelsim/core/regression.hpp"
#include "test_support.hpp"

using namespace funnelsim;

namespace {
using test::undefined;
}

TEST_CASE("regression: SRC and R^2 recover a known linear relationship", "[regression][statistical]") {
  // y = 3 x1 - 2 x2 + 0 x3 + e, x1 ~ N(0, 1), x2 ~ N(5, 2^2), x3 ~ N(0, 1), e ~ N(0, 4^2):
  // var(y) = 9 + 16 + 16 = 41, SRC = b sd(x) / sd(y), R^2 = 25 / 41.
  constexpr std::size_t n = 4000;
  RandomStream stream(1, 0, StreamId{0, 0, stream_tag("test:regression")});
  boost::random::normal_distribution<double> normal;
  std::vector<std::vector<double>> x(3, std::vector<double>(n));
  std::vector<double> y(n);
  for (std::size_t r = 0; r < n; ++r) {
    x[0][r] = normal(stream);
    x[1][r] = 5.0 + 2.0 * normal(stream);
    x[2][r] = normal(stream);
    y[r] = 3.0 * x[0][r] - 2.0 * x[1][r] + 4.0 * normal(stream);
  }
  const RegressionSensitivity s = regression_sensitivity(x, y);
  CHECK(s.n == n);
  const double sd_y = std::sqrt(41.0), r2 = 25.0 / 41.0;
  // Independent inputs: each standardized coefficient has se about sqrt((1 - R^2) / n).
  const double se = std::sqrt((1.0 - r2) / static_cast<double>(n));
  CHECK(std::abs(s.src[0] - 3.0 / sd_y) < test::kSigmas * se);
  CHECK(std::abs(s.src[1] - (-4.0 / sd_y)) < test::kSigmas * se);
  CHECK(std::abs(s.src[2]) < test::kSigmas * se);
  // R^2 has se about 2 sqrt(R^2) (1 - R^2) / sqrt(n) (a squared correlation, delta method).
  CHECK(std::abs(s.r_squared - r2) <
        test::kSigmas * 2.0 * std::sqrt(r2) * (1.0 - r2) / std::sqrt(static_cast<double>(n)));
  CHECK(s.spearman[0] > 0.3);
  CHECK(s.spearman[1] < -0.4);
  CHECK(std::abs(s.spearman[2]) < 0.1);
}

TEST_CASE("regression: an exact linear law gives R^2 = 1 and SRCs summing in quadrature to 1", "[regression]") {
  const std::vector<std::vector<double>> x = {{1, 2, 3, 4, 5, 6}, {2, 1, 4, 3, 6, 5}};
  std::vector<double> y;
  for (std::size_t r = 0; r < 6; ++r) y.push_back(10.0 + 2.0 * x[0][r] + 0.5 * x[1][r]);
  const RegressionSensitivity s = regression_sensitivity(x, y);
  CHECK(s.r_squared == Approx(1.0).epsilon(1e-12));
  // Exactly linear: the standardized coefficients are b sd(x) / sd(y).
  const double sd = [&] {
    double m = 0, v = 0;
    for (double t : y) m += t / 6.0;
    for (double t : y) v += (t - m) * (t - m) / 5.0;
    return std::sqrt(v);
  }();
  CHECK(s.src[0] == Approx(2.0 * std::sqrt(3.5) / sd).epsilon(1e-12));
  CHECK(s.src[1] == Approx(0.5 * std::sqrt(3.5) / sd).epsilon(1e-12));
}

TEST_CASE("regression: average ranks and Spearman correlation", "[regression]") {
  CHECK(average_ranks(std::vector<double>{10, 20, 10, 30}) == std::vector<double>{1.5, 3, 1.5, 4});
  CHECK(average_ranks(std::vector<double>{5, 5, 5}) == std::vector<double>{2, 2, 2});
  const std::vector<double> x = {0.1, 0.5, 0.2, 0.9, 0.7};
  std::vector<double> y;
  for (double v : x) y.push_back(std::exp(10 * v));  // monotone, far from linear
  CHECK(spearman_correlation(x, y) == Approx(1.0).epsilon(1e-15));
  std::vector<double> reversed;
  for (double v : x) reversed.push_back(-v * v * v);
  CHECK(spearman_correlation(x, reversed) == Approx(-1.0).epsilon(1e-15));
  CHECK(std::isnan(spearman_correlation(x, std::vector<double>(5, 1.0))));
}

TEST_CASE("regression: inputs without spread, constant or undefined outputs", "[regression]") {
  const std::vector<std::vector<double>> x = {{1, 2, 3, 4, 5}, {7, 7, 7, 7, 7}};
  const RegressionSensitivity s = regression_sensitivity(x, std::vector<double>{2, 4, undefined, 8, 10});
  CHECK(s.n == 4);
  CHECK(s.src[0] == Approx(1.0).epsilon(1e-12));
  CHECK(std::isnan(s.src[1]));
  CHECK(std::isnan(s.spearman[1]));
  CHECK(s.r_squared == Approx(1.0).epsilon(1e-12));
  const RegressionSensitivity flat = regression_sensitivity(x, std::vector<double>(5, 3.0));
  CHECK(std::isnan(flat.r_squared));
  CHECK(std::isnan(flat.src[0]));
  // No input with spread: they explain nothing.
  const std::vector<std::vector<double>> constant = {std::vector<double>(5, 7.0)};
  const RegressionSensitivity none = regression_sensitivity(constant, std::vector<double>{1, 2, 3, 4, 6});
  CHECK(none.r_squared == 0.0);
  CHECK(std::isnan(none.src[0]));
  // Too few replications for the inputs: no fit.
  const std::vector<std::vector<double>> one = {std::vector<double>{1, 2}};
  CHECK(std::isnan(regression_sensitivity(one, std::vector<double>{1, 3}).r_squared));
  CHECK_THROWS_AS(regression_sensitivity(one, std::vector<double>{1, 2, 3}), std::invalid_argument);
}
