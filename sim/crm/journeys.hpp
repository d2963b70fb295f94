#pragma once
/// A lead's journeys from the values its fields took: when it became a lead (creation, the
/// quarter's start for the backlog, each re-entry after a recycle), each MQL, its reason and
/// each owner assignment. Journeys alternate, start <= MQL <= next start <= next MQL ..., so with
/// every value known (a history file) the i-th MQL belongs to the i-th start; with only the
/// latest values (no history), an MQL belongs to the latest start at or before it, else the
/// creation. An owner assignment belongs to the MQL it follows.
#include <vector>

#include "funnelsim/crm/records.hpp"

namespace funnelsim::crm {

/// One lead's values; reused from lead to lead (clear() keeps the storage: no allocation per lead).
struct JourneyInputs {
  Minute created = kNoTime;
  std::vector<Minute> starts;      ///< became-a-lead values (may be empty: creation)
  std::vector<Minute> mqls;        ///< MQL values
  std::vector<MqlReason> reasons;  ///< by MQL, in the same order (may be shorter)
  std::vector<Minute> owners;      ///< owner-assigned values
  void clear() {
    created = kNoTime;
    starts.clear(), mqls.clear(), reasons.clear(), owners.clear(), sorted_.clear();
  }
  std::vector<std::pair<Minute, MqlReason>> sorted_;  // scratch
};

/// Appends the lead's journeys, in time order, to `out` (sorting the inputs in place).
void build_journeys(JourneyInputs& in, std::uint32_t lead, std::vector<Journey>& out);

}  // namespace funnelsim::crm
