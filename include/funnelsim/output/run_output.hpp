#pragma once
/// Result writers. Each renders one artefact of a run to text; a folder of them is written as one
/// set by ResultSetWriter (funnelsim/output/result_set.hpp), so a reader never sees a mix.
/// Renderings hold no time or date: the same inputs give the same bytes.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
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

/// summary.json: "statistics" (what each statistic is), metrics.<metric> for the whole funnel,
/// by_source.<source>.<metric>, by_team, by_rep: each metric's distribution across replications
/// (mean, sd, ..., n_defined) and, for a ratio metric, first its "pooled" ratio (value, ci95_low,
/// ci95_high, se, n, numerator_total, denominator_total), the headline; with --precision,
/// "precision"; with uncertain inputs, "uncertain_parameters" and "variance_split"; then
/// "metric_definitions" (unit, better, description, label, headline "pooled" or "mean", a
/// ratio's numerator and denominator) and "component_definitions".
std::unique_ptr<OutputWriter> summary_json_writer();
/// summary.csv: one row per scope and metric: scope_kind,scope,metric,unit,headline ("pooled" or
/// "mean"),value,value_ci95_low,value_ci95_high (the headline figure), pooled,pooled_ci95_low,
/// pooled_ci95_high,pooled_se,pooled_n (ratios only, else empty), then every statistic of
/// statistic_names() (the distribution across replications).
std::unique_ptr<OutputWriter> summary_csv_writer();
/// replications.csv: one row per replication: every scope's metric columns (all, then
/// <source>.<metric>, team.<team>.<metric>, rep.<team>.<n>.<metric>), then every scope's
/// component columns under the same prefixes (the numerators and denominators of the ratio
/// metrics that are not metrics themselves: marketing_spend, sla_due, ...).
std::unique_ptr<OutputWriter> replications_csv_writer();
/// weekly.csv: long format, one row per (source, series, week) with the statistics across replications.
std::unique_ptr<OutputWriter> weekly_csv_writer();
/// The writers `run --out` uses, in order.
std::vector<std::unique_ptr<OutputWriter>> run_output_writers();

/// The human-readable summary printed by `funnelsim run`. `metrics` (names of any scope kind's
/// metrics, as parse_metric_list gives them) chooses the rows of the whole-funnel table and the
/// columns of the by-source and by-team tables, in that order; empty: the default selection.
std::string summary_table(const RunReport& report, std::span<const std::string> metrics = {});

/// "checksum of the replications (sha256): <64 hex digits>", the last line of summary_table and
/// of `funnelsim bench`: one text, so tools/bench_engine.sh can compare the two.
std::string checksum_line(const ReplicationTable& table);

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
