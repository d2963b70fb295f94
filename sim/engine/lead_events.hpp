#pragma once
/// The events of a lead's journey and their tie order. A journey is a loop: next_event()
/// picks the earliest pending event and the lead process handles it (lead_process.cpp), until
/// the lead becomes an MQL or nothing is pending before the horizon ends.
///
/// At equal times the lower kind goes first: the SDR follow-up, then an intent signal, then a
/// behavioural event (types in the source's event order). So a follow-up due at a signal's
/// instant draws its coin first, and the signal counts only if the conversation did not
/// qualify the lead. The order is the draw order: changing it changes results.
///
/// The journey's start is its arrival check (fit, plus any backlog points, can meet the rule
/// at once). Nurture touches, the track's end and score decay are not events: touches are
/// counted in closed form when the journey ends, the track's end makes the event rates
/// piecewise (inverted exactly per event type), and decay is applied when points are added.
#include <cstdint>

namespace funnelsim {

enum class LeadEvent : std::uint8_t {
  follow_up = 0,    ///< the SDR's conversation with a high-fit lead not yet an MQL (first journey)
  signal = 1,       ///< a company intent surge: an MQL at once
  behaviour = 2,    ///< one event of a type (visit, webinar, ...): points, or an instant MQL
  horizon_end = 3,  ///< nothing pending before the horizon ends
};

}  // namespace funnelsim
