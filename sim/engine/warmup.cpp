#include "funnelsim/engine/warmup.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include <tbb/enumerable_thread_specific.h>
#include <tbb/parallel_for.h>

#include "core/tsan_annotations.hpp"
#include "engine/replication_runner.hpp"

namespace funnelsim {
namespace {

/// The probe's own seed ("warmup" in ASCII): the pick depends on the model, not on the run's seed.
constexpr std::uint64_t kProbeSeed = 0x7761726D7570;

/// The cohort's MQLs: each one's days from its lead's first arrival to the MQL and to its
/// resolution (infinity while open).
struct CohortDelays final : MqlObserver {
  double from = 0.0, to = 0.0;
  std::vector<double> mql, resolution;
  void resolved(const MqlRecord& m, double day) override {
    if (m.carried_over || !(m.first_arrival_day >= from && m.first_arrival_day < to)) return;
    mql.push_back(m.mql_day - m.first_arrival_day);
    resolution.push_back(day - m.first_arrival_day);
  }
};

/// The smallest value with at least a share q of the sample at or below it (infinity counts).
double upper_quantile(std::vector<double> sample, double q) {
  if (sample.empty()) return 0.0;
  std::sort(sample.begin(), sample.end());
  const auto rank = static_cast<std::size_t>(std::ceil(q * static_cast<double>(sample.size())));
  return sample[std::clamp<std::size_t>(rank, 1, sample.size()) - 1];
}

/// The scenario as the probe runs it: a steady funnel (no week multipliers, no backlog) warmed up
/// for `warmup` days, whose horizon is the cohort's weeks and the follow-up after them.
Scenario probe_scenario(const Scenario& scenario, int warmup, int horizon) {
  Scenario p = scenario;
  p.warmup_auto = false;
  p.warmup_days = warmup;
  p.horizon_days = horizon;
  p.backlog.clear();
  for (SourceSpec& source : p.sources) source.week_multipliers.clear();
  return p;
}

struct Pass {
  CohortDelays delays;
  std::size_t replications = 0;
  bool cancelled = false;
};

/// One probe run: replications in batches of 1, 2, 4, ... (a fixed sequence, so where it stops
/// does not depend on the thread count) until the cohort has `min_mqls` MQLs.
Pass run_pass(const Scenario& scenario, const WarmupRule& rule, int warmup, int follow, std::size_t min_mqls,
              const CompiledModel* tables, const std::atomic<bool>* cancel) {
  const CompiledModel model = compile_model(probe_scenario(scenario, warmup, rule.cohort_days + follow), tables);
  Pass pass;
  pass.delays.from = model.window_start;
  pass.delays.to = model.window_start + rule.cohort_days;
  tbb::enumerable_thread_specific<ReplicationRunner> runners(model, cancel);
  for (std::size_t batch = 1; pass.replications < rule.max_replications; batch *= 2) {
    const std::size_t n = std::min(batch, rule.max_replications - pass.replications);
    std::vector<CohortDelays> found(n);
    ReplicationTable table(n, table_scopes(model), static_cast<std::size_t>(model.weeks));
    detail::ForkJoinAnnotations annotations;  // what TBB guarantees, stated for TSan (see the header)
    annotations.fork();
    tbb::parallel_for(std::size_t{0}, n, [&](std::size_t slot) {
      annotations.enter();
      found[slot].from = pass.delays.from;
      found[slot].to = pass.delays.to;
      ReplicationRunner& runner = runners.local();
      runner.observe(&found[slot]);
      runner.run(kProbeSeed, pass.replications + slot, slot, table);
      runner.observe(nullptr);
      annotations.leave();
    });
    annotations.join();
    if (cancel && cancel->load()) {
      pass.cancelled = true;
      return pass;
    }
    for (std::size_t slot = 0; slot < n; ++slot) {  // in replication order
      auto& d = pass.delays;
      d.mql.insert(d.mql.end(), found[slot].mql.begin(), found[slot].mql.end());
      d.resolution.insert(d.resolution.end(), found[slot].resolution.begin(), found[slot].resolution.end());
    }
    pass.replications += n;
    if (pass.delays.mql.size() >= min_mqls) break;
  }
  return pass;
}

/// The follow-up is long enough when the pick is at most 1 / kFollowMargin of it: what would
/// happen after it (past 1.5 times the pick) is then a negligible share of the cohort's MQLs.
constexpr double kFollowMargin = 1.5;

/// One measurement warmed up for `warmup` days: probe runs, the cohort followed longer (x1.5)
/// while the pick is not well inside the follow-up. Fills `out`; false when cancelled.
bool measure(const Scenario& scenario, const WarmupRule& rule, int warmup, int follow, std::size_t min_mqls,
             const CompiledModel* tables, const std::atomic<bool>* cancel, WarmupRecommendation& out) {
  for (;;) {
    const Pass pass = run_pass(scenario, rule, warmup, follow, min_mqls, tables, cancel);
    if (pass.cancelled) return false;
    out.cohort_mqls = pass.delays.mql.size();
    out.replications = pass.replications;
    out.follow_days = follow;
    out.mql_quantile_days = upper_quantile(pass.delays.mql, rule.quantile);
    out.resolved_quantile_days = upper_quantile(pass.delays.resolution, rule.quantile);
    out.reached = out.resolved_quantile_days * kFollowMargin <= follow;
    if (out.reached || follow >= 2 * rule.max_days) break;
    follow = std::min(static_cast<int>(std::ceil(follow * kFollowMargin)), 2 * rule.max_days);
  }
  out.days =
      out.reached ? std::min(rule.max_days, static_cast<int>(std::ceil(out.resolved_quantile_days))) : rule.max_days;
  return true;
}

}  // namespace

std::optional<WarmupRecommendation> recommend_warmup(const Scenario& scenario, const WarmupRule& rule,
                                                     const CompiledModel* tables_from,
                                                     const std::atomic<bool>* cancel) {
  const CompiledModel* tables = tables_from;
  std::optional<CompiledModel> own;
  if (!tables) tables = &own.emplace(compile_model(probe_scenario(scenario, 0, 1)));
  WarmupRecommendation out;
  out.quantile = rule.quantile;
  // Pass 1, from an empty funnel on a quarter of the cohort, finds roughly how long the funnel takes;
  // pass 2, warmed up that long, measures the pick on a cohort that meets a running desk.
  if (!measure(scenario, rule, 0, rule.follow_days, rule.min_cohort_mqls / 4, tables, cancel, out)) return std::nullopt;
  if (!out.reached || out.days == 0) return out;
  const int follow = std::max(rule.follow_days / 2, static_cast<int>(std::ceil(kFollowMargin * out.days)) + 7);
  if (!measure(scenario, rule, out.days, follow, rule.min_cohort_mqls, tables, cancel, out)) return std::nullopt;
  return out;
}

}  // namespace funnelsim
