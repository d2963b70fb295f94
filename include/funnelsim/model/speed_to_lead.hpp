#pragma once
/// Speed to lead: the multiplier m(t) on the acceptance probability when a lead is reached
/// t hours after becoming an MQL. Presets and formulas are documented in scenarios/schema.json
/// (SpeedToLead) and docs/model.md.
#include <utility>
#include <vector>

#include "funnelsim/scenario/scenario.hpp"

namespace funnelsim {

class SpeedToLeadCurve {
 public:
  explicit SpeedToLeadCurve(const SpeedToLeadSpec& spec = {});
  /// m(hours), in [0, 1] for the presets; the table's own values for a table.
  double operator()(double hours) const noexcept;

 private:
  SpeedToLeadSpec::Preset preset_;
  std::vector<std::pair<double, double>> table_;
};

}  // namespace funnelsim
