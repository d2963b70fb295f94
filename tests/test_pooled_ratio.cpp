// Pooled ratios (totals over totals) and their delta-method intervals: closed forms, coverage on
// binomial counts, the paired difference, and the headline in summary.json equal to the sums of
// replications.csv's columns.
#include <cmath>
#include <map>
#include <string>
#include <vector>

#include <boost/random/uniform_int_distribution.hpp>
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "cli_support.hpp"
#include "core/random.hpp"
#include "funnelsim/core/statistics.hpp"
#include "funnelsim/metrics/metrics.hpp"
#include "funnelsim/whatif/comparison.hpp"
#include "test_support.hpp"

using namespace funnelsim;
using nlohmann::json;

namespace {

RandomStream stream_for(std::uint64_t seed, std::uint64_t what) {
  return RandomStream(seed, what, StreamId{0, 0, stream_tag("test:pooled")});
}

/// m_i trials per replication (20 to 200), successes counted from uniforms below p; each trial's
/// uniform is shared by the base (p) and a variant (q), as common random numbers share them.
struct Binomials {
  std::vector<double> trials, base, variant;
};
Binomials binomials(std::uint64_t seed, std::size_t replications, double p, double q) {
  RandomStream rng = stream_for(seed, 1);
  boost::random::uniform_int_distribution<int> size(20, 200);
  Binomials b;
  for (std::size_t i = 0; i < replications; ++i) {
    const int m = size(rng);
    double x = 0, y = 0;
    for (int k = 0; k < m; ++k) {
      const double u = rng.uniform();
      x += u < p;
      y += u < q;
    }
    b.trials.push_back(m);
    b.base.push_back(x);
    b.variant.push_back(y);
  }
  return b;
}

}  // namespace

TEST_CASE("pooled ratio: totals over totals, and the delta-method se in its moment form", "[statistics][pooled]") {
  const std::vector<double> x{3, 5, 0, 8, 4}, y{10, 12, 0, 20, 9};
  const PooledRatio p = pooled_ratio(x, y);
  CHECK(p.n == 5);
  CHECK(p.numerator_total == 20);
  CHECK(p.denominator_total == 51);
  CHECK(p.value == 20.0 / 51.0);
  // var(R) = (s_x^2 - 2 R s_xy + R^2 s_y^2) / (n ybar^2), the moments computed directly.
  const double n = 5, xbar = 4, ybar = 51.0 / 5, r = 20.0 / 51.0;
  double sxx = 0, syy = 0, sxy = 0;
  for (std::size_t i = 0; i < 5; ++i) {
    sxx += (x[i] - xbar) * (x[i] - xbar);
    syy += (y[i] - ybar) * (y[i] - ybar);
    sxy += (x[i] - xbar) * (y[i] - ybar);
  }
  sxx /= n - 1, syy /= n - 1, sxy /= n - 1;
  const double se = std::sqrt((sxx - 2 * r * sxy + r * r * syy) / (n * ybar * ybar));
  CHECK(p.se == Approx(se).epsilon(1e-12));
  const double t = student_t_critical(0.05, n - 1);
  CHECK(p.ci95_low == Approx(r - t * se).epsilon(1e-12));
  CHECK(p.ci95_high == Approx(r + t * se).epsilon(1e-12));
}

TEST_CASE("pooled ratio: undefined pairs are left out, a zero denominator total is undefined", "[statistics][pooled]") {
  const double nan = std::nan("");
  const PooledRatio p = pooled_ratio(std::vector<double>{1, nan, 3}, std::vector<double>{2, 5, nan});
  CHECK(p.n == 1);
  CHECK(p.value == 0.5);
  CHECK(std::isnan(p.se));  // one replication: no spread
  const PooledRatio none = pooled_ratio(std::vector<double>{4, 2}, std::vector<double>{0, 0});
  CHECK(none.n == 2);
  CHECK(none.numerator_total == 6);
  CHECK(std::isnan(none.value));
  CHECK(std::isnan(pooled_ratio(std::vector<double>{}, std::vector<double>{}).value));
}

TEST_CASE("pooled ratio: the 95% interval of pooled binomial proportions covers p 95% of the time",
          "[statistics][pooled]") {
  // x_i ~ Binomial(m_i, p) over m_i, 30 replications a run: the pooled ratio's delta-method
  // interval must cover p in 95% of 2,000 seeds, within 4 binomial standard errors of 95%.
  constexpr int kSeeds = 2000;
  constexpr double p = 0.13;
  int covered = 0;
  for (int seed = 0; seed < kSeeds; ++seed) {
    const Binomials b = binomials(static_cast<std::uint64_t>(seed), 30, p, p);
    const PooledRatio r = pooled_ratio(b.base, b.trials);
    covered += r.ci95_low <= p && p <= r.ci95_high;
  }
  const double coverage = static_cast<double>(covered) / kSeeds;
  const double se = std::sqrt(0.95 * 0.05 / kSeeds);
  INFO("coverage " << coverage);
  CHECK(std::abs(coverage - 0.95) < test::kSigmas * se);
}

TEST_CASE("pooled difference: the paired interval of two pooled proportions covers q - p 95% of the time",
          "[statistics][pooled]") {
  constexpr int kSeeds = 2000;
  constexpr double p = 0.13, q = 0.16;
  int covered = 0, relative_covered = 0;
  double reduction = 0;
  for (int seed = 0; seed < kSeeds; ++seed) {
    const Binomials b = binomials(static_cast<std::uint64_t>(seed) + 100000, 30, p, q);
    const PooledDifference d = pooled_difference(b.base, b.trials, b.variant, b.trials, Better::higher);
    covered += d.ci95_low <= q - p && q - p <= d.ci95_high;
    relative_covered += d.relative_ci95_low <= q / p - 1 && q / p - 1 <= d.relative_ci95_high;
    reduction += d.variance_reduction / kSeeds;
  }
  const double se = std::sqrt(0.95 * 0.05 / kSeeds);
  CHECK(std::abs(static_cast<double>(covered) / kSeeds - 0.95) < test::kSigmas * se);
  CHECK(std::abs(static_cast<double>(relative_covered) / kSeeds - 0.95) < test::kSigmas * se);
  // The shared uniforms make the two counts move together: pairing narrows the interval.
  CHECK(reduction > 2.0);
}

TEST_CASE("pooled difference: the same numbers on both sides differ by exactly 0", "[statistics][pooled]") {
  const std::vector<double> x{3, 5, 1, 8}, y{10, 12, 4, 20};
  const PooledDifference d = pooled_difference(x, y, x, y, Better::lower);
  CHECK(d.n_paired == 4);
  CHECK(d.mean == 0.0);
  CHECK(d.se == 0.0);
  CHECK(d.p_better_normal == 0.5);
  CHECK(std::isnan(d.variance_reduction));  // 0 paired variance: no ratio
  CHECK_THROWS_AS(pooled_difference(x, y, x, std::vector<double>{1}, Better::lower), std::invalid_argument);
}

TEST_CASE("pooled ratio: summary.json's pooled figures are replications.csv's totals over totals", "[pooled][cli]") {
  test::TempDir dir;
  const json summary = test::run_summary_json("scenarios/saas_baseline.json --replications 40", dir);
  const std::string csv = test::read_file(dir / "out" / "replications.csv");
  auto total = [&](const std::string& column) {
    const std::vector<double> values = test::csv_column(csv, column);
    REQUIRE(values.size() == 40);
    double sum = 0;
    for (double v : values) sum += v;  // in replication order, as the library sums them
    return sum;
  };
  auto pooled = [](const json& metric) { return metric.at("pooled").at("value").get<double>(); };

  // Every ratio of every scope, by the numerator and denominator metric_definitions names.
  const json& definitions = summary.at("metric_definitions");
  int checked = 0;
  auto check_scope = [&](const json& metrics, const std::string& kind, const std::string& prefix) {
    for (const auto& [name, def] : definitions.at(kind).items()) {
      if (!def.contains("numerator")) continue;
      const json& m = metrics.at(name);
      const double num = total(prefix + def["numerator"].get<std::string>());
      const double den = total(prefix + def["denominator"].get<std::string>());
      INFO(prefix << name);
      if (den == 0) {
        CHECK(m["pooled"]["value"].is_null());
        continue;
      }
      CHECK(pooled(m) == Approx(num / den).epsilon(1e-12));
      CHECK(m["pooled"]["n"] == 40);
      ++checked;
    }
  };
  check_scope(summary.at("metrics"), "funnel", "");
  for (const auto& [source, metrics] : summary.at("by_source").items()) check_scope(metrics, "funnel", source + ".");
  for (const auto& [team, metrics] : summary.at("by_team").items()) check_scope(metrics, "team", "team." + team + ".");
  for (const auto& [rep, metrics] : summary.at("by_rep").items()) check_scope(metrics, "rep", "rep." + rep + ".");
  CHECK(checked > 100);

  // The figures a finance reader checks by hand, from metric columns alone.
  const json& all = summary.at("metrics");
  CHECK(pooled(all.at("cost_per_sql_marketing")) ==
        Approx((total("channel_spend") + total("nurture_spend")) / total("sqls")).epsilon(1e-12));
  CHECK(pooled(all.at("mql_to_sql_rate")) == Approx(total("sqls") / total("mqls")).epsilon(1e-12));
  CHECK(pooled(all.at("lead_to_mql_rate")) == Approx(total("mqls") / total("leads")).epsilon(1e-12));
  for (const auto& [source, metrics] : summary.at("by_source").items()) {
    INFO(source);
    const double wins = total(source + ".won_deals");
    if (wins > 0) CHECK(pooled(metrics.at("cac")) == Approx(total(source + ".spend") / wins).epsilon(1e-12));
    CHECK(pooled(metrics.at("cost_per_sql_marketing")) ==
          Approx((total(source + ".channel_spend") + total(source + ".nurture_spend")) / total(source + ".sqls"))
              .epsilon(1e-12));
  }
  // The distribution across replications stays beside it, labelled: the mean of per-replication ratios.
  const std::vector<double> per_replication = test::csv_column(csv, "cost_per_sql_marketing");
  double mean = 0;
  for (double v : per_replication) mean += v / 40;
  CHECK(all.at("cost_per_sql_marketing").at("mean").get<double>() == Approx(mean).epsilon(1e-12));
  CHECK(summary.at("statistics").contains("pooled"));
  CHECK(definitions.at("funnel").at("cost_per_sql_marketing").at("headline") == "pooled");
  CHECK(definitions.at("funnel").at("sqls").at("headline") == "mean");
}
