#pragma once
/// Choosing among sweep points: an objective with constraints, and the Pareto front of two
/// metrics. Both read the headline figures of whole-funnel metrics (the pooled ratio of a ratio
/// metric, the mean of any other: RunSummary::headline), given per point as
/// means[point][metric index in metric_defs(ScopeKind::funnel)]; an undefined figure (NaN) never
/// meets a constraint, never wins, and keeps its point off the front.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "funnelsim/metrics/metrics.hpp"
#include "funnelsim/core/usage_error.hpp"

namespace funnelsim {

struct Constraint {
  enum class Op { at_least, at_most, above, below };  // >=, <=, >, <
  std::size_t metric = 0;
  Op op = Op::at_least;
  double bound = 0.0;
  bool holds(double mean) const noexcept;
};

struct Objective {
  bool maximize = false;
  std::size_t metric = 0;
  std::vector<Constraint> constraints;
};

/// A whole-funnel metric by name, for any input that takes one. Throws UsageError ("expected a
/// whole-funnel metric name such as cost_per_sql_marketing [(did you mean ...)], found
/// "<name>"") for an unknown name.
std::size_t parse_funnel_metric(std::string_view name);

/// Parses "a,b,c": names of metrics of any scope kind (whole funnel and source, team, rep), each
/// once, in the order given. Throws UsageError ("expected metric names separated by commas, such
/// as mqls,sqls,cost_per_sql_marketing [(did you mean ...)], found "<name>"") for an empty or
/// unknown name, and for a name given twice.
std::vector<std::string> parse_metric_list(std::string_view text);

/// Parses "minimize|maximize METRIC [subject to METRIC (>=|<=|>|<) NUMBER [and ...]]"
/// (operators may touch their operands: "sla_attainment>=0.9"). Throws UsageError
/// ("expected ..., found ...") for malformed text or an unknown metric.
Objective parse_objective(std::string_view text);

/// The objective in its canonical spelling, e.g. "minimize cost_per_sql subject to sla_attainment >= 0.9".
std::string objective_text(const Objective& objective);
std::string constraint_text(const Constraint& constraint);

/// Whether a point's means meet every constraint (and its objective mean is defined).
bool is_feasible(const Objective& objective, const std::vector<double>& means);

/// The feasible point with the lowest (minimize) or highest (maximize) objective mean, the
/// earliest on ties; nullopt when no point is feasible.
std::optional<std::size_t> best_point(const Objective& objective, const std::vector<std::vector<double>>& means);

struct ParetoAxes {
  std::size_t x = 0, y = 0;
};

/// Parses "METRIC_X,METRIC_Y"; throws UsageError for an unknown metric or one whose better
/// direction is neither (the front needs to know which way is better).
ParetoAxes parse_pareto(std::string_view text);

/// For each point, whether no other point is at least as good on both metrics and better on one
/// (in each metric's declared better direction).
std::vector<bool> pareto_front(const ParetoAxes& axes, const std::vector<std::vector<double>>& means);

}  // namespace funnelsim
