#pragma once
// --out FOLDER and --report FILE of the commands that write results (run, compare, sweep,
// sensitivity), checked before anything is simulated and written as one transaction: the report
// first (or inside the set when it lies in the folder), then the folder as one set.
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "funnelsim/output/result_set.hpp"
#include "funnelsim/output/run_identity.hpp"
#include "run_options.hpp"

namespace funnelsim::cli {

/// The scenario file and the base files its "extends" chain names (as far as they can be read):
/// the files a result must never be written over or around.
std::vector<std::filesystem::path> scenario_inputs(const std::string& file);

class OutputTargets {
 public:
  /// Checks --out and --report as typed on `cmd` (an empty string, a file where a folder is
  /// wanted, a read-only folder, a path equal to or holding one of `inputs`, another writer) and
  /// takes the folder's lock. Throws UsageError.
  OutputTargets(const CLI::App& cmd, const std::string& out, const std::string& report,
                const std::vector<std::filesystem::path>& inputs);
  bool any() const { return writer_ != nullptr || !report_.empty(); }
  /// Writes the report (rendered by `html` from `files`) and the folder (`files` with the run
  /// identifier). Throws ResultWriteError; a failed report leaves the folder untouched.
  void write(const ResultSetFiles& files, const std::string& run_id,
             const std::function<std::string(const ResultSetFiles&)>& html) const;

 private:
  std::unique_ptr<ResultSetWriter> writer_;
  std::filesystem::path report_;
  bool report_in_set_ = false;
};

/// The run controls as typed (seed, replications, first replication, precision), for a run identifier.
GivenRunControls given_controls(const ScenarioOptions& opts);

/// Refuses (UsageError naming `option`) a file to be written that is one of `inputs`.
void refuse_input_as_output(const std::filesystem::path& file, const std::vector<std::filesystem::path>& inputs,
                            const std::string& option);

}  // namespace funnelsim::cli
