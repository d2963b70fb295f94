#pragma once
/// From SQL to opportunity to won deal. Runs after the sales decisions of a replication, over
/// its SQLs in time order; the only interaction between leads here is the optional
/// account-executive capacity (a cap on open opportunities, with a first-come queue).
#include <cstdint>
#include <span>
#include <vector>

#include "core/random.hpp"
#include "funnelsim/model/pipeline_model.hpp"

namespace funnelsim {

struct SqlRecord {
  double sql_day = 0.0;
  double readiness = 0.0;
  std::uint64_t lead_id = 0;
  std::uint32_t source = 0;
  std::uint32_t segment = 0;
};

struct OpportunityOutcome {
  bool created = false;           ///< an opportunity was opened within the horizon
  bool lost_no_capacity = false;  ///< would have been one, but no AE slot freed in time
  bool won = false;               ///< closed won within the horizon
  bool closed = false;            ///< closed (won or lost) within the horizon
  double created_day = 0.0;
  double amount = 0.0;
  double win_probability = 0.0;
  double close_day = 0.0;
};

/// Reusable per-thread state.
class PipelineSimulator {
 public:
  /// `sqls` sorted by (sql_day, source, lead_id); fills one outcome per SQL. `open_at_start`: close
  /// days of opportunities already open (a backlog), which hold account executives' slots until then.
  void run(const CompiledPipeline& pipeline, const std::vector<std::uint32_t>& source_tags, double horizon_days,
           const ReplicationStreams& streams, std::span<const SqlRecord> sqls,
           std::vector<OpportunityOutcome>& outcomes, std::span<const double> open_at_start = {});

 private:
  void open(bool track_slots, std::size_t i, double day, std::vector<OpportunityOutcome>& outcomes,
            double horizon_days);
  std::vector<double> open_closes_;   // min-heap of close days of open opportunities (AE capacity)
  std::vector<std::size_t> waiting_;  // SQLs waiting for an AE slot, first come first served
  std::vector<double> cycle_draws_;   // each SQL's cycle length, drawn up front
  std::vector<char> would_win_;       // each SQL's win coin, drawn up front
};

}  // namespace funnelsim
