#pragma once
// A progress bar with ETA on stderr, drawn only when stderr is a terminal.
#include <chrono>
#include <cstdint>
#include <mutex>

namespace funnelsim::cli {

class ProgressBar {
 public:
  explicit ProgressBar(bool enabled);
  ~ProgressBar();
  /// Thread-safe; redraws at most ten times a second.
  void update(std::uint64_t done, std::uint64_t total);

 private:
  bool enabled_;
  bool drawn_ = false;
  std::mutex mutex_;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_draw_;
};

}  // namespace funnelsim::cli
