#pragma once
/// What `funnelsim sweep` writes: sweep.csv, sweep.json and the printed table. No time or date:
/// the same inputs give the same bytes.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "funnelsim/whatif/objective.hpp"
#include "funnelsim/whatif/precision.hpp"
#include "funnelsim/metrics/run_summary.hpp"
#include "funnelsim/whatif/sweep.hpp"

namespace funnelsim {

/// sweep.csv, long format: point,<one column per parameter, named by its pointer>,scope_kind,
/// scope,metric,mean,ci95_low,ci95_high,p10,p50,p90,n_defined,pooled,pooled_ci95_low,
/// pooled_ci95_high (the pooled ratio: empty for a metric that is not a ratio).
std::string sweep_csv(const SweepReport& report);

/// sweep.json: scenario, seed, replications, "statistics" (as in summary.json), parameters
/// ({pointer, title, values}), the objective (with its best point) and the Pareto axes when given,
/// then per point its values, feasible/best/pareto flags and every metric by scope (metrics,
/// by_source, by_team, by_rep, as in summary.json: a ratio's "pooled" first).
std::string sweep_json(const SweepReport& report);

/// The printed table: one row per point with its values and the headline figures (a ratio's
/// pooled ratio, else the mean) of the metrics the objective and front read, or of `metrics`
/// (whole-funnel names), or a few headline metrics; then the best point and the front.
std::string sweep_text(const SweepReport& report, std::span<const std::string> metrics = {});

}  // namespace funnelsim
