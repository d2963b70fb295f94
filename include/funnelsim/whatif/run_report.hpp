#pragma once
/// What one scenario's run produced, as the writers (funnelsim/output/run_output.hpp) and the
/// report take it: how it was run, its replication table, its summary and any uncertain draws.
#include <cstdint>
#include <optional>
#include <string>

#include "funnelsim/metrics/replication_table.hpp"
#include "funnelsim/metrics/run_summary.hpp"
#include "funnelsim/scenario/origin.hpp"
#include "funnelsim/scenario/uncertain.hpp"
#include "funnelsim/whatif/precision.hpp"
#include "funnelsim/whatif/warmup_choice.hpp"

namespace funnelsim {

struct RunInfo {
  std::string scenario;
  std::uint64_t seed = 0;
  std::uint64_t replications = 0;
  std::uint64_t first_replication = 0;
  int horizon_days = 0;
  std::optional<PrecisionOutcome> precision;  ///< when --precision chose the replication count
  WarmupChoice warmup;                        ///< the warm-up it ran with, and whether the rule chose it
  ScenarioProvenance provenance;              ///< which scenario made the run
};

struct RunReport {
  const RunInfo& info;
  const ReplicationTable& table;
  const RunSummary& summary;
  /// The uncertain inputs' draws, one per replication, when the scenario has any (else nullptr:
  /// the outputs are exactly those of a scenario without them).
  const UncertainDraws* uncertain = nullptr;
};

}  // namespace funnelsim
