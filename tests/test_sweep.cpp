// Sweep parameters and grids: --param parsing (ranges, lists, every malformed case) and the
// Cartesian product.
#include "funnelsim/whatif/sweep.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using namespace funnelsim;
using nlohmann::json;

namespace {

std::string error_of(const std::string& text) {
  try {
    (void)parse_sweep_parameter(text);
  } catch (const UsageError& e) {
    return e.what();
  }
  FAIL(text << " was accepted");
  return {};
}

std::string grid_error_of(const std::vector<SweepParameter>& parameters) {
  try {
    (void)sweep_grid(parameters);
  } catch (const UsageError& e) {
    return e.what();
  }
  FAIL("the grid was accepted");
  return {};
}

}  // namespace

TEST_CASE("sweep: a range a:b:step includes both ends", "[sweep]") {
  const SweepParameter p = parse_sweep_parameter("/scoring/mql_threshold=55:85:10");
  CHECK(p.pointer == "/scoring/mql_threshold");
  CHECK(json(p.values) == json::parse("[55, 65, 75, 85]"));
  for (const json& v : p.values) CHECK(v.is_number_integer());  // "55", not "55.0", in overrides and CSV
  CHECK(json(parse_sweep_parameter("/x=55:84:10").values) == json::parse("[55, 65, 75]"));
  CHECK(json(parse_sweep_parameter("/x=55:55:10").values) == json::parse("[55]"));
  CHECK(json(parse_sweep_parameter("/x=-1:1:1").values) == json::parse("[-1, 0, 1]"));
  CHECK(json(parse_sweep_parameter("/x= 1 : 2 : 0.5").values) == json::parse("[1, 1.5, 2]"));
}

TEST_CASE("sweep: a decimal range has no float noise", "[sweep]") {
  const SweepParameter p = parse_sweep_parameter("/sources/0/overdispersion=0.1:0.3:0.1");
  REQUIRE(p.values.size() == 3);  // 0.1 + 2 * 0.1 = 0.30000000000000004 still counts as b
  CHECK(p.values[0].get<double>() == 0.1);
  CHECK(p.values[1].get<double>() == 0.2);
  CHECK(p.values[2].get<double>() == 0.3);
  CHECK(value_text(p.values[2]) == "0.3");
}

TEST_CASE("sweep: a list takes JSON values, else strings", "[sweep]") {
  const SweepParameter p = parse_sweep_parameter(R"(/x=75,true, none ,[1,2],{"a":1,"b":2},"q,r",half_life)");
  CHECK(json(p.values) == json::parse(R"([75, true, "none", [1, 2], {"a": 1, "b": 2}, "q,r", "half_life"])"));
  CHECK(value_text(p.values[2]) == "none");
  CHECK(value_text(p.values[3]) == "[1,2]");
  CHECK(json(parse_sweep_parameter("/x=65").values) == json::parse("[65]"));
  CHECK(json(parse_sweep_parameter(R"(/name="a:b")").values) == json::parse(R"(["a:b"])"));  // quoted: no range
}

TEST_CASE("sweep: malformed --param text is a usage error that says what was expected", "[sweep][errors]") {
  const std::string form = "expected PTR=a:b:step or PTR=v1,v2,... (e.g. /scoring/mql_threshold=55:85:10), ";
  CHECK(error_of("mql_threshold=55") == form + "found \"mql_threshold=55\"");
  CHECK(error_of("/scoring/mql_threshold") == form + "found \"/scoring/mql_threshold\"");
  CHECK(error_of("=5") == form + "found \"=5\"");
  CHECK(error_of("/a~2=1") == "expected a JSON Pointer such as /scoring/mql_threshold, found \"/a~2\"");
  const std::string numbers = "/x: expected a range a:b:step of three numbers, found ";
  CHECK(error_of("/x=55:high:10") == numbers + "\"55:high:10\"");
  CHECK(error_of("/x=55:85") == numbers + "\"55:85\"");
  CHECK(error_of("/x=1:2:3:4") == numbers + "\"1:2:3:4\"");
  CHECK(error_of("/x=a:b:c") == numbers + "\"a:b:c\"");
  CHECK(error_of("/x=0:inf:1") == numbers + "\"0:inf:1\"");
  const std::string empty = "/x: expected a non-empty range a:b:step (a <= b and step > 0), found ";
  CHECK(error_of("/x=85:55:10") == empty + "\"85:55:10\"");
  CHECK(error_of("/x=55:85:0") == empty + "\"55:85:0\"");
  CHECK(error_of("/x=55:85:-10") == empty + "\"55:85:-10\"");
  CHECK(error_of("/x=0:5000:1") == "/x: expected at most 1000 values, found 5001 in \"0:5000:1\"");
  const std::string list = "/x: expected a list v1,v2,... without empty values, found ";
  CHECK(error_of("/x=55,,65") == list + "\"55,,65\"");
  CHECK(error_of("/x=") == list + "\"\"");
  CHECK(error_of("/x=1,") == list + "\"1,\"");
  CHECK(error_of("/seed=1,2") ==
        "/seed: expected a scenario field to sweep, found a run control (every point runs the same seed and "
        "replications: set them for the whole sweep)");
  CHECK(error_of("/replications=10").starts_with("/replications: expected a scenario field to sweep"));
}

TEST_CASE("sweep: the grid is the Cartesian product, first parameter slowest", "[sweep]") {
  const std::vector<SweepParameter> parameters{parse_sweep_parameter("/a=1:3:1"), parse_sweep_parameter("/b=x,y")};
  const auto grid = sweep_grid(parameters);
  CHECK(grid == std::vector<std::vector<std::size_t>>{{0, 0}, {0, 1}, {1, 0}, {1, 1}, {2, 0}, {2, 1}});
  CHECK(point_text(parameters, grid[3]) == "/a=2, /b=y");
  const auto overrides = point_overrides(parameters, grid[3]);
  REQUIRE(overrides.size() == 2);
  CHECK(overrides[0].pointer == "/a");
  CHECK(overrides[0].value == "2");
  CHECK(overrides[1].value == "\"y\"");  // a JSON string, so that --set-style parsing keeps it text
  CHECK(sweep_grid({}) == std::vector<std::vector<std::size_t>>{{}});
}

TEST_CASE("sweep: a grid with a repeated pointer or too many points is refused", "[sweep][errors]") {
  CHECK(grid_error_of({parse_sweep_parameter("/a=1,2"), parse_sweep_parameter("/a=3")}) ==
        "/a: expected each pointer in one parameter only, found it twice");
  CHECK(grid_error_of({parse_sweep_parameter("/a=1:100:1"), parse_sweep_parameter("/b=1:11:1")}) ==
        "expected a grid of at most 1000 points, found 1100");
}
