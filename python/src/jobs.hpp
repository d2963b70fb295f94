#pragma once
// run, compare, sweep and sensitivity: each parses its specs (errors naming the argument), holds
// the job's memory estimate against the budget, runs it polled (polled_job.hpp) and returns its
// JobOutput with the run identifier the CLI would give the same request.
#include <pybind11/pybind11.h>

namespace funnelsim::python {

void add_jobs(pybind11::module_& m);

}  // namespace funnelsim::python
