#include "funnelsim/core/statistics.hpp"
#include "test_support.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <vector>

using namespace funnelsim;

namespace {
using test::undefined;

const std::vector<double> one_to_ten{1, 2, 3, 4, 5, 6, 7, 8, 9, 10};

// Bitwise equality: also treats NaN == NaN, which is what "identical results" means here.
bool same_bits(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }
}  // namespace

TEST_CASE("statistics: type 7 percentiles match R quantile()") {
  // R: quantile(1:10, c(.05, .1, .25, .5, .75, .9, .95), type = 7)
  CHECK(percentile_sorted(one_to_ten, 0.05) == Approx(1.45));
  CHECK(percentile_sorted(one_to_ten, 0.10) == Approx(1.9));
  CHECK(percentile_sorted(one_to_ten, 0.25) == Approx(3.25));
  CHECK(percentile_sorted(one_to_ten, 0.50) == Approx(5.5));
  CHECK(percentile_sorted(one_to_ten, 0.75) == Approx(7.75));
  CHECK(percentile_sorted(one_to_ten, 0.90) == Approx(9.1));
  CHECK(percentile_sorted(one_to_ten, 0.95) == Approx(9.55));
  CHECK(percentile_sorted(one_to_ten, 0.0) == 1.0);
  CHECK(percentile_sorted(one_to_ten, 1.0) == 10.0);
}

TEST_CASE("statistics: percentile edge cases") {
  CHECK(std::isnan(percentile_sorted({}, 0.5)));
  const std::vector<double> single{42.0};
  CHECK(percentile_sorted(single, 0.0) == 42.0);
  CHECK(percentile_sorted(single, 0.37) == 42.0);
  CHECK(percentile_sorted(single, 1.0) == 42.0);
  CHECK_THROWS_AS(percentile_sorted(one_to_ten, -0.1), std::invalid_argument);
  CHECK_THROWS_AS(percentile_sorted(one_to_ten, 1.1), std::invalid_argument);
  CHECK_THROWS_AS(percentile_sorted(one_to_ten, undefined), std::invalid_argument);
}

TEST_CASE("statistics: Student t critical values match R qt(0.975, df)") {
  CHECK(student_t_critical(0.05, 1) == Approx(12.7062047361747).epsilon(1e-12));
  CHECK(student_t_critical(0.05, 9) == Approx(2.262157162798205).epsilon(1e-12));
  CHECK(student_t_critical(0.05, 29) == Approx(2.045229642132703).epsilon(1e-12));
  CHECK(student_t_critical(0.05, 1e7) == Approx(1.959963984540054).epsilon(1e-6));
  CHECK_THROWS(student_t_critical(0.0, 5));
  CHECK_THROWS(student_t_critical(0.05, 0));
}

TEST_CASE("statistics: Welford mean and variance") {
  SECTION("small known data") {
    const MeanVar mv = mean_variance(one_to_ten);
    CHECK(mv.n == 10);
    CHECK(mv.mean == Approx(5.5));
    CHECK(mv.variance == Approx(55.0 / 6.0));
  }
  SECTION("stable far from zero, where sum(x^2) - n*mean^2 cancels catastrophically") {
    const std::vector<double> v{1e9 + 4, 1e9 + 7, 1e9 + 13, 1e9 + 16};
    const MeanVar mv = mean_variance(v);
    CHECK(mv.mean == 1e9 + 10);
    CHECK(mv.variance == Approx(30.0).epsilon(1e-12));
  }
  SECTION("NaN skipped; n < 2 gives NaN variance") {
    const std::vector<double> v{undefined, 3.0, undefined};
    const MeanVar mv = mean_variance(v);
    CHECK(mv.n == 1);
    CHECK(mv.mean == 3.0);
    CHECK(std::isnan(mv.variance));
    const MeanVar none = mean_variance(std::vector<double>{undefined, undefined});
    CHECK(none.n == 0);
    CHECK(std::isnan(none.mean));
    CHECK(std::isnan(none.variance));
  }
}

TEST_CASE("statistics: summarize on 1..10 matches hand/R values") {
  const SummaryStats s = summarize(one_to_ten);
  CHECK(s.n_defined == 10);
  CHECK(s.mean == Approx(5.5));
  CHECK(s.sd == Approx(3.0276503540974917).epsilon(1e-12));
  CHECK(s.se == Approx(0.9574271077563381).epsilon(1e-12));
  // mean -/+ qt(0.975, 9) * se
  CHECK(s.ci95_low == Approx(3.334149410331831).epsilon(1e-12));
  CHECK(s.ci95_high == Approx(7.665850589668169).epsilon(1e-12));
  CHECK(s.p5 == Approx(1.45));
  CHECK(s.p10 == Approx(1.9));
  CHECK(s.p25 == Approx(3.25));
  CHECK(s.p50 == Approx(5.5));
  CHECK(s.p75 == Approx(7.75));
  CHECK(s.p90 == Approx(9.1));
  CHECK(s.p95 == Approx(9.55));
  CHECK(s.min == 1.0);
  CHECK(s.max == 10.0);
}

TEST_CASE("statistics: summarize skips NaN and counts defined values") {
  // Unsorted, with undefined values interleaved: same answers as 1..10.
  const std::vector<double> v{7, undefined, 3, 10, 1, undefined, 5, 9, 2, 8, 4, 6, undefined};
  const SummaryStats s = summarize(v);
  const SummaryStats ref = summarize(one_to_ten);
  CHECK(s.n_defined == 10);
  CHECK(s.get("n_defined") == 10.0);
  for (const std::string_view name : statistic_names()) {
    INFO(name);
    CHECK(s.get(name) == Approx(ref.get(name)));
  }
}

TEST_CASE("statistics: summarize edge cases n = 0 and n = 1") {
  SECTION("n = 0: everything NaN") {
    for (const std::vector<double>& v : {std::vector<double>{}, std::vector<double>{undefined, undefined}}) {
      const SummaryStats s = summarize(v);
      CHECK(s.n_defined == 0);
      for (const std::string_view name : statistic_names()) {
        INFO(name);
        if (name == "n_defined")
          CHECK(s.get(name) == 0.0);
        else
          CHECK(std::isnan(s.get(name)));
      }
    }
  }
  SECTION("n = 1: location statistics defined, spread statistics NaN") {
    const SummaryStats s = summarize(std::vector<double>{undefined, 2.5});
    CHECK(s.n_defined == 1);
    for (const std::string_view name : statistic_names()) {
      INFO(name);
      const bool spread = name == "sd" || name == "se" || name == "ci95_low" || name == "ci95_high";
      if (spread)
        CHECK(std::isnan(s.get(name)));
      else if (name == "n_defined")
        CHECK(s.get(name) == 1.0);
      else
        CHECK(s.get(name) == 2.5);
    }
  }
}

TEST_CASE("statistics: names and get()") {
  const auto names = statistic_names();
  const std::vector<std::string_view> expected{"mean", "sd",  "se",  "ci95_low", "ci95_high", "p5",  "p10",      "p25",
                                               "p50",  "p75", "p90", "p95",      "min",       "max", "n_defined"};
  REQUIRE(std::vector<std::string_view>(names.begin(), names.end()) == expected);

  // Distinct values per member so a mis-wired name would be caught.
  SummaryStats s;
  s.mean = 1;
  s.sd = 2;
  s.se = 3;
  s.ci95_low = 4;
  s.ci95_high = 5;
  s.p5 = 6;
  s.p10 = 7;
  s.p25 = 8;
  s.p50 = 9;
  s.p75 = 10;
  s.p90 = 11;
  s.p95 = 12;
  s.min = 13;
  s.max = 14;
  s.n_defined = 15;
  for (std::size_t i = 0; i < names.size(); ++i) {
    INFO(names[i]);
    CHECK(s.get(names[i]) == static_cast<double>(i + 1));
  }
  CHECK_THROWS_AS(s.get("median"), std::out_of_range);
  CHECK_THROWS_AS(s.get(""), std::out_of_range);
  CHECK_THROWS_AS(s.get("Mean"), std::out_of_range);
}

TEST_CASE("statistics: summarize with and without scratch is bit-identical") {
  const std::vector<double> v{0.1, undefined, 1e9 + 0.3, -2.7, 3.3, undefined, 0.2, 1.0 / 3.0, 7.0};
  std::vector<double> scratch{99.0, 98.0};  // stale contents must not leak into the result
  const SummaryStats a = summarize(v);
  const SummaryStats b = summarize(v, scratch);
  const SummaryStats c = summarize(v, scratch);  // reuse after a previous call
  for (const std::string_view name : statistic_names()) {
    INFO(name);
    CHECK(same_bits(a.get(name), b.get(name)));
    CHECK(same_bits(a.get(name), c.get(name)));
  }
  CHECK(scratch.size() == 7);
  // The mean is Welford in replication order, so it equals mean_variance exactly.
  CHECK(same_bits(a.mean, mean_variance(v).mean));
}
