#include "funnelsim/scenario/scenario.hpp"

#include <algorithm>
#include <cmath>

namespace funnelsim {

double ReadinessSpec::mean() const noexcept {
  return distribution == Distribution::fixed ? value : alpha / (alpha + beta);
}

Thresholds ThresholdOverride::apply(Thresholds base) const noexcept {
  if (mql) base.mql = *mql;
  if (fit) base.fit = *fit;
  if (engagement) base.engagement = *engagement;
  return base;
}

Thresholds ScoringSpec::thresholds_for(const std::string& source, const std::string& segment) const {
  Thresholds result = thresholds;
  auto find = [](const std::vector<NamedOverride>& list, const std::string& name) {
    return std::find_if(list.begin(), list.end(), [&](const NamedOverride& o) { return o.name == name; });
  };
  // Segment first, then source on top: a source override beats a segment override.
  if (auto it = find(by_segment, segment); it != by_segment.end()) result = it->value.apply(result);
  if (auto it = find(by_source, source); it != by_source.end()) result = it->value.apply(result);
  return result;
}

SegmentedDistribution::Value SegmentedDistribution::for_segment(const std::string& segment) const {
  for (const auto& [name, value] : by_segment)
    if (name == segment) return value;
  return base;
}

double SalesAcceptanceSpec::probability(double readiness) const noexcept {
  double p = 0.0;
  if (model == Model::linear) {
    p = at_readiness_0 + (at_readiness_1 - at_readiness_0) * readiness;
  } else {
    p = ceiling / (1.0 + std::exp(-steepness * (readiness - midpoint)));
  }
  return std::clamp(p, 0.0, 1.0);
}

}  // namespace funnelsim
