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

ordered_json difference_json(const PairedDifference& d, Better better) {
  ordered_json j = {{"mean", number_or_null(d.mean)},
                    {"ci95_low", number_or_null(d.ci95_low)},
                    {"ci95_high", number_or_null(d.ci95_high)},
                    {"se", number_or_null(d.se)},
                    {"relative", number_or_null(d.relative)},
                    {"relative_ci95_low", number_or_null(d.relative_ci95_low)},
                    {"relative_ci95_high", number_or_null(d.relative_ci95_high)},
                    {"n_paired", d.n_paired},
                    {"paired_variance", number_or_null(d.paired_variance)},
                    {"unpaired_variance", number_or_null(d.unpaired_variance)},
                    {"variance_reduction", number_or_null(d.variance_reduction)}};
  if (better != Better::neither) {
    j["p_better_share"] = number_or_null(d.p_better_share);
    j["p_better_normal"] = number_or_null(d.p_better_normal);
  }
  return j;
}

ordered_json scope_json(const ScopeComparison& scope) {
  ordered_json j = ordered_json::object();
  const auto defs = metric_defs(scope.scope.kind);
  for (std::size_t m = 0; m < defs.size(); ++m) {
    const MetricComparison& c = scope.metrics[m];
    j[std::string(defs[m].name)] = {{"unit", defs[m].unit},
                                    {"better", better_name(defs[m].better)},
                                    {"base", stats_json(c.base)},
                                    {"variant", stats_json(c.variant)},
                                    {"difference", difference_json(c.difference, defs[m].better)}};
  }
  return j;
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
  if (report.first_replication != 0) j["first_replication"] = report.first_replication;
  if (report.precision)
    j["precision"] =
        precision_json(*report.precision, "every variant's paired difference, relative to the base's mean");
  j["methods"] = {{"difference",
                   "variant - base in each replication, over the n_paired replications where both are defined; "
                   "ci95 by Student t on the paired differences"},
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
  return j.dump(2) + "\n";
}

std::string comparison_csv(const ComparisonReport& report) {
  std::string out =
      "variant,scope_kind,scope,metric,base_mean,variant_mean,diff_mean,diff_ci95_low,diff_ci95_high,relative,"
      "p_better_share,p_better_normal,variance_reduction,n_paired\n";
  for (std::size_t v = 0; v < report.variants.size(); ++v) {
    const std::string variant = csv_field(report.variants[v].label);
    for (const ScopeComparison& scope : report.results[v]) {
      const auto defs = metric_defs(scope.scope.kind);
      for (std::size_t m = 0; m < defs.size(); ++m) {
        const MetricComparison& c = scope.metrics[m];
        const PairedDifference& d = c.difference;
        out += fmt::format("{},{},{},{},{},{},{},{},{},{},{},{},{},{}\n", variant, scope_kind_name(scope.scope.kind),
                           csv_field(scope.scope.name), defs[m].name, format_number(c.base.mean),
                           format_number(c.variant.mean), format_number(d.mean), format_number(d.ci95_low),
                           format_number(d.ci95_high), format_number(d.relative), format_number(d.p_better_share),
                           format_number(d.p_better_normal), format_number(d.variance_reduction), d.n_paired);
      }
    }
  }
  return out;
}

}  // namespace funnelsim
