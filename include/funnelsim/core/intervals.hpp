#pragma once
/// 95% intervals for figures observed once (a CRM's quarter), not across replications: a rate
/// k of n (Wilson score), a count (exact Poisson, Garwood), a quantile of a sample (distribution
/// free, from order statistics). Where no formula fits (a mean of skewed times, a sum of deal
/// amounts) observe uses a bootstrap (observe.hpp says which method each figure gets).
#include <cstdint>
#include <span>

namespace funnelsim {

struct Interval {
  double low, high;
};

/// Wilson score interval for a proportion k / n at 95% (z = 1.959964); NaN both when n == 0.
Interval wilson_interval(double k, double n);

/// Exact (Garwood) 95% interval for the mean of a Poisson variable observed as k:
/// [chi2(0.025; 2k) / 2, chi2(0.975; 2k + 2) / 2], the lower end 0 when k == 0.
Interval poisson_interval(double k);

/// Distribution-free 95% interval for the q-quantile of a sorted sample: the order statistics
/// x(l), x(u) with l, u the binomial(n, q) 2.5% and 97.5% points (1-based, clamped to the
/// sample). NaN both for an empty sample. Covers at least 95% for continuous data up to the
/// ends of the sample.
Interval quantile_interval(std::span<const double> sorted, double q);

}  // namespace funnelsim
