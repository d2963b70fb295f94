// funnelsim._core: the compiled part of the funnelsim package, on the library's public API
// (funnelsim/funnelsim.hpp) alone. funnelsim/__init__.py is what users call.
#include <pybind11/pybind11.h>

#include "calibrate.hpp"
#include "errors.hpp"
#include "job_output.hpp"
#include "jobs.hpp"
#include "observe.hpp"
#include "scenario.hpp"

PYBIND11_MODULE(_core, m) {
  m.doc() = "The compiled part of funnelsim; use the funnelsim package.";
  m.attr("__version__") = FUNNELSIM_VERSION;
  funnelsim::python::add_errors(m);
  funnelsim::python::add_scenario(m);
  funnelsim::python::add_job_output(m);
  funnelsim::python::add_jobs(m);
  funnelsim::python::add_observe(m);
  funnelsim::python::add_calibrate(m);
}
