#pragma once
/// The warm-up rule: how many days a scenario must run before its measured horizon for the
/// horizon to start with the funnel in motion (docs/model.md, "Choosing the warm-up").
///
/// The rule follows a cohort: the leads that arrive in four weeks of the running model, and every
/// MQL they make (first journeys and recycled ones), until each is resolved by sales (accepted,
/// rejected or gone cold; without a sales section, the MQL itself). A quarter whose warm-up is at
/// least the time by which `quantile` of those MQLs are resolved misses, at its start, at most
/// 1 - quantile of what older leads would add to its weekly MQLs, SQLs and sales backlog.
///
/// It is measured on the model itself, by simulation: the probe runs the scenario without its
/// week multipliers and backlog (a steady funnel), with a fixed seed of its own, twice: once from
/// an empty funnel on a quarter of the cohort (roughly how long the funnel takes), then warmed up
/// by that pick, so that the cohort meets a desk as busy as in a running quarter. Deterministic: a pure function of the
/// scenario (not of the run's seed or thread count). The pipeline's cycles are not part of it (see docs/model.md).
#include <atomic>
#include <cstddef>
#include <optional>

#include "funnelsim/model/model.hpp"
#include "funnelsim/scenario/scenario.hpp"

namespace funnelsim {

struct WarmupRule {
  double quantile = 0.99;              ///< share of the cohort's MQLs resolved by the warm-up's end
  int cohort_days = 28;                ///< the cohort: leads arriving in these days (whole weeks)
  int follow_days = 182;               ///< how long the cohort is followed at first (x1.5 while needed)
  std::size_t min_cohort_mqls = 4000;  ///< replications are added (1, 2, 4, ...) until the cohort has these
  std::size_t max_replications = 64;
  int max_days = 3650;  ///< the schema's largest warm-up
};

struct WarmupRecommendation {
  int days = 0;                         ///< the pick: ceil of resolved_quantile_days
  double mql_quantile_days = 0.0;       ///< the quantile of arrival -> MQL alone (for reference)
  double resolved_quantile_days = 0.0;  ///< the quantile of arrival -> resolved by sales
  double quantile = 0.99;
  std::size_t cohort_mqls = 0;  ///< of the last pass
  std::size_t replications = 0;
  int follow_days = 0;  ///< how long the last pass followed the cohort
  /// False when the pick was not well inside the longest follow-up the rule allows (2 x max_days):
  /// the funnel does not settle within max_days; `days` is then max_days.
  bool reached = true;
};

/// The rule's pick for `scenario` (its warmup_days and backlog are ignored; uncertain inputs at
/// their nominal values). `tables_from` as in compile_model. nullopt when `cancel` was seen set.
std::optional<WarmupRecommendation> recommend_warmup(const Scenario& scenario, const WarmupRule& rule = {},
                                                     const CompiledModel* tables_from = nullptr,
                                                     const std::atomic<bool>* cancel = nullptr);

}  // namespace funnelsim
