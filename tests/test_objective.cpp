// Sweep objectives and Pareto fronts: parsing (with exact messages), feasibility, the best point
// and non-dominated points on hand-made means.
#include "funnelsim/whatif/objective.hpp"
#include "test_support.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

using namespace funnelsim;

namespace {

using test::undefined;

std::size_t index_of(const char* name) { return metric_index(name); }

/// One point's whole-funnel means: every metric undefined but those given.
std::vector<double> point(std::initializer_list<std::pair<const char*, double>> values) {
  std::vector<double> means(metric_defs().size(), undefined);
  for (auto [name, v] : values) means.at(index_of(name)) = v;
  return means;
}

template <typename F>
std::string error_of(F parse) {
  try {
    parse();
  } catch (const UsageError& e) {
    return e.what();
  }
  FAIL("accepted");
  return {};
}

std::string objective_error(const std::string& text) {
  return error_of([&] { (void)parse_objective(text); });
}
std::string pareto_error(const std::string& text) {
  return error_of([&] { (void)parse_pareto(text); });
}

}  // namespace

TEST_CASE("objective: parses goals, metrics and constraints", "[objective]") {
  const Objective plain = parse_objective("minimize cost_per_sql_marketing");
  CHECK(!plain.maximize);
  CHECK(plain.metric == index_of("cost_per_sql_marketing"));
  CHECK(plain.constraints.empty());

  const Objective o =
      parse_objective("  maximize sqls subject to mql_precision>=0.19 and cost_per_sql_marketing < 3000 ");
  CHECK(o.maximize);
  CHECK(o.metric == index_of("sqls"));
  REQUIRE(o.constraints.size() == 2);
  CHECK(o.constraints[0].metric == index_of("mql_precision"));
  CHECK(o.constraints[0].op == Constraint::Op::at_least);
  CHECK(o.constraints[0].bound == 0.19);
  CHECK(o.constraints[1].op == Constraint::Op::below);
  CHECK(objective_text(o) == "maximize sqls subject to mql_precision >= 0.19 and cost_per_sql_marketing < 3000");
  CHECK(parse_objective("minimize sqls subject to leads > 1e3").constraints[0].bound == 1000.0);
  CHECK(parse_objective("minimize sqls subject to leads <= 5").constraints[0].op == Constraint::Op::at_most);
}

TEST_CASE("objective: malformed text and unknown metrics are usage errors", "[objective][errors]") {
  const std::string grammar =
      "expected \"minimize|maximize METRIC [subject to METRIC (>=|<=|>|<) NUMBER [and ...]]\" starting "
      "with minimize or maximize, found ";
  CHECK(objective_error("") == grammar + "nothing");
  CHECK(objective_error("optimize cost_per_sql_marketing") == grammar + "\"optimize cost_per_sql_marketing\"");
  CHECK(objective_error("minimize") == "expected a metric after minimize, found nothing");
  CHECK(
      objective_error("minimize cost_per_sql_marketng") ==
      "expected a whole-funnel metric name such as cost_per_sql_marketing (did you mean \"cost_per_sql_marketing\"?), "
      "found \"cost_per_sql_marketng\"");
  CHECK(objective_error("minimize cost_per_sq") ==  // the closest name wins: 2 edits from cost_per_mql
        "expected a whole-funnel metric name such as cost_per_sql_marketing (did you mean \"cost_per_mql\"?), "
        "found \"cost_per_sq\"");
  CHECK(objective_error("minimize cost_per_sql") ==  // the old name says what it became
        "expected a whole-funnel metric name such as cost_per_sql_marketing (cost_per_sql is now "
        "cost_per_sql_marketing or cost_per_sql_loaded), found \"cost_per_sql\"");
  CHECK(objective_error("maximize profit") ==  // revenue is a metric now; profit is not, nor close to one
        "expected a whole-funnel metric name such as cost_per_sql_marketing, found \"profit\"");
  CHECK(objective_error("minimize sqls where leads > 3") ==
        "expected \"subject to\" and constraints after the metric, found \"where leads > 3\"");
  CHECK(objective_error("minimize sqls subject to") ==
        "expected a constraint METRIC (>=|<=|>|<) NUMBER, found nothing");
  CHECK(objective_error("minimize sqls subject to leads >") ==
        "expected a constraint METRIC (>=|<=|>|<) NUMBER, found \"leads >\"");
  CHECK(objective_error("minimize sqls subject to leads = 3") ==
        "expected a comparison (>=, <=, > or <) after leads, found \"=\"");
  CHECK(objective_error("minimize sqls subject to mql_recall >= 90%") ==
        "expected a number after mql_recall >=, found \"90%\"");
  CHECK(objective_error("minimize sqls subject to leads > 3 or mqls > 2") ==
        "expected \"and\" between constraints, found \"or mqls > 2\"");
  CHECK(objective_error("minimize sqls subject to lead > 3") ==
        "expected a whole-funnel metric name such as cost_per_sql_marketing (did you mean \"leads\"?), "
        "found \"lead\"");
}

TEST_CASE("objective: the best feasible point, earliest on ties", "[objective]") {
  const std::vector<std::vector<double>> means{
      point({{"cost_per_sql_marketing", 2000}, {"mql_recall", 0.40}}),  // cheapest, but fails the constraint
      point({{"cost_per_sql_marketing", 2600}, {"mql_recall", 0.50}}),
      point({{"cost_per_sql_marketing", 2500}, {"mql_recall", 0.45}}),  // the best: meets >= 0.45 exactly
      point({{"cost_per_sql_marketing", 2500}, {"mql_recall", 0.60}}),  // ties with 2, comes later
      point({{"cost_per_sql_marketing", undefined}, {"mql_recall", 0.9}}),
      point({{"cost_per_sql_marketing", 1000}, {"mql_recall", undefined}}),  // an undefined mean meets nothing
  };
  const Objective o = parse_objective("minimize cost_per_sql_marketing subject to mql_recall >= 0.45");
  CHECK(best_point(o, means) == std::optional<std::size_t>(2));
  CHECK(!is_feasible(o, means[0]));
  CHECK(!is_feasible(o, means[4]));
  CHECK(!is_feasible(o, means[5]));
  CHECK(best_point(parse_objective("maximize mql_recall"), means) == std::optional<std::size_t>(4));
  CHECK(best_point(parse_objective("minimize cost_per_sql_marketing"), means) == std::optional<std::size_t>(5));
  CHECK(
      !best_point(parse_objective("minimize cost_per_sql_marketing subject to mql_recall > 0.95"), means).has_value());
}

TEST_CASE("objective: the Pareto front follows each metric's better direction", "[objective]") {
  const ParetoAxes axes = parse_pareto("sqls,cost_per_sql_marketing");  // higher sqls, lower cost
  CHECK(axes.x == index_of("sqls"));
  CHECK(axes.y == index_of("cost_per_sql_marketing"));
  const std::vector<std::vector<double>> means{
      point({{"sqls", 100}, {"cost_per_sql_marketing", 2000}}),
      point({{"sqls", 120}, {"cost_per_sql_marketing", 2500}}),
      point({{"sqls", 90}, {"cost_per_sql_marketing", 2100}}),   // dominated by 0
      point({{"sqls", 120}, {"cost_per_sql_marketing", 2600}}),  // dominated by 1 (equal sqls, dearer)
      point({{"sqls", 100}, {"cost_per_sql_marketing", 2000}}),  // equal to 0: neither dominates
      point({{"sqls", 500}, {"cost_per_sql_marketing", undefined}}),
  };
  CHECK(pareto_front(axes, means) == std::vector<bool>{true, true, false, false, true, false});
}

TEST_CASE("objective: --pareto needs two known metrics with a better direction", "[objective][errors]") {
  CHECK(pareto_error("sqls") == "expected two metrics METRIC_X,METRIC_Y, found \"sqls\"");
  CHECK(pareto_error("sqls,mqls,leads") == "expected two metrics METRIC_X,METRIC_Y, found \"sqls,mqls,leads\"");
  CHECK(
      pareto_error("sqls,cost_per_sql_marketng") ==
      "expected a whole-funnel metric name such as cost_per_sql_marketing (did you mean \"cost_per_sql_marketing\"?), "
      "found \"cost_per_sql_marketng\"");
  CHECK(pareto_error("mqls,sqls") ==
        "expected metrics with a better direction (higher or lower is better), found mqls, whose better "
        "direction is neither");
}
