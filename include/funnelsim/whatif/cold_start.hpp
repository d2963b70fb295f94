#pragma once
/// A run that starts from an empty funnel: its first weeks' MQLs are a ramp-up, not a quarter.
/// The check a front end makes after a run without a warm-up or a backlog (docs/model.md,
/// "Choosing the warm-up"): weeks 1-2 against the last third of the horizon's whole weeks, each
/// as MQLs per expected lead of those weeks (so week multipliers by design do not count as a ramp).
#include <cstddef>
#include <optional>

#include "funnelsim/metrics/replication_table.hpp"
#include "funnelsim/model/model.hpp"

namespace funnelsim {

struct ColdStart {
  double ratio = 1.0;          ///< mean of weeks 1-2 / mean of the last weeks (MQLs per expected lead)
  double ratio_upper = 1.0;    ///< its one-sided 99.9% upper confidence bound (delta method)
  std::size_t last_first = 0;  ///< the last weeks compared: last_first..last_last (1-based)
  std::size_t last_last = 0;
};

/// Below this ratio the first weeks are "far below" the last ones.
inline constexpr double kColdStartRatio = 0.9;

/// The comparison for a run of `model` (its whole funnel's weekly MQLs in `table`), when the
/// horizon has at least 6 whole weeks and 2 replications; nullopt otherwise.
std::optional<ColdStart> compare_first_weeks(const ReplicationTable& table, const CompiledModel& model);

/// Whether the first weeks are far below the last: the ratio and its upper bound both under
/// kColdStartRatio (a ramp that is large and not noise).
inline bool far_below(const ColdStart& c) { return c.ratio < kColdStartRatio && c.ratio_upper < kColdStartRatio; }

}  // namespace funnelsim
