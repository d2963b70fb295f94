#pragma once
/// The measured window of a replication: time runs over [0, end_day) and metrics count
/// [window_start, end_day); weekly series bucket by the week since window_start.
#include <algorithm>
#include <cstddef>

#include "funnelsim/model/model.hpp"

namespace funnelsim {

inline bool in_window(const CompiledModel& model, double day) noexcept {
  return day >= model.window_start && day < model.end_day;
}

/// The week a step at `day` counts in (warm-up steps in week 0, a partial last week its own).
inline std::size_t week_of(const CompiledModel& model, double day) noexcept {
  const double d = std::max(0.0, day - model.window_start);
  return std::min(static_cast<std::size_t>(d / 7.0), static_cast<std::size_t>(model.weeks - 1));
}

}  // namespace funnelsim
