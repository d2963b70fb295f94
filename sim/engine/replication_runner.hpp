#pragma once
/// One replication, start to end: the starting backlog, every source's arrivals and each
/// lead's journeys, then the sales desk over all MQLs in time order, then the pipeline over
/// all SQLs, then the rows. Books states in a WeeklyLedger and counts in ReplicationAccounts.
/// One per thread: its scratch is reused across that thread's replications.
#include <atomic>
#include <cstdint>
#include <optional>
#include <vector>

#include "engine/lead_process.hpp"
#include "engine/pipeline_process.hpp"
#include "engine/replication_accounts.hpp"
#include "engine/sales_process.hpp"
#include "engine/weekly_ledger.hpp"
#include "funnelsim/engine/engine.hpp"
#include "funnelsim/engine/lead_trace.hpp"
#include "core/random.hpp"

namespace funnelsim {

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

  /// Reports every lead of the replications run from now on to `trace` (null: none, the default).
  void set_trace(LeadTrace* trace) noexcept { trace_ = trace; }

 private:
  // ---- arrivals and the starting state
  void seed_backlog();
  void seed_open_opportunity(std::size_t s, std::uint64_t id);
  void simulate_arrivals(std::size_t s);
  std::size_t source_index(const std::string& name) const;
  // ---- journeys
  void follow_lead(std::size_t s, std::uint64_t lead_id, JourneyStart start);
  LeadOutcome start_journey(std::size_t s, std::uint64_t lead_id, const JourneyStart& start);
  MqlRecord mql_record(std::size_t s, std::uint64_t lead_id, const LeadOutcome& o, int cycle) const;
  std::optional<JourneyStart> decide_at_mql(const MqlRecord& mql, Series from);
  bool can_recycle(std::size_t source, std::uint32_t segment, double fit, int cycle, JourneyReason reason,
                   double day) const;
  // ---- downstream of the MQLs
  void run_sales();
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
  std::vector<MqlOutcome> outcomes_;
  std::vector<TeamCounts> team_counts_;
  std::vector<RepCounts> rep_counts_;
  PipelineSimulator pipeline_;
  std::vector<OpportunityOutcome> opportunities_;
};

}  // namespace funnelsim
