#pragma once
/// What a LeadPhaseRecord holds (funnelsim/engine/lead_phase.hpp): per replication and source,
/// the state one source's arrivals phase left behind, in the order the runner booked it.
#include <cstdint>
#include <vector>

#include "engine/lead_process.hpp"
#include "engine/pipeline_process.hpp"
#include "engine/sales_process.hpp"
#include "funnelsim/engine/engine.hpp"
#include "funnelsim/engine/lead_phase.hpp"
#include "funnelsim/metrics/metrics.hpp"

namespace funnelsim {

/// A journey whose SDR follow-up the desk holds: booked once the desk decided it.
struct DeferredJourney {
  std::size_t source;
  JourneyStart start;
  LeadOutcome outcome;  ///< as if the follow-up never qualified the lead
};

/// An arrival's first journey, as a run under another MQL threshold can book it without
/// simulating it: a quiet journey (no MQL by the horizon's end, no SDR follow-up waiting for the
/// desk) runs the same under any threshold its peak score stays below, and books only these.
struct CachedLead {
  static constexpr std::uint8_t kQuiet = 1, kDisqualified = 2, kReady = 4;
  double track_end_day = 0.0;
  double peak_score = 0.0;
  std::uint32_t touches = 0;  ///< a count (journey_touches), exact as an integer
  std::int16_t track = -1;
  std::uint8_t segment = 0;
  std::uint8_t flags = 0;
};
static_assert(sizeof(CachedLead) == kRecordedLeadBytes);

/// One source's arrivals phase in one replication. The runner starts it from a zero ledger block
/// and a clear tally (a source with a backlog is never recorded), so these are its whole values,
/// and the vectors are the entries it appended.
struct SourcePhase {
  bool recorded = false;
  std::vector<double> weekly;  ///< the source's ledger series in its table slot (every series, every week)
  FunnelTally tally;
  std::vector<MqlRecord> mqls;
  std::vector<DeferredJourney> follow_up_journeys;
  std::vector<FollowUpRecord> follow_ups;
  std::vector<SqlRecord> sqls;    ///< decided at MQL time (no sales teams)
  std::vector<CachedLead> leads;  ///< every arrival's first journey in arrival order (recorded with leads)
};

/// What must match for a record to serve a run: the seed, the replications and the model's shape
/// in time. The lead phase's content is the caller's to vouch for (lead_phase_keys).
struct LeadPhaseShape {
  std::uint64_t seed = 0, first_replication = 0, replications = 0;
  std::size_t sources = 0;
  int end_day = 0, window_start = 0, weeks = 0;
  bool has_sales = false, has_pipeline = false;
  bool operator==(const LeadPhaseShape&) const = default;
};

struct LeadPhaseRecord::Storage {
  LeadPhaseShape shape;
  bool complete = false;
  bool with_leads = false;          ///< each phase keeps its arrivals' first journeys too
  std::vector<SourcePhase> phases;  ///< [slot * sources + source]

  SourcePhase& phase(std::size_t slot, std::size_t source) { return phases[slot * shape.sources + source]; }
  const SourcePhase& phase(std::size_t slot, std::size_t source) const { return phases[slot * shape.sources + source]; }
};

LeadPhaseShape lead_phase_shape(const CompiledModel& model, const RunOptions& options);
/// The storage a run records into (null: none), emptied and sized for the run.
LeadPhaseRecord::Storage* start_recording(LeadPhaseRecord* record, const LeadPhaseShape& shape, bool with_leads);
/// The storage a run reuses (null: none); std::invalid_argument unless it is complete, of this
/// shape, and `sources` has a flag per source (`leads` too, or is empty).
const LeadPhaseRecord::Storage* reusable_record(const LeadPhaseRecord* record, const LeadPhaseShape& shape,
                                                const std::vector<bool>& sources, const std::vector<bool>& leads);

}  // namespace funnelsim
