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

#include <nlohmann/json.hpp>

#include <optional>

#include "funnelsim/whatif/cold_start.hpp"
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

/// What "warmup_days": "auto" chose, in words, for a message: "warm-up auto: 118 days (...)".
std::string warmup_note(const WarmupChoice& choice);

/// The warm-up a result file records: "warmup_days" (what ran) and "warmup_auto" (the rule chose it).
void add_warmup_fields(nlohmann::ordered_json& j, const WarmupChoice& choice);
/// The warning for a run whose first weeks ramp up (whatif/cold_start.hpp), with the fix: the
/// days the rule would pick, when known (`rule_days`).
std::string cold_start_warning(const ColdStart& cold, std::optional<int> rule_days);

/// Number formatting shared by the writers: shortest round-trip, "" for NaN.
std::string format_number(double value);

}  // namespace funnelsim
