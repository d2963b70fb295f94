#pragma once
// Happens-before edges for ThreadSanitizer around a oneTBB parallel loop (private to sim/).
//
// Debian's libtbb is not built with -fsanitize=thread, so TSan cannot see the synchronization
// by which its scheduler hands a loop's iterations to worker threads and waits for them;
// without help, every access a worker makes to data the calling thread prepared (or that the
// caller reads after the loop) looks like a race. These annotations state what
// tbb::parallel_for guarantees, and no more: everything the caller did before the loop happens
// before every iteration (fork), and every iteration happens before the loop returns (join).
// Iterations stay unordered with one another, so two replications touching the same data are
// still reported. (TBB's own header code is left uninstrumented in TSan builds, like the
// library: see tests/sanitizers/README.md.) Outside TSan builds this compiles to nothing.
#if defined(__SANITIZE_THREAD__)
#define FUNNELSIM_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define FUNNELSIM_TSAN 1
#endif
#endif

#ifdef FUNNELSIM_TSAN
#include <sanitizer/tsan_interface.h>
#endif

namespace funnelsim::detail {

class ForkJoinAnnotations {
 public:
  void fork() noexcept { release(&fork_); }   ///< the caller, just before the loop
  void enter() noexcept { acquire(&fork_); }  ///< each loop body, first thing
  void leave() noexcept { release(&join_); }  ///< each loop body, last thing
  void join() noexcept { acquire(&join_); }   ///< the caller, just after the loop

 private:
#ifdef FUNNELSIM_TSAN
  static void acquire(void* address) noexcept { __tsan_acquire(address); }
  static void release(void* address) noexcept { __tsan_release(address); }
#else
  static void acquire(void*) noexcept {}
  static void release(void*) noexcept {}
#endif
  char fork_ = 0;
  char join_ = 0;
};

}  // namespace funnelsim::detail
