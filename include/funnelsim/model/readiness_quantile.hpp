#pragma once
/// Readiness as a function of a uniform u in [0, 1]: the Beta quantile tabulated at
/// kIntervals + 1 points and interpolated linearly (a Beta quantile per lead would dominate the
/// lead's cost), or a constant.
///
/// A table is a pure function of (alpha, beta) and costs about 15 ms to build, which every
/// compile of every scenario of a sweep or a tornado would pay again: tables are shared, from a
/// small process-wide cache of the most recently built shapes (see readiness_quantile.cpp).
#include <memory>
#include <vector>

#include "funnelsim/scenario/scenario.hpp"

namespace funnelsim {

class ReadinessQuantile {
 public:
  static constexpr int kIntervals = 4096;
  explicit ReadinessQuantile(const ReadinessSpec& spec);
  double operator()(double u) const noexcept {
    if (!points_) return fixed_;
    const double x = u * kIntervals;
    const int i = x < kIntervals ? static_cast<int>(x) : kIntervals - 1;
    const double frac = x - i;
    return points_[i] + frac * (points_[i + 1] - points_[i]);
  }

 private:
  std::shared_ptr<const std::vector<double>> table_;  // null for a fixed readiness
  const double* points_ = nullptr;                    // table_'s data, read once per lead
  double fixed_ = 0.0;
};

}  // namespace funnelsim
