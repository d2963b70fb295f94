#include "polled_job.hpp"

#include <atomic>
#include <cstdint>
#include <exception>
#include <future>
#include <optional>
#include <thread>
#include <utility>

namespace py = pybind11;

namespace funnelsim::python {
namespace {

/// The job's progress as its worker threads report it: (done, total), done never moving back
/// (threads finish replications out of order).
class ProgressCount {
 public:
  void update(std::uint64_t done, std::uint64_t total) noexcept {
    total_.store(total, std::memory_order_relaxed);
    std::uint64_t seen = done_.load(std::memory_order_relaxed);
    while (seen < done && !done_.compare_exchange_weak(seen, done, std::memory_order_relaxed)) {
    }
  }
  std::pair<std::uint64_t, std::uint64_t> read() const noexcept {
    return {done_.load(std::memory_order_relaxed), total_.load(std::memory_order_relaxed)};
  }

 private:
  std::atomic<std::uint64_t> done_{0}, total_{0};
};

/// Calls `progress` when the count moved since it was last shown.
void show(const py::object& progress, const ProgressCount& count, std::pair<std::uint64_t, std::uint64_t>& shown) {
  const auto now = count.read();
  if (progress.is_none() || now == shown || now.second == 0) return;
  shown = now;
  progress(now.first, now.second);
}

/// Joins the worker on every way out of run_polled, the cancel flag raised first unless the job
/// is done, and the GIL released while waiting (the job never takes it, but it must not be held
/// by a thread that blocks).
class WorkerJoin {
 public:
  WorkerJoin(std::thread& worker, std::atomic<bool>& cancel) : worker_(worker), cancel_(cancel) {}
  ~WorkerJoin() { join(); }
  WorkerJoin(const WorkerJoin&) = delete;
  WorkerJoin& operator=(const WorkerJoin&) = delete;
  void join() {
    if (!worker_.joinable()) return;
    const py::gil_scoped_release nogil;
    worker_.join();
  }
  void cancel() { cancel_.store(true, std::memory_order_relaxed); }

 private:
  std::thread& worker_;
  std::atomic<bool>& cancel_;
};

}  // namespace

void run_polled(WhatIfOptions options, const py::object& progress,
                const std::function<void(const WhatIfOptions&)>& job) {
  std::atomic<bool> cancel{false};
  ProgressCount count;
  options.cancel = &cancel;
  options.progress = [&count](std::uint64_t done, std::uint64_t total) { count.update(done, total); };

  std::promise<void> finished;
  std::future<void> outcome = finished.get_future();
  std::thread worker([&] {
    try {
      job(options);
      finished.set_value();
    } catch (...) {
      finished.set_exception(std::current_exception());
    }
  });
  WorkerJoin join(worker, cancel);
  try {
    std::pair<std::uint64_t, std::uint64_t> shown{0, 0};
    for (;;) {
      bool done = false;
      {
        const py::gil_scoped_release nogil;
        done = outcome.wait_for(kPollInterval) == std::future_status::ready;
      }
      if (done) break;
      if (PyErr_CheckSignals() != 0) throw py::error_already_set();  // KeyboardInterrupt, usually
      show(progress, count, shown);
    }
    join.join();
    outcome.get();  // the job's own exception, if any
    show(progress, count, shown);
  } catch (...) {
    join.cancel();  // the job stops, its result is never seen; the destructor waits for it
    throw;
  }
}

}  // namespace funnelsim::python
