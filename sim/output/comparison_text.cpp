#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "funnelsim/output/comparison_output.hpp"
#include "core/number_text.hpp"
#include "output/format.hpp"
#include "output/text_table.hpp"

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
std::string change_text(const MetricDef& def, const HeadlineChange& d) {
  if (unit_kind(def.unit) == UnitKind::currency_ratio) {
    const int decimals = decimals_for(d.ci95_low, d.ci95_high, 2);
    return fmt::format("{} per $1 [{}, {}]", signed_number(d.mean, decimals, "$"),
                       signed_number(d.ci95_low, decimals, "$"), signed_number(d.ci95_high, decimals, "$"));
  }
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
int clear_sign(const HeadlineChange& d) {
  if (d.ci95_low > 0.0) return 1;
  if (d.ci95_high < 0.0) return -1;
  return 0;
}

std::string show_difference(double v, std::string_view unit) {
  if (unit_kind(unit) == UnitKind::ratio) return signed_number(100.0 * v, 1, "", " pp");
  if (unit_kind(unit) == UnitKind::currency_ratio) return signed_number(v, 2, "$", " per $1");
  return signed_number(v, unit_kind(unit) == UnitKind::currency ? 2 : 1);
}

std::string show_share(double p) { return std::isnan(p) ? "" : fmt::format("{:.1f}%", 100.0 * p); }

std::string show_reduction(const HeadlineChange& d) {
  if (!std::isnan(d.variance_reduction)) return fmt::format("{:.1f}x", d.variance_reduction);
  if (d.paired_variance == 0.0 && d.unpaired_variance > 0.0) return "constant";  // infinitely smaller
  return "";
}

std::string verdict(const ComparedScenario& base, const ComparedScenario& variant, const ComparisonReport& report,
                    const ScopeComparison& funnel, const std::vector<std::size_t>& metrics) {
  std::vector<std::string> changes, better, worse, unclear, reductions;
  for (std::size_t m : metrics) {
    if (m >= funnel.metrics.size()) continue;
    const MetricDef& def = metric_defs()[m];
    const HeadlineChange d = headline_change(def, funnel.metrics[m]);
    const std::string label = short_metric_label(def);
    if (d.n_paired == 0 || std::isnan(d.mean)) {
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
  if (!judged.empty()) out += fmt::format("  {} (by the 95% intervals; ratios pooled)\n", fmt::join(judged, "; "));
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

/// One row of a comparison table: the headline change of one metric of one scope.
std::vector<std::string> change_row(const ComparisonReport& report, const MetricDef& def, const MetricComparison& c) {
  const HeadlineChange d = headline_change(def, c);
  const std::string_view unit = def.unit;
  const PairedDifference& per_replication = c.difference;
  return {display_value(d.base, unit),
          display_value(d.variant, unit),
          show_difference(d.mean, unit),
          unit_kind(unit) == UnitKind::currency_ratio
              ? fmt::format("[{}, {}] per $1", signed_number(d.ci95_low, 2, "$"), signed_number(d.ci95_high, 2, "$"))
              : fmt::format("[{}, {}]", show_difference(d.ci95_low, unit), show_difference(d.ci95_high, unit)),
          signed_number(100.0 * d.relative, 1, "", "%"),
          d.pooled ? "pooled" : "mean",
          show_share(per_replication.p_better_share),
          show_share(d.p_better_normal),
          show_reduction(d),
          d.n_paired < report.replications ? fmt::format("paired in {} of {}", d.n_paired, report.replications) : ""};
}

std::string table(const ComparisonReport& report, const ScopeComparison& funnel, const std::vector<std::size_t>& rows) {
  TextTable t({"metric (whole funnel)", "base", "variant", "difference", "95% CI of difference", "relative", "figure",
               "P(better)", "P(norm.)", "var. red.", "note"},
              "lrrrrrlrrrl");
  std::size_t left_out = 0;
  const auto defs = metric_defs();
  for (std::size_t m : rows) {
    if (m >= funnel.metrics.size()) continue;
    const MetricComparison& c = funnel.metrics[m];
    if (c.difference.n_paired == 0 && c.pooled.n_paired == 0) {
      ++left_out;
      continue;
    }
    std::vector<std::string> row{std::string(defs[m].name)};
    for (std::string& cell : change_row(report, defs[m], c)) row.push_back(std::move(cell));
    t.add(std::move(row));
  }
  std::string out = t.render();
  if (left_out)
    out += fmt::format("({} metric{} undefined in every replication left out)\n", left_out, left_out == 1 ? "" : "s");
  return out;
}

/// The operational metrics of one scope kind (teams, or sources), one row per scope and metric.
std::string scope_table(const ComparisonReport& report, const std::vector<ScopeComparison>& scopes, ScopeKind kind,
                        std::string_view title, const std::vector<std::size_t>& metrics) {
  TextTable t({std::string(title), "metric", "base", "variant", "difference", "95% CI of difference", "relative",
               "figure", "P(better)", "P(norm.)", "var. red.", "note"},
              "llrrrrrlrrrl");
  for (std::size_t s = 1; s < scopes.size(); ++s) {
    if (scopes[s].scope.kind != kind) continue;
    const auto defs = metric_defs(kind);
    for (std::size_t m : metrics) {
      const MetricComparison& c = scopes[s].metrics[m];
      if (c.difference.n_paired == 0 && c.pooled.n_paired == 0) continue;
      std::vector<std::string> row{scopes[s].scope.name, std::string(defs[m].name)};
      for (std::string& cell : change_row(report, defs[m], c)) row.push_back(std::move(cell));
      t.add(std::move(row));
    }
  }
  return t.empty() ? std::string() : '\n' + t.render();
}

}  // namespace

std::string comparison_text(const ComparisonReport& report, std::span<const std::string> chosen) {
  std::string out = fmt::format("funnelsim {} | compare | base {} | {} replications | seed {}\n", FUNNELSIM_VERSION,
                                report.base.label, report.replications, report.seed);
  out += uncertain_note(report);
  if (report.precision)
    out += precision_text(*report.precision, "the widest 95% CI half-width of a paired difference in",
                          "the base's figure", report.replications);
  std::vector<std::string_view> all_names;
  for (const MetricDef& d : metric_defs()) all_names.push_back(d.name);
  const std::vector<std::size_t> verdict_metrics = chosen_metrics(chosen, ScopeKind::funnel, headline_metrics());
  const std::vector<std::size_t> rows = chosen_metrics(chosen, ScopeKind::funnel, all_names);
  static constexpr std::string_view kTeamOps[] = {"response_time_hours", "sla_attainment", "rep_utilization",
                                                  "cold_leads", "backlog_at_end"};
  static constexpr std::string_view kSourceOps[] = {"response_time_hours", "sla_attainment", "cold_leads",
                                                    "backlog_at_end"};
  const std::vector<std::size_t> team_metrics = chosen_metrics(chosen, ScopeKind::team, kTeamOps);
  const std::vector<std::size_t> source_metrics = chosen_metrics(chosen, ScopeKind::funnel, kSourceOps);
  for (std::size_t v = 0; v < report.variants.size(); ++v) {
    const ScopeComparison& funnel = report.results[v].front();
    out += '\n' + verdict(report.base, report.variants[v], report, funnel, verdict_metrics);
    if (!rows.empty()) out += '\n' + table(report, funnel, rows);
    out += scope_table(report, report.results[v], ScopeKind::team, "by team", team_metrics);
    out += scope_table(report, report.results[v], ScopeKind::funnel, "by source", source_metrics);
  }
  out +=
      "\nfigure: a ratio's base, variant and difference are of its pooled ratio (total numerator / total "
      "denominator; delta-method\nintervals), every other metric's of its mean. P(better): share of replications "
      "in which the variant is better (ties\ncount half); P(norm.): Phi(difference / se), the normal-approximation "
      "probability that the true difference favours\nthe variant. var. red.: the difference's variance were the "
      "runs independent / its variance paired. Relative\nintervals: delta method.\n";
  return out;
}

}  // namespace funnelsim
