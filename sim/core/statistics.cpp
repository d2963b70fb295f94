#include "funnelsim/core/statistics.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <iterator>
#include <stdexcept>
#include <string>
#include <utility>

#include <boost/math/distributions/students_t.hpp>

namespace funnelsim {
namespace {

constexpr double undefined = SummaryStats::undefined;

// One table drives both the output order and get(), so the two cannot drift apart.
constexpr std::array<std::string_view, 15> kStatisticNames{"mean", "sd",  "se",  "ci95_low", "ci95_high",
                                                           "p5",   "p10", "p25", "p50",      "p75",
                                                           "p90",  "p95", "min", "max",      "n_defined"};

// The double-valued members, in the order of `kStatisticNames`; n_defined (last name) is handled apart.
constexpr std::array<double SummaryStats::*, 14> double_fields{
    &SummaryStats::mean, &SummaryStats::sd,  &SummaryStats::se,  &SummaryStats::ci95_low, &SummaryStats::ci95_high,
    &SummaryStats::p5,   &SummaryStats::p10, &SummaryStats::p25, &SummaryStats::p50,      &SummaryStats::p75,
    &SummaryStats::p90,  &SummaryStats::p95, &SummaryStats::min, &SummaryStats::max};
static_assert(double_fields.size() + 1 == kStatisticNames.size());

constexpr std::array<std::pair<double SummaryStats::*, double>, 7> percentile_fields{{{&SummaryStats::p5, 0.05},
                                                                                      {&SummaryStats::p10, 0.10},
                                                                                      {&SummaryStats::p25, 0.25},
                                                                                      {&SummaryStats::p50, 0.50},
                                                                                      {&SummaryStats::p75, 0.75},
                                                                                      {&SummaryStats::p90, 0.90},
                                                                                      {&SummaryStats::p95, 0.95}}};

// Sorted defined values into `out`, reusing its capacity.
void sorted_defined(std::span<const double> values, std::vector<double>& out) {
  out.clear();
  std::copy_if(values.begin(), values.end(), std::back_inserter(out), [](double v) { return !std::isnan(v); });
  std::sort(out.begin(), out.end());
}

}  // namespace

double SummaryStats::get(std::string_view name) const {
  for (std::size_t i = 0; i < double_fields.size(); ++i) {
    if (kStatisticNames[i] == name) return this->*double_fields[i];
  }
  if (name == kStatisticNames.back()) return static_cast<double>(n_defined);
  throw std::out_of_range("unknown statistic name '" + std::string(name) + "'");
}

std::span<const std::string_view> statistic_names() { return kStatisticNames; }

SummaryStats summarize(std::span<const double> values, std::vector<double>& scratch) {
  sorted_defined(values, scratch);
  SummaryStats s;  // all NaN: the answer when nothing is defined
  s.n_defined = scratch.size();
  if (scratch.empty()) return s;

  // Welford over replication order rather than the sorted copy, so the mean agrees exactly with
  // mean_variance(values) and does not depend on how ties or the sort happen to be arranged.
  const MeanVar mv = mean_variance(values);
  s.mean = mv.mean;
  s.min = scratch.front();
  s.max = scratch.back();
  for (const auto& [field, q] : percentile_fields) s.*field = percentile_sorted(scratch, q);

  if (mv.n >= 2) {
    const double n = static_cast<double>(mv.n);
    s.sd = std::sqrt(mv.variance);
    s.se = s.sd / std::sqrt(n);
    const double half_width = student_t_critical(0.05, n - 1.0) * s.se;
    s.ci95_low = s.mean - half_width;
    s.ci95_high = s.mean + half_width;
  }
  return s;
}

SummaryStats summarize(std::span<const double> values) {
  std::vector<double> scratch;
  return summarize(values, scratch);
}

double percentile_sorted(std::span<const double> sorted, double q) {
  if (!(q >= 0.0 && q <= 1.0)) throw std::invalid_argument("percentile q must be in [0, 1]");
  if (sorted.empty()) return undefined;
  const double h = static_cast<double>(sorted.size() - 1) * q;
  const double lo = std::floor(h);
  const double frac = h - lo;
  const auto i = static_cast<std::size_t>(lo);
  // An exact order statistic needs no neighbour: this keeps q = 1 in bounds and returns the
  // data value itself rather than an interpolation that could round.
  if (frac == 0.0) return sorted[i];
  return sorted[i] + frac * (sorted[i + 1] - sorted[i]);
}

double student_t_critical(double alpha, double dof) {
  // Boost would report alpha = 0 as overflow and alpha >= 1 cryptically; say what is wrong.
  if (!(alpha > 0.0 && alpha < 1.0)) throw std::domain_error("t critical alpha must be in (0, 1)");
  const boost::math::students_t dist(dof);
  // The upper-tail complement is more accurate than quantile(dist, 1 - alpha/2) for small alpha.
  return boost::math::quantile(boost::math::complement(dist, alpha / 2.0));
}

PooledRatio pooled_ratio(std::span<const double> numerators, std::span<const double> denominators) {
  PooledRatio p;
  double x = 0.0, y = 0.0;
  for (std::size_t i = 0; i < numerators.size() && i < denominators.size(); ++i) {
    if (std::isnan(numerators[i]) || std::isnan(denominators[i])) continue;
    x += numerators[i];
    y += denominators[i];
    ++p.n;
  }
  if (p.n == 0) return p;
  p.numerator_total = x;
  p.denominator_total = y;
  const double r = y != 0.0 ? x / y : undefined;
  if (!std::isfinite(r)) return p;
  p.value = r;
  if (p.n < 2) return p;
  // Two passes: the residuals x_i - R y_i have mean 0 (up to rounding); their sample variance is
  // s_x^2 - 2 R s_xy + R^2 s_y^2 without its cancellation.
  std::vector<double> residuals;
  residuals.reserve(p.n);
  for (std::size_t i = 0; i < numerators.size() && i < denominators.size(); ++i)
    if (!std::isnan(numerators[i]) && !std::isnan(denominators[i]))
      residuals.push_back(numerators[i] - r * denominators[i]);
  const double n = static_cast<double>(p.n);
  const double ybar = y / n;
  p.se = std::sqrt(mean_variance(residuals).variance / n) / std::abs(ybar);
  const double half_width = student_t_critical(0.05, n - 1.0) * p.se;
  p.ci95_low = r - half_width;
  p.ci95_high = r + half_width;
  return p;
}

bool pooled_ratio_influence(std::span<const double> numerators, std::span<const double> denominators,
                            const PooledRatio& ratio, std::vector<double>& out) {
  if (!std::isfinite(ratio.value) || ratio.n == 0) return false;
  const double ybar = ratio.denominator_total / static_cast<double>(ratio.n);
  out.resize(numerators.size());
  for (std::size_t i = 0; i < numerators.size(); ++i)
    out[i] = std::isnan(numerators[i]) || std::isnan(denominators[i])
                 ? undefined
                 : (numerators[i] - ratio.value * denominators[i]) / ybar;
  return true;
}

MeanVar mean_variance(std::span<const double> values) {
  // Welford: updating the mean and the sum of squared deviations incrementally avoids the
  // catastrophic cancellation of sum(x^2) - n*mean^2 when values sit far from zero.
  std::size_t n = 0;
  double mean = 0.0;
  double m2 = 0.0;
  for (const double x : values) {
    if (std::isnan(x)) continue;
    ++n;
    const double delta = x - mean;
    mean += delta / static_cast<double>(n);
    m2 += delta * (x - mean);
  }
  return {n, n > 0 ? mean : undefined, n > 1 ? m2 / static_cast<double>(n - 1) : undefined};
}

}  // namespace funnelsim
