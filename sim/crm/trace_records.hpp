#pragma once
/// A traced replication (funnelsim/engine/lead_trace.hpp) as CRM records: the engine's days
/// become minutes of the calendar, floored (so an event inside the horizon stays inside it and a
/// time difference is off by less than a minute), the horizon's day 0 at `horizon_start`.
///
/// The starting backlog was in the CRM before the quarter: its leads and opportunities are
/// created, and its waiting MQLs qualified, one minute before the horizon starts.
#include <cstdint>
#include <vector>

#include "funnelsim/crm/records.hpp"
#include "funnelsim/engine/lead_trace.hpp"
#include "funnelsim/model/model.hpp"

namespace funnelsim::crm {

class TraceRecords final : public LeadTrace {
 public:
  TraceRecords(const CompiledModel& model, Minute horizon_start);

  void lead(const TracedLead& lead) override;
  void journey(const TracedJourney& journey) override;
  void sale(const TracedSale& sale) override;
  void opportunity(const TracedOpportunity& opportunity) override;

  /// The records, leads and deals in creation order. Call once, after the replication ran.
  CrmRecords finish();

  /// A traced lead's key (Lead::key), the same in every export of that replication: a hash of
  /// (source, lead id).
  static std::uint64_t key(std::uint32_t source_tag, std::uint64_t lead) noexcept;

 private:
  // Only journeys that matter are kept (an MQL, or a re-entry): a million leads that never
  // qualify cost a RawLead each and nothing more.
  struct RawLead {
    TracedLead lead;
    std::int32_t journey = -1;  // the first kept journey, in journeys_
  };
  struct RawJourney {
    TracedJourney journey;
    TracedSale sale;
    bool has_sale = false;
    std::int32_t next = -1;  // the lead's next kept journey
  };
  std::uint32_t find(std::uint32_t source, std::uint64_t lead);
  std::uint32_t find_journey(std::uint32_t source, std::uint64_t lead, int cycle);
  Minute minute(double day) const noexcept;

  const CompiledModel& model_;
  Minute horizon_start_;
  std::vector<RawLead> leads_;
  std::vector<RawJourney> journeys_;
  std::vector<TracedOpportunity> opportunities_;
  struct IndexEntry {
    std::uint32_t source;
    std::uint64_t lead;
    std::uint32_t index;
  };
  std::vector<IndexEntry> index_;  // sorted by (source, lead), rebuilt when leads were added
};

}  // namespace funnelsim::crm
