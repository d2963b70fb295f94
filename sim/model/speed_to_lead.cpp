#include "funnelsim/model/speed_to_lead.hpp"

#include <algorithm>
#include <cmath>

namespace funnelsim {
namespace {

// steep: a two-exponential fit to the MIT/InsideSales and HBR ratios (see the schema).
constexpr double kSteepFloor = 0.001, kSteepWeight = 0.99, kSteepFastHours = 3.0 / 60.0, kSteepSlowHours = 4.0;
// mild: an assumption, not a fit: a day of delay costs about 40% of acceptance.
constexpr double kMildFloor = 0.3, kMildHours = 24.0;

}  // namespace

SpeedToLeadCurve::SpeedToLeadCurve(const SpeedToLeadSpec& spec) : preset_(spec.preset), table_(spec.table) {}

double SpeedToLeadCurve::operator()(double hours) const noexcept {
  switch (preset_) {
    case SpeedToLeadSpec::Preset::none:
      return 1.0;
    case SpeedToLeadSpec::Preset::steep:
      return kSteepFloor + (1.0 - kSteepFloor) * (kSteepWeight * std::exp(-hours / kSteepFastHours) +
                                                  (1.0 - kSteepWeight) * std::exp(-hours / kSteepSlowHours));
    case SpeedToLeadSpec::Preset::mild:
      return kMildFloor + (1.0 - kMildFloor) * std::exp(-hours / kMildHours);
    case SpeedToLeadSpec::Preset::table:
      break;
  }
  if (hours <= table_.front().first) return table_.front().second;
  if (hours >= table_.back().first) return table_.back().second;
  const auto upper = std::upper_bound(table_.begin(), table_.end(), hours,
                                      [](double h, const std::pair<double, double>& p) { return h < p.first; });
  const auto lower = upper - 1;
  const double f = (hours - lower->first) / (upper->first - lower->first);
  return lower->second + f * (upper->second - lower->second);
}

}  // namespace funnelsim
