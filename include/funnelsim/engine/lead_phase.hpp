#pragma once
/// A run's lead phase, kept for reuse. A replication's lead phase for one source is everything
/// its arrivals and their journeys book before the sales desk sees an MQL: the source's weekly
/// ledger, its counts and samples, and the MQLs, SDR follow-ups and (without sales teams) SQLs
/// it hands on. It is a pure function of the seed, the replication and what the lead process
/// reads of the model, so a variant that differs from a recorded run only in what comes after
/// (the sales desk, the pipeline) or only in other sources gets the very same bytes for that
/// source. A tornado's base run records it; each one-at-a-time variant takes every source its
/// change leaves alone (whatif/lead_phase_keys.hpp says which) and simulates only the rest.
#include <cstddef>
#include <cstdint>
#include <memory>

namespace funnelsim {

/// Bytes a record keeps per arrival when it keeps their first journeys (RunOptions::record_leads).
inline constexpr std::size_t kRecordedLeadBytes = 24;

class LeadPhaseRecord {
 public:
  /// Empty; the run that records into it (RunOptions::record_lead_phase) fills it.
  LeadPhaseRecord();
  ~LeadPhaseRecord();
  LeadPhaseRecord(LeadPhaseRecord&&) noexcept;
  LeadPhaseRecord& operator=(LeadPhaseRecord&&) noexcept;

  /// Whether a complete run was recorded (a cancelled one leaves it incomplete, never reused).
  bool complete() const noexcept;
  /// Whether it holds a complete run of these replications under this seed.
  bool complete_for(std::uint64_t seed, std::uint64_t first_replication, std::uint64_t replications) const noexcept;

  struct Storage;  // engine-private (sim/engine/lead_phase_record.hpp)
  Storage& storage() noexcept { return *storage_; }
  const Storage& storage() const noexcept { return *storage_; }

 private:
  std::unique_ptr<Storage> storage_;
};

}  // namespace funnelsim
