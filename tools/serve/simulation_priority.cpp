// Simulation threads at low priority (simulation_priority.hpp).
#include "simulation_priority.hpp"

#include <tbb/task_arena.h>

#ifdef __linux__
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

namespace funnelsim::server {

void lower_this_thread_priority() {
#ifdef __linux__
  // On Linux a thread's nice value is its own (PRIO_PROCESS with a thread id). A failure only
  // leaves the thread where it was: the simulation runs all the same, merely less politely.
  const auto tid = static_cast<id_t>(syscall(SYS_gettid));
  if (getpriority(PRIO_PROCESS, tid) < kSimulationNice) (void)setpriority(PRIO_PROCESS, tid, kSimulationNice);
#endif
}

void run_at_simulation_priority(int threads, const std::function<void()>& work) {
  lower_this_thread_priority();
  // Only the calling thread: a task_scheduler_observer that lowered each oneTBB worker as it joined
  // the job's arena leaked its proxy now and then when the arena went right after it (oneTBB
  // 2021.8, seen by LeakSanitizer), so the workers keep their priority.
  tbb::task_arena arena(threads > 0 ? threads : tbb::task_arena::automatic);
  arena.execute(work);
}

}  // namespace funnelsim::server
