#pragma once
// Running a job without holding Python up: the job runs on a worker thread (its replications on
// the library's worker threads) while the calling thread, holding the GIL only between waits,
// checks for signals and reports progress every kPollInterval.
#include <pybind11/pybind11.h>

#include <chrono>
#include <functional>
#include <optional>
#include <stdexcept>
#include <utility>

#include "funnelsim/whatif/run.hpp"

namespace funnelsim::python {

inline constexpr std::chrono::milliseconds kPollInterval{50};

/// Runs job(options) to its end. Every kPollInterval the calling thread runs Python's signal
/// handlers (PyErr_CheckSignals) and, when `progress` is a callable, calls progress(done, total)
/// if the count moved, and once more at the end. A handler that raises (Ctrl-C, a kernel
/// interrupt: KeyboardInterrupt) or a progress callback that raises sets the job's cancel flag,
/// waits for the job to stop (within one lead's work per thread) and rethrows that exception:
/// the job's result, partial or not, is dropped. An exception from the job is rethrown as is.
void run_polled(WhatIfOptions options, const pybind11::object& progress,
                const std::function<void(const WhatIfOptions&)>& job);

/// run_polled for a job that returns its result, nullopt only when cancelled (then run_polled
/// has raised already).
template <class Result, class Job>
Result run_job(const WhatIfOptions& options, const pybind11::object& progress, const Job& job) {
  std::optional<Result> result;
  run_polled(options, progress, [&](const WhatIfOptions& o) { result = job(o); });
  if (!result) throw std::logic_error("funnelsim: a job ended without a result and without being cancelled");
  return std::move(*result);
}

}  // namespace funnelsim::python
