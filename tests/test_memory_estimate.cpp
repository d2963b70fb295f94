// The memory guard: the estimate's parts against the table layout and a run's real MQL counts,
// the CLI's estimate line and refusal, and a million leads per replication in bounded memory.
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <numeric>
#include <string>

#include <catch2/catch.hpp>

#include "cli_support.hpp"
#include "funnelsim/engine/memory_estimate.hpp"
#include "test_support.hpp"

using namespace funnelsim;
using nlohmann::json;
using test::cli;
using test::TempDir;

namespace {

CompiledModel shipped(const std::string& name) {
  return compile_model(load_scenario(std::filesystem::path(test::source_path()) / "scenarios" / (name + ".json")));
}

}  // namespace

TEST_CASE("memory: the table part is replications x (metric record + weekly series) x 8 bytes", "[memory]") {
  const CompiledModel model = shipped("channel_mix");  // 2 sources, no sales, 13 weeks
  const std::size_t record = 3 * kMetricCount, weekly = 3 * kSeriesCount * 13;
  const MemoryEstimate e = estimate_memory(model, 1000, 2, false);
  CHECK(e.table == 1000 * ((record + weekly) * sizeof(double) + sizeof(RunWork)));
  CHECK(estimate_memory(model, 4000, 2, false).table == 4 * e.table);
  // Outputs add replications.csv's text, which grows with the replications too.
  CHECK(estimate_memory(model, 1000, 2, true).summary > e.summary + 1000 * record * 20);
}

TEST_CASE("memory: threads are all cores for 0 and never more than the replications", "[memory]") {
  const CompiledModel model = shipped("channel_mix");
  CHECK(estimate_memory(model, 100, 3, false).threads == 3);
  CHECK(estimate_memory(model, 2, 8, false).threads == 2);
  CHECK(estimate_memory(model, 100, 0, false).threads >= 1);
  const MemoryEstimate one = estimate_memory(model, 100, 1, false), four = estimate_memory(model, 100, 4, false);
  CHECK(four.scratch() == 4 * one.scratch());
}

TEST_CASE("memory: scratch is sized for more MQLs than any replication has", "[memory]") {
  for (const char* name : {"saas_baseline", "sdr_capacity"}) {
    INFO(name);
    const CompiledModel model = shipped(name);
    const MemoryEstimate e = estimate_memory(model, 40, 2, false);
    RunOptions options;
    options.seed = 5;
    options.replications = 40;
    const RunResult r = run_replications(model, options);
    std::vector<double> mqls;
    r.table.column(0, Metric::mqls, mqls);
    const double busiest = *std::max_element(mqls.begin(), mqls.end());
    CHECK(e.mqls_per_replication > busiest);
    CHECK(e.mqls_per_replication < 3 * busiest);  // an upper bound, not a wild one
    std::vector<double> leads;
    r.table.column(0, Metric::leads, leads);
    CHECK(e.leads_per_replication == Approx(std::accumulate(leads.begin(), leads.end(), 0.0) / 40).epsilon(0.02));
  }
  // More leads per replication, more scratch; the table does not care.
  json doc = json::parse(test::read_file(test::source_path() + "/scenarios/saas_baseline.json"));
  const MemoryEstimate base = estimate_memory(compile_model(test::scenario_from(doc)), 10, 1, false);
  for (auto& source : doc["sources"]) source["leads_per_week"] = 10 * source["leads_per_week"].get<double>();
  const MemoryEstimate more = estimate_memory(compile_model(test::scenario_from(doc)), 10, 1, false);
  CHECK(more.scratch_per_thread > 5 * base.scratch_per_thread);
  CHECK(more.table == base.table);
}

TEST_CASE("memory: run prints its estimate on stderr, and --quiet does not", "[memory][cli]") {
  const auto r = cli("run scenarios/channel_mix.json --replications 3");
  REQUIRE(r.exit_code == 0);
  CHECK(r.err.starts_with("funnelsim: estimated peak memory "));
  CHECK(r.err.find("; budget 4096 MiB\n") != std::string::npos);
  CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
  CHECK(cli("run scenarios/channel_mix.json --replications 3 --quiet").err.empty());
}

TEST_CASE("memory: a run over the budget is refused with exit 2, how to lower it, and no output", "[memory][cli]") {
  TempDir dir;
  const auto out = dir / "out";
  const auto r =
      cli("run scenarios/saas_baseline.json --replications 100000 --memory-budget 64 --out '" + out.string() + "'");
  CHECK(r.exit_code == 2);
  CHECK(r.out.empty());
  CHECK(r.err.starts_with("funnelsim: this run needs an estimated "));
  CHECK(r.err.find("over the budget of 64 MiB (--memory-budget)") != std::string::npos);
  CHECK(r.err.find("fewer replications (--replications)") != std::string::npos);
  CHECK(r.err.find("a shorter\n  horizon (/horizon_days)") != std::string::npos);
  CHECK(r.err.find("Or raise --memory-budget.") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(out));
  // The default budget refuses the largest replication count the option allows, at once
  // (the table alone would take about 200 GiB).
  const auto huge = cli("run scenarios/saas_baseline.json --replications 100000000 --quiet");
  CHECK(huge.exit_code == 2);
  CHECK(huge.err.find("over the budget of 4096 MiB") != std::string::npos);
  CHECK(cli("run scenarios/channel_mix.json --replications 3 --memory-budget 0").exit_code == 2);
}

TEST_CASE("memory: bench reports the estimate and the measured peak RSS", "[memory][cli]") {
  const auto r = cli("bench scenarios/channel_mix.json --replications 4 --repeats 1 --max-threads 1");
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find("memory: estimated peak ") != std::string::npos);
  CHECK(r.out.find(" MiB, measured peak RSS ") != std::string::npos);
}

#ifndef FUNNELSIM_SANITIZED  // sanitizers' shadow memory and slowness make RSS and time meaningless
TEST_CASE("memory: a million leads per replication run within the estimate", "[memory][cli]") {
  // scenarios/million_leads.json: ~1,000,000 leads and ~33,000 MQLs per replication. Leads are
  // never stored, so peak memory is a few tens of MiB whatever the lead count.
  TempDir dir;
  const std::string scenario = test::source_path() + "/scenarios/million_leads.json", out = (dir / "out").string(),
                    err_file = (dir / "stderr").string();
  const pid_t pid = ::fork();
  if (pid == 0) {  // only async-signal-safe calls until exec
    const int err = ::open(err_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int null = ::open("/dev/null", O_WRONLY);
    ::dup2(err, STDERR_FILENO);
    ::dup2(null, STDOUT_FILENO);
    ::execl(FUNNELSIM_CLI, FUNNELSIM_CLI, "run", scenario.c_str(), "--replications", "2", "--out", out.c_str(),
            static_cast<char*>(nullptr));
    ::_exit(127);
  }
  int status = 0;
  rusage usage{};
  REQUIRE(::wait4(pid, &status, 0, &usage) == pid);
  REQUIRE(WIFEXITED(status));
  REQUIRE(WEXITSTATUS(status) == 0);
  const double peak_mib = static_cast<double>(usage.ru_maxrss) / 1024;  // KiB on Linux
  const std::string err = test::read_file(dir / "stderr");
  const auto at = err.find("estimated peak memory ");
  REQUIRE(at != std::string::npos);
  const double estimate_mib = std::stod(err.substr(at + 22));
  INFO("measured peak RSS " << peak_mib << " MiB, estimated " << estimate_mib << " MiB");
  CHECK(peak_mib < estimate_mib);
  CHECK(peak_mib < 256);
  const json summary = json::parse(test::read_file(dir / "out" / "summary.json"));
  CHECK(summary["metrics"]["leads"]["mean"].get<double>() > 950000);
}
#endif
