#pragma once
// calibrate: fits a scenario file to the funnel a CRM export records, as `funnelsim calibrate`
// does (the library's calibrate, its request helpers and writers).
#include <pybind11/pybind11.h>

namespace funnelsim::python {

void add_calibrate(pybind11::module_& m);

}  // namespace funnelsim::python
