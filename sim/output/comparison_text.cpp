#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "funnelsim/output/comparison_output.hpp"
#include "core/number_text.hpp"
#include "output/format.hpp"

namespace funnelsim {
namespace {

/// Enough decimals (at least `least`, at most 3) for an interval of this width to show as one,
/// not as [+1.6, +1.6].
int decimals_for(double low, double high, int least) {
  const double width = high - low;
  if (!(width > 0.0)) return least;
  return std::clamp(static_cast<int>(std::ceil(-std::log10(width))), least, std::max(least, 3));
}

/// A change as the verdict states it: ratios in percentage points, currency in absolute
/// dollars, everything else relative to the base, in percent.
std::string change_text(const MetricDef& def, const PairedDifference& d) {
  if (unit_kind(def.unit) == UnitKind::ratio) {
    const int decimals = decimals_for(100.0 * d.ci95_low, 100.0 * d.ci95_high, 1);
    return fmt::format("{} pp [{}, {}]", signed_number(100.0 * d.mean, decimals),
                       signed_number(100.0 * d.ci95_low, decimals), signed_number(100.0 * d.ci95_high, decimals));
  }
  if (unit_kind(def.unit) == UnitKind::currency) {
    const int least = std::max(std::abs(d.ci95_low), std::abs(d.ci95_high)) >= 10.0 ? 0 : 2;
    const int decimals = decimals_for(d.ci95_low, d.ci95_high, least);
    return fmt::format("{} [{}, {}]", signed_number(d.mean, decimals, "$"), signed_number(d.ci95_low, decimals, "$"),
                       signed_number(d.ci95_high, decimals, "$"));
  }
  const int decimals = decimals_for(100.0 * d.relative_ci95_low, 100.0 * d.relative_ci95_high, 1);
  return fmt::format("{} [{}, {}]", signed_number(100.0 * d.relative, decimals, "", "%"),
                     signed_number(100.0 * d.relative_ci95_low, decimals, "", "%"),
                     signed_number(100.0 * d.relative_ci95_high, decimals, "", "%"));
}

/// +1 when the 95% interval lies above 0, -1 below, 0 when it holds 0 (or is undefined).
int clear_sign(const PairedDifference& d) {
  if (d.ci95_low > 0.0) return 1;
  if (d.ci95_high < 0.0) return -1;
  return 0;
}

std::string show_difference(double v, std::string_view unit) {
  if (unit_kind(unit) == UnitKind::ratio) return signed_number(100.0 * v, 1, "", " pp");
  return signed_number(v, unit_kind(unit) == UnitKind::currency ? 2 : 1);
}

std::string show_share(double p) { return std::isnan(p) ? "" : fmt::format("{:.1f}%", 100.0 * p); }

std::string show_reduction(const PairedDifference& d) {
  if (!std::isnan(d.variance_reduction)) return fmt::format("{:.1f}x", d.variance_reduction);
  if (d.paired_variance == 0.0 && d.unpaired_variance > 0.0) return "constant";  // infinitely smaller
  return "";
}

std::string verdict(const ComparedScenario& base, const ComparedScenario& variant, const ComparisonReport& report,
                    const ScopeComparison& funnel) {
  std::vector<std::string> changes, better, worse, unclear, reductions;
  for (std::string_view name : headline_metrics()) {
    const std::size_t m = metric_index(name);
    if (m >= funnel.metrics.size()) continue;
    const MetricDef& def = metric_defs()[m];
    const PairedDifference& d = funnel.metrics[m].difference;
    const std::string label = short_metric_label(def);
    if (d.n_paired == 0) {
      changes.push_back(fmt::format("{} n/a", label));
      continue;
    }
    changes.push_back(fmt::format("{} {}", label, change_text(def, d)));
    // A clear change of a metric without a better direction (MQLs) is stated, not judged.
    const int sign = clear_sign(d);
    if (sign == 0)
      unclear.emplace_back(label);
    else if (def.better != Better::neither)
      ((sign > 0) == (def.better == Better::higher) ? better : worse).emplace_back(label);
    if (const std::string r = show_reduction(d); !r.empty()) reductions.push_back(fmt::format("{} {}", label, r));
  }
  std::string out = fmt::format("{} vs {} ({} paired replications, seed {}):\n  {}\n", variant.label, base.label,
                                report.replications, report.seed, fmt::join(changes, "; "));
  std::vector<std::string> judged;
  if (!better.empty()) judged.push_back(fmt::format("clearly better: {}", fmt::join(better, ", ")));
  if (!worse.empty()) judged.push_back(fmt::format("clearly worse: {}", fmt::join(worse, ", ")));
  if (!unclear.empty()) judged.push_back(fmt::format("no clear change: {}", fmt::join(unclear, ", ")));
  if (!judged.empty()) out += fmt::format("  {} (by the 95% intervals)\n", fmt::join(judged, "; "));
  if (!reductions.empty())
    out += fmt::format("  variance reduction from common random numbers (independent runs / paired): {}\n",
                       fmt::join(reductions, ", "));
  return out;
}

/// Which scenarios drew inputs per replication. Draws are keyed by (seed, replication, pointer),
/// so an input uncertain in two scenarios is drawn alike in both: it adds no noise to the
/// difference, only the spread of the effect across the values it may take.
std::string uncertain_note(const ComparisonReport& report) {
  std::vector<const ComparedScenario*> all{&report.base};
  for (const ComparedScenario& v : report.variants) all.push_back(&v);
  std::string out;
  for (const ComparedScenario* s : all)
    if (!s->uncertain.empty()) out += fmt::format("  {}: {}\n", s->label, fmt::join(s->uncertain, ", "));
  if (out.empty()) return out;
  return "uncertain inputs, drawn per replication (the same draw in every scenario that has the same input and "
         "distribution):\n" +
         out;
}

std::string table(const ComparisonReport& report, const ScopeComparison& funnel) {
  std::string out =
      fmt::format("{:<26} {:>12} {:>12} {:>12} {:>28} {:>9} {:>9} {:>9} {:>9}\n", "metric (whole funnel)", "base",
                  "variant", "difference", "95% CI of difference", "relative", "P(better)", "P(norm.)", "var. red.");
  std::size_t left_out = 0;
  const auto defs = metric_defs();
  for (std::size_t m = 0; m < defs.size() && m < funnel.metrics.size(); ++m) {
    const MetricComparison& c = funnel.metrics[m];
    const PairedDifference& d = c.difference;
    if (d.n_paired == 0) {
      ++left_out;
      continue;
    }
    const std::string_view unit = defs[m].unit;
    const std::string ci =
        fmt::format("[{}, {}]", show_difference(d.ci95_low, unit), show_difference(d.ci95_high, unit));
    std::string line = fmt::format("{:<26} {:>12} {:>12} {:>12} {:>28} {:>9} {:>9} {:>9} {:>9}", defs[m].name,
                                   display_value(c.base.mean, unit), display_value(c.variant.mean, unit),
                                   show_difference(d.mean, unit), ci, signed_number(100.0 * d.relative, 1, "", "%"),
                                   show_share(d.p_better_share), show_share(d.p_better_normal), show_reduction(d));
    if (d.n_paired < report.replications)
      line += fmt::format("  (paired in {} of {})", d.n_paired, report.replications);
    out += line + '\n';
  }
  if (left_out)
    out += fmt::format("({} metric{} undefined in every replication left out)\n", left_out, left_out == 1 ? "" : "s");
  return out;
}

}  // namespace

std::string comparison_text(const ComparisonReport& report) {
  std::string out = fmt::format("funnelsim {} | compare | base {} | {} replications | seed {}\n", FUNNELSIM_VERSION,
                                report.base.label, report.replications, report.seed);
  out += uncertain_note(report);
  if (report.precision)
    out += precision_text(*report.precision, "the widest 95% CI half-width of a paired difference in",
                          "the base's mean", report.replications);
  for (std::size_t v = 0; v < report.variants.size(); ++v) {
    const ScopeComparison& funnel = report.results[v].front();
    out += '\n' + verdict(report.base, report.variants[v], report, funnel) + '\n' + table(report, funnel);
  }
  out +=
      "\nP(better): share of replications in which the variant is better (ties count half); P(norm.): "
      "Phi(mean / se), the\nnormal-approximation probability that the true mean difference favours the variant. "
      "var. red.: (var base + var\nvariant) / var of the paired difference. Relative intervals: delta method.\n";
  return out;
}

}  // namespace funnelsim
