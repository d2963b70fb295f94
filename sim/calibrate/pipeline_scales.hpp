#pragma once
// calibrate's pipeline parameters, set from the data rather than optimised: the opportunity-rate
// curve, the win-rate curve and every amount mean, each scaled by the export's ratio over the
// simulated one at the fitted funnel (docs/calibrate.md, "Direct parameters").
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "funnelsim/calibrate/calibrate.hpp"
#include "funnelsim/crm/observe.hpp"

namespace funnelsim::calibrate::detail {

struct PipelineScales {
  std::vector<ParameterEstimate> parameters;            ///< "direct", one per pointer
  std::vector<std::pair<std::string, double>> changes;  ///< pointer -> estimate
  std::uint64_t evaluations = 0;
};

/// The scales at `values` (the fitted funnel: its direct and fitted parameters at the estimate),
/// simulated on the replications of `options` (the covariance sample). A scale is left out when
/// the base does not set its fields or the export records no denominator for it (no SQLs, no
/// opportunities). The estimate's own uncertainty is left out of the scales' intervals: propagated
/// through central differences (2 evaluations a fitted parameter), it widened the opportunity
/// rate's se by 0.3% in the pipeline recovery test, for 12% more CPU in the default fit. Throws
/// Cancelled.
PipelineScales pipeline_scales(const nlohmann::json& base, const std::string& name, const crm::ObservedFunnel& observed,
                               const std::vector<std::pair<std::string, double>>& values,
                               const CalibrationOptions& options);

}  // namespace funnelsim::calibrate::detail
