#pragma once
// Simulations yield the CPU to the server's own threads: they run on threads at the lowest
// scheduling priority (nice 19), so that a health check, a page or a leaderboard is answered at
// once while a simulation keeps every core busy (issue 16: the health endpoint under 50 ms during a
// workshop's load). Priority changes when a thread runs, never what it computes: results stay
// byte-identical. docs/server.md, "Speed", says why this and not SCHED_IDLE.
#include <functional>

namespace funnelsim::server {

/// The nice value simulation threads run at: the lowest priority, which needs no privilege.
inline constexpr int kSimulationNice = 19;

/// Lowers the calling thread's priority to kSimulationNice (Linux; elsewhere it does nothing).
/// One way only: an unprivileged thread cannot raise it back, so call it on threads that only
/// simulate from then on.
void lower_this_thread_priority();

/// Runs `work` on the calling thread, lowered to kSimulationNice, in a oneTBB arena of `threads`
/// (0: all cores). oneTBB's workers keep their priority (simulation_priority.cpp says why).
void run_at_simulation_priority(int threads, const std::function<void()>& work);

}  // namespace funnelsim::server
