#pragma once
// A progress bar with ETA on stderr, drawn only when stderr is a terminal.
#include <chrono>
#include <cstdint>
#include <mutex>

#include "funnelsim/whatif/run.hpp"

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

/// Runs job(options) with a bar (when `enabled`) fed by its progress; the bar clears its line
/// when the job returns, before any message.
template <class Job>
auto with_progress_bar(bool enabled, const WhatIfOptions& options, const Job& job) {
  ProgressBar bar(enabled);
  WhatIfOptions with_bar = options;
  with_bar.progress = [&bar](std::uint64_t done, std::uint64_t total) { bar.update(done, total); };
  return job(with_bar);
}

}  // namespace funnelsim::cli
