#include "funnelsim/model/model.hpp"

#include <algorithm>
#include <cmath>
#include <map>

#include <boost/math/distributions/normal.hpp>
#include <fmt/format.h>

#include "core/random.hpp"
#include "core/stream_purposes.hpp"
#include "funnelsim/scenario/error.hpp"

namespace funnelsim {
namespace {

double points_for(const std::vector<ScoringSpec::NamedValue>& list, const std::string& name) {
  for (const auto& nv : list)
    if (nv.name == name) return nv.value;
  return 0.0;
}

bool contains(const std::vector<std::string>& list, const std::string& name) {
  return std::find(list.begin(), list.end(), name) != list.end();
}

/// Guards common random numbers: two names of one family must not share a stream.
/// `tag` must be exactly what the engine hashes (purpose::source, purpose::event ...).
void check_unique_tags(const std::vector<std::string>& names, const std::string& family,
                       std::uint32_t (*tag)(std::string_view) noexcept) {
  std::map<std::uint32_t, std::string> seen;
  for (const auto& name : names) {
    auto [it, inserted] = seen.emplace(tag(name), name);
    if (!inserted && it->second != name)
      throw ScenarioError({Issue{"", fmt::format("{} names with distinct random-stream tags", family),
                                 fmt::format("\"{}\" and \"{}\" collide; rename one", it->second, name)}});
  }
}

std::vector<double> daily_rates(const SourceSpec& s, const Scenario& scenario) {
  const int end = scenario.warmup_days + scenario.horizon_days;
  std::vector<double> rates(static_cast<std::size_t>(end));
  for (int day = 0; day < end; ++day) {
    // Week multipliers describe the horizon; the warm-up runs at the plain rate.
    const int horizon_day = day - scenario.warmup_days;
    const std::size_t week = horizon_day < 0 ? s.week_multipliers.size() : static_cast<std::size_t>(horizon_day / 7);
    const double week_multiplier = week < s.week_multipliers.size() ? s.week_multipliers[week] : 1.0;
    rates[day] = s.leads_per_week / 7.0 * week_multiplier * s.day_of_week_weights[weekday_of(scenario, day)];
  }
  return rates;
}

CompiledNurture compile_nurture(const Scenario& scenario, const std::vector<CompiledSource>& sources) {
  const NurtureSpec& spec = *scenario.nurture;
  CompiledNurture c;
  for (const TrackSpec& t : spec.tracks) {
    CompiledTrack track;
    for (std::size_t s = 0; s < sources.size(); ++s) {
      track.source_allowed.push_back(t.sources.empty() || contains(t.sources, sources[s].name));
      auto& segments = track.segment_allowed.emplace_back();
      for (const auto& seg : sources[s].segments)
        segments.push_back(t.segments.empty() || contains(t.segments, seg.name));
    }
    track.min_score = t.min_score;
    track.max_score = t.max_score;
    track.for_new = t.for_new;
    track.for_not_ready = t.for_not_ready;
    track.for_cold = t.for_cold;
    track.duration_days = t.duration_days;
    track.rate_multiplier = 1.0 + t.lift_per_touch * t.touches_per_week;
    track.touch_interval_days = t.touches_per_week > 0.0 ? 7.0 / t.touches_per_week : 0.0;
    track.cost_per_touch = t.cost_per_touch;
    c.tracks.push_back(std::move(track));
  }
  c.dormant_rate_multiplier = spec.dormant_rate_multiplier;
  c.recycling = spec.recycling;
  c.recycle_not_ready = spec.recycle_not_ready;
  c.recycle_cold = spec.recycle_cold;
  c.cooldown_days = spec.cooldown_days;
  c.max_recycles = spec.max_recycles;
  return c;
}

CompiledScoring compile_scoring(const Scenario& scenario) {
  const ScoringSpec& spec = scenario.scoring;
  CompiledScoring c;
  c.rule = spec.rule;
  c.decay = spec.decay;
  c.half_life_days = spec.half_life_days;
  c.window_days = spec.window_days;
  c.fit_cap = spec.fit_cap.value_or(kNoCap);
  c.engagement_cap = spec.engagement_cap.value_or(kNoCap);
  c.total_cap = spec.total_cap.value_or(kNoCap);
  // Groups: every named group, and each ungrouped event as a group of its own.
  std::vector<std::string> groups;
  for (const auto& [event, group] : spec.event_groups) groups.push_back(group);
  for (const auto& source : scenario.sources)
    for (const auto& e : source.profile.events) groups.push_back(e.name);
  std::sort(groups.begin(), groups.end());
  groups.erase(std::unique(groups.begin(), groups.end()), groups.end());
  c.group_names = groups;
  c.group_names.push_back("(backlog points)");  // starting points of backlog leads, uncapped
  c.group_caps.assign(c.group_names.size(), kNoCap);
  for (const auto& cap : spec.group_caps) {
    auto it = std::lower_bound(groups.begin(), groups.end(), cap.name);
    c.group_caps[it - groups.begin()] = cap.value;
  }
  if (spec.sdr_follow_up) {
    c.sdr_follow_up = true;
    c.follow_up_min_fit = spec.sdr_follow_up->min_fit;
    c.follow_up_after_days = spec.sdr_follow_up->after_days;
    c.follow_up_probability = spec.sdr_follow_up->qualify_probability;
  }
  return c;
}

int group_of(const ScoringSpec& spec, const CompiledScoring& scoring, const std::string& event) {
  std::string group = event;
  for (const auto& [e, g] : spec.event_groups)
    if (e == event) group = g;
  // The last group holds backlog points and sits outside the sorted names.
  const auto names_end = scoring.group_names.end() - 1;
  auto it = std::lower_bound(scoring.group_names.begin(), names_end, group);
  return static_cast<int>(it - scoring.group_names.begin());
}

bool same_readiness(const ReadinessSpec& a, const ReadinessSpec& b) {
  return a.distribution == b.distribution && a.alpha == b.alpha && a.beta == b.beta && a.value == b.value;
}

/// The readiness table of `s`: copied from the same-named source of `tables_from` when its spec is
/// identical (the table is a pure function of the spec), computed otherwise.
ReadinessQuantile readiness_of(const SourceSpec& s, const CompiledModel* tables_from) {
  if (tables_from)
    for (std::size_t i = 0; i < tables_from->sources.size(); ++i)
      if (tables_from->sources[i].name == s.name &&
          same_readiness(tables_from->scenario.sources[i].profile.readiness, s.profile.readiness))
        return tables_from->sources[i].readiness;
  return ReadinessQuantile(s.profile.readiness);
}

CompiledSource compile_source(const Scenario& scenario, const SourceSpec& s, const CompiledScoring& scoring,
                              const CompiledModel* tables_from) {
  const ScoringSpec& spec = scenario.scoring;
  // The tag is the one check_unique_tags(source_names, "source", ...) guards.
  CompiledSource c{s.name,
                   purpose::source(s.name),
                   daily_rates(s, scenario),
                   s.overdispersion,
                   s.cost_per_lead,
                   0.0,
                   readiness_of(s, tables_from),
                   {},
                   {},
                   {}};
  if (s.spend_per_week) c.fixed_spend = *s.spend_per_week * scenario.horizon_days / 7.0;

  double cumulative = 0.0;
  for (const auto& seg : s.profile.segment_mix) {
    cumulative += seg.weight;
    c.segments.push_back({seg.segment, cumulative, spec.thresholds_for(s.name, seg.segment)});
  }
  c.segments.back().cumulative_weight = 1.0;  // guard against rounding leaving a gap at the top

  const boost::math::normal standard_normal;
  std::vector<std::string> names;
  for (const auto& a : s.profile.attributes) {
    names.push_back(a.name);
    const double points = points_for(spec.attribute_points, a.name);
    const bool disqualifies = contains(spec.disqualifiers, a.name);
    if (points == 0.0 && !disqualifies) continue;  // cannot change any outcome: skip its draws
    CompiledAttribute ca;
    ca.tag = purpose::attribute(a.name);
    ca.z_threshold = a.probability <= 0.0 ? kNoCap
                     : a.probability >= 1.0
                         ? -kNoCap
                         : boost::math::quantile(boost::math::complement(standard_normal, a.probability));
    ca.rho = a.readiness_correlation;
    ca.noise_scale = std::sqrt(std::max(0.0, 1.0 - ca.rho * ca.rho));
    ca.points = points;
    ca.disqualifies = disqualifies;
    c.attributes.push_back(ca);
  }
  check_unique_tags(names, "attribute", purpose::attribute);

  names.clear();
  for (const auto& e : s.profile.events) {
    names.push_back(e.name);
    const double points = points_for(spec.event_points, e.name);
    const bool instant = contains(spec.instant_mql_events, e.name);
    if (points == 0.0 && !instant) continue;
    if (e.rate_at_readiness_0 == 0.0 && e.rate_at_readiness_1 == 0.0) continue;
    CompiledEvent ce;
    ce.tag = purpose::event(e.name);
    // The source's behaviour-rate scale multiplies each rate first, so a scale of 0.5 gives the
    // same numbers as rates written halved (and 1 the same as no scale).
    const double rate_0 = e.rate_at_readiness_0 * s.profile.event_rate_scale;
    const double rate_1 = e.rate_at_readiness_1 * s.profile.event_rate_scale;
    ce.rate_per_day_at_0 = rate_0 / 7.0;
    ce.rate_per_day_slope = (rate_1 - rate_0) / 7.0;
    ce.half_life_days = e.half_life_days.value_or(0.0);
    ce.points = points;
    ce.group = group_of(spec, scoring, e.name);
    ce.instant = instant;
    c.events.push_back(ce);
  }
  check_unique_tags(names, "event", purpose::event);
  c.signal_per_day_at_0 = s.profile.signal_rate_at_readiness_0 / 7.0;
  c.signal_per_day_slope = (s.profile.signal_rate_at_readiness_1 - s.profile.signal_rate_at_readiness_0) / 7.0;
  c.signal_half_life_days = s.profile.signal_half_life_days.value_or(0.0);
  return c;
}

}  // namespace

int weekday_of(const Scenario& scenario, int day) {
  return ((scenario.start_weekday + day - scenario.warmup_days) % 7 + 7) % 7;
}

CompiledModel compile_model(const Scenario& scenario, const CompiledModel* tables_from) {
  if (scenario.warmup_auto)
    throw ScenarioError({Issue{"/warmup_days",
                               "a number of days when the model is compiled (\"auto\" is worked out first: "
                               "choose_warmup in funnelsim/whatif/warmup_choice.hpp)",
                               "\"auto\""}});
  CompiledModel m;
  m.scenario = scenario;
  m.horizon_days = scenario.horizon_days;
  m.window_start = scenario.warmup_days;
  m.end_day = scenario.warmup_days + scenario.horizon_days;
  m.weeks = scenario.weeks();
  m.scoring = compile_scoring(scenario);
  m.acceptance = scenario.sales_acceptance;
  std::vector<std::string> source_names;
  for (const auto& s : scenario.sources) {
    source_names.push_back(s.name);
    m.sources.push_back(compile_source(scenario, s, m.scoring, tables_from));
    m.max_events_per_source = std::max(m.max_events_per_source, m.sources.back().events.size());
  }
  check_unique_tags(source_names, "source", purpose::source);
  std::vector<std::vector<std::string>> segments;
  for (const auto& source : m.sources) {
    m.source_tags.push_back(source.tag);
    auto& names = segments.emplace_back();
    for (const auto& seg : source.segments) names.push_back(seg.name);
  }
  if (scenario.sales) m.sales = compile_sales(scenario, segments);
  m.scoring.follow_up_takes_rep_time = m.scoring.sdr_follow_up && m.sales.has_value();
  if (scenario.pipeline) m.pipeline = compile_pipeline(scenario, segments);
  if (scenario.nurture) m.nurture = compile_nurture(scenario, m.sources);
  return m;
}

}  // namespace funnelsim
