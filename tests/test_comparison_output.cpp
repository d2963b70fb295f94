// What compare prints and writes, on a hand-made comparison: the verdict's units, the labels,
// the CSV row.
#include "funnelsim/output/comparison_output.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <string>
#include <vector>

using namespace funnelsim;

namespace {

/// The paired difference as a ratio's pooled difference: the same numbers, read as pooled.
PooledDifference pooled_from(const PairedDifference& d) {
  PooledDifference p;
  p.n_paired = d.n_paired, p.mean = d.mean, p.ci95_low = d.ci95_low, p.ci95_high = d.ci95_high;
  p.relative = d.relative, p.relative_ci95_low = d.relative_ci95_low, p.relative_ci95_high = d.relative_ci95_high;
  p.paired_variance = d.paired_variance, p.unpaired_variance = d.unpaired_variance;
  p.variance_reduction = d.variance_reduction, p.p_better_normal = d.p_better_normal;
  return p;
}

/// A comparison whose metrics have these differences; a ratio's headline (its pooled
/// difference) holds the same numbers unless `pooled` says otherwise.
ComparisonReport report_with(std::vector<std::pair<Metric, PairedDifference>> differences,
                             std::vector<std::pair<Metric, PairedDifference>> pooled = {}) {
  ComparisonReport report;
  report.base = {"base", "base.json", {}, {}, {}};
  report.variants = {{"raise", "raise.json", {}, {}, {}}};
  ScopeComparison& funnel = report.results.emplace_back().emplace_back();
  funnel.scope.name = "all";
  funnel.metrics.resize(metric_defs().size());
  for (auto& [m, d] : differences) {
    funnel.metrics[static_cast<std::size_t>(m)].difference = d;
    if (metric_def(m).is_ratio()) funnel.metrics[static_cast<std::size_t>(m)].pooled = pooled_from(d);
  }
  for (auto& [m, d] : pooled) funnel.metrics[static_cast<std::size_t>(m)].pooled = pooled_from(d);
  report.seed = 7;
  report.replications = 10;
  return report;
}

PairedDifference difference(double mean, double low, double high, double relative = 0, double rel_low = 0,
                            double rel_high = 0) {
  PairedDifference d;
  d.n_paired = 10;
  d.mean = mean;
  d.ci95_low = low;
  d.ci95_high = high;
  d.relative = relative;
  d.relative_ci95_low = rel_low;
  d.relative_ci95_high = rel_high;
  d.paired_variance = 1.0;
  d.unpaired_variance = 12.5;
  d.variance_reduction = 12.5;
  return d;
}

}  // namespace

TEST_CASE("comparison output: the verdict gives counts in percent, rates in points, money in dollars", "[comparison]") {
  const ComparisonReport report = report_with({
      {Metric::mqls, difference(-180, -210, -150, -0.18, -0.21, -0.15)},
      {Metric::mql_to_sql_rate, difference(0.031, 0.026, 0.036)},
      {Metric::cost_per_sql_marketing, difference(-42.2, -55.4, -29.6)},
      {Metric::mql_precision, difference(0.0004, 0.0001, 0.0007)},  // a narrow interval gets more decimals
      {Metric::mql_recall, difference(-0.001, -0.004, 0.002)},
  });
  const std::string text = comparison_text(report);
  INFO(text);
  CHECK(text.find("raise vs base (10 paired replications, seed 7):\n"
                  "  MQLs -18.0% [-21.0%, -15.0%]; SQLs n/a; SQL rate +3.1 pp [+2.6, +3.6]; cost per SQL (marketing) "
                  "-$42 [-$55, -$30]; MQL precision +0.04 pp [+0.01, +0.07]; MQL recall -0.1 pp [-0.4, +0.2]\n"
                  "  clearly better: SQL rate, cost per SQL (marketing), MQL precision; no clear change: MQL recall "
                  "(by the 95% intervals; ratios pooled)\n"
                  "  variance reduction from common random numbers (independent runs / paired): MQLs 12.5x, SQL "
                  "rate 12.5x, cost per SQL (marketing) 12.5x, MQL precision 12.5x, MQL recall 12.5x\n") !=
        std::string::npos);
  CHECK(text.find("-0.0") == std::string::npos);
}

TEST_CASE("comparison output: a ratio's verdict and row read its pooled difference", "[comparison][pooled]") {
  // The mean of per-replication costs per SQL fell by $42; the pooled cost per SQL rose by $15.
  const ComparisonReport report = report_with({{Metric::cost_per_sql_marketing, difference(-42.2, -55.4, -29.6)}},
                                              {{Metric::cost_per_sql_marketing, difference(15.0, 10.0, 20.0)}});
  const std::string text = comparison_text(report);
  INFO(text);
  CHECK(text.find("cost per SQL (marketing) +$15 [+$10, +$20]") != std::string::npos);
  CHECK(text.find("clearly worse: cost per SQL (marketing)") != std::string::npos);
  CHECK(text.find("-$42") == std::string::npos);
  CHECK(text.find("+15.00") != std::string::npos);  // the table's difference
  CHECK(text.find("pooled") != std::string::npos);
}

TEST_CASE("comparison output: repeated names get numbered labels", "[comparison]") {
  CHECK(unique_labels({"a", "b", "a", "a"}) == std::vector<std::string>{"a", "b", "a#2", "a#3"});
  // A variant named like a suffixed label never shares it (this was dup#2, dup, dup#2).
  CHECK(unique_labels({"dup#2", "dup", "dup"}) == std::vector<std::string>{"dup#2", "dup", "dup#3"});
  CHECK(unique_labels({"a", "a", "a#2"}) == std::vector<std::string>{"a", "a#3", "a#2"});
}

TEST_CASE("comparison output: a CSV row per variant, scope and metric, neither-direction metrics have no P(better)",
          "[comparison]") {
  ComparisonReport report = report_with({{Metric::sqls, difference(-3, -4, -2, -0.1, -0.12, -0.08)}});
  report.results[0][0].metrics[static_cast<std::size_t>(Metric::sqls)].difference.p_better_share = 0.25;
  report.results[0][0].metrics[static_cast<std::size_t>(Metric::sqls)].difference.p_better_normal = 0.001;
  const std::string csv = comparison_csv(report);
  CHECK(csv.find("\nraise,funnel,all,sqls,,,-3,-4,-2,-0.1,0.25,0.001,12.5,10,mean,,,,,,,,,,,\n") != std::string::npos);
  CHECK(csv.find("\nraise,funnel,all,leads,,,,,,,,,,0,mean,,,,,,,,,,,\n") != std::string::npos);
  // A ratio's row adds its pooled figures: 26 fields in every row.
  CHECK(csv.find("\nraise,funnel,all,cac,,,,,,,,,,0,pooled,,,,,,,,,,,0\n") != std::string::npos);
  std::size_t start = 0;
  for (std::size_t end = csv.find('\n'); end != std::string::npos; start = end + 1, end = csv.find('\n', start))
    CHECK(std::count(csv.begin() + static_cast<long>(start), csv.begin() + static_cast<long>(end), ',') == 25);
  CHECK(static_cast<std::size_t>(std::count(csv.begin(), csv.end(), '\n')) == 1 + metric_defs().size());
}
