// The memory guard: the estimate's parts against the table layout and a run's real MQL counts,
// the CLI's estimate line and refusal, and a million leads per replication in bounded memory.
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <numeric>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "cli_support.hpp"
#include "funnelsim/engine/memory_estimate.hpp"
#include "funnelsim/scenario/loader.hpp"
#include "funnelsim/whatif/run.hpp"
#include "test_support.hpp"

using namespace funnelsim;
using nlohmann::json;
using test::cli;
using test::TempDir;

namespace {

CompiledModel shipped(const std::string& name) {
  return compile_model(scenario_from_json(test::shipped_scenario(name), name));  // its warm-up worked out
}

}  // namespace

TEST_CASE("memory: the table part is replications x (metrics and components + weekly series) x 8 bytes", "[memory]") {
  const CompiledModel model = shipped("channel_mix");  // 2 sources, no sales, 13 weeks
  const std::size_t record = 3 * record_size(ScopeKind::funnel), weekly = 3 * kSeriesCount * 13;
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
    // The scratch holds the leads of the warm-up too: the horizon's mean, per day, over every simulated day.
    const double simulated = static_cast<double>(model.end_day) / model.horizon_days;
    CHECK(e.leads_per_replication ==
          Approx(simulated * std::accumulate(leads.begin(), leads.end(), 0.0) / 40).epsilon(0.02));
  }
  // More leads per replication, more scratch; the table does not care.
  json doc = test::shipped_scenario("saas_baseline");
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
  // After the one line saying what "warmup_days": "auto" picked.
  CHECK(r.err.starts_with("funnelsim: warm-up auto: "));
  CHECK(r.err.find("\nfunnelsim: this run needs an estimated ") != std::string::npos);
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

// ---- the estimate is an upper bound everywhere (issue 19) --------------------------------------

namespace {

json shipped_doc(const std::string& name) {
  return read_scenario_document(std::filesystem::path(test::source_path()) / "scenarios" / (name + ".json"));
}

/// Writes `doc` as DIR/NAME.json and returns its path.
std::string write_scenario(const TempDir& dir, const std::string& name, const json& doc) {
  const std::string path = (dir / (name + ".json")).string();
  std::ofstream(path) << doc.dump(2);
  return path;
}

json with_backlog(json doc, int mqls_waiting, int leads_in_nurture) {
  doc["backlog"] = json::array({{{"source", doc["sources"][0]["name"]},
                                 {"mqls_waiting", mqls_waiting},
                                 {"leads_in_nurture", leads_in_nurture}}});
  return doc;
}

json with_heavy_tailed_volume(json doc, double cv) {
  const double mean = doc["sources"][0]["leads_per_week"].get<double>();
  doc["sources"][0]["leads_per_week"] = {{"uncertain", {{"distribution", "lognormal"}, {"mean", mean}, {"cv", cv}}}};
  return doc;
}

}  // namespace

TEST_CASE("memory: a backlog's MQLs and leads in nurture enter the scratch", "[memory]") {
  const json doc = test::shipped_scenario("saas_baseline");
  const MemoryEstimate none = estimate_memory(compile_model(test::scenario_from(doc)), 10, 1, false);
  const MemoryEstimate waiting =
      estimate_memory(compile_model(test::scenario_from(with_backlog(doc, 100000, 0))), 10, 1, false);
  CHECK(waiting.mqls_per_replication >= none.mqls_per_replication + 100000);
  CHECK(waiting.scratch_per_thread > none.scratch_per_thread + 100000 * 200);
  CHECK(waiting.table == none.table);
  const MemoryEstimate nurture =
      estimate_memory(compile_model(test::scenario_from(with_backlog(doc, 0, 100000))), 10, 1, false);
  CHECK(nurture.mqls_per_replication > none.mqls_per_replication);
  CHECK(nurture.mqls_per_replication <= none.mqls_per_replication + 100000);
}

TEST_CASE("memory: uncertain inputs are sized at their 99.9th (or 0.1th) percentile", "[memory]") {
  const json doc = shipped_doc("saas_baseline");
  const RunnableScenario nominal(doc, "saas_baseline");
  const RunnableScenario heavy(with_heavy_tailed_volume(doc, 3.0), "saas_baseline");
  WhatIfOptions options;
  options.replications = 10;
  options.threads = 1;
  const MemoryEstimate plain = estimate_run_memory(nominal, options, false);
  const MemoryEstimate sized = estimate_run_memory(heavy, options, false);
  // lognormal with cv 3: its 99.9th percentile is about 34 times its mean.
  const UncertainParameter& p = heavy.uncertain().parameters().front();
  CHECK(sizing_value(p, kSizingQuantile) == Approx(34.4 * p.nominal()).epsilon(0.01));
  CHECK(sized.mqls_per_replication > 2 * plain.mqls_per_replication);
  CHECK(sized.table >= plain.table);
  // An input that needs more when low (a lower MQL threshold, more MQLs) is sized at its low end.
  json threshold = doc;
  const double t = doc["scoring"]["mql_threshold"].get<double>();
  threshold["scoring"]["mql_threshold"] = {{"uncertain", {{"distribution", "normal"}, {"mean", t}, {"sd", 10}}}};
  const MemoryEstimate low = estimate_run_memory(RunnableScenario(threshold, "t"), options, false);
  CHECK(low.mqls_per_replication > plain.mqls_per_replication);
}

TEST_CASE("memory: compare, sweep and sensitivity over the budget exit 2 and write nothing", "[memory][cli]") {
  TempDir dir;
  const auto out = dir / "out";
  const std::string out_option = " --out '" + out.string() + "'";
  const auto compared =
      cli("compare scenarios/saas_baseline.json scenarios/threshold_raise.json --replications 10000000" + out_option);
  CHECK(compared.exit_code == 2);
  CHECK(compared.out.empty());
  CHECK(compared.err.starts_with("funnelsim: warm-up auto: "));  // what "auto" picked, then the refusal
  CHECK(compared.err.find("\nfunnelsim: this run needs an estimated ") != std::string::npos);
  CHECK(compared.err.find("over the budget of 4096 MiB (--memory-budget)") != std::string::npos);
  CHECK(compared.err.find("fewer variants") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(out));
  const auto swept =
      cli("sweep scenarios/channel_mix.json --param /scoring/mql_threshold=50:80:10 --replications 100000 "
          "--memory-budget 100" +
          out_option);
  CHECK(swept.exit_code == 2);
  CHECK(swept.err.find("over the budget of 100 MiB") != std::string::npos);
  CHECK(swept.err.find("fewer points (--param values)") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(out));
  const auto tornado =
      cli("sensitivity scenarios/channel_mix.json --replications 1000000 --memory-budget 100" + out_option);
  CHECK(tornado.exit_code == 2);
  CHECK(tornado.err.find("fewer parameters (--params)") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(out));
  const auto bench = cli("bench scenarios/channel_mix.json --replications 1000000 --memory-budget 100");
  CHECK(bench.exit_code == 2);
  CHECK(bench.err.find("over the budget of 100 MiB") != std::string::npos);
  // A backlog of a million waiting MQLs needs far more than 50 MiB.
  const std::string backlog = write_scenario(dir, "backlog", with_backlog(shipped_doc("saas_baseline"), 1000000, 0));
  const auto r = cli("run '" + backlog + "' --replications 2 --memory-budget 50" + out_option);
  CHECK(r.exit_code == 2);
  CHECK(r.out.empty());
  CHECK(r.err.find("over the budget of 50 MiB") != std::string::npos);
  CHECK(r.err.find("/backlog/N/mqls_waiting") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(out));
}

#ifndef FUNNELSIM_SANITIZED  // sanitizers' shadow memory and slowness make RSS and time meaningless
namespace {

json with_sources(json doc, int count) {
  const json first = doc["sources"][0];
  doc["sources"] = json::array();
  for (int i = 0; i < count; ++i) {
    json source = first;
    source["name"] = "source_" + std::to_string(i);
    doc["sources"].push_back(source);
  }
  return doc;
}

/// Runs `funnelsim ARGS` in a child process (stderr to err_file) and returns its peak RSS in MiB
/// (it must succeed).
double peak_rss_mib(const std::vector<std::string>& args, const std::string& err_file = "/dev/null") {
  std::vector<char*> argv{const_cast<char*>(FUNNELSIM_CLI)};
  for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  const pid_t pid = ::fork();
  if (pid == 0) {  // only async-signal-safe calls until exec
    const int err = ::open(err_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int null = ::open("/dev/null", O_WRONLY);
    ::dup2(err, STDERR_FILENO);
    ::dup2(null, STDOUT_FILENO);
    ::execv(FUNNELSIM_CLI, argv.data());
    ::_exit(127);
  }
  int status = 0;
  rusage usage{};
  REQUIRE(::wait4(pid, &status, 0, &usage) == pid);
  REQUIRE(WIFEXITED(status));
  REQUIRE(WEXITSTATUS(status) == 0);
  return static_cast<double>(usage.ru_maxrss) / 1024;  // KiB on Linux
}

double mib(const MemoryEstimate& e) { return static_cast<double>(e.total()) / (1 << 20); }

}  // namespace

TEST_CASE("memory: a million leads per replication run within the estimate", "[memory][cli]") {
  // scenarios/million_leads.json: ~1,000,000 leads and ~33,000 MQLs per replication. Leads are
  // never stored, so peak memory is a few tens of MiB whatever the lead count.
  TempDir dir;
  const std::string scenario = test::source_path() + "/scenarios/million_leads.json", out = (dir / "out").string(),
                    err_file = (dir / "stderr").string();
  const double peak_mib = peak_rss_mib({"run", scenario, "--replications", "2", "--out", out}, err_file);
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

TEST_CASE("memory: measured peak RSS stays under the estimate on a catalogue of shapes", "[memory][cli]") {
  TempDir dir;
  const std::string out = (dir / "out").string();
  WhatIfOptions options;
  options.threads = 2;
  const auto run_case = [&](const std::string& name, const json& doc, std::uint64_t replications) {
    const std::string file = write_scenario(dir, name, doc);
    options.replications = replications;
    const double estimate =
        mib(estimate_run_memory(RunnableScenario(read_scenario_document(file), name), options, true));
    const double peak = peak_rss_mib({"run", file, "--replications", std::to_string(replications), "--threads", "2",
                                      "--quiet", "--out", out + "_" + name});
    INFO(name << ": measured peak RSS " << peak << " MiB, estimated " << estimate << " MiB");
    CHECK(peak <= estimate);
    return std::pair{estimate, peak};
  };
  run_case("many_replications", shipped_doc("channel_mix"), 4000);
  run_case("big_backlog", with_backlog(shipped_doc("saas_baseline"), 200000, 20000), 2);
  run_case("many_sources", with_sources(shipped_doc("channel_mix"), 60), 100);
  json reps = shipped_doc("sdr_capacity");
  reps["sales"]["teams"][0]["headcount"] = 400;
  run_case("many_reps", reps, 100);
  run_case("heavy_tailed_volume", with_heavy_tailed_volume(shipped_doc("saas_baseline"), 3.0), 40);

  const std::string scenarios = test::source_path() + "/scenarios/";
  {
    options.replications = 300;
    std::vector<RunnableScenario> three;
    for (const char* name : {"saas_baseline", "threshold_raise", "budget_shift"})
      three.emplace_back(read_scenario_document(scenarios + name + ".json"), name);
    const double estimate = mib(estimate_comparison_memory(three, options, true));
    const double peak = peak_rss_mib({"compare", scenarios + "saas_baseline.json", scenarios + "threshold_raise.json",
                                      scenarios + "budget_shift.json", "--replications", "300", "--threads", "2",
                                      "--quiet", "--out", out + "_compare"});
    INFO("compare of 3: measured peak RSS " << peak << " MiB, estimated " << estimate << " MiB");
    CHECK(peak <= estimate);
  }
  {
    options.replications = 200;
    SweepSpec spec;
    spec.parameters.push_back(parse_sweep_parameter("/scoring/mql_threshold=55:75:10"));
    spec.points = sweep_grid(spec.parameters);
    const std::string file = scenarios + "saas_baseline.json";
    const double estimate = mib(estimate_sweep_memory(read_scenario_document(file), file, spec, options, true));
    const double peak = peak_rss_mib({"sweep", file, "--param", "/scoring/mql_threshold=55:75:10", "--replications",
                                      "200", "--threads", "2", "--quiet", "--out", out + "_sweep"});
    INFO("sweep of 3 points: measured peak RSS " << peak << " MiB, estimated " << estimate << " MiB");
    CHECK(peak <= estimate);
  }
}
#endif
