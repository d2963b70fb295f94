#pragma once
// What a job produced, as the CLI would write it: its result files (through the library's very
// writers, so the module follows whatever they write), its printed table, its HTML report, and
// writing them as one result set.
#include <pybind11/pybind11.h>

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "funnelsim/output/result_set.hpp"

namespace funnelsim::python {

class JobOutput {
 public:
  struct Renderers {
    /// The result files as written into a folder, without the run identifier. Only calibrate's
    /// depend on the folder: calibrated.json names its base scenario by a path relative to it.
    std::function<ResultSetFiles(const std::filesystem::path& folder)> files;
    std::function<std::string(const ResultSetFiles&)> html;  ///< the report, from those files
    std::function<std::string()> text;                       ///< the table the CLI prints
  };
  JobOutput(std::string kind, std::string run_id, std::vector<std::filesystem::path> inputs, Renderers renderers);

  const std::string& kind() const noexcept { return kind_; }
  const std::string& run_id() const noexcept { return run_id_; }
  /// The result set as `--out FOLDER` writes it: every file with the run identifier, the run_id
  /// file (FOLDER: the current folder when not given).
  ResultSetFiles files(const std::filesystem::path& folder = ".") const;
  std::string text() const;
  std::string report_html() const;
  /// Writes files() (and report.html when asked) into `folder` as one set (ResultSetWriter).
  /// Returns the folder written, absolute.
  std::string write(const std::string& folder, bool with_report) const;
  /// Writes the report to `file`, never over one of the job's scenario files.
  void write_report(const std::string& file) const;

 private:
  const ResultSetFiles& plain_files(const std::filesystem::path& folder) const;  // rendered once per folder

  std::string kind_, run_id_;
  std::vector<std::filesystem::path> inputs_;
  Renderers renderers_;
  mutable std::optional<std::pair<std::filesystem::path, ResultSetFiles>> rendered_;
};

void add_job_output(pybind11::module_& m);

}  // namespace funnelsim::python
