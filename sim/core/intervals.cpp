#include "funnelsim/core/intervals.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include <boost/math/distributions/binomial.hpp>
#include <boost/math/special_functions/gamma.hpp>

namespace funnelsim {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kZ = 1.959963984540054;  // the standard normal's 97.5% point

}  // namespace

Interval wilson_interval(double k, double n) {
  if (!(n > 0.0) || k < 0.0 || k > n) return {kNaN, kNaN};
  const double p = k / n, z2 = kZ * kZ;
  const double centre = (p + z2 / (2.0 * n)) / (1.0 + z2 / n);
  const double half = kZ * std::sqrt(p * (1.0 - p) / n + z2 / (4.0 * n * n)) / (1.0 + z2 / n);
  // At k = 0 and k = n the ends are exactly 0 and 1 (centre -+ half, in exact arithmetic).
  return {k == 0.0 ? 0.0 : std::max(0.0, centre - half), k == n ? 1.0 : std::min(1.0, centre + half)};
}

Interval poisson_interval(double k) {
  if (!(k >= 0.0)) return {kNaN, kNaN};
  // chi2(p; 2a) / 2 is the gamma(a) quantile at p.
  const double low = k == 0.0 ? 0.0 : boost::math::gamma_p_inv(k, 0.025);
  const double high = boost::math::gamma_p_inv(k + 1.0, 0.975);
  return {low, high};
}

Interval quantile_interval(std::span<const double> sorted, double q) {
  const std::size_t n = sorted.size();
  if (n == 0) return {kNaN, kNaN};
  const boost::math::binomial_distribution<double> b(static_cast<double>(n), q);
  // l: the largest count with P(X < l) <= 2.5%; u: the smallest with P(X <= u - 1) >= 97.5%.
  const double lo = boost::math::quantile(b, 0.025), hi = boost::math::quantile(b, 0.975);
  const auto l = static_cast<std::size_t>(std::clamp(std::floor(lo), 1.0, static_cast<double>(n)));
  const auto u = static_cast<std::size_t>(std::clamp(std::ceil(hi) + 1.0, 1.0, static_cast<double>(n)));
  return {sorted[l - 1], sorted[u - 1]};
}

}  // namespace funnelsim
