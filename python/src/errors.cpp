#include "errors.hpp"

#include <exception>
#include <string>

#include "funnelsim/output/result_set.hpp"
#include "funnelsim/scenario/error.hpp"
#include "funnelsim/whatif/run.hpp"

namespace py = pybind11;

namespace funnelsim::python {
namespace {

/// Raises funnelsim.<name>(*args) as the current Python error.
template <class... Args>
void raise(const char* name, Args&&... args) {
  const py::object type = py::module_::import("funnelsim._errors").attr(name);
  const py::object error = type(std::forward<Args>(args)...);
  PyErr_SetObject(type.ptr(), error.ptr());
}

void raise_scenario_error(const ScenarioError& e, const std::string* context) {
  const py::object issue = py::module_::import("funnelsim._errors").attr("Issue");
  py::list issues;
  for (const Issue& i : e.issues()) issues.append(issue(i.path, i.expected, i.found));
  raise("ScenarioError", issues, context ? py::object(py::str(*context)) : py::object(py::none()));
}

}  // namespace

void add_errors(py::module_&) {
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const ScenarioInputError& e) {
      raise_scenario_error(e, &e.context());
    } catch (const ScenarioError& e) {
      raise_scenario_error(e, nullptr);
    } catch (const UsageError& e) {
      raise("UsageError", e.message(), e.subject().empty() ? py::object(py::none()) : py::object(py::str(e.subject())));
    } catch (const ResultWriteError& e) {
      raise("ResultWriteError", e.what());
    } catch (const MemoryBudgetError& e) {
      PyErr_SetString(PyExc_MemoryError, e.what());
    }
  });
}

}  // namespace funnelsim::python
