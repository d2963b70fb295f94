// Precision targets: parsing, the stopping rule at batch boundaries, the cap, batches that add up
// to one long run, and independence of the thread count.
#include <boost/random/normal_distribution.hpp>
#include <catch2/catch.hpp>
#include <cmath>
#include <vector>

#include "funnelsim/whatif/precision.hpp"
#include "funnelsim/whatif/precision_run.hpp"
#include "core/random.hpp"
#include "test_support.hpp"

using namespace funnelsim;
using nlohmann::json;

namespace {

/// A stand-in for the engine: replication r's mqls is a fixed normal draw, sd 20% of the mean.
RunResult fake_batch(std::uint64_t first, std::uint64_t count, std::vector<std::uint64_t>& calls) {
  calls.push_back(first);
  RunResult result{ReplicationTable(count, {{"all", ScopeKind::funnel}}, 1), RunWork{}};
  boost::random::normal_distribution<double> normal;
  for (std::uint64_t i = 0; i < count; ++i) {
    RandomStream stream(4, first + i, StreamId{0, 0, stream_tag("test:precision")});
    result.table.row(i, 0)[static_cast<std::size_t>(Metric::mqls)] = 100.0 + 20.0 * normal(stream);
  }
  return result;
}

std::vector<double> mqls_of(const ReplicationTable& table) {
  std::vector<double> column;
  table.column(0, Metric::mqls, column);
  return column;
}

}  // namespace

TEST_CASE("precision: METRIC=REL% parses, and bad text is a usage error", "[precision][errors]") {
  const PrecisionTarget t = parse_precision("cost_per_sql_marketing=1%");
  CHECK(metric_defs()[t.metric].name == "cost_per_sql_marketing");
  CHECK(t.relative_half_width == 0.01);
  CHECK(parse_precision("mqls=0.005").relative_half_width == 0.005);
  auto message = [](std::string_view text) {
    try {
      (void)parse_precision(text);
    } catch (const UsageError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  CHECK(message("mqls") == "expected METRIC=REL% (e.g. cost_per_sql_marketing=1%), found \"mqls\"");
  CHECK(message("mql=1%") ==
        "expected a whole-funnel metric name such as cost_per_sql_marketing (did you mean \"mqls\"?), "
        "found \"mql\"");
  CHECK(message("mqls=0%") ==
        "mqls: expected a relative half-width such as 1% or 0.01, above 0 and at most 100%, found \"0%\"");
  CHECK(message("mqls=-1%") ==
        "mqls: expected a relative half-width such as 1% or 0.01, above 0 and at most 100%, found \"-1%\"");
  CHECK(message("mqls=tight") ==
        "mqls: expected a relative half-width such as 1% or 0.01, above 0 and at most 100%, found \"tight\"");
}

TEST_CASE("precision: the run stops at the first batch boundary where the target holds", "[precision]") {
  // sd/mean = 0.2: a half-width of 2% needs about (1.96 * 0.2 / 0.02)^2 = 384 replications.
  std::vector<std::uint64_t> calls;
  const BatchRunner runner = [&](std::uint64_t first, std::uint64_t count) { return fake_batch(first, count, calls); };
  PrecisionOutcome outcome;
  const RunResult r = run_to_precision(runner, parse_precision("mqls=2%"), 0, kPrecisionCap, outcome);
  const std::size_t n = r.table.replications();
  CHECK(n % kPrecisionBatch == 0);
  CHECK(n >= 300);
  CHECK(n <= 500);
  CHECK(outcome.met);
  const std::vector<double> all = mqls_of(r.table);
  CHECK(outcome.achieved == relative_half_width(all));
  CHECK(outcome.achieved < 0.02);
  // One batch earlier, the target did not hold.
  CHECK(relative_half_width(std::span<const double>(all).first(n - kPrecisionBatch)) >= 0.02);
  // Batches ran in order, each from where the previous ended; replication r is always the same.
  for (std::size_t b = 0; b < calls.size(); ++b) CHECK(calls[b] == b * kPrecisionBatch);
  std::vector<std::uint64_t> unused;
  CHECK(mqls_of(fake_batch(0, n, unused).table) == all);
}

TEST_CASE("precision: the cap stops the run, and the last batch is cut at it", "[precision]") {
  std::vector<std::uint64_t> calls;
  const BatchRunner runner = [&](std::uint64_t first, std::uint64_t count) { return fake_batch(first, count, calls); };
  PrecisionOutcome outcome;
  const RunResult r = run_to_precision(runner, parse_precision("mqls=0.1%"), 1000, 120, outcome);
  CHECK(r.table.replications() == 120);
  CHECK(calls == std::vector<std::uint64_t>{1000, 1050, 1100});
  CHECK_FALSE(outcome.met);
  CHECK(outcome.achieved > 0.001);
  // Undefined everywhere: nothing to gain from more batches.
  PrecisionOutcome none;
  const RunResult u = run_to_precision(runner, parse_precision("cost_per_sql_marketing=1%"), 0, 1000, none);
  CHECK(u.table.replications() == kPrecisionBatch);
  CHECK_FALSE(none.met);
  CHECK(std::isnan(none.achieved));
}

TEST_CASE("precision: batches of the engine add up to one long run, on any thread count", "[precision][determinism]") {
  const json doc = json::parse(R"({
    "horizon_days": 14,
    "sources": [{ "name": "web", "leads_per_week": 60, "cost_per_lead": 20,
      "profile": { "events": { "visit": { "rate_at_readiness_0": 0.5, "rate_at_readiness_1": 20 } } } }],
    "scoring": { "event_points": { "visit": 5 }, "mql_threshold": 20 }
  })");
  const CompiledModel model = compile_model(test::scenario_from(doc));
  std::vector<std::vector<double>> runs;
  for (int threads : {1, 2}) {
    const BatchRunner runner = [&](std::uint64_t first, std::uint64_t count) {
      RunOptions options;
      options.seed = 3;
      options.first_replication = first;
      options.replications = count;
      options.threads = threads;
      return run_replications(model, options);
    };
    PrecisionOutcome outcome;
    const RunResult r = run_to_precision(runner, parse_precision("mqls=1.5%"), 0, 1000, outcome);
    CHECK(outcome.met);
    runs.push_back(mqls_of(r.table));
    // The same replications in one run.
    const RunResult whole = runner(0, r.table.replications());
    CHECK(mqls_of(whole.table) == runs.back());
  }
  CHECK(runs[0] == runs[1]);
  CHECK(runs[0].size() > kPrecisionBatch);
}

TEST_CASE("precision: the paired half-width is relative to the base mean, over defined pairs", "[precision]") {
  const double nan = std::nan("");
  // d = 1, 2, 3: mean 2, sd 1, n 3; t(0.975, 2) = 4.302653 (tables); base mean 10.
  const std::vector<double> base{10, 10, 10, nan}, variant{11, 12, 13, 40};
  CHECK(paired_relative_half_width(base, variant) == Approx(4.302653 / std::sqrt(3.0) / 10.0).epsilon(1e-6));
  const std::vector<double> same{5, 7, 9};
  CHECK(paired_relative_half_width(same, same) == 0.0);  // a constant difference has no width
  CHECK(std::isnan(paired_relative_half_width(std::vector<double>{0, 0, 0}, same)));  // base mean 0
  CHECK(std::isnan(paired_relative_half_width(std::vector<double>{1}, std::vector<double>{2})));
}

TEST_CASE("precision: a cancelled batch ends the batching at once", "[precision][interrupt]") {
  std::vector<std::pair<std::uint64_t, std::uint64_t>> batches;
  PrecisionOutcome outcome;
  const std::uint64_t run = run_batches_to_precision(
      [&](std::uint64_t first, std::uint64_t count) {
        batches.emplace_back(first, count);
        return batches.size() < 2;  // the second batch is interrupted
      },
      [] {
        return PrecisionReading{0.5, false};
      },
      parse_precision("mqls=1%"), 7, 1000, outcome);
  CHECK(run == 2 * kPrecisionBatch);
  CHECK(batches == std::vector<std::pair<std::uint64_t, std::uint64_t>>{{7, kPrecisionBatch}, {57, kPrecisionBatch}});
  CHECK_FALSE(outcome.met);
}
