#pragma once
// observe: the funnel a CRM export records, as `funnelsim observe` reads and writes it (the
// library's readers and writers, the CLI's run identifier).
#include <pybind11/pybind11.h>

namespace funnelsim::python {

void add_observe(pybind11::module_& m);

}  // namespace funnelsim::python
