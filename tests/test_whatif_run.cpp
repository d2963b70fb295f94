// What-if runs through the library alone (funnelsim/whatif/run.hpp), as a Python module or a
// server would call them: options default to the scenario's, reports come back filled, a raised
// cancel flag gives nullopt, and bad input names what is wrong without a command-line flag.
#include "funnelsim/whatif/run.hpp"

#include <catch2/catch.hpp>

#include <atomic>
#include <stdexcept>

#include "small_scenario.hpp"

using namespace funnelsim;
using nlohmann::json;

namespace {

json small_doc() { return json::parse(test::kSmallScenario); }

WhatIfOptions few(std::uint64_t replications = 4) {
  WhatIfOptions options;
  options.replications = replications;
  options.threads = 1;
  return options;
}

}  // namespace

TEST_CASE("whatif run: one scenario on its own seed, with summary and report", "[whatif]") {
  const RunnableScenario scenario(small_doc(), "small");
  std::uint64_t last_done = 0, last_total = 0;
  WhatIfOptions options = few();
  options.progress = [&](std::uint64_t done, std::uint64_t total) {
    last_done = done;
    last_total = total;
  };
  const std::optional<ScenarioRun> run = run_scenario(scenario, options);
  REQUIRE(run);
  CHECK(run->info.seed == 5);
  CHECK(run->info.replications == 4);
  CHECK(run->result.table.replications() == 4);
  CHECK(!run->draws);
  CHECK(&run->report().table == &run->result.table);
  CHECK(last_done == 4);
  CHECK(last_total == 4);
}

TEST_CASE("whatif run: a scenario compared with itself differs by nothing", "[whatif]") {
  const std::vector<RunnableScenario> scenarios{RunnableScenario(small_doc(), "small"),
                                                RunnableScenario(small_doc(), "small")};
  const std::optional<ComparisonReport> report = run_comparison(scenarios, {"a.json", "b.json"}, few());
  REQUIRE(report);
  CHECK(report->seed == 5);
  CHECK(report->replications == 4);
  CHECK(report->base.label == "small");
  REQUIRE(report->variants.size() == 1);
  CHECK(report->variants[0].label == "small#2");
  CHECK(report->variants[0].file == "b.json");
  const PairedDifference& mqls = report->results[0][0].metrics[static_cast<std::size_t>(Metric::mqls)].difference;
  CHECK(mqls.n_paired == 4);
  CHECK(mqls.mean == 0.0);
  CHECK_THROWS_AS(run_comparison(scenarios, {"a.json"}, few()), std::invalid_argument);
}

TEST_CASE("whatif run: a sweep runs every point, and a bad point names itself", "[whatif]") {
  SweepSpec spec;
  spec.parameters.push_back(parse_sweep_parameter("/scoring/mql_threshold=50,70"));
  spec.points = sweep_grid(spec.parameters);
  const std::optional<SweepReport> report = run_sweep(small_doc(), "dir/small.json", spec, few(3));
  REQUIRE(report);
  CHECK(report->scenario == "small");
  CHECK(report->file == "dir/small.json");
  CHECK(report->replications == 3);
  CHECK(report->summaries.size() == 2);

  SweepSpec bad;
  bad.parameters.push_back(parse_sweep_parameter("/horizon_days=28,0"));
  bad.points = sweep_grid(bad.parameters);
  try {
    (void)run_sweep(small_doc(), "small.json", bad, few());
    FAIL("a sweep point with horizon_days 0 was accepted");
  } catch (const ScenarioInputError& e) {
    CHECK(e.context() == "small.json at sweep point 1 (/horizon_days=0)");
  }
}

TEST_CASE("whatif run: a raised cancel flag returns nothing", "[whatif][interrupt]") {
  const std::atomic<bool> cancel{true};
  WhatIfOptions options = few();
  options.cancel = &cancel;
  CHECK(!run_scenario(RunnableScenario(small_doc(), "small"), options));
  SweepSpec spec;
  spec.parameters.push_back(parse_sweep_parameter("/scoring/mql_threshold=50,70"));
  spec.points = sweep_grid(spec.parameters);
  CHECK(!run_sweep(small_doc(), "small.json", spec, options));
  CHECK(!run_sensitivity(small_doc(), "small", SensitivitySpec{}, options));
}

TEST_CASE("whatif run: a tornado ranks its parameters and takes no precision target", "[whatif]") {
  SensitivitySpec spec;
  spec.metric = parse_sensitivity_metric("mqls");
  spec.parameters = parse_pointer_list("/sources/0/leads_per_week");
  const std::optional<SensitivityReport> report = run_sensitivity(small_doc(), "small", spec, few(3));
  REQUIRE(report);
  CHECK(report->replications == 3);
  REQUIRE(report->effects.size() == 1);
  CHECK(report->effects[0].parameter.pointer == "/sources/0/leads_per_week");
  CHECK(report->effects[0].high.mean > 0.0);
  WhatIfOptions options = few();
  options.precision = parse_precision("mqls=5%");
  CHECK_THROWS_AS(run_sensitivity(small_doc(), "small", spec, options), std::invalid_argument);
}

TEST_CASE("whatif run: bad specs name the offending item, never a command-line flag", "[whatif][errors]") {
  try {
    (void)parse_sweep_parameter("/x=1:0:1");
    FAIL("an empty range was accepted");
  } catch (const UsageError& e) {
    CHECK(e.subject() == "/x");
    CHECK(e.message() == "expected a non-empty range a:b:step (a <= b and step > 0), found \"1:0:1\"");
    CHECK(std::string(e.what()) == "/x: " + e.message());
  }
  try {
    (void)parse_precision("mqls");
    FAIL("a precision target without = was accepted");
  } catch (const UsageError& e) {
    CHECK(e.subject().empty());
    CHECK(std::string(e.what()).find("--") == std::string::npos);
  }
}
