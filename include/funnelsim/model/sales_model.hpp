#pragma once
/// The compiled sales side: teams with their shift intervals, samplers and contact rules, and
/// a routing table resolved per (source, segment).
#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "funnelsim/scenario/scenario.hpp"
#include "funnelsim/model/speed_to_lead.hpp"

namespace funnelsim {

class RandomStream;  // sim/core/random.hpp: the engine draws handle times from its streams

struct CompiledTeam {
  std::string name;
  int headcount = 0;
  std::vector<double> strictness;
  std::vector<std::pair<double, double>> shifts;  ///< [open, close) in days, merged, within the horizon
  double scheduled_hours_per_rep = 0.0;
  HandleTimeSpec::Distribution handle = HandleTimeSpec::Distribution::lognormal;
  double handle_mean_days = 0.0;
  double handle_shape = 0.0;  ///< lognormal sigma or gamma shape
  int daily_cap = 0;          ///< 0 = no cap
  TeamSpec::Discipline discipline = TeamSpec::Discipline::fifo;
  int max_attempts = 1;
  std::vector<double> retry_days;
  double reach_initial = 1.0, reach_floor = 1.0, reach_half_life_hours = 1.0;
  ContactSpec::Patience patience = ContactSpec::Patience::none;
  double patience_mean_days = 0.0;
  double sla_days[2] = {0.0, 0.0};  ///< by path: instant, engagement
  double rep_cost = 0.0;            ///< the team's fully loaded cost over the horizon

  /// One handle time, in days.
  double sample_handle_days(RandomStream& stream) const;
  /// A lead's patience from MQL time, in days (infinity when none).
  double sample_patience_days(RandomStream& stream) const;
  double reach_probability(double hours_since_mql) const noexcept;
};

struct CompiledSales {
  std::vector<CompiledTeam> teams;
  std::vector<std::vector<int>> route;  ///< [source][segment] -> team
  SpeedToLeadCurve speed_to_lead;
  bool any_daily_cap = false;
};

/// `segments[s]` lists source s's segment names in the order the lead process numbers them.
CompiledSales compile_sales(const Scenario& scenario, const std::vector<std::vector<std::string>>& segments);

}  // namespace funnelsim
