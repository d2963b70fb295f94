#pragma once
// SIGINT and SIGTERM while a command simulates: the first one asks the engine to stop (see
// RunOptions::cancel); the command then writes nothing and exits 128 + the signal number (130,
// 143), as a shell reports a process ended by that signal. A second signal ends the process at
// once (the handler is installed with SA_RESETHAND, so the default action is back).
#include <atomic>

namespace funnelsim::cli {

class InterruptGuard {
 public:
  InterruptGuard();   ///< installs the handlers
  ~InterruptGuard();  ///< restores the previous ones
  InterruptGuard(const InterruptGuard&) = delete;
  InterruptGuard& operator=(const InterruptGuard&) = delete;

  /// For RunOptions::cancel: true once a signal arrived.
  const std::atomic<bool>* flag() const noexcept;
  /// The signal that arrived (SIGINT or SIGTERM), or 0.
  int signal() const noexcept;
  int exit_code() const noexcept { return 128 + signal(); }
  /// Says on stderr that the command stopped and wrote nothing; returns exit_code().
  int report() const;
};

}  // namespace funnelsim::cli
