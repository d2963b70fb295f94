#pragma once
/// Pieces of JSON and CSV shared by the writers of every command, so that a statistic or a
/// direction reads the same in summary.json, compare.json and sweep.json.
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "funnelsim/metrics/metrics.hpp"
#include "funnelsim/whatif/precision.hpp"
#include "funnelsim/metrics/run_summary.hpp"
#include "funnelsim/core/statistics.hpp"

namespace funnelsim {

/// A finite number, or null (JSON has no NaN or Infinity).
nlohmann::ordered_json number_or_null(double value);

/// Every statistic of statistic_names(), in that order; undefined ones are null.
nlohmann::ordered_json stats_json(const SummaryStats& stats);

/// A pooled ratio: {"value", "ci95_low", "ci95_high", "se", "n", "numerator_total",
/// "denominator_total"}; undefined ones are null.
nlohmann::ordered_json pooled_json(const PooledRatio& pooled);

/// One metric as summary.json writes it: for a ratio metric "pooled" first (pooled_json), then
/// every statistic of the distribution across replications (stats_json).
nlohmann::ordered_json metric_json(const MetricDef& def, const SummaryStats& stats, const PooledRatio& pooled);

/// What the statistics of a metric object are, in words, for the files' "statistics" member.
nlohmann::ordered_json statistics_legend();

/// Adds a run summary's statistics to `into` as summary.json lays them out:
/// metrics.<metric> (metric_json) for the whole funnel, then by_source, by_team and by_rep.
void add_summary_scopes(nlohmann::ordered_json& into, const RunSummary& summary);

/// "metric_definitions" and "component_definitions" as summary.json writes them.
void add_metric_definitions(nlohmann::ordered_json& into);

/// {"metric", "target_relative_half_width", "achieved", "met"}: how a --precision run ended; with
/// `of`, also what the half-width was measured on (compare and sweep say it, run need not).
nlohmann::ordered_json precision_json(const PrecisionOutcome& outcome, std::string_view of = {});

/// The printed line of a --precision run: "precision: <what> of <metric> is 0.92% of <relative_to>
/// (target: below 1%): met after 350 replications (batches of 50)".
std::string precision_text(const PrecisionOutcome& outcome, std::string_view what, std::string_view relative_to,
                           std::uint64_t replications);

/// The metrics of `kind` among `names` (parse_metric_list), in their order; with no names, the
/// metrics of `defaults` (names) that the kind has.
std::vector<std::size_t> chosen_metrics(std::span<const std::string> names, ScopeKind kind,
                                        std::span<const std::string_view> defaults);

/// "higher", "lower" or "neither".
std::string_view better_name(Better better);

/// A value for a printed table: ratios as percentages with one decimal, currency with two
/// decimals, money per money as "$7.20 per $1", everything else with one; "n/a" when undefined.
std::string display_value(double value, std::string_view unit);
/// An interval for a printed table: "[3315.16, 3481.65]", "[$6.71, $7.72] per $1".
std::string display_interval(double low, double high, std::string_view unit);

/// A CSV text field (never a number): a leading = + - @ tab or carriage return gets an apostrophe
/// first (OWASP's advice against CSV injection), then it is quoted (with doubled quotes) when it
/// holds a comma, quote or newline.
std::string csv_field(std::string_view text);

}  // namespace funnelsim
