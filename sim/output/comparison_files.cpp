#include <map>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "funnelsim/output/comparison_output.hpp"
#include "funnelsim/output/run_output.hpp"
#include "output/format.hpp"
#include "output/provenance_json.hpp"

namespace funnelsim {
namespace {

using ordered_json = nlohmann::ordered_json;

/// What a paired difference and a pooled difference share: the change, its interval and spreads.
template <class Difference>
void add_change(ordered_json& j, const Difference& d) {
  j["mean"] = number_or_null(d.mean);
  j["ci95_low"] = number_or_null(d.ci95_low);
  j["ci95_high"] = number_or_null(d.ci95_high);
  j["se"] = number_or_null(d.se);
  j["relative"] = number_or_null(d.relative);
  j["relative_ci95_low"] = number_or_null(d.relative_ci95_low);
  j["relative_ci95_high"] = number_or_null(d.relative_ci95_high);
  j["n_paired"] = d.n_paired;
  j["paired_variance"] = number_or_null(d.paired_variance);
  j["unpaired_variance"] = number_or_null(d.unpaired_variance);
  j["variance_reduction"] = number_or_null(d.variance_reduction);
}

ordered_json difference_json(const PairedDifference& d, Better better) {
  ordered_json j = ordered_json::object();
  add_change(j, d);
  if (better != Better::neither) {
    j["p_better_share"] = number_or_null(d.p_better_share);
    j["p_better_normal"] = number_or_null(d.p_better_normal);
  }
  return j;
}

ordered_json pooled_difference_json(const PooledDifference& d, Better better) {
  ordered_json j = {{"base", number_or_null(d.base)}, {"variant", number_or_null(d.variant)}};
  add_change(j, d);
  if (better != Better::neither) j["p_better_normal"] = number_or_null(d.p_better_normal);
  return j;
}

ordered_json scope_json(const ScopeComparison& scope) {
  ordered_json j = ordered_json::object();
  const auto defs = metric_defs(scope.scope.kind);
  for (std::size_t m = 0; m < defs.size(); ++m) {
    const MetricComparison& c = scope.metrics[m];
    ordered_json metric = {{"unit", defs[m].unit},
                           {"better", better_name(defs[m].better)},
                           {"headline", defs[m].is_ratio() ? "pooled" : "mean"},
                           {"base", metric_json(defs[m], c.base, c.base_pooled)},
                           {"variant", metric_json(defs[m], c.variant, c.variant_pooled)}};
    if (defs[m].is_ratio()) metric["pooled_difference"] = pooled_difference_json(c.pooled, defs[m].better);
    metric["difference"] = difference_json(c.difference, defs[m].better);
    j[std::string(defs[m].name)] = std::move(metric);
  }
  return j;
}

/// The whole funnel's weekly series of each scenario: per series, the mean, P10, P50 and P90 of
/// each week, as arrays.
ordered_json weekly_json(const ComparisonReport& report) {
  ordered_json list = ordered_json::array();
  for (std::size_t s = 0; s < report.weekly.size(); ++s) {
    const WeeklyView& w = report.weekly[s];
    const ComparedScenario& scenario = s == 0 ? report.base : report.variants[s - 1];
    ordered_json series = ordered_json::object();
    for (std::size_t k = 0; k < kSeriesCount; ++k) {
      ordered_json mean = ordered_json::array(), p10 = ordered_json::array(), p50 = ordered_json::array(),
                   p90 = ordered_json::array();
      for (std::size_t week = 0; week < w.weeks; ++week) {
        const SummaryStats& st = w.at(static_cast<Series>(k), week);
        mean.push_back(number_or_null(st.mean));
        p10.push_back(number_or_null(st.p10));
        p50.push_back(number_or_null(st.p50));
        p90.push_back(number_or_null(st.p90));
      }
      series[std::string(series_names()[k])] = {{"mean", mean}, {"p10", p10}, {"p50", p50}, {"p90", p90}};
    }
    list.push_back(
        {{"scenario", scenario.label}, {"role", s == 0 ? "base" : "variant"}, {"weeks", w.weeks}, {"series", series}});
  }
  return list;
}

ordered_json variant_json(const ComparedScenario& variant, const std::vector<ScopeComparison>& scopes) {
  ordered_json j = {{"variant", variant.label}};
  const char* sections[] = {"by_source", "by_team", "by_rep"};
  j["metrics"] = ordered_json::object();
  for (const char* section : sections) j[section] = ordered_json::object();
  for (std::size_t s = 0; s < scopes.size(); ++s) {
    const Scope& scope = scopes[s].scope;
    if (s == 0)
      j["metrics"] = scope_json(scopes[s]);  // the whole funnel, scope 0 of both tables
    else
      j[sections[static_cast<std::size_t>(scope.kind)]][scope.name] = scope_json(scopes[s]);
  }
  return j;
}

}  // namespace

std::string comparison_json(const ComparisonReport& report) {
  ordered_json j;
  j["funnelsim_version"] = FUNNELSIM_VERSION;
  j["base"] = report.base.label;
  ordered_json scenarios = ordered_json::array();
  scenarios.push_back({{"name", report.base.label},
                       {"file", report.base.file},
                       {"role", "base"},
                       {"uncertain_inputs", report.base.uncertain},
                       {"provenance", provenance_json(report.base.provenance)}});
  add_warmup_fields(scenarios.back(), report.base.warmup);
  for (const ComparedScenario& v : report.variants) {
    scenarios.push_back({{"name", v.label},
                         {"file", v.file},
                         {"role", "variant"},
                         {"uncertain_inputs", v.uncertain},
                         {"provenance", provenance_json(v.provenance)}});
    add_warmup_fields(scenarios.back(), v.warmup);
  }
  j["scenarios"] = scenarios;
  j["seed"] = report.seed;
  j["replications"] = report.replications;
  j["horizon_days"] = report.horizon_days;
  if (report.first_replication != 0) j["first_replication"] = report.first_replication;
  if (report.precision)
    j["precision"] = precision_json(
        *report.precision,
        "every variant's paired difference (of the pooled ratios for a ratio), relative to the base's figure");
  j["statistics"] = statistics_legend();
  j["methods"] = {{"headline",
                   "the change a reader takes away: pooled_difference for a ratio metric (headline \"pooled\"), "
                   "difference for every other one (headline \"mean\")"},
                  {"pooled_difference",
                   "ratio metrics: variant - base of the pooled ratios (totals over totals) over the n_paired "
                   "replications where both scenarios' numerators and denominators are defined; ci95 by the delta "
                   "method on the paired replications: se = sd(z_variant - z_base) / sqrt(n_paired), z_i = (x_i - R "
                   "y_i) / mean(y) each pooled ratio's influence; relative = mean / base with influence (z_variant - "
                   "(variant / base) z_base) / base; variance_reduction = var(z_base) + var(z_variant) over "
                   "var(z_variant - z_base); p_better_normal = Phi(mean / se) in the better direction"},
                  {"difference",
                   "variant - base of the metric's value in each replication, over the n_paired replications where "
                   "both are defined; ci95 by Student t on the paired differences"},
                  {"relative",
                   "mean difference / base mean (paired replications); ci95 by the delta method on the ratio of "
                   "the paired means"},
                  {"p_better_share",
                   "share of paired replications in which the variant is better in the metric's declared "
                   "direction, ties counting one half"},
                  {"p_better_normal",
                   "Phi(mean / se) (Phi(-mean / se) when lower is better): normal-approximation probability "
                   "that the true mean difference favours the variant"},
                  {"variance_reduction",
                   "unpaired_variance / paired_variance, with unpaired_variance = var(base) + var(variant): "
                   "how many times more replications independent runs would need; null when the paired "
                   "variance is 0"}};
  ordered_json comparisons = ordered_json::array();
  for (std::size_t v = 0; v < report.variants.size(); ++v)
    comparisons.push_back(variant_json(report.variants[v], report.results[v]));
  j["comparisons"] = comparisons;
  j["weekly"] = weekly_json(report);
  return j.dump(2) + "\n";
}

std::string comparison_csv(const ComparisonReport& report) {
  std::string out =
      "variant,scope_kind,scope,metric,base_mean,variant_mean,diff_mean,diff_ci95_low,diff_ci95_high,relative,"
      "p_better_share,p_better_normal,variance_reduction,n_paired,headline,base_pooled,variant_pooled,pooled_diff,"
      "pooled_diff_ci95_low,pooled_diff_ci95_high,pooled_relative,pooled_relative_ci95_low,pooled_relative_ci95_high,"
      "pooled_p_better_normal,pooled_variance_reduction,pooled_n_paired\n";
  for (std::size_t v = 0; v < report.variants.size(); ++v) {
    const std::string variant = csv_field(report.variants[v].label);
    for (const ScopeComparison& scope : report.results[v]) {
      const auto defs = metric_defs(scope.scope.kind);
      for (std::size_t m = 0; m < defs.size(); ++m) {
        const MetricComparison& c = scope.metrics[m];
        const PairedDifference& d = c.difference;
        out += fmt::format("{},{},{},{},{},{},{},{},{},{},{},{},{},{}", variant, scope_kind_name(scope.scope.kind),
                           csv_field(scope.scope.name), defs[m].name, format_number(c.base.mean),
                           format_number(c.variant.mean), format_number(d.mean), format_number(d.ci95_low),
                           format_number(d.ci95_high), format_number(d.relative), format_number(d.p_better_share),
                           format_number(d.p_better_normal), format_number(d.variance_reduction), d.n_paired);
        if (defs[m].is_ratio()) {
          const PooledDifference& p = c.pooled;
          out += fmt::format(",pooled,{},{},{},{},{},{},{},{},{},{},{}\n", format_number(c.base_pooled.value),
                             format_number(c.variant_pooled.value), format_number(p.mean), format_number(p.ci95_low),
                             format_number(p.ci95_high), format_number(p.relative), format_number(p.relative_ci95_low),
                             format_number(p.relative_ci95_high), format_number(p.p_better_normal),
                             format_number(p.variance_reduction), p.n_paired);
        } else {
          out += ",mean,,,,,,,,,,,\n";
        }
      }
    }
  }
  return out;
}

}  // namespace funnelsim
