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

/// compare.json: scenarios, seed, replications, horizon_days, "statistics" (as in summary.json),
/// the methods in words, then per variant and scope (metrics, by_source, by_team, by_rep, as in
/// summary.json) and metric: unit, better, headline ("pooled" or "mean"), base and variant (each
/// as a metric of summary.json: a ratio's "pooled" first, then its distribution), for a ratio
/// "pooled_difference" (the headline change) and "difference" (the paired difference of the
/// per-replication values). A metric whose better direction is neither has no p_better fields.
/// Last, "weekly": per scenario (base first) its whole-funnel weekly series, each {mean, p10,
/// p50, p90} as arrays by week.
std::string comparison_json(const ComparisonReport& report);

/// compare.csv, long format: variant,scope_kind,scope,metric,base_mean,variant_mean,diff_mean,
/// diff_ci95_low,diff_ci95_high,relative,p_better_share,p_better_normal,variance_reduction,n_paired,
/// headline,base_pooled,variant_pooled,pooled_diff,pooled_diff_ci95_low,pooled_diff_ci95_high,
/// pooled_relative,pooled_relative_ci95_low,pooled_relative_ci95_high,pooled_p_better_normal,
/// pooled_variance_reduction,pooled_n_paired (the pooled columns empty for a metric that is not a ratio).
std::string comparison_csv(const ComparisonReport& report);

/// For each variant: a plain-language verdict on the headline metrics, or on the whole-funnel
/// ones of `metrics` (ratios in percentage points, currency in absolute dollars, counts in
/// percent, each with its 95% interval; a ratio's change is that of its pooled ratio), which of
/// them clearly improved or worsened, the variance reduction common random numbers gave them, a
/// table of every whole-funnel metric defined in a paired replication (or of `metrics`), and the
/// operational metrics a threshold decision turns on per team and per source (or the team and
/// funnel ones of `metrics`).
std::string comparison_text(const ComparisonReport& report, std::span<const std::string> metrics = {});

}  // namespace funnelsim
