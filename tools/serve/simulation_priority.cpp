// Simulation threads at low priority (simulation_priority.hpp).
#include "simulation_priority.hpp"

#include <tbb/task_arena.h>
#include <tbb/task_scheduler_observer.h>

#ifdef __linux__
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

namespace funnelsim::server {
namespace {

/// Lowers every thread that enters the arena it observes, before its first task.
class LowerOnEntry final : public tbb::task_scheduler_observer {
 public:
  explicit LowerOnEntry(tbb::task_arena& arena) : tbb::task_scheduler_observer(arena) { observe(true); }
  ~LowerOnEntry() override { observe(false); }  // before the base class: no call on a half-gone object
  LowerOnEntry(const LowerOnEntry&) = delete;
  LowerOnEntry& operator=(const LowerOnEntry&) = delete;
  void on_scheduler_entry(bool) override { lower_this_thread_priority(); }
};

}  // namespace

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
  tbb::task_arena arena(threads > 0 ? threads : tbb::task_arena::automatic);
  arena.initialize();
  const LowerOnEntry lower(arena);
  arena.execute(work);
}

}  // namespace funnelsim::server
