#include "engine/lead_process.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>

#include <boost/random/exponential_distribution.hpp>
#include <boost/random/normal_distribution.hpp>

#include "core/stream_purposes.hpp"
#include "funnelsim/core/statistics.hpp"

namespace funnelsim {
namespace {

constexpr double kInfinity = std::numeric_limits<double>::infinity();

double draw_normal(RandomStream& stream) noexcept { return boost::random::normal_distribution<double>{}(stream); }

double draw_exponential(RandomStream& stream) noexcept {
  return boost::random::exponential_distribution<double>{}(stream);
}

}  // namespace

LeadSimulator::LeadSimulator(const CompiledModel& model)
    : model_(model), group_points_(model.scoring.group_caps.size(), 0.0) {
  clocks_.resize(model.max_events_per_source);
  next_day_.resize(model.max_events_per_source);
  window_.reserve(256);
}

int LeadSimulator::choose_track(std::size_t source, int segment, double score, JourneyReason reason) const noexcept {
  if (!model_.nurture) return -1;
  const auto& tracks = model_.nurture->tracks;
  for (std::size_t i = 0; i < tracks.size(); ++i) {
    const CompiledTrack& t = tracks[i];
    const bool reason_ok = reason == JourneyReason::new_lead    ? t.for_new
                           : reason == JourneyReason::not_ready ? t.for_not_ready
                                                                : t.for_cold;
    if (reason_ok && t.source_allowed[source] && t.segment_allowed[source][segment] && score >= t.min_score &&
        score <= t.max_score)
      return static_cast<int>(i);
  }
  return -1;
}

/// Prepares a clock's constants for one piece of the rate multiplier: 2^(-a/h) at its start
/// age a, and its mass m c h / ln 2 * (2^(-a/h) - 2^(-b/h)) (or m c (b - a) for a constant rate).
void LeadSimulator::enter_piece(EventClock& clock, const CompiledEvent& event, int piece) const noexcept {
  const double c = clock.rate_per_day, h = event.half_life_days;
  const double a = piece_start_[piece], m = piece_multiplier_[piece];
  const bool last = piece + 1 >= pieces_;
  const double b = last ? kInfinity : piece_start_[piece + 1];
  clock.segment = piece;
  clock.piece_decay = h > 0.0 ? (a == 0.0 ? 1.0 : std::exp2(-a / h)) : 1.0;
  if (!(m > 0.0))
    clock.piece_mass = 0.0;
  else if (h > 0.0)
    clock.piece_mass = m * c * h / std::numbers::ln2 * (clock.piece_decay - (last ? 0.0 : std::exp2(-b / h)));
  else
    clock.piece_mass = last ? kInfinity : m * c * (b - a);
}

/// Inverts the piecewise cumulative rate m_i * c * 2^(-age/h) (or m_i * c) at the clock's
/// target, moving to later pieces when the current one's mass is used up.
double LeadSimulator::advance(EventClock& clock, const CompiledEvent& event) noexcept {
  clock.cumulative_target += draw_exponential(clock.stream);
  for (;;) {
    const double need = clock.cumulative_target - clock.mass_before;
    if (need < clock.piece_mass) {
      const double c = clock.rate_per_day, h = event.half_life_days, m = piece_multiplier_[clock.segment];
      const double age = h > 0.0 ? -h * std::log2(clock.piece_decay - need * std::numbers::ln2 / (m * c * h))
                                 : piece_start_[clock.segment] + need / (m * c);
      return start_day_ + age;
    }
    if (clock.segment + 1 >= pieces_) return kInfinity;  // a fading interest has finite mass: no more events
    clock.mass_before += clock.piece_mass;
    enter_piece(clock, event, clock.segment + 1);
  }
}

inline double LeadSimulator::engagement_score() const noexcept {
  const auto& caps = model_.scoring.group_caps;
  double sum = 0.0;
  for (std::size_t g = 0; g < group_points_.size(); ++g) sum += std::min(group_points_[g], caps[g]);
  return std::min(sum, model_.scoring.engagement_cap);
}

bool LeadSimulator::meets_rule(double fit, double engagement, const Thresholds& t) const noexcept {
  if (model_.scoring.rule == ScoringSpec::Rule::fit_and_engagement) return fit >= t.fit && engagement >= t.engagement;
  return std::min(fit + engagement, model_.scoring.total_cap) >= t.mql;
}

void LeadSimulator::decay_to(double day) noexcept {
  const CompiledScoring& scoring = model_.scoring;
  switch (scoring.decay) {
    case ScoringSpec::Decay::none:
      break;
    case ScoringSpec::Decay::half_life: {
      if (day == last_decay_day_) break;  // the factor would be exactly 1
      const double factor = std::exp2(-(day - last_decay_day_) / scoring.half_life_days);
      for (double& p : group_points_) p *= factor;
      last_decay_day_ = day;
      break;
    }
    case ScoringSpec::Decay::window: {
      // Recompute from the points still inside the window: exact, no drift from subtracting.
      while (window_front_ < window_.size() && window_[window_front_].day <= day - scoring.window_days) ++window_front_;
      const double backlog = group_points_.back();  // starting points are not windowed events
      std::fill(group_points_.begin(), group_points_.end(), 0.0);
      group_points_.back() = backlog;
      for (std::size_t i = window_front_; i < window_.size(); ++i) group_points_[window_[i].group] += window_[i].points;
      break;
    }
  }
}

double LeadSimulator::add_points(const CompiledEvent& event, double day) noexcept {
  if (model_.scoring.decay == ScoringSpec::Decay::window) {
    window_.push_back({day, event.points, event.group});
    decay_to(day);
  } else {
    decay_to(day);
    group_points_[event.group] += event.points;
  }
  return engagement_score();
}

/// Touches go out every touch interval from the track's start until the lead leaves it;
/// only those inside the measured horizon are paid for in it.
double journey_touches(const CompiledModel& model, int track, double start_day, double exit_day) noexcept {
  if (track < 0) return 0.0;
  const CompiledTrack& t = model.nurture->tracks[static_cast<std::size_t>(track)];
  if (t.touch_interval_days <= 0.0) return 0.0;
  const double first = start_day, interval = t.touch_interval_days;
  const double end = std::min({exit_day, start_day + t.duration_days, double(model.end_day)});
  const double from = std::max(first, double(model.window_start));
  if (!(end > from)) return 0.0;
  const double j_min = std::ceil((from - first) / interval);
  const double j_max = std::ceil((end - first) / interval) - 1.0;
  return std::max(0.0, j_max - j_min + 1.0);
}

LeadOutcome LeadSimulator::simulate(const CompiledSource& source, std::size_t source_index,
                                    const ReplicationStreams& streams, std::uint64_t lead_id,
                                    const JourneyStart& start) noexcept {
  LeadOutcome out;
  out.arrival_day = start.start_day;
  start_day_ = start.start_day;

  RandomStream profile = streams.stream(source.tag, lead_id, purpose::READINESS);
  const double z_readiness = draw_normal(profile);
  out.readiness = source.readiness(normal_cdf(z_readiness));
  const double u_segment = profile.uniform();
  out.accept_draw = profile.uniform();
  if (start.cycle > 0) {  // a second chance: new timing, new coin
    RandomStream coin = streams.stream(source.tag, lead_id, journey_tag(purpose::ACCEPTANCE, start.cycle));
    out.accept_draw = coin.uniform();
  }
  out.ready = out.accept_draw < model_.acceptance.probability(out.readiness);
  out.segment = static_cast<int>(segment_of(source, u_segment));
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
  out.fit = fit;

  // The journey's rate multiplier: the track's while in it, then the dormant pool's.
  pieces_ = 1;
  piece_start_[0] = 0.0;
  piece_multiplier_[0] = 1.0;
  out.track = choose_track(source_index, out.segment, fit + start.initial_points, start.reason);
  if (out.track >= 0) {
    const CompiledTrack& track = model_.nurture->tracks[static_cast<std::size_t>(out.track)];
    out.track_end_day = start.start_day + track.duration_days;
    piece_multiplier_[0] = track.rate_multiplier;
    piece_start_[1] = track.duration_days;
    piece_multiplier_[1] = model_.nurture->dormant_rate_multiplier;
    pieces_ = 2;
  }

  std::fill(group_points_.begin(), group_points_.end(), 0.0);
  group_points_.back() = start.initial_points;
  window_.clear();
  window_front_ = 0;
  last_decay_day_ = start.start_day;
  const double end = model_.end_day;

  Journey j{source, streams, lead_id, thresholds, fit, kInfinity, kInfinity, out};
  const double initial = engagement_score();
  out.peak_score = fit + initial;
  if (meets_rule(fit, initial, thresholds)) {  // fit alone can be enough under a low threshold
    become_mql(j, MqlPath::engagement, start.start_day);
    out.touches = journey_touches(model_, out.track, start.start_day, start.start_day);
    return out;
  }
  start_clocks(j, start.cycle);
  // SDR follow-up of a high-fit lead that has not become an MQL by then (first journey only).
  if (model_.scoring.sdr_follow_up && start.cycle == 0 && fit >= model_.scoring.follow_up_min_fit)
    j.follow_up_day = start.start_day + model_.scoring.follow_up_after_days;

  // The journey's history: pick the next event, then do what it does (lead_events.hpp).
  for (bool ended = false; !ended;) {
    const NextEvent e = next_event(j);
    switch (e.kind) {
      case LeadEvent::follow_up:
        ended = event_follow_up(j, e.day);
        break;
      case LeadEvent::signal:
        ended = event_signal(j, e.day);
        break;
      case LeadEvent::behaviour:
        ended = event_behaviour(j, e.type, e.day);
        break;
      case LeadEvent::horizon_end:
        ended = true;
        break;  // no MQL in this journey
    }
  }
  out.touches = journey_touches(model_, out.track, start.start_day, out.path == MqlPath::none ? end : out.mql_day);
  return out;
}

/// Each event type's first event, and the first intent signal (one constant-rate process,
/// unaffected by nurture).
inline void LeadSimulator::start_clocks(Journey& j, int cycle) noexcept {
  const double readiness = j.out.readiness;
  for (std::size_t i = 0; i < j.source.events.size(); ++i) {
    const CompiledEvent& e = j.source.events[i];
    const double rate = e.rate_per_day_at_0 + e.rate_per_day_slope * readiness;
    // Built as a local and stored once: its first draw then runs on registers, not memory.
    EventClock clock{
        j.streams.stream(j.source.tag, j.lead_id, journey_tag(e.tag, cycle)), rate, 0.0, 0.0, 0, 1.0, 0.0, kInfinity};
    double next = kInfinity;
    if (rate > 0.0) {
      enter_piece(clock, e, 0);
      next = advance(clock, e);
      clock.after_day = next < model_.end_day ? advance(clock, e) : kInfinity;
    }
    clocks_[i] = clock;
    next_day_[i] = next;
  }
  const double signal_rate = j.source.signal_per_day_at_0 + j.source.signal_per_day_slope * readiness;
  if (signal_rate > 0.0) {
    RandomStream stream = j.streams.stream(j.source.tag, j.lead_id, journey_tag(purpose::SIGNAL, cycle));
    const double target = draw_exponential(stream), h = j.source.signal_half_life_days;
    // A fading rate c 2^(-age/h) has mass c h / ln 2: no signal once the target exceeds it.
    if (h <= 0.0)
      j.signal_day = start_day_ + target / signal_rate;
    else if (target < signal_rate * h / std::numbers::ln2)
      j.signal_day = start_day_ - h * std::log2(1.0 - target * std::numbers::ln2 / (signal_rate * h));
  }
}

/// The earliest pending event.
inline LeadSimulator::NextEvent LeadSimulator::next_event(const Journey& j) const noexcept {
  // Branch-free: which clock is next is as random as the events, so a branch would mispredict.
  std::size_t type = 0;
  double behaviour_day = kInfinity;
  for (std::size_t i = 0; i < j.source.events.size(); ++i) {
    const bool earlier = next_day_[i] < behaviour_day;
    type = earlier ? i : type;
    behaviour_day = earlier ? next_day_[i] : behaviour_day;
  }
  const double day = std::min({behaviour_day, j.signal_day, j.follow_up_day});
  if (!(day < model_.end_day)) return {LeadEvent::horizon_end, day, 0};
  // At equal times, in lead_events.hpp's order; behaviour types in source order (above).
  if (day == j.follow_up_day) return {LeadEvent::follow_up, day, 0};
  if (day == j.signal_day) return {LeadEvent::signal, day, 0};
  return {LeadEvent::behaviour, day, type};
}

/// The SDR follow-up comes due. Without sales teams the conversation happens at once and its
/// coin decides; with them it waits for a rep (sales_process.cpp), so the journey only notes it
/// and goes on as if it had not qualified the lead.
inline bool LeadSimulator::event_follow_up(Journey& j, double day) noexcept {
  RandomStream coin = j.streams.stream(j.source.tag, j.lead_id, purpose::SDR_FOLLOW_UP);
  const bool qualifies = coin.uniform() < model_.scoring.follow_up_probability;
  j.follow_up_day = kInfinity;  // one conversation per journey
  if (!model_.scoring.follow_up_takes_rep_time) return qualifies && become_mql(j, MqlPath::sdr_qualified, day);
  decay_to(day);
  j.out.follow_up_day = day;
  j.out.follow_up_qualifies = qualifies;
  j.out.follow_up_score = std::min(j.fit + engagement_score(), model_.scoring.total_cap);
  return false;
}

inline bool LeadSimulator::event_signal(Journey& j, double day) noexcept { return become_mql(j, MqlPath::signal, day); }

inline bool LeadSimulator::event_behaviour(Journey& j, std::size_t type, double day) noexcept {
  const CompiledEvent& event = j.source.events[type];
  ++j.out.events;
  const double engagement = add_points(event, day);  // an instant MQL's score counts the event's own points too
  j.out.peak_score = std::max(j.out.peak_score, j.fit + engagement);
  if (event.instant) return become_mql(j, MqlPath::instant, day, engagement);
  if (meets_rule(j.fit, engagement, j.thresholds)) return become_mql(j, MqlPath::engagement, day, engagement);
  // The clock's event after this one is known already; draw the one after that, which no
  // comparison needs until then, so its logarithm runs beside the next events, not before them.
  EventClock& clock = clocks_[type];
  next_day_[type] = clock.after_day;
  if (clock.after_day < model_.end_day) clock.after_day = advance(clock, event);
  return false;
}

inline bool LeadSimulator::become_mql(Journey& j, MqlPath path, double day) noexcept {
  decay_to(day);  // the score at the MQL moment, which the highest_score queue ranks by
  return become_mql(j, path, day, engagement_score());
}

inline bool LeadSimulator::become_mql(Journey& j, MqlPath path, double day, double engagement) noexcept {
  j.out.path = path;
  j.out.mql_day = day;
  j.out.score = std::min(j.fit + engagement, model_.scoring.total_cap);
  return true;
}

}  // namespace funnelsim
