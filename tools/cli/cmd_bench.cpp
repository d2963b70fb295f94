// `funnelsim bench`: throughput per core and parallel efficiency. A benchmark, not a test:
// it prints measurements and asserts nothing about them.
#include <algorithm>
#include <chrono>
#include <span>
#include <thread>

#include <fmt/format.h>

#include "commands.hpp"
#include "funnelsim/engine/engine.hpp"
#include "funnelsim/output/run_output.hpp"
#include "funnelsim/scenario/loader.hpp"
#include "option_error.hpp"
#include "resource_guard.hpp"
#include "run_options.hpp"
#include "terminal.hpp"

namespace funnelsim::cli {
namespace {

struct Timing {
  double seconds = 0.0;
  RunResult result;
};

Timing best_of(const CompiledModel& model, RunOptions options, int threads, int repeats) {
  options.threads = threads;
  Timing best{std::numeric_limits<double>::infinity(), run_replications(model, options)};  // also warms up
  for (int i = 0; i < repeats; ++i) {
    const auto start = std::chrono::steady_clock::now();
    RunResult result = run_replications(model, options);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (seconds < best.seconds) best = Timing{seconds, std::move(result)};
  }
  return best;
}

bool same_rows(const ReplicationTable& a, const ReplicationTable& b) {
  auto same = [](std::span<const double> x, std::span<const double> y) {
    return std::equal(x.begin(), x.end(), y.begin(), [](double p, double q) { return p == q || (p != p && q != q); });
  };
  for (std::size_t r = 0; r < a.replications(); ++r)
    for (std::size_t s = 0; s < a.scopes(); ++s)
      if (!same(a.row(r, s), b.row(r, s)) || !same(a.components(r, s), b.components(r, s))) return false;
  return true;
}

}  // namespace

Command add_bench_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("bench", "Measure leads/s and events/s per core and parallel efficiency");
  auto opts = std::make_shared<ScenarioOptions>();
  auto repeats = std::make_shared<int>(3);
  auto max_threads = std::make_shared<int>(2);
  auto budget = std::make_shared<std::uint64_t>(kDefaultMemoryBudgetMiB);
  add_scenario_options(*cmd, *opts, /*with_run_controls=*/true);
  add_memory_budget_option(*cmd, *budget);
  cmd->add_option("--repeats", *repeats, "Timed runs per thread count; the best is reported")
      ->check(CLI::Range(1, 100));
  cmd->add_option("--max-threads", *max_threads, "Largest thread count to measure")->check(CLI::Range(1, 1024));
  return [opts, repeats, max_threads, budget]() {
    nlohmann::json document = read_document(opts->scenario, scenario_overrides(*opts));
    const std::optional<WarmupChoice> warmup = choose_warmup_for(document, opts->scenario, /*quiet=*/true, nullptr);
    apply_warmup(document, *warmup);
    const Scenario scenario = scenario_from_json(document, fallback_name_of(opts->scenario));
    const CompiledModel model = compile_model(scenario);
    RunOptions run = run_options_for(scenario, whatif_options(*opts));
    // Two results live at once (the reference and the latest), at up to --max-threads threads.
    MemoryEstimate estimate = estimate_memory(model, run.replications, *max_threads, /*with_outputs=*/false);
    estimate.table *= 2;
    if (!check_memory(estimate, *budget, /*quiet=*/true)) return 2;
    print_text(stdout,
               fmt::format("benchmark: scenario {}, {} replications of {} days{}, best of {} runs; hardware "
                           "threads: {}\n",
                           scenario.name, run.replications, scenario.horizon_days,
                           scenario.warmup_days > 0 ? fmt::format(" after a {}-day warm-up{}", scenario.warmup_days,
                                                                  warmup->automatic ? " (auto)" : "")
                                                    : std::string(),
                           *repeats, std::thread::hardware_concurrency()));
    fmt::print("{:>7} {:>9} {:>12} {:>14} {:>16} {:>17} {:>11}\n", "threads", "seconds", "leads", "events",
               "leads/s/core", "events/s/core", "efficiency");
    double single = 0.0;
    std::optional<RunResult> reference;
    bool identical = true;
    for (int threads = 1; threads <= *max_threads; threads *= 2) {
      Timing t = best_of(model, run, threads, *repeats);
      if (threads == 1) single = t.seconds;
      const double per_core = t.seconds * threads;
      const double efficiency = single / (t.seconds * threads);
      fmt::print("{:>7} {:>9.3f} {:>12} {:>14} {:>16.0f} {:>17.0f} {:>10.1f}%\n", threads, t.seconds,
                 t.result.work.leads, t.result.work.events, static_cast<double>(t.result.work.leads) / per_core,
                 static_cast<double>(t.result.work.events) / per_core, 100.0 * efficiency);
      if (t.result.work.sales_events > 0)
        fmt::print("{:>7} {:>9} {:>12} {:>14} {:>16} {:>17}   (sales queueing part alone: {:.3f} s of thread time)\n",
                   "", "", "", t.result.work.sales_events, "",
                   fmt::format("{:.0f}", static_cast<double>(t.result.work.sales_events) / t.result.work.sales_seconds),
                   t.result.work.sales_seconds);
      if (reference)
        identical = identical && same_rows(reference->table, t.result.table);
      else
        reference = std::move(t.result);
    }
    fmt::print("results identical across thread counts: {}\n", identical ? "yes" : "NO");
    // A plain `funnelsim run` of the same scenario, seed and replications prints this digest.
    fmt::print("{}\n", checksum_line(reference->table));
    fmt::print("memory: estimated peak {:.0f} MiB, measured peak RSS {:.0f} MiB\n",
               static_cast<double>(estimate.total()) / (1 << 20), static_cast<double>(peak_rss_bytes()) / (1 << 20));
    return identical ? 0 : 1;
  };
}

}  // namespace funnelsim::cli
