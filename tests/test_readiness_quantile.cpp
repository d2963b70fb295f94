// The readiness table: the Beta quantile at its grid points, interpolated between them, and the
// same values whether a table was just built, taken from the shared cache, or built by several
// threads at once (more shapes than the cache holds, so slots are reused while in use).
#include <boost/math/distributions/beta.hpp>
#include <catch2/catch.hpp>
#include <thread>
#include <vector>

#include "funnelsim/model/readiness_quantile.hpp"

using funnelsim::ReadinessQuantile;
using funnelsim::ReadinessSpec;

namespace {

ReadinessSpec beta_spec(double alpha, double beta) {
  ReadinessSpec spec;
  spec.distribution = ReadinessSpec::Distribution::beta;
  spec.alpha = alpha;
  spec.beta = beta;
  return spec;
}

/// Checks q against Boost at grid points and midway between two of them.
void check_table(const ReadinessQuantile& q, double alpha, double beta) {
  const boost::math::beta_distribution<double> dist(alpha, beta);
  for (int i : {1, 512, 2048, 4000}) {
    const double u = static_cast<double>(i) / ReadinessQuantile::kIntervals;
    CHECK(q(u) == Approx(boost::math::quantile(dist, u)).epsilon(1e-9));
  }
  const double u0 = 100.0 / ReadinessQuantile::kIntervals, u1 = 101.0 / ReadinessQuantile::kIntervals;
  CHECK(q(0.5 * (u0 + u1)) == Approx(0.5 * (q(u0) + q(u1))).epsilon(1e-12));
  CHECK(q(0.0) == 0.0);
  CHECK(q(1.0) == 1.0);
}

}  // namespace

TEST_CASE("readiness: the table is the Beta quantile, and a fixed readiness a constant", "[engine]") {
  check_table(ReadinessQuantile(beta_spec(2.0, 5.0)), 2.0, 5.0);
  ReadinessSpec fixed;
  fixed.distribution = ReadinessSpec::Distribution::fixed;
  fixed.value = 0.3;
  const ReadinessQuantile q(fixed);
  CHECK(q(0.0) == 0.3);
  CHECK(q(0.99) == 0.3);
}

TEST_CASE("readiness: shared tables give the same values from any thread, beyond the cache's size",
          "[engine][determinism]") {
  // 48 shapes, more than the cache's slots, built twice over by two threads at once.
  std::vector<std::vector<double>> seen(2);
  auto work = [](std::vector<double>& out) {
    for (int round = 0; round < 2; ++round)
      for (int k = 0; k < 48; ++k) {
        const ReadinessQuantile q(beta_spec(1.0 + 0.25 * k, 3.0));
        for (double u : {0.1, 0.37, 0.5, 0.93}) out.push_back(q(u));
      }
  };
  std::thread a(work, std::ref(seen[0])), b(work, std::ref(seen[1]));
  a.join();
  b.join();
  CHECK(seen[0] == seen[1]);
  // Round 2 (from the cache or rebuilt) equals round 1.
  const std::size_t half = seen[0].size() / 2;
  CHECK(std::equal(seen[0].begin(), seen[0].begin() + half, seen[0].begin() + half));
  for (int k : {0, 47}) check_table(ReadinessQuantile(beta_spec(1.0 + 0.25 * k, 3.0)), 1.0 + 0.25 * k, 3.0);
}
