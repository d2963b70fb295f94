#include "funnelsim/whatif/comparison.hpp"

#include <fmt/format.h>

#include <cmath>
#include <map>
#include <set>
#include <stdexcept>

namespace funnelsim {
namespace {

/// P(variant better) from the sign of the mean difference and its se; exact 0 or 1 when se is 0.
double normal_p_better(double mean, double se, Better better) {
  const double signed_mean = better == Better::higher ? mean : -mean;
  if (se == 0.0) return signed_mean > 0.0 ? 1.0 : signed_mean < 0.0 ? 0.0 : 0.5;
  return normal_cdf(signed_mean / se);
}

/// A difference's interval and spreads from its paired and unpaired variances over n pairs
/// (n >= 2): se, the Student t interval, the variance reduction and P(better).
template <class Difference>
void set_interval(Difference& p, double paired_variance, double unpaired_variance, double n, Better better) {
  p.paired_variance = paired_variance;
  p.unpaired_variance = unpaired_variance;
  if (p.paired_variance > 0.0) p.variance_reduction = p.unpaired_variance / p.paired_variance;
  p.se = std::sqrt(paired_variance / n);
  const double t = student_t_critical(0.05, n - 1.0);
  p.ci95_low = p.mean - t * p.se;
  p.ci95_high = p.mean + t * p.se;
  if (better != Better::neither) p.p_better_normal = normal_p_better(p.mean, p.se, better);
}

}  // namespace

PairedDifference paired_difference(std::span<const double> base, std::span<const double> variant, Better better) {
  if (base.size() != variant.size())
    throw std::invalid_argument("paired_difference: base and variant hold different numbers of replications");
  std::vector<double> b, v, d;
  for (std::size_t r = 0; r < base.size(); ++r) {
    if (std::isnan(base[r]) || std::isnan(variant[r])) continue;
    b.push_back(base[r]);
    v.push_back(variant[r]);
    d.push_back(variant[r] - base[r]);
  }
  PairedDifference p;
  p.n_paired = d.size();
  if (d.empty()) return p;
  const MeanVar mb = mean_variance(b), mv = mean_variance(v), md = mean_variance(d);
  p.base_mean = mb.mean;
  p.variant_mean = mv.mean;
  p.mean = md.mean;
  if (p.base_mean != 0.0) p.relative = p.mean / p.base_mean;
  if (better != Better::neither) {
    double wins = 0.0;
    for (double x : d) {
      const double signed_d = better == Better::higher ? x : -x;
      wins += signed_d > 0.0 ? 1.0 : signed_d == 0.0 ? 0.5 : 0.0;
    }
    p.p_better_share = wins / static_cast<double>(d.size());
  }
  if (d.size() < 2) return p;

  const double n = static_cast<double>(d.size());
  const double t = student_t_critical(0.05, n - 1.0);
  set_interval(p, md.variance, mb.variance + mv.variance, n, better);
  if (!std::isnan(p.relative)) {
    // Delta method: R - R_true ~ mean(v_r - R b_r) / mean(b), whose variance the residuals give.
    const double ratio = 1.0 + p.relative;
    std::vector<double> residual(d.size());
    for (std::size_t r = 0; r < d.size(); ++r) residual[r] = v[r] - ratio * b[r];
    p.relative_se = std::sqrt(mean_variance(residual).variance / n) / std::abs(p.base_mean);
    p.relative_ci95_low = p.relative - t * p.relative_se;
    p.relative_ci95_high = p.relative + t * p.relative_se;
  }
  return p;
}

PooledDifference pooled_difference(std::span<const double> bx, std::span<const double> by, std::span<const double> vx,
                                   std::span<const double> vy, Better better) {
  if (bx.size() != by.size() || vx.size() != vy.size() || bx.size() != vx.size())
    throw std::invalid_argument("pooled_difference: base and variant hold different numbers of replications");
  // The paired replications: every one of the four defined.
  std::vector<double> pbx, pby, pvx, pvy;
  for (std::size_t r = 0; r < bx.size(); ++r) {
    if (std::isnan(bx[r]) || std::isnan(by[r]) || std::isnan(vx[r]) || std::isnan(vy[r])) continue;
    pbx.push_back(bx[r]);
    pby.push_back(by[r]);
    pvx.push_back(vx[r]);
    pvy.push_back(vy[r]);
  }
  PooledDifference p;
  p.n_paired = pbx.size();
  const PooledRatio base = pooled_ratio(pbx, pby), variant = pooled_ratio(pvx, pvy);
  p.base = base.value;
  p.variant = variant.value;
  if (!std::isfinite(p.base) || !std::isfinite(p.variant)) return p;
  p.mean = p.variant - p.base;
  if (p.base != 0.0) p.relative = p.mean / p.base;
  if (p.n_paired < 2) return p;
  std::vector<double> zb, zv;
  pooled_ratio_influence(pbx, pby, base, zb);
  pooled_ratio_influence(pvx, pvy, variant, zv);
  const double n = static_cast<double>(p.n_paired);
  const double t = student_t_critical(0.05, n - 1.0);
  std::vector<double> d(zb.size()), rel(zb.size());
  for (std::size_t r = 0; r < zb.size(); ++r) {
    d[r] = zv[r] - zb[r];
    if (!std::isnan(p.relative)) rel[r] = (zv[r] - (p.variant / p.base) * zb[r]) / p.base;
  }
  set_interval(p, mean_variance(d).variance, mean_variance(zb).variance + mean_variance(zv).variance, n, better);
  if (!std::isnan(p.relative)) {
    p.relative_se = std::sqrt(mean_variance(rel).variance / n);
    p.relative_ci95_low = p.relative - t * p.relative_se;
    p.relative_ci95_high = p.relative + t * p.relative_se;
  }
  return p;
}

namespace {

template <class Difference>
HeadlineChange change_of(const Difference& d, bool pooled, double base, double variant) {
  HeadlineChange h;
  h.pooled = pooled, h.base = base, h.variant = variant;
  h.mean = d.mean, h.se = d.se, h.ci95_low = d.ci95_low, h.ci95_high = d.ci95_high;
  h.relative = d.relative, h.relative_ci95_low = d.relative_ci95_low, h.relative_ci95_high = d.relative_ci95_high;
  h.paired_variance = d.paired_variance, h.unpaired_variance = d.unpaired_variance;
  h.variance_reduction = d.variance_reduction, h.p_better_normal = d.p_better_normal, h.n_paired = d.n_paired;
  return h;
}

}  // namespace

HeadlineChange headline_change(const PairedDifference& d) { return change_of(d, false, d.base_mean, d.variant_mean); }
HeadlineChange headline_change(const PooledDifference& d) { return change_of(d, true, d.base, d.variant); }

HeadlineChange headline_change(const MetricDef& def, const MetricComparison& c) {
  // Each scenario's own figure over all its replications; the change over the paired ones.
  return def.is_ratio() ? change_of(c.pooled, true, c.base_pooled.value, c.variant_pooled.value)
                        : change_of(c.difference, false, c.base.mean, c.variant.mean);
}

std::vector<ScopeComparison> compare_tables(const ReplicationTable& base, const ReplicationTable& variant) {
  if (base.replications() != variant.replications())
    throw std::invalid_argument("compare_tables: the tables hold different numbers of replications");
  std::vector<ScopeComparison> out;
  std::vector<double> x, y, scratch, bx, by, vx, vy;
  for (std::size_t s = 0; s < base.scopes(); ++s) {
    const Scope& scope = base.scope(s);
    std::size_t match = variant.scopes();
    for (std::size_t k = 0; k < variant.scopes() && match == variant.scopes(); ++k)
      if (variant.scope(k).kind == scope.kind && variant.scope(k).name == scope.name) match = k;
    if (match == variant.scopes()) continue;
    ScopeComparison& sc = out.emplace_back(ScopeComparison{scope, {}});
    const auto defs = metric_defs(scope.kind);
    for (std::size_t m = 0; m < defs.size(); ++m) {
      base.column(s, m, x);
      variant.column(match, m, y);
      MetricComparison& c = sc.metrics.emplace_back();
      c.base = summarize(x, scratch);
      c.variant = summarize(y, scratch);
      c.difference = paired_difference(x, y, defs[m].better);
      if (const auto columns = ratio_columns(scope.kind, m)) {
        base.column(s, columns->numerator, bx);
        base.column(s, columns->denominator, by);
        variant.column(match, columns->numerator, vx);
        variant.column(match, columns->denominator, vy);
        c.base_pooled = pooled_ratio(bx, by);
        c.variant_pooled = pooled_ratio(vx, vy);
        c.pooled = pooled_difference(bx, by, vx, vy, defs[m].better);
      }
    }
  }
  return out;
}

std::vector<std::string> unique_labels(const std::vector<std::string>& names) {
  // A repeated name becomes name#2, name#3...; a suffixed label that is taken (a variant may be
  // named "dup#2" itself) moves on to the next number, so no two labels are ever the same.
  std::set<std::string> taken(names.begin(), names.end());
  std::map<std::string, int> uses;
  std::set<std::string> given;
  std::vector<std::string> labels;
  for (const std::string& name : names) {
    std::string label = name;
    if (given.count(label)) {
      int& k = uses[name];
      if (k == 0) k = 1;
      do label = fmt::format("{}#{}", name, ++k);
      while (taken.count(label) || given.count(label));
    }
    given.insert(label);
    labels.push_back(label);
  }
  return labels;
}

}  // namespace funnelsim
