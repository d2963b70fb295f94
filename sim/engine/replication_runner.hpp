#pragma once
/// One replication, start to end: the starting backlog, every source's arrivals and each
/// lead's journeys, then the sales desk over all MQLs in time order, then the pipeline over
/// all SQLs, then the rows. Books states in a WeeklyLedger and counts in ReplicationAccounts.
/// One per thread: its scratch is reused across that thread's replications.
#include <atomic>
#include <cstdint>
#include <optional>
#include <vector>

#include "engine/lead_phase_record.hpp"
#include "engine/lead_process.hpp"
#include "engine/pipeline_process.hpp"
#include "engine/replication_accounts.hpp"
#include "engine/sales_process.hpp"
#include "engine/weekly_ledger.hpp"
#include "funnelsim/engine/engine.hpp"
#include "funnelsim/engine/lead_trace.hpp"
#include "core/random.hpp"

namespace funnelsim {

/// The scopes of a model's replication table: the whole funnel, sources, teams, reps.
std::vector<Scope> table_scopes(const CompiledModel& model);

/// Sees every MQL of a replication once sales resolved it (or the horizon ended first: day
/// infinity). The warm-up rule's probe (warmup.cpp) uses it to follow a cohort of leads.
class MqlObserver {
 public:
  virtual ~MqlObserver() = default;
  virtual void resolved(const MqlRecord& mql, double day) = 0;
};

class ReplicationRunner final : public MqlRecycler {
 public:
  ReplicationRunner(const CompiledModel& model, const std::atomic<bool>* cancel);
  // Built in place: accounts_ refers to ledger_.
  ReplicationRunner(const ReplicationRunner&) = delete;
  ReplicationRunner& operator=(const ReplicationRunner&) = delete;

  /// Runs replication `replication` into `slot` of `table`.
  RunWork run(std::uint64_t seed, std::uint64_t replication, std::size_t slot, ReplicationTable& table);

  /// Called by the sales desk when an MQL is rejected as not ready or goes cold.
  Result recycle(const MqlRecord& mql, Resolution why, double day) override;

  bool cancelled() const noexcept { return cancel_ && cancel_->load(std::memory_order_relaxed); }

  /// From now on, tells `observer` (null: nobody) about every MQL's resolution.
  void observe(MqlObserver* observer) noexcept { observer_ = observer; }
  /// Reports every lead of the replications run from now on to `trace` (null: none, the default).
  void set_trace(LeadTrace* trace) noexcept { trace_ = trace; }
  /// From now on, records each source's lead phase into `record` and takes it from `reuse` where
  /// `reuse_sources` says so (RunOptions; null: neither). Never with a trace or an observer.
  void share_lead_phase(LeadPhaseRecord::Storage* record, const LeadPhaseRecord::Storage* reuse,
                        const std::vector<bool>* reuse_sources, const std::vector<bool>* reuse_leads) noexcept {
    record_ = record;
    reuse_ = reuse;
    reuse_sources_ = reuse_sources;
    reuse_leads_ = reuse_leads;
  }

 private:
  // ---- arrivals and the starting state
  void seed_backlog();
  void seed_open_opportunity(std::size_t s, std::uint64_t id);
  void simulate_arrivals(std::size_t s);
  // ---- a source's lead phase, recorded or reused (lead_phase_record.hpp)
  struct PhaseMarks {
    std::size_t mqls, follow_ups, sqls;
  };
  PhaseMarks phase_marks() noexcept;
  void record_phase(std::size_t s, const PhaseMarks& from, ReplicationTable& table, std::size_t slot);
  void reuse_phase(std::size_t s, const SourcePhase& phase, ReplicationTable& table, std::size_t slot);
  /// Whether a recorded first journey books as it is under this model's threshold, and booking it.
  bool stays_quiet(const CompiledSource& source, const CachedLead& lead) const noexcept;
  void book_quiet_lead(std::size_t s, const JourneyStart& start, const CachedLead& lead);
  std::size_t source_index(const std::string& name) const;
  // ---- journeys
  void follow_lead(std::size_t s, std::uint64_t lead_id, JourneyStart start);
  LeadOutcome start_journey(std::size_t s, std::uint64_t lead_id, const JourneyStart& start);
  void book_journey(std::size_t s, const JourneyStart& start, const LeadOutcome& o);
  MqlRecord mql_record(std::size_t s, std::uint64_t lead_id, const LeadOutcome& o, int cycle,
                       double first_arrival_day) const;
  std::optional<JourneyStart> decide_at_mql(const MqlRecord& mql, Series from);
  bool can_recycle(std::size_t source, std::uint32_t segment, double fit, int cycle, JourneyReason reason,
                   double day) const;
  // ---- downstream of the MQLs
  void run_sales();
  void settle_follow_ups();
  void run_pipeline();
  // ---- the optional trace (lead_trace.hpp)
  void trace_lead(std::size_t s, std::uint64_t lead_id, TraceOrigin origin, double day, const LeadOutcome& o) const;
  void trace_journey(std::size_t s, std::uint64_t lead_id, int cycle, double start_day, const LeadOutcome& o) const;
  void trace_decision(const MqlRecord& mql, TraceOutcome outcome, bool recycled) const;

  const CompiledModel& model_;
  const std::atomic<bool>* cancel_;
  LeadTrace* trace_ = nullptr;
  LeadSimulator leads_;
  WeeklyLedger ledger_;
  ReplicationAccounts accounts_;
  std::optional<ReplicationStreams> streams_;
  RunWork work_;
  std::optional<SalesSimulator> sales_;
  std::vector<MqlRecord> mqls_;
  std::vector<DeferredJourney> follow_up_journeys_;
  std::vector<FollowUpRecord> follow_ups_;  ///< one per deferred journey, same order
  std::vector<FollowUpOutcome> follow_up_outcomes_;
  std::vector<double> backlog_open_closes_;  ///< close days of the backlog's open opportunities
  std::vector<MqlOutcome> outcomes_;
  std::vector<TeamCounts> team_counts_;
  std::vector<RepCounts> rep_counts_;
  PipelineSimulator pipeline_;
  std::vector<OpportunityOutcome> opportunities_;
  MqlObserver* observer_ = nullptr;
  std::vector<bool> has_backlog_;  ///< per source: the starting backlog books into its phase first
  LeadPhaseRecord::Storage* record_ = nullptr;
  const LeadPhaseRecord::Storage* reuse_ = nullptr;
  const std::vector<bool>* reuse_sources_ = nullptr;
  const std::vector<bool>* reuse_leads_ = nullptr;
  bool recording_leads_ = false;  // this source's first journeys go to recorded_leads_
  std::vector<CachedLead> recorded_leads_;
  const std::vector<CachedLead>* cached_leads_ = nullptr;  // this source's, to book quiet journeys from
};

}  // namespace funnelsim
