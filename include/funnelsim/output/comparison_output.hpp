#pragma once
/// What `funnelsim compare` writes: compare.json, compare.csv and the printed verdict and table.
/// Like every rendering, no time or date: the same inputs give the same bytes.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "funnelsim/whatif/comparison.hpp"
#include "funnelsim/whatif/precision.hpp"

namespace funnelsim {

/// compare.json: scenarios, seed, replications, the methods in words, then per variant and scope
/// (metrics, by_source, by_team, by_rep, as in summary.json) and metric: unit, better, base and
/// variant statistics, and the paired difference. A metric whose better direction is neither has
/// no p_better fields.
std::string comparison_json(const ComparisonReport& report);

/// compare.csv, long format: variant,scope_kind,scope,metric,base_mean,variant_mean,diff_mean,
/// diff_ci95_low,diff_ci95_high,relative,p_better_share,p_better_normal,variance_reduction,n_paired.
std::string comparison_csv(const ComparisonReport& report);

/// For each variant: a plain-language verdict on the headline metrics (ratios in percentage
/// points, currency in absolute dollars, counts in percent, each with its 95% interval), which of
/// them clearly improved or worsened, the variance reduction common random numbers gave them,
/// and a table of every whole-funnel metric defined in a paired replication.
std::string comparison_text(const ComparisonReport& report);

}  // namespace funnelsim
