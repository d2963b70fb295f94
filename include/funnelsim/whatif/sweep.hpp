#pragma once
/// A parameter sweep: each parameter is a JSON Pointer into the scenario with a list of values;
/// the points are the Cartesian product of the lists, each the scenario with its values applied
/// as overrides. Every point runs on the same seed and replications (common random numbers), so
/// neighbouring points differ by the parameter, not by the noise.
#include <cstdint>
#include <optional>
#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "funnelsim/scenario/loader.hpp"
#include "funnelsim/scenario/origin.hpp"
#include "funnelsim/core/usage_error.hpp"
#include "funnelsim/whatif/objective.hpp"
#include "funnelsim/whatif/precision.hpp"
#include "funnelsim/whatif/warmup_choice.hpp"
#include "funnelsim/metrics/run_summary.hpp"

namespace funnelsim {

/// Largest grid a sweep accepts: a typo like 0:100000:1 should fail fast, not run for a week.
inline constexpr std::size_t kMaxSweepPoints = 1000;

struct SweepParameter {
  std::string pointer;
  std::vector<nlohmann::json> values;
  /// In users' words (parameter_title), set by run_sweep from the scenario; empty until then.
  std::string title;
};

/// Parses a parameter's text, throwing UsageError ("expected ..., found ...", with the pointer as
/// subject once it is known) when it is malformed:
/// - "PTR=a:b:step": the numbers a, a + step, ... up to b inclusive (with a tolerance for
///   rounding); each value is rounded to 12 significant digits, so 0.1:0.3:0.1 gives 0.1, 0.2,
///   0.3, and integral values are JSON integers. a > b or step <= 0 is an empty range.
/// - "PTR=v1,v2,...": each value JSON when it parses (75, true, [1,2]), else a string; commas
///   inside [], {} or "..." do not split.
/// A ':' outside brackets and quotes makes the text a range. /seed and /replications are refused:
/// every point runs the same ones, which is the point of a sweep on common random numbers.
SweepParameter parse_sweep_parameter(std::string_view text);

/// A value as tables and CSV show it: a string as it is, anything else as compact JSON.
std::string value_text(const nlohmann::json& value);

/// The grid: one entry per point, holding a value index per parameter; the first parameter
/// varies slowest. Throws UsageError when two parameters share a pointer or the grid holds more
/// than kMaxSweepPoints points.
std::vector<std::vector<std::size_t>> sweep_grid(const std::vector<SweepParameter>& parameters);

/// A point's overrides, in parameter order.
std::vector<Override> point_overrides(const std::vector<SweepParameter>& parameters,
                                      const std::vector<std::size_t>& point);

/// "PTR=value, PTR=value" for messages and tables.
std::string point_text(const std::vector<SweepParameter>& parameters, const std::vector<std::size_t>& point);

struct SweepReport {
  std::string scenario;           ///< the scenario's name
  std::string file;               ///< as given on the command line
  ScenarioProvenance provenance;  ///< the base scenario's (every point adds its values as overrides)
  std::uint64_t seed = 0;
  std::uint64_t replications = 0;
  std::uint64_t first_replication = 0;
  std::vector<SweepParameter> parameters;
  std::vector<std::vector<std::size_t>> points;  ///< from sweep_grid
  std::vector<RunSummary> summaries;             ///< one per point
  std::optional<Objective> objective;
  std::optional<ParetoAxes> pareto;
  /// With --precision: the target on every point's mean, and how the run ended.
  std::optional<PrecisionOutcome> precision;
  WarmupChoice warmup;  ///< the base's, which every point ran with

  /// values[point][metric]: the whole funnel's headline figures (RunSummary::headline: the
  /// pooled ratio of a ratio metric, the mean of any other), what objectives and fronts read.
  std::vector<std::vector<double>> funnel_values() const;
};

}  // namespace funnelsim
