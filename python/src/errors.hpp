#pragma once
// The library's errors as Python exceptions (funnelsim/_errors.py): ScenarioError (a ValueError
// with .pointer, .expected, .found, .issues, .context), UsageError (a ValueError with .subject),
// ResultWriteError (an OSError), and MemoryError for a job over its memory budget.
#include <pybind11/pybind11.h>

#include <stdexcept>

namespace funnelsim::python {

/// A job whose estimated peak memory is over the caller's budget: raised as MemoryError.
class MemoryBudgetError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Registers the translator of the library's exceptions.
void add_errors(pybind11::module_& m);

}  // namespace funnelsim::python
