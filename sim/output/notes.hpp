#pragma once
/// The words printed beside a figure that needs them: a ratio undefined in some replications,
/// a metric the horizon cuts short. Shared by the printed tables and the HTML report, so they
/// say the same thing. Private to the library.
#include <cstddef>
#include <string>
#include <string_view>

#include "funnelsim/metrics/metrics.hpp"

namespace funnelsim {

/// What a replication of the horizon is to a planner: "quarters" (89 to 92 days), "months" (28
/// to 31), "years" (365, 366), "weeks" (7); else "replications".
std::string_view period_word(int horizon_days);

/// "64%", "<1%" or ">99%" for a share strictly between 0 and 1 that would round to an end.
std::string share_text(double share);

/// Beside a metric defined in only some replications: for a ratio "no won deals in 64% of
/// quarters" (its denominator's label), for any other metric "defined in 150 of 200
/// replications"; empty when it is defined in all of them, or in none.
std::string undefined_note(ScopeKind kind, std::size_t metric, std::size_t n_defined, std::size_t replications,
                           int horizon_days);

/// Whether a metric counts only the deals that closed inside the horizon (won deals, revenue,
/// CAC), so that a pipeline that mostly closes after it makes the metric a fraction of the story.
bool counts_closed_deals(ScopeKind kind, std::size_t metric);

/// Below this share of opportunities closed within the horizon, counts_closed_deals metrics get
/// a caveat: most of their story falls outside it.
inline constexpr double kHorizonCaveatBelow = 0.5;

/// "only 31% of opportunities closed in the horizon" when `closed_share` (opportunities_closed_share,
/// pooled) is below kHorizonCaveatBelow; else empty.
std::string horizon_note(double closed_share);

/// The sentence under a table: "Only 31% of the opportunities created in these 90 days closed within
/// them: won deals, revenue and CAC count only deals that closed inside the horizon, so most of this
/// pipeline's wins fall after it." Empty when no caveat applies.
std::string horizon_sentence(double closed_share, int horizon_days);

}  // namespace funnelsim
