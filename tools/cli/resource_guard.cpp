#include "resource_guard.hpp"

#include <sys/resource.h>

#include <cstdio>
#include <string>

#include <fmt/format.h>

namespace funnelsim::cli {
namespace {

std::string mib(std::uint64_t bytes) {
  const double value = static_cast<double>(bytes) / (1 << 20);
  return value < 10 ? fmt::format("{:.1f} MiB", value) : fmt::format("{:.0f} MiB", value);
}

}  // namespace

void add_memory_budget_option(CLI::App& cmd, std::uint64_t& budget_mib) {
  cmd.add_option("--memory-budget", budget_mib,
                 fmt::format("Refuse a run whose estimated peak memory exceeds this many MiB (default {})",
                             kDefaultMemoryBudgetMiB))
      ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{1} << 40));
}

bool check_memory(const MemoryEstimate& e, std::uint64_t budget_mib, bool quiet, std::string_view also) {
  const std::string parts =
      fmt::format("replication table {}, {} thread{} x {} scratch, statistics and outputs {}, program {}", mib(e.table),
                  e.threads, e.threads == 1 ? "" : "s", mib(e.scratch_per_thread), mib(e.summary), mib(e.fixed));
  if (e.total() <= budget_mib << 20) {
    if (!quiet)
      fmt::print(stderr, "funnelsim: estimated peak memory {} ({}); budget {} MiB\n", mib(e.total()), parts,
                 budget_mib);
    return true;
  }
  fmt::print(stderr,
             "funnelsim: this run needs an estimated {} of memory, over the budget of {} MiB (--memory-budget):\n"
             "  {}.\n"
             "  To lower it: fewer replications (--replications) for the table, statistics and outputs; a shorter\n"
             "  horizon (/horizon_days), fewer leads per replication (/sources/N/leads_per_week) or fewer threads\n"
             "  (--threads) for the scratch (sized for {:.0f} MQLs per replication, a backlog's included:\n"
             "  /backlog/N/mqls_waiting, /backlog/N/leads_in_nurture); fewer sources or reps\n"
             "  (/sales/teams/N/headcount) for a smaller record per replication{}. Or raise --memory-budget.\n",
             mib(e.total()), budget_mib, parts, e.mqls_per_replication, also);
  return false;
}

std::uint64_t peak_rss_bytes() {
  rusage usage{};
  if (::getrusage(RUSAGE_SELF, &usage) != 0) return 0;
  return static_cast<std::uint64_t>(usage.ru_maxrss) * 1024;  // Linux reports KiB
}

}  // namespace funnelsim::cli
