#pragma once
/// One-at-a-time sensitivity (a tornado): each parameter of a scenario is moved down and up by a
/// fraction of its value, one at a time, every run on the base's seed and replications (common
/// random numbers); the effect of each side is the paired difference of one whole-funnel metric
/// against the base, and parameters rank by the larger absolute mean effect of their two sides.
///
/// Parameters are JSON Pointers into the RESOLVED scenario (resolved_scenario_json, what
/// `funnelsim validate --resolved` prints), where every field has its value, inherited or default.
#include <cstdint>
#include <optional>
#include <atomic>
#include <cstddef>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "funnelsim/whatif/comparison.hpp"
#include "funnelsim/metrics/metrics.hpp"
#include "funnelsim/core/usage_error.hpp"
#include "funnelsim/core/regression.hpp"
#include "funnelsim/core/statistics.hpp"
#include "funnelsim/scenario/origin.hpp"
#include "funnelsim/scenario/uncertain.hpp"

namespace funnelsim {

/// Parses how far parameters move: "20%" or "0.2", above 0 and at most 100%; UsageError otherwise.
double parse_vary(std::string_view text);

/// Parses a parameter list: JSON Pointers separated by commas, each once; UsageError otherwise.
std::vector<std::string> parse_pointer_list(std::string_view text);

/// Parses the metric to rank by: a whole-funnel metric name; UsageError (with a "did you mean") otherwise.
std::size_t parse_sensitivity_metric(std::string_view name);

/// What plan_sensitivity expects of each requested pointer.
inline constexpr std::string_view kResolvedNumericField = "a numeric field of the resolved scenario";

struct SensitivityParameter {
  std::string pointer;
  /// As written into the documents: value x (1 - vary) and x (1 + vary), rounded to 12
  /// significant digits (integral results are JSON integers), clamped to the schema's bounds;
  /// an integer field moves by at least 1.
  nlohmann::json base_value, low_value, high_value;
  std::string title = {};  ///< in users' words (parameter_title)
};

struct SkippedParameter {
  std::string pointer;
  std::string reason;
  std::string title = {};  ///< in users' words (parameter_title)
};

struct SensitivityPlan {
  std::vector<SensitivityParameter> parameters;  ///< in document order (or --params order)
  std::vector<SkippedParameter> skipped;
};

/// Plans the runs on a resolved scenario document.
/// - `requested` empty: every numeric field whose schema type is number: integer fields (seed,
///   replications, horizon and warm-up days, headcounts, counts, day indices) are left out.
///   Otherwise those pointers, integer fields included; each must exist and hold a number
///   (UsageError with the pointer as subject: "PTR: expected ..., found ...").
/// - A parameter is skipped, with the reason, when its base value is 0 (a relative change cannot
///   move it), when the schema's bounds leave no room on either side, when it derives from an
///   uncertain input (`uncertain_pointers`, see UncertainScenario::resolved_pointers), or when a
///   perturbed document fails validation (the first issue is the reason).
/// - Validating every perturbed document takes a while on a large scenario: a raised `cancel`
///   flag ends the planning early, with what was planned so far (the caller then stops).
SensitivityPlan plan_sensitivity(const nlohmann::json& resolved, const std::vector<std::string>& requested, double vary,
                                 const std::vector<std::string>& uncertain_pointers = {},
                                 const std::atomic<bool>* cancel = nullptr);

/// Sets a value in a resolved document (the pointer exists).
void set_parameter(nlohmann::json& resolved, const std::string& pointer, const nlohmann::json& value);

struct ParameterEffect {
  SensitivityParameter parameter;
  /// The metric at the low (high) value minus the base, paired by replication: the change of its
  /// pooled ratio for a ratio metric, of its per-replication values for any other.
  HeadlineChange low, high;
  std::size_t rank = 0;  ///< 1 = the largest absolute mean effect
};

/// One run's tornado metric in replication order: its values and, for a ratio metric, its
/// numerators and denominators (empty for any other).
struct MetricRun {
  std::vector<double> values, numerators, denominators;
};

/// The effects, in rank order: by max(|low.mean|, |high.mean|) descending, an undefined mean
/// counting as below 0, ties in plan order. low[i] and high[i] are the runs of
/// plan.parameters[i]; `base` is the base run. A run with numerators and denominators is a
/// ratio's: its effect is the pooled difference (pooled_difference).
std::vector<ParameterEffect> rank_effects(const SensitivityPlan& plan, const MetricRun& base,
                                          const std::vector<MetricRun>& low, const std::vector<MetricRun>& high,
                                          Better better);

/// Regression-based sensitivity of the metric to the uncertain inputs, from the base run.
struct UncertainSensitivity {
  std::vector<UncertainParameter> parameters;
  RegressionSensitivity regression;  ///< src and spearman in parameters' order
};

struct SensitivityReport {
  std::string scenario;           ///< the scenario's name
  ScenarioProvenance provenance;  ///< the base scenario's
  std::uint64_t seed = 0;
  std::uint64_t replications = 0;
  std::size_t metric = 0;  ///< index in metric_defs(ScopeKind::funnel)
  double vary = 0.2;
  SummaryStats base;                     ///< the metric in the base run
  PooledRatio base_pooled;               ///< a ratio metric's pooled ratio in the base run (n == 0 otherwise)
  std::vector<ParameterEffect> effects;  ///< in rank order
  std::vector<SkippedParameter> skipped;
  std::optional<UncertainSensitivity> uncertain;  ///< when the scenario has uncertain inputs
  WarmupChoice warmup;                            ///< the base's, which every run used
};

}  // namespace funnelsim
