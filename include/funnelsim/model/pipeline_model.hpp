#pragma once
/// The pipeline's compiled parameters: what turns an SQL into an opportunity and a won deal
/// (rates, amounts, cycle lengths by source and segment, account-executive capacity). The
/// process that uses them is sim/engine/pipeline_process.hpp.
#include <cstddef>
#include <string>
#include <vector>

#include "funnelsim/scenario/scenario.hpp"

namespace funnelsim {

struct CompiledPipeline {
  struct Lognormal {
    double mu = 0.0, sigma = 0.0;
  };
  struct Gamma {
    double shape = 1.0, scale = 1.0;
  };
  ProbabilityLine opportunity_rate, win_rate;
  std::vector<double> source_multiplier;       ///< by source
  std::vector<std::vector<Lognormal>> amount;  ///< [source][segment]
  std::vector<std::vector<Gamma>> cycle;       ///< [source][segment]
  std::size_t ae_slots = 0;                    ///< 0 = unlimited
  double ae_patience_days = 0.0;
  double ae_cost = 0.0;          ///< AE cost over the horizon
  double coverage_target = 0.0;  ///< 0 = none
};

/// `segments[s]` lists source s's segment names in the lead process's numbering.
CompiledPipeline compile_pipeline(const Scenario& scenario, const std::vector<std::vector<std::string>>& segments);

}  // namespace funnelsim
