#include "crm/journeys.hpp"

#include <algorithm>

namespace funnelsim::crm {

void build_journeys(JourneyInputs& in, std::uint32_t lead, std::vector<Journey>& out) {
  std::sort(in.starts.begin(), in.starts.end());
  std::sort(in.owners.begin(), in.owners.end());
  // MQLs sorted with their reasons.
  std::vector<std::pair<Minute, MqlReason>>& mqls = in.sorted_;
  for (std::size_t i = 0; i < in.mqls.size(); ++i)
    mqls.emplace_back(in.mqls[i], i < in.reasons.size() ? in.reasons[i] : MqlReason::unknown);
  std::stable_sort(mqls.begin(), mqls.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  if (in.starts.empty()) in.starts.push_back(in.created);

  const std::size_t n = mqls.size(), s = in.starts.size();
  bool by_index = n == s || n + 1 == s;
  for (std::size_t i = 0; by_index && i < n; ++i)
    by_index = in.starts[i] <= mqls[i].first && (i + 1 >= s || in.starts[i + 1] >= mqls[i].first);

  for (std::size_t i = 0; i < n; ++i) {
    Journey j;
    j.lead = lead;
    j.mql = mqls[i].first;
    j.reason = mqls[i].second;
    if (by_index) {
      j.start = in.starts[i];
    } else {
      // The latest start at or before the MQL (after the previous MQL), else the creation.
      j.start = in.created;
      const Minute after = i > 0 ? mqls[i - 1].first : kNoTime;
      for (Minute st : in.starts)
        if (st <= j.mql && (after == kNoTime || st >= after)) j.start = st;
    }
    const Minute next = i + 1 < n ? mqls[i + 1].first : kNoTime;
    for (Minute o : in.owners)
      if (o >= j.mql && (next == kNoTime || o < next)) {
        j.owner_assigned = o;
        break;
      }
    out.push_back(j);
  }
  // A start after the last MQL (or no MQL at all): a journey that has not qualified (yet).
  const Minute last_mql = n ? mqls.back().first : kNoTime;
  const Minute last_start = in.starts.back();
  if (n == 0 || (by_index && s == n + 1) || (!by_index && last_start > last_mql)) {
    Journey j;
    j.lead = lead;
    j.start = last_start;
    out.push_back(j);
  }
}

}  // namespace funnelsim::crm
