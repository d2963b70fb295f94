#pragma once
/// What `funnelsim sensitivity` writes: sensitivity.json, sensitivity.csv and the printed tornado.
/// Like every rendering, no time or date: the same inputs give the same bytes.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "funnelsim/core/regression.hpp"
#include "funnelsim/whatif/sensitivity.hpp"
#include "funnelsim/core/statistics.hpp"
#include "funnelsim/scenario/uncertain.hpp"

namespace funnelsim {

/// sensitivity.json: funnelsim_version, scenario, seed, replications, metric, vary, base (the
/// metric as summary.json has it: a ratio's "pooled" block first, then its distribution; each
/// effect of a ratio is the change of its pooled ratio), parameters (in rank order: pointer, title (in users'
/// words), base_value, low_value, high_value, low and high {mean, ci95_low, ci95_high}, rank),
/// skipped ({pointer, title, reason}) and uncertain ({parameters: [{pointer, src, spearman}],
/// r_squared} or null).
std::string sensitivity_json(const SensitivityReport& report);

/// sensitivity.csv: rank,pointer,base_value,low_value,high_value,low_mean,low_ci95_low,
/// low_ci95_high,high_mean,high_ci95_low,high_ci95_high,title, one row per parameter in rank order.
std::string sensitivity_csv(const SensitivityReport& report);

/// The printed tornado: the base, one bar per parameter that moved the metric (left of the axis
/// lowers it, right raises it), those that moved it in no replication, the skipped ones, and the
/// regression on the uncertain inputs.
std::string sensitivity_text(const SensitivityReport& report);

}  // namespace funnelsim
