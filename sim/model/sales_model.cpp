#include "funnelsim/model/sales_model.hpp"

#include "core/random.hpp"
#include "funnelsim/model/model.hpp"

#include <algorithm>
#include <cmath>

#include <boost/random/exponential_distribution.hpp>
#include <boost/random/gamma_distribution.hpp>
#include <boost/random/lognormal_distribution.hpp>

namespace funnelsim {
namespace {

/// Working intervals within the horizon, adjacent ones merged (so a 0-24 h calendar has no
/// midnight shift change).
std::vector<std::pair<double, double>> shift_intervals(const CalendarSpec& cal, const Scenario& scenario) {
  const int horizon_days = scenario.warmup_days + scenario.horizon_days;
  std::vector<std::pair<double, double>> shifts;
  if (cal.always_open) return {{0.0, static_cast<double>(horizon_days)}};
  for (int day = 0; day < horizon_days; ++day) {
    if (!cal.working_days[weekday_of(scenario, day)]) continue;
    // Holidays are day indices of the measured horizon.
    const int horizon_day = day - scenario.warmup_days;
    if (std::find(cal.holidays.begin(), cal.holidays.end(), horizon_day) != cal.holidays.end()) continue;
    const double open = day + cal.start_hour / 24.0, close = std::min(day + cal.end_hour / 24.0, double(horizon_days));
    if (!shifts.empty() && shifts.back().second >= open)
      shifts.back().second = close;
    else
      shifts.emplace_back(open, close);
  }
  return shifts;
}

CompiledTeam compile_team(const TeamSpec& t, const Scenario& scenario) {
  CompiledTeam c;
  c.name = t.name;
  c.headcount = t.headcount;
  c.strictness = t.strictness;
  c.shifts = shift_intervals(t.calendar, scenario);
  // Scheduled time counts within the measured horizon only.
  for (const auto& [open, close] : c.shifts)
    c.scheduled_hours_per_rep += 24.0 * std::max(0.0, close - std::max(open, double(scenario.warmup_days)));
  c.handle = t.handle_time.distribution;
  c.handle_mean_days = t.handle_time.mean_minutes / (24.0 * 60.0);
  const double cv = t.handle_time.cv;
  // A gamma shape 1/cv^2 is capped at 1e30 (cv 1e-15, a spread below double precision of the
  // mean): for cv under about 1e-154 it overflowed to infinity, Boost then drew NaN handle
  // times, and a NaN event time ended the sales simulation early.
  c.handle_shape = c.handle == HandleTimeSpec::Distribution::gamma ? std::min(1.0 / (cv * cv), 1e30)
                                                                   : std::sqrt(std::log1p(cv * cv));
  // A vanishing mean (1e-300 minutes) leaves no positive gamma scale mean/shape, which Boost
  // requires: such attempts take no time, as a fixed zero.
  if (c.handle == HandleTimeSpec::Distribution::gamma && !(c.handle_mean_days / c.handle_shape > 0.0))
    c.handle = HandleTimeSpec::Distribution::fixed;
  c.daily_cap = t.daily_cap_per_rep.value_or(0);
  c.discipline = t.discipline;
  c.max_attempts = t.contact.max_attempts;
  for (double h : t.contact.retry_hours) c.retry_days.push_back(h / 24.0);
  c.reach_initial = t.contact.reach_initial;
  c.reach_floor = t.contact.reach_floor;
  c.reach_half_life_hours = t.contact.reach_half_life_hours;
  c.patience = t.contact.patience;
  c.patience_mean_days = t.contact.patience_mean_days;
  c.sla_days[0] = t.sla_hours_instant / 24.0;
  c.sla_days[1] = t.sla_hours_engagement / 24.0;
  c.rep_cost = t.headcount * t.cost_per_rep_per_week * scenario.horizon_days / 7.0;
  return c;
}

}  // namespace

double CompiledTeam::sample_handle_days(RandomStream& stream) const {
  switch (handle) {
    case HandleTimeSpec::Distribution::fixed:
      return handle_mean_days;
    case HandleTimeSpec::Distribution::exponential:
      return boost::random::exponential_distribution<double>(1.0 / handle_mean_days)(stream);
    case HandleTimeSpec::Distribution::gamma:
      return boost::random::gamma_distribution<double>(handle_shape, handle_mean_days / handle_shape)(stream);
    case HandleTimeSpec::Distribution::lognormal:
      break;
  }
  // Lognormal with the given mean: mu = ln(mean) - sigma^2 / 2.
  const double mu = std::log(handle_mean_days) - 0.5 * handle_shape * handle_shape;
  return boost::random::lognormal_distribution<double>(mu, handle_shape)(stream);
}

double CompiledTeam::sample_patience_days(RandomStream& stream) const {
  const double u = stream.uniform_open();  // drawn whatever the model, so streams stay aligned
  switch (patience) {
    case ContactSpec::Patience::none:
      return std::numeric_limits<double>::infinity();
    case ContactSpec::Patience::fixed:
      return patience_mean_days;
    case ContactSpec::Patience::exponential:
      break;
  }
  return -patience_mean_days * std::log(u);
}

double CompiledTeam::reach_probability(double hours_since_mql) const noexcept {
  return reach_floor + (reach_initial - reach_floor) * std::exp2(-hours_since_mql / reach_half_life_hours);
}

CompiledSales compile_sales(const Scenario& scenario, const std::vector<std::vector<std::string>>& segments) {
  const SalesSpec& spec = *scenario.sales;
  CompiledSales c{{}, {}, SpeedToLeadCurve(spec.speed_to_lead), false};
  for (const TeamSpec& t : spec.teams) {
    c.teams.push_back(compile_team(t, scenario));
    c.any_daily_cap = c.any_daily_cap || c.teams.back().daily_cap > 0;
  }
  auto team_index = [&](const std::string& name) {
    for (std::size_t i = 0; i < spec.teams.size(); ++i)
      if (spec.teams[i].name == name) return static_cast<int>(i);
    return 0;  // unreachable: the loader checked routing team names
  };
  for (std::size_t s = 0; s < scenario.sources.size(); ++s) {
    auto& by_segment = c.route.emplace_back();
    for (const std::string& segment : segments[s]) {
      int team = 0;
      for (const RouteSpec& r : spec.routing) {
        if (r.source && *r.source != scenario.sources[s].name) continue;
        if (r.segment && *r.segment != segment) continue;
        team = team_index(r.team);
        break;
      }
      by_segment.push_back(team);
    }
  }
  return c;
}

}  // namespace funnelsim
