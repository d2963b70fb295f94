#pragma once
/// Result writers. Each renders one artefact of a run to text; a folder of them is written as one
/// set by ResultSetWriter (funnelsim/output/result_set.hpp), so a reader never sees a mix.
/// Renderings hold no time or date: the same inputs give the same bytes.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <optional>

#include "funnelsim/whatif/run_report.hpp"
#include "funnelsim/metrics/replication_table.hpp"
#include "funnelsim/metrics/run_summary.hpp"
#include "funnelsim/scenario/uncertain.hpp"

namespace funnelsim {

class OutputWriter {
 public:
  virtual ~OutputWriter() = default;
  /// File name inside the output folder.
  virtual std::string file_name() const = 0;
  virtual std::string render(const RunReport& report) const = 0;
};

/// summary.json: metrics.<metric>.<statistic>, by_source.<source>.<metric>.<statistic>; with
/// --precision, "precision"; with uncertain inputs, "uncertain_parameters" and "variance_split".
std::unique_ptr<OutputWriter> summary_json_writer();
/// replications.csv: one row per replication, one column per metric (all, then <source>.<metric>).
std::unique_ptr<OutputWriter> replications_csv_writer();
/// weekly.csv: long format, one row per (source, series, week) with the statistics across replications.
std::unique_ptr<OutputWriter> weekly_csv_writer();
/// The writers `run --out` uses, in order.
std::vector<std::unique_ptr<OutputWriter>> run_output_writers();

/// The human-readable summary printed by `funnelsim run`.
std::string summary_table(const RunReport& report);

/// Number formatting shared by the writers: shortest round-trip, "" for NaN.
std::string format_number(double value);

}  // namespace funnelsim
