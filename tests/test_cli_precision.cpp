// `funnelsim run --precision`: replications added in batches until the target holds, checked on
// the replications themselves; the cap; determinism across thread counts.
#include <fmt/format.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli_support.hpp"
#include "small_scenario.hpp"
#include "funnelsim/whatif/precision.hpp"

using funnelsim::test::cli;
using funnelsim::test::csv_column;
using funnelsim::test::read_file;
using funnelsim::test::run_summary_json;
using funnelsim::test::TempDir;
using nlohmann::json;

using Small = funnelsim::test::SmallScenario;

TEST_CASE("cli: --precision stops at the first batch of 50 where the target holds", "[cli][precision]") {
  const Small small;
  const std::string args = "'" + small.file + "' --precision mqls=2.5%";
  const json s = run_summary_json(args + " --threads 1", small.dir, "a");
  const auto n = s["replications"].get<std::uint64_t>();
  CHECK(n % funnelsim::kPrecisionBatch == 0);
  CHECK(n > funnelsim::kPrecisionBatch);
  const json& p = s["precision"];
  CHECK(p["metric"] == "mqls");
  CHECK(p["target_relative_half_width"] == 0.025);
  CHECK(p["met"] == true);
  // The rule, checked on the replications themselves: met at n, not one batch earlier.
  const std::vector<double> mqls = csv_column(read_file(small.dir / "a" / "replications.csv"), "mqls");
  REQUIRE(mqls.size() == n);
  CHECK(p["achieved"].get<double>() == funnelsim::relative_half_width(mqls));
  CHECK(p["achieved"].get<double>() < 0.025);
  CHECK(funnelsim::relative_half_width(std::span<const double>(mqls).first(n - funnelsim::kPrecisionBatch)) >= 0.025);
  // A pure function of (scenario, seed, target): any thread count gives the same files.
  run_summary_json(args + " --threads 2", small.dir, "b");
  for (const char* file : {"summary.json", "replications.csv", "weekly.csv"})
    CHECK(read_file(small.dir / "a" / file) == read_file(small.dir / "b" / file));
  const auto text = cli("run " + args);
  CHECK(
      text.out.find(fmt::format("precision: the 95% CI half-width of the mean of mqls is {:.2f}% of the mean (target: "
                                "below 2.5%): met after {} replications (batches of 50)",
                                100.0 * p["achieved"].get<double>(), n)) != std::string::npos);
  CHECK(text.out.find(fmt::format("| {} replications of 28 days |", n)) != std::string::npos);
}

TEST_CASE("cli: --replications caps a precision run that cannot meet its target", "[cli][precision]") {
  const Small small;
  const std::string uncertain = R"('/scoring/mql_threshold={"uncertain":{"distribution":"normal","mean":60,"sd":4}}')";
  const json s =
      run_summary_json("'" + small.file + "' --precision mqls=0.1% --replications 70 --set " + uncertain, small.dir);
  CHECK(s["replications"] == 70);
  CHECK(s["precision"]["met"] == false);
  CHECK(s["precision"]["achieved"].get<double>() > 0.001);
  CHECK(s["uncertain_parameters"][0]["sampled"]["mean"].is_number());  // draws of all 70 replications
  const auto bad = cli("run '" + small.file + "' --precision mqls");
  CHECK(bad.exit_code == 2);
  CHECK(bad.err == "funnelsim: --precision: expected METRIC=REL% (e.g. cost_per_sql_marketing=1%), found \"mqls\"\n");
}

TEST_CASE("cli: compare --precision stops when every paired difference is narrow enough", "[cli][precision][compare]") {
  const Small base;
  const std::string raise = (base.dir / "raise.json").string();
  {
    json doc = json::parse(read_file(base.file));
    doc["name"] = "raise";
    doc["scoring"]["mql_threshold"] = 70;
    std::ofstream(raise) << doc.dump();
  }
  const std::string files = "'" + base.file + "' '" + raise + "'";
  auto compare_json = [&](const std::string& args, const std::string& name) {
    const auto r = cli("compare " + files + " " + args + " --quiet --out '" + (base.dir / name).string() + "'");
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    return json::parse(read_file(base.dir / name / "compare.json"));
  };
  const json c = compare_json("--precision mqls=1% --threads 1", "a");
  const auto n = c["replications"].get<std::uint64_t>();
  CHECK(n % funnelsim::kPrecisionBatch == 0);
  CHECK(n > funnelsim::kPrecisionBatch);
  const json& p = c["precision"];
  CHECK(p["metric"] == "mqls");
  CHECK(p["met"] == true);
  // The rule on the replications themselves (run gives each scenario the same ones): met at n,
  // not one batch earlier.
  const json a = run_summary_json("'" + base.file + "' --replications " + std::to_string(n), base.dir, "run_base");
  const json b = run_summary_json("'" + raise + "' --replications " + std::to_string(n), base.dir, "run_raise");
  const std::vector<double> before = csv_column(read_file(base.dir / "run_base" / "replications.csv"), "mqls"),
                            after = csv_column(read_file(base.dir / "run_raise" / "replications.csv"), "mqls");
  REQUIRE(before.size() == n);
  CHECK(p["achieved"].get<double>() == funnelsim::paired_relative_half_width(before, after));
  CHECK(p["achieved"].get<double>() < 0.01);
  const std::size_t earlier = n - funnelsim::kPrecisionBatch;
  CHECK(funnelsim::paired_relative_half_width(std::span<const double>(before).first(earlier),
                                              std::span<const double>(after).first(earlier)) >= 0.01);
  // And the comparison is the one a plain compare of n replications gives, on any thread count.
  const json plain = compare_json("--replications " + std::to_string(n), "plain");
  CHECK(plain["comparisons"] == c["comparisons"]);
  compare_json("--precision mqls=1% --threads 2", "b");
  for (const char* file : {"compare.json", "compare.csv"})
    CHECK(read_file(base.dir / "a" / file) == read_file(base.dir / "b" / file));
  const auto text = cli("compare " + files + " --precision mqls=1%");
  CHECK(text.out.find(fmt::format("precision: the widest 95% CI half-width of a paired difference in mqls is {:.2f}% "
                                  "of the base's figure (target: below 1%): met after {} replications (batches of 50)",
                                  100.0 * p["achieved"].get<double>(), n)) != std::string::npos);
  // A cap the target cannot be met within.
  const json capped = compare_json("--precision mqls=0.01% --replications 70", "capped");
  CHECK(capped["replications"] == 70);
  CHECK(capped["precision"]["met"] == false);
  // A scenario against itself differs by exactly 0: met at once.
  const auto self = cli("compare '" + base.file + "' '" + base.file + "' --precision mqls=0.01% --quiet --out '" +
                        (base.dir / "self").string() + "'");
  REQUIRE(self.exit_code == 0);
  const json s = json::parse(read_file(base.dir / "self" / "compare.json"));
  CHECK(s["replications"] == funnelsim::kPrecisionBatch);
  CHECK(s["precision"]["achieved"] == 0.0);
}

TEST_CASE("cli: sweep --precision stops when every point's mean is narrow enough", "[cli][precision][sweep]") {
  const Small small;
  const std::string sweep = "sweep '" + small.file + "' --param /scoring/mql_threshold=60,70";
  auto sweep_json = [&](const std::string& args, const std::string& name) {
    const auto r = cli(sweep + " " + args + " --quiet --out '" + (small.dir / name).string() + "'");
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    return json::parse(read_file(small.dir / name / "sweep.json"));
  };
  const json s = sweep_json("--precision mqls=2% --threads 1", "a");
  const auto n = s["replications"].get<std::uint64_t>();
  CHECK(n % funnelsim::kPrecisionBatch == 0);
  CHECK(n > funnelsim::kPrecisionBatch);
  CHECK(s["precision"]["met"] == true);
  // The rule on each point's own replications: the widest is below 2% at n, not one batch earlier.
  double widest = 0.0, widest_before = 0.0;
  for (int threshold : {60, 70}) {
    const std::string name = "run" + std::to_string(threshold);
    run_summary_json("'" + small.file + "' --replications " + std::to_string(n) +
                         " --set /scoring/mql_threshold=" + std::to_string(threshold),
                     small.dir, name);
    const std::vector<double> mqls = csv_column(read_file(small.dir / name / "replications.csv"), "mqls");
    REQUIRE(mqls.size() == n);
    widest = std::max(widest, funnelsim::relative_half_width(mqls));
    widest_before =
        std::max(widest_before,
                 funnelsim::relative_half_width(std::span<const double>(mqls).first(n - funnelsim::kPrecisionBatch)));
  }
  CHECK(s["precision"]["achieved"].get<double>() == widest);
  CHECK(widest < 0.02);
  CHECK(widest_before >= 0.02);
  // The same points as a plain sweep of n replications, on any thread count.
  CHECK(sweep_json("--replications " + std::to_string(n), "plain")["points"] == s["points"]);
  sweep_json("--precision mqls=2% --threads 2", "b");
  for (const char* file : {"sweep.json", "sweep.csv"})
    CHECK(read_file(small.dir / "a" / file) == read_file(small.dir / "b" / file));
  // A point where the metric is 0 in every replication has nothing to reach: it does not hold the
  // others up (the sweep stops where the threshold-60 point alone would).
  auto replications_of = [&](const std::string& values, const std::string& name) {
    const auto r = cli("sweep '" + small.file + "' --param /scoring/mql_threshold=" + values +
                       " --precision mqls=2% --quiet --out '" + (small.dir / name).string() + "'");
    REQUIRE(r.exit_code == 0);
    return json::parse(read_file(small.dir / name / "sweep.json"))["replications"].get<std::uint64_t>();
  };
  CHECK(replications_of("60,100000", "none") == replications_of("60", "alone"));
}

TEST_CASE("cli: run --precision --out on a shipped scenario fits the default memory budget at the default cap",
          "[cli][precision][memory]") {
  // The estimate sizes the table for the cap: with each ratio's components recorded, a cap of
  // 100,000 replications of saas_baseline asked for 4.2 GiB and refused the run.
  TempDir dir;
  const auto r =
      cli("run scenarios/saas_baseline.json --precision sqls=20% --quiet --out '" + (dir.path() / "p").string() + "'");
  INFO(r.err);
  CHECK(r.exit_code == 0);
  CHECK(std::filesystem::exists(dir.path() / "p" / "summary.json"));
}
