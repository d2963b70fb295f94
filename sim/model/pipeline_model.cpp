#include "funnelsim/model/pipeline_model.hpp"

#include <cmath>

namespace funnelsim {

CompiledPipeline compile_pipeline(const Scenario& scenario, const std::vector<std::vector<std::string>>& segments) {
  const PipelineSpec& spec = *scenario.pipeline;
  CompiledPipeline c;
  c.opportunity_rate = spec.opportunity_rate;
  c.win_rate = spec.win_rate;
  for (std::size_t s = 0; s < scenario.sources.size(); ++s) {
    double multiplier = 1.0;
    for (const auto& [name, m] : spec.opportunity_rate_by_source)
      if (name == scenario.sources[s].name) multiplier = m;
    c.source_multiplier.push_back(multiplier);
    auto& amounts = c.amount.emplace_back();
    auto& cycles = c.cycle.emplace_back();
    for (const std::string& segment : segments[s]) {
      const auto a = spec.amount.for_segment(segment);
      const double sigma = std::sqrt(std::log1p(a.cv * a.cv));  // lognormal with this mean and cv
      amounts.push_back({std::log(a.mean) - 0.5 * sigma * sigma, sigma});
      const auto g = spec.cycle_days.for_segment(segment);
      const double shape = 1.0 / (g.cv * g.cv);
      cycles.push_back({shape, g.mean / shape});
    }
  }
  if (spec.account_executives) {
    const AccountExecutiveSpec& ae = *spec.account_executives;
    c.ae_slots = static_cast<std::size_t>(ae.headcount) * static_cast<std::size_t>(ae.max_open_per_ae);
    c.ae_patience_days = ae.patience_days;
    c.ae_cost = ae.headcount * ae.cost_per_ae_per_week * scenario.horizon_days / 7.0;
    // headcount 0 means no slot at all, which differs from "unlimited": keep one impossible slot count.
    if (c.ae_slots == 0) c.ae_slots = std::size_t(-1);
  }
  c.coverage_target = spec.coverage_target.value_or(0.0);
  return c;
}

}  // namespace funnelsim
