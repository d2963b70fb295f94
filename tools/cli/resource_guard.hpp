#pragma once
// The memory guard of the commands that simulate: before a run, estimate its peak memory
// (funnelsim/memory_estimate.hpp), say it on stderr unless quiet, and refuse a run over the
// budget (exit 2) with what to lower.
#include <cstdint>
#include <string_view>

#include <CLI/CLI.hpp>

#include "funnelsim/engine/memory_estimate.hpp"

namespace funnelsim::cli {

inline constexpr std::uint64_t kDefaultMemoryBudgetMiB = 4096;

/// Adds --memory-budget MB to a command.
void add_memory_budget_option(CLI::App& cmd, std::uint64_t& budget_mib);

/// Prints the estimate (unless quiet) and returns true when it fits the budget; otherwise prints
/// why and how to lower it (`also`: what else the command can lower, e.g. "; fewer variants, whose
/// tables are held at once"), and returns false: the command then exits 2.
bool check_memory(const MemoryEstimate& estimate, std::uint64_t budget_mib, bool quiet, std::string_view also = {});

/// This process's peak resident memory so far, in bytes (getrusage), or 0 if unknown.
std::uint64_t peak_rss_bytes();

}  // namespace funnelsim::cli
