// The back-test (docs/calibrate.md, "Back-test"): calibrate on the first 60 days of an export,
// predict the next 30, and count how often the observed weekly leads, MQLs and SQLs fall inside
// the predicted P5-P95. Each count is inside with probability at least 0.90 when the calibrated
// model is the one that made the data (at least: counts are whole numbers), so the number inside
// is at least Binomial(n, 0.90); the test asks for its 0.1% quantile (Boost's, rounded outwards:
// 15 of 24, fewer with probability 5e-5). On saas_baseline's paid_search alone (about 120 leads a
// week), R = 12: 13 s of CPU in Release (two fits on 2 threads, 400 prediction replications), so
// under 10 s on 2 idle cores; about ten times that under ASan, so tagged [release] (the sanitizer
// stage leaves it out).
#include <catch2/catch.hpp>
#include <algorithm>
#include <cmath>
#include <vector>

#include <boost/math/distributions/binomial.hpp>

#include "calibrate_support.hpp"
#include "funnelsim/calibrate/calibrate.hpp"
#include "funnelsim/crm/export.hpp"

using namespace funnelsim;
using namespace funnelsim::test;

namespace {

constexpr crm::Minute kDay = crm::kMinutesPerDay;
constexpr int kFitDays = 60, kPredictWeeks = 4;  // days 60-87: four whole weeks of the 90
constexpr std::uint64_t kPredictReplications = 200;

/// leads, MQLs and SQLs measured in [from, from + 7 days).
std::vector<double> week_counts(const crm::CrmRecords& records, crm::Minute from) {
  const crm::ObservedFunnel week = crm::measure(records, crm::Window{from, from + 7 * kDay});
  const crm::ObservedScope& all = week.scopes.front();
  return {all.metrics[metric_index("leads")], all.metrics[metric_index("mqls")], all.metrics[metric_index("sqls")]};
}

/// The nearest-rank quantile q of `values` (sorted in place).
double quantile(std::vector<double>& values, double q) {
  std::sort(values.begin(), values.end());
  const auto rank = static_cast<std::size_t>(std::ceil(q * static_cast<double>(values.size())));
  return values[std::max<std::size_t>(rank, 1) - 1];
}

struct Tally {
  std::size_t inside = 0, total = 0;
};

/// One export of `truth` (replication 0 under `seed`): calibrate on its first 60 days from a base
/// moved away from the truth, simulate the calibrated scenario, tally the next four weeks.
void back_test(const nlohmann::json& truth, std::uint64_t seed, const std::filesystem::path& dir, Tally& tally) {
  const RunnableScenario truth_scenario(truth, "paid_search_only");
  const std::optional<crm::CrmExport> exported =
      crm::export_replication(truth_scenario, seed, 0, {crm::CrmFormat::hubspot});
  REQUIRE(exported);
  write_export(*exported, dir);
  const ReadBack data = read_back(dir);
  const crm::Minute day0 = crm::default_start_date(truth_scenario.scenario());
  const crm::ObservedFunnel first_60 =
      crm::measure(data.data.records, crm::window_of(data.data.records, day0, day0 + (kFitDays - 1) * kDay));

  nlohmann::json base = truth;
  // The fit simulates 60 days, not 90: nothing after day 59 is measured, and nothing before it
  // depends on what comes after (a third less to simulate per evaluation).
  base["horizon_days"] = kFitDays;
  base["sources"][0]["profile"]["readiness"]["alpha"] = 2.5;
  base["sales_acceptance"]["midpoint"] = 0.65;
  const auto fit = calibrate::calibrate(base, "paid_search_only", first_60, fast_options(2));
  REQUIRE(fit);
  // The model made the data: J is chi-square, and p < 0.05 happens one fit in 20; below 0.001, not.
  INFO(fit->verdict);
  CHECK(fit->p_value > 0.001);

  nlohmann::json calibrated = base;
  calibrated["horizon_days"] = truth["horizon_days"];
  for (const auto& [pointer, value] : fit->changes) calibrated[nlohmann::json::json_pointer(pointer)] = value;
  const RunnableScenario predicted(calibrated, "paid_search_only_calibrated");
  // simulated[week][series]: the counts over the prediction replications (a seed of its own).
  std::vector<std::vector<std::vector<double>>> simulated(kPredictWeeks, std::vector<std::vector<double>>(3));
  for (std::uint64_t r = 0; r < kPredictReplications; ++r) {
    const crm::TracedReplication traced = crm::trace_replication(predicted, 7, r);
    for (int w = 0; w < kPredictWeeks; ++w) {
      const std::vector<double> counts = week_counts(traced.records, day0 + (kFitDays + 7 * w) * kDay);
      for (std::size_t k = 0; k < 3; ++k) simulated[w][k].push_back(counts[k]);
    }
  }
  for (int w = 0; w < kPredictWeeks; ++w) {
    const std::vector<double> seen = week_counts(data.data.records, day0 + (kFitDays + 7 * w) * kDay);
    for (std::size_t k = 0; k < 3; ++k) {
      const double low = quantile(simulated[w][k], 0.05), high = quantile(simulated[w][k], 0.95);
      INFO("week " << w << " series " << k << ": observed " << seen[k] << ", predicted " << low << " .. " << high);
      tally.inside += low <= seen[k] && seen[k] <= high ? 1 : 0;
      ++tally.total;
    }
  }
}

}  // namespace

TEST_CASE("calibrate's back-test: 60 days fitted, the next 30 days' weekly counts inside P5-P95",
          "[calibrate][release]") {
  TempDir dir;
  nlohmann::json truth = small_document(90);
  truth["warmup_days"] = 28;  // a fixed warm-up: the rule's pick (three of them) is not what this tests
  Tally tally;
  back_test(truth, 4242, dir.path() / "a", tally);
  back_test(truth, 5353, dir.path() / "b", tally);
  REQUIRE(tally.total == 2 * kPredictWeeks * 3);
  // Binomial(total, 0.90)'s 0.1% quantile, rounded outwards (Boost's default for a lower tail).
  const boost::math::binomial_distribution<double> inside(static_cast<double>(tally.total), 0.90);
  const double fewest = boost::math::quantile(inside, 0.001);
  INFO(tally.inside << " of " << tally.total << " inside; at least " << fewest << " expected");
  CHECK(static_cast<double>(tally.inside) >= fewest);
}
