#include "job_output.hpp"

#include <pybind11/stl.h>

#include <system_error>
#include <utility>

#include "funnelsim/core/usage_error.hpp"
#include "funnelsim/report/report.hpp"

namespace py = pybind11;

namespace funnelsim::python {

JobOutput::JobOutput(std::string kind, std::string run_id, std::vector<std::filesystem::path> inputs,
                     Renderers renderers)
    : kind_(std::move(kind)),
      run_id_(std::move(run_id)),
      inputs_(std::move(inputs)),
      renderers_(std::move(renderers)) {}

const ResultSetFiles& JobOutput::plain_files(const std::filesystem::path& folder) const {
  const std::filesystem::path where = std::filesystem::absolute(folder).lexically_normal();
  if (!rendered_ || rendered_->first != where) rendered_.emplace(where, renderers_.files(where));
  return rendered_->second;
}

ResultSetFiles JobOutput::files(const std::filesystem::path& folder) const {
  return with_run_id(plain_files(folder), run_id_);
}

std::string JobOutput::text() const { return renderers_.text(); }

std::string JobOutput::report_html() const { return renderers_.html(plain_files(".")); }

std::string JobOutput::write(const std::string& folder, bool with_report) const {
  ResultSetWriter writer(folder, "to_files");  // checks the folder and takes its lock first
  const ResultSetFiles& plain = plain_files(writer.target());
  ResultSetFiles set = with_run_id(plain, run_id_);
  if (with_report) set.emplace_back("report.html", renderers_.html(plain));
  {
    const py::gil_scoped_release nogil;  // fsync'ing a large set takes a while
    writer.commit(set);
  }
  return writer.target().string();
}

void JobOutput::write_report(const std::string& file) const {
  const std::filesystem::path path(file);
  std::error_code ec;
  if (path.filename().empty() || std::filesystem::is_directory(path, ec))
    throw UsageError("report " + file, "expected a file name such as report.html, found a folder");
  const std::filesystem::path target = resolved_path(path);
  for (const std::filesystem::path& input : inputs_)
    if (input == target)
      throw UsageError("report " + file,
                       "expected a file to write, found a scenario file of this job (" + input.string() + ")");
  write_report_file(path, report_html());
}

void add_job_output(py::module_& m) {
  py::class_<JobOutput>(m, "JobOutput", "What a job produced (see funnelsim.Result and the other result types).")
      .def_property_readonly("kind", &JobOutput::kind)
      .def_property_readonly("run_id", &JobOutput::run_id)
      .def("files", [](const JobOutput& o) { return o.files(); })
      .def("text", &JobOutput::text)
      .def("report_html", &JobOutput::report_html)
      .def("write", &JobOutput::write, py::arg("folder"), py::arg("with_report"))
      .def("write_report", &JobOutput::write_report, py::arg("file"));
}

}  // namespace funnelsim::python
