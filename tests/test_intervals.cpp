// Intervals for figures observed once: Wilson, exact Poisson, order statistics, against values
// worked out independently (published tables, the binomial sums) and by coverage.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <vector>

#include "core/random.hpp"
#include "funnelsim/core/intervals.hpp"

using namespace funnelsim;

TEST_CASE("intervals: Wilson score interval", "[intervals]") {
  // 10 of 100: 0.0552 to 0.1744 (Newcombe 1998, method 3).
  const Interval i = wilson_interval(10, 100);
  CHECK(i.low == Approx(0.05523).epsilon(1e-3));
  CHECK(i.high == Approx(0.17437).epsilon(1e-3));
  CHECK(wilson_interval(0, 10).low == 0.0);
  CHECK(wilson_interval(0, 10).high == Approx(0.27753).epsilon(1e-3));
  CHECK(wilson_interval(10, 10).high == 1.0);
  CHECK(std::isnan(wilson_interval(1, 0).low));
  CHECK(std::isnan(wilson_interval(5, 4).low));
}

TEST_CASE("intervals: exact Poisson interval (Garwood)", "[intervals]") {
  // Tabulated: k = 0 -> [0, 3.689]; k = 1 -> [0.0253, 5.572]; k = 10 -> [4.795, 18.39].
  CHECK(poisson_interval(0).low == 0.0);
  CHECK(poisson_interval(0).high == Approx(3.68888).epsilon(1e-4));
  CHECK(poisson_interval(1).low == Approx(0.025318).epsilon(1e-4));
  CHECK(poisson_interval(1).high == Approx(5.57164).epsilon(1e-4));
  CHECK(poisson_interval(10).low == Approx(4.79539).epsilon(1e-4));
  CHECK(poisson_interval(10).high == Approx(18.39036).epsilon(1e-4));
}

TEST_CASE("intervals: order statistics cover the quantile at least 95% of the time", "[intervals]") {
  // Uniform samples of 60: the median's and the 90th percentile's intervals, over 4,000 samples.
  // Binomial coverage of the construction is >= 95%; 4 se of 4,000 trials is 1.4 points.
  RandomStream stream(3, 0, StreamId{1, 2, 3});
  std::vector<double> sample(60);
  for (double q : {0.5, 0.9}) {
    int covered = 0;
    const int trials = 4000;
    for (int t = 0; t < trials; ++t) {
      for (double& x : sample) x = stream.uniform();
      std::sort(sample.begin(), sample.end());
      const Interval i = quantile_interval(sample, q);
      covered += i.low <= q && q <= i.high;
    }
    const double share = static_cast<double>(covered) / trials;
    CHECK(share >= 0.95 - 4.0 * std::sqrt(0.95 * 0.05 / trials));
    CHECK(share < 0.995);  // not the whole sample either
  }
  CHECK(std::isnan(quantile_interval({}, 0.5).low));
}
