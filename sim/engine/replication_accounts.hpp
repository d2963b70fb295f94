#pragma once
/// Books what one replication's leads, sales desk and pipeline did: counts and samples per
/// source, team and rep (only what falls in the measured window), the step series, the rep
/// cost shared among sources, and at the end the metric rows. Doubles are summed in the
/// order events are booked, so that order is part of the results.
#include <cstddef>
#include <span>
#include <vector>

#include "engine/lead_process.hpp"
#include "engine/pipeline_process.hpp"
#include "engine/sales_process.hpp"
#include "engine/weekly_ledger.hpp"
#include "funnelsim/metrics/metrics.hpp"
#include "funnelsim/metrics/replication_table.hpp"
#include "funnelsim/model/model.hpp"

namespace funnelsim {

class ReplicationAccounts {
 public:
  ReplicationAccounts(const CompiledModel& model, WeeklyLedger& ledger);

  /// Clears everything for the next replication.
  void start();

  // ---- leads --------------------------------------------------------------------------------
  /// A journey's nurture spend and, for an MQL in the window, its MQL counts.
  void count_journey(std::size_t source, const JourneyStart& start, const LeadOutcome& o);
  /// A new lead arriving in the window (its first journey's outcome).
  void count_arrival(std::size_t source, const LeadOutcome& lead);
  /// The channel's spend, once its arrivals are counted.
  void count_channel_spend(std::size_t source);
  void count_recycled(std::size_t source, double day);
  /// An opportunity of the backlog: open at the horizon's end, or closed (won or not).
  void count_backlog_opportunity(std::size_t source, bool closed, bool won, double value);

  /// A source's counts and samples so far, and setting them whole (a reused lead phase,
  /// lead_phase_record.hpp).
  const FunnelTally& source_tally(std::size_t source) const noexcept { return tallies_[source]; }
  void restore_source_tally(std::size_t source, const FunnelTally& tally) { tallies_[source] = tally; }

  // ---- sales decisions ----------------------------------------------------------------------
  /// An SQL at `day`: records it for the pipeline and counts it when in the window (returns
  /// whether it was counted).
  bool count_sql(const MqlRecord& mql, double day);
  /// A rejection decided at MQL time (no sales teams).
  void count_rejection(std::size_t source, bool bad_fit, double day);
  /// The sales desk's results: per-MQL outcomes, team counts, and each team's cost shared among
  /// the sources by the rep time their leads used.
  void count_sales(std::span<const MqlRecord> mqls, std::span<const MqlOutcome> outcomes,
                   std::span<const TeamCounts> team_counts, std::span<const FollowUpRecord> follow_ups,
                   std::span<const FollowUpOutcome> follow_up_outcomes);

  // ---- pipeline -----------------------------------------------------------------------------
  /// The SQLs so far, for the pipeline (which the caller sorts into time order).
  std::vector<SqlRecord>& sqls() noexcept { return sqls_; }
  void count_pipeline(const CompiledPipeline& pipeline, std::span<const SqlRecord> sqls,
                      std::span<const OpportunityOutcome> opportunities);

  /// Fills the replication's rows: whole funnel, sources, then teams and reps. The ledger's
  /// snapshots must be finished.
  void write_rows(ReplicationTable& table, std::size_t slot, std::span<const RepCounts> reps);

 private:
  void count_sale(const MqlRecord& mql, const MqlOutcome& o);
  void allocate_rep_cost();
  void write_weekly_rates(ReplicationTable& table, std::size_t slot) const;

  const CompiledModel& model_;
  WeeklyLedger& ledger_;
  std::vector<FunnelTally> tallies_;  // per source
  FunnelTally total_;
  std::vector<TeamTally> team_tallies_;
  std::vector<double> team_source_busy_, team_source_mqls_;  // [team][source]
  double rep_cost_total_ = 0.0;                              // teams' and AEs' cost over the horizon
  std::vector<SqlRecord> sqls_;
  // [source][week]: first attempts' response hours and count, SLA deadlines met and due.
  std::vector<double> week_response_hours_, week_responded_, week_sla_met_, week_sla_due_;
};

}  // namespace funnelsim
