#pragma once
/// The complete order of sales-side events. Events are processed by (time, priority,
/// sequence number): at equal times the lower priority goes first, and events of equal time
/// and priority go first-in first-out. Shift changes come first, so a working interval is
/// [open, close): a rep who finishes exactly at closing time takes nothing new. Then releases
/// before seizes (a rep finishing work is free before anyone is assigned at that instant),
/// and new MQLs last, so a lead arriving exactly when a rep frees up finds the rep free only
/// after the waiting leads have had their turn.
#include <cstdint>

namespace funnelsim {

enum class SalesEvent : std::uint8_t {
  shift_end = 0,     ///< the team stops taking new work; work in hand finishes
  shift_start = 1,   ///< the team starts taking work again
  attempt_done = 2,  ///< a rep finishes a contact attempt (release)
  day_start = 3,     ///< daily caps reset
  patience = 4,      ///< a lead's patience runs out: it goes cold unless a rep has it
  retry_ready = 5,   ///< a lead's retry wait ends: it re-joins the queue
  mql_arrival = 6,   ///< a new MQL joins its team's queue
};

/// The sort key of an event: priority in the top byte, sequence number below.
constexpr std::uint64_t event_order(SalesEvent kind, std::uint64_t sequence) noexcept {
  return (static_cast<std::uint64_t>(kind) << 56) | (sequence & ((std::uint64_t{1} << 56) - 1));
}

}  // namespace funnelsim
