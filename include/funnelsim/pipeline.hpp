#pragma once
/// From SQL to opportunity to won deal. Runs after the sales decisions of a replication, over
/// its SQLs in time order; the only interaction between leads here is the optional
/// account-executive capacity (a cap on open opportunities, with a first-come queue).
#include <cstdint>
#include <span>
#include <vector>

#include "funnelsim/random.hpp"
#include "funnelsim/scenario.hpp"

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

struct CompiledPipeline {
  struct Lognormal {
    double mu = 0.0, sigma = 0.0;
  };
  struct Gamma {
    double shape = 1.0, scale = 1.0;
  };
  ProbabilityLine opportunity_rate, win_rate;
  std::vector<double> source_multiplier;      ///< by source
  std::vector<std::vector<Lognormal>> amount;  ///< [source][segment]
  std::vector<std::vector<Gamma>> cycle;       ///< [source][segment]
  std::size_t ae_slots = 0;                    ///< 0 = unlimited
  double ae_patience_days = 0.0;
  double ae_cost = 0.0;                        ///< AE cost over the horizon
  double coverage_target = 0.0;                ///< 0 = none
};

/// `segments[s]` lists source s's segment names in the lead process's numbering.
CompiledPipeline compile_pipeline(const Scenario& scenario, const std::vector<std::vector<std::string>>& segments);

/// Reusable per-thread state.
class PipelineSimulator {
 public:
  /// `sqls` sorted by (sql_day, source, lead_id); fills one outcome per SQL.
  void run(const CompiledPipeline& pipeline, const std::vector<std::uint32_t>& source_tags, double horizon_days,
           const ReplicationStreams& streams, std::span<const SqlRecord> sqls, std::vector<OpportunityOutcome>& outcomes);

 private:
  void open(bool track_slots, std::size_t i, double day, std::vector<OpportunityOutcome>& outcomes, double horizon_days);
  std::vector<double> open_closes_;   // min-heap of close days of open opportunities (AE capacity)
  std::vector<std::size_t> waiting_;  // SQLs waiting for an AE slot, first come first served
  std::vector<double> cycle_draws_;   // each SQL's cycle length, drawn up front
  std::vector<char> would_win_;       // each SQL's win coin, drawn up front
};

}  // namespace funnelsim
