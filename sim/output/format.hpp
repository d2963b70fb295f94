#pragma once
/// Pieces of JSON and CSV shared by the writers of every command, so that a statistic or a
/// direction reads the same in summary.json, compare.json and sweep.json.
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "funnelsim/metrics/metrics.hpp"
#include "funnelsim/whatif/precision.hpp"
#include "funnelsim/metrics/run_summary.hpp"
#include "funnelsim/core/statistics.hpp"

namespace funnelsim {

/// A finite number, or null (JSON has no NaN or Infinity).
nlohmann::ordered_json number_or_null(double value);

/// Every statistic of statistic_names(), in that order; undefined ones are null.
nlohmann::ordered_json stats_json(const SummaryStats& stats);

/// Adds a run summary's statistics to `into` as summary.json lays them out:
/// metrics.<metric>.<statistic> for the whole funnel, then by_source, by_team and by_rep.
void add_summary_scopes(nlohmann::ordered_json& into, const RunSummary& summary);

/// {"metric", "target_relative_half_width", "achieved", "met"}: how a --precision run ended; with
/// `of`, also what the half-width was measured on (compare and sweep say it, run need not).
nlohmann::ordered_json precision_json(const PrecisionOutcome& outcome, std::string_view of = {});

/// The printed line of a --precision run: "precision: <what> of <metric> is 0.92% of <relative_to>
/// (target: below 1%): met after 350 replications (batches of 50)".
std::string precision_text(const PrecisionOutcome& outcome, std::string_view what, std::string_view relative_to,
                           std::uint64_t replications);

/// "higher", "lower" or "neither".
std::string_view better_name(Better better);

/// A value for a printed table: ratios as percentages with one decimal, currency with two
/// decimals, everything else with one; "n/a" when undefined.
std::string display_value(double value, std::string_view unit);

/// A CSV text field (never a number): a leading = + - @ tab or carriage return gets an apostrophe
/// first (OWASP's advice against CSV injection), then it is quoted (with doubled quotes) when it
/// holds a comma, quote or newline.
std::string csv_field(std::string_view text);

}  // namespace funnelsim
