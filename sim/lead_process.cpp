#include "funnelsim/lead_process.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

#include <boost/random/exponential_distribution.hpp>
#include <boost/random/normal_distribution.hpp>

namespace funnelsim {
namespace {

double standard_normal_cdf(double z) noexcept { return 0.5 * std::erfc(-z / std::numbers::sqrt2); }

double draw_normal(RandomStream& stream) noexcept { return boost::random::normal_distribution<double>{}(stream); }

double draw_exponential(RandomStream& stream) noexcept {
  return boost::random::exponential_distribution<double>{}(stream);
}

}  // namespace

LeadSimulator::LeadSimulator(const CompiledModel& model)
    : model_(model), group_points_(model.scoring.group_caps.size(), 0.0) {
  clocks_.reserve(model.max_events_per_source);
  window_.reserve(256);
}

void LeadSimulator::advance(EventClock& clock, const CompiledEvent& event, double arrival_day) noexcept {
  clock.cumulative_target += draw_exponential(clock.stream);
  if (event.half_life_days <= 0.0) {
    clock.next_day = arrival_day + clock.cumulative_target / clock.rate_per_day;
    return;
  }
  // Rate c * 2^(-a/h) has cumulative mass c*h/ln2 * (1 - 2^(-a/h)); invert it exactly.
  if (clock.cumulative_target >= clock.total_mass) {
    clock.next_day = std::numeric_limits<double>::infinity();
    return;
  }
  const double age = -event.half_life_days / std::numbers::ln2 * std::log1p(-clock.cumulative_target / clock.total_mass);
  clock.next_day = arrival_day + age;
}

double LeadSimulator::engagement_score() const noexcept {
  const auto& caps = model_.scoring.group_caps;
  double sum = 0.0;
  for (std::size_t g = 0; g < group_points_.size(); ++g) sum += std::min(group_points_[g], caps[g]);
  return std::min(sum, model_.scoring.engagement_cap);
}

bool LeadSimulator::meets_rule(double fit, double engagement, const Thresholds& t) const noexcept {
  if (model_.scoring.rule == ScoringSpec::Rule::fit_and_engagement) return fit >= t.fit && engagement >= t.engagement;
  return std::min(fit + engagement, model_.scoring.total_cap) >= t.mql;
}

void LeadSimulator::add_points(const CompiledEvent& event, double day) noexcept {
  const CompiledScoring& scoring = model_.scoring;
  switch (scoring.decay) {
    case ScoringSpec::Decay::none:
      group_points_[event.group] += event.points;
      break;
    case ScoringSpec::Decay::half_life: {
      const double factor = std::exp2(-(day - last_decay_day_) / scoring.half_life_days);
      for (double& p : group_points_) p *= factor;
      last_decay_day_ = day;
      group_points_[event.group] += event.points;
      break;
    }
    case ScoringSpec::Decay::window: {
      // Recompute from the points still inside the window: exact, no drift from subtracting.
      window_.push_back({day, event.points, event.group});
      while (window_front_ < window_.size() && window_[window_front_].day <= day - scoring.window_days) ++window_front_;
      std::fill(group_points_.begin(), group_points_.end(), 0.0);
      for (std::size_t i = window_front_; i < window_.size(); ++i) group_points_[window_[i].group] += window_[i].points;
      break;
    }
  }
}

LeadOutcome LeadSimulator::simulate(const CompiledSource& source, const ReplicationStreams& streams,
                                    std::uint64_t lead_id, double arrival_day) noexcept {
  LeadOutcome out;
  out.arrival_day = arrival_day;

  RandomStream profile = streams.stream(source.tag, lead_id, purpose::READINESS);
  const double z_readiness = draw_normal(profile);
  out.readiness = source.readiness(standard_normal_cdf(z_readiness));
  const double u_segment = profile.uniform();
  out.accept_draw = profile.uniform();
  out.ready = out.accept_draw < model_.acceptance.probability(out.readiness);
  out.segment = 0;
  while (out.segment + 1 < static_cast<int>(source.segments.size()) &&
         u_segment >= source.segments[out.segment].cumulative_weight)
    ++out.segment;
  const Thresholds& thresholds = source.segments[out.segment].thresholds;

  double fit = 0.0;
  for (const CompiledAttribute& a : source.attributes) {
    RandomStream stream = streams.stream(source.tag, lead_id, a.tag);
    if (a.rho * z_readiness + a.noise_scale * draw_normal(stream) <= a.z_threshold) continue;
    fit += a.points;
    out.disqualified = out.disqualified || a.disqualifies;
  }
  if (out.disqualified) return out;  // never an MQL: its behaviour cannot change anything
  fit = std::min(fit, model_.scoring.fit_cap);

  if (meets_rule(fit, 0.0, thresholds)) {  // fit alone can be enough under a low threshold
    out.path = MqlPath::engagement;
    out.mql_day = arrival_day;
    out.score = std::min(fit, model_.scoring.total_cap);
    return out;
  }

  const double horizon = model_.horizon_days;
  clocks_.clear();
  for (const CompiledEvent& e : source.events) {
    const double rate = e.rate_per_day_at_0 + e.rate_per_day_slope * out.readiness;
    EventClock clock{streams.stream(source.tag, lead_id, e.tag), rate, 0.0,
                     e.half_life_days > 0.0 ? rate * e.half_life_days / std::numbers::ln2
                                            : std::numeric_limits<double>::infinity(),
                     std::numeric_limits<double>::infinity()};
    if (rate > 0.0) advance(clock, e, arrival_day);
    clocks_.push_back(clock);
  }
  std::fill(group_points_.begin(), group_points_.end(), 0.0);
  window_.clear();
  window_front_ = 0;
  last_decay_day_ = arrival_day;

  for (;;) {
    std::size_t next = 0;
    for (std::size_t i = 1; i < clocks_.size(); ++i)
      if (clocks_[i].next_day < clocks_[next].next_day) next = i;
    if (clocks_.empty() || !(clocks_[next].next_day < horizon)) break;

    const CompiledEvent& event = source.events[next];
    const double day = clocks_[next].next_day;
    ++out.events;
    if (event.instant) {
      out.path = MqlPath::instant;
      out.mql_day = day;
      out.score = std::min(fit + engagement_score(), model_.scoring.total_cap);
      break;
    }
    add_points(event, day);
    const double engagement = engagement_score();
    if (meets_rule(fit, engagement, thresholds)) {
      out.path = MqlPath::engagement;
      out.mql_day = day;
      out.score = std::min(fit + engagement, model_.scoring.total_cap);
      break;
    }
    advance(clocks_[next], event, arrival_day);
  }
  return out;
}

}  // namespace funnelsim
