#include "funnelsim/whatif/run.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <stdexcept>
#include <utility>

#include "funnelsim/engine/uncertain_run.hpp"
#include "funnelsim/metrics/run_summary.hpp"
#include "funnelsim/scenario/loader.hpp"
#include "funnelsim/whatif/lead_phase_sharing.hpp"
#include "funnelsim/whatif/precision_run.hpp"

namespace funnelsim {
namespace {

bool raised(const std::atomic<bool>* cancel) { return cancel && cancel->load(std::memory_order_relaxed); }

/// Everything run so far: [scenario], each holding the same replications, in order.
using ScenarioResults = std::vector<std::optional<RunResult>>;
using ResultsReader = std::function<PrecisionReading(const ScenarioResults&, std::size_t metric)>;

/// The hashes of several scenarios' resolved documents, joined: a job's scenario identity.
std::string scenarios_sha256(const std::vector<RunnableScenario>& scenarios) {
  std::string joined;
  for (const RunnableScenario& s : scenarios) joined += (joined.empty() ? "" : ",") + s.provenance().resolved_sha256;
  return joined;
}

/// A shard's part of `count` scenarios' runs (options.units): run and compare split replications
/// (every scenario runs the block, run_batch(first, count) filling `results`), a sweep its points
/// (run_point(p) runs point p on every replication). Recording runs the block and keeps its
/// tables; replaying takes every table. Returns the replications each scenario holds (0 recording).
template <class RunBatch, class RunPoint>
std::uint64_t run_units(std::size_t count, const RunOptions& run, const WhatIfOptions& options,
                        const RunBatch& run_batch, const RunPoint& run_point, ScenarioResults& results,
                        JobUnitKind kind, const std::string& scenario_sha256) {
  if (options.precision) throw std::invalid_argument("a shard takes no precision target");
  JobUnits& units = *options.units;
  const bool by_point = kind == JobUnitKind::sweep_points;
  JobIdentity job;
  job.seed = run.seed;
  job.kind = by_point ? JobUnitKind::sweep_points : JobUnitKind::replications;
  job.units = by_point ? count : run.replications;
  job.first_replication = run.first_replication;
  job.scenario_sha256 = scenario_sha256;
  const JobBlock block = units.begin(job);
  if (units.replaying()) {
    results.assign(count, std::nullopt);
    for (std::size_t s = 0; s < count; ++s) results[s] = units.take(s);
    return run.replications;
  }
  if (by_point) {
    while (const std::optional<std::uint64_t> p = units.next_unit()) {
      RunResult point = run_point(*p);
      if (point.cancelled) {
        units.set_cancelled();
        break;
      }
      units.keep(*p, std::move(point.table));
    }
  } else if (block.size() > 0) {
    if (run_batch(run.first_replication + block.begin, block.size()))
      for (std::size_t s = 0; s < count; ++s) units.keep(s, std::move(results[s]->table));
    else
      units.set_cancelled();
  }
  results.assign(count, std::nullopt);  // a recording job returns no report
  return 0;
}

/// Replications per chunk when scenarios share the first one's lead phase: about 27 MB of record
/// for saas_baseline (0.21 MB a replication), and work for 64 threads.
constexpr std::uint64_t kSharedChunk = 128;

/// What the scenarios after the first share with it (nothing with uncertain inputs, which draw a
/// model per replication): some source's lead phase, or (leads) some source's journeys but for
/// the MQL thresholds, where the lead phase itself differs.
struct Sharing {
  bool phases = false, leads = false;
  bool any() const noexcept { return phases || leads; }
};
Sharing lead_phase_sharing(const std::vector<RunnableScenario>& scenarios) {
  Sharing sharing;
  if (scenarios.size() < 2 || !scenarios.front().uncertain().empty()) return sharing;
  const nlohmann::json& front = scenarios.front().uncertain().nominal_document();
  const std::vector<std::string> first = lead_phase_keys(front), first_free = lead_keys_without_thresholds(front);
  for (std::size_t s = 1; s < scenarios.size(); ++s) {
    if (!scenarios[s].uncertain().empty()) continue;
    const nlohmann::json& document = scenarios[s].uncertain().nominal_document();
    const std::vector<bool> phases = shared_lead_phases(first, lead_phase_keys(document));
    const std::vector<bool> free = shared_lead_phases(first_free, lead_keys_without_thresholds(document));
    for (std::size_t k = 0; k < phases.size(); ++k) {
      sharing.phases = sharing.phases || phases[k];
      sharing.leads = sharing.leads || (free[k] && !phases[k]);
    }
  }
  return sharing;
}

/// Several scenarios on the same replications (compare's base and variants, sweep's points), run
/// batch by batch so that a precision target stops them together: run.replications of them, or
/// batches until read(results) says the target holds or the cap is reached. Progress spans all
/// scenarios. Returns the replications each scenario ran; a cancelled run returns early, leaving
/// a cancelled or missing result (see any_cancelled).
std::uint64_t run_scenarios(const std::vector<RunnableScenario>& scenarios, const RunOptions& run,
                            const WhatIfOptions& options, const ResultsReader& read, ScenarioResults& results,
                            PrecisionOutcome& outcome, JobUnitKind kind, const std::string& scenario_sha256) {
  results.assign(scenarios.size(), std::nullopt);
  const std::uint64_t cap = most_replications(scenarios.front().scenario(), options);
  const std::uint64_t total = cap * scenarios.size();
  const Sharing sharing = lead_phase_sharing(scenarios);
  auto run_batch = [&](std::uint64_t first, std::uint64_t count) {
    const std::uint64_t before = (first - run.first_replication) * scenarios.size();
    // Sharing, the first scenario's lead phase serves the others' unchanged sources, a chunk of
    // replications at a time so that its record stays small; the tables append to the same bytes.
    const std::uint64_t chunk = sharing.any() ? kSharedChunk : std::max<std::uint64_t>(count, 1);
    for (std::uint64_t done = 0; done < count; done += chunk) {
      RunOptions batch = run;
      batch.first_replication = first + done;
      batch.replications = std::min(chunk, count - done);
      SharedLeadPhase first_phase;
      first_phase.with_leads = sharing.leads;  // a threshold's sweep: each point books the quiet journeys
      for (std::size_t s = 0; s < scenarios.size(); ++s) {
        const std::uint64_t offset = before + s * count + done;
        RunOptions own = batch;
        if (options.progress)
          own.progress = [&options, offset, total](std::uint64_t finished, std::uint64_t) {
            options.progress(offset + finished, total);
          };
        if (sharing.any() && scenarios[s].uncertain().empty()) {
          const nlohmann::json& document = scenarios[s].uncertain().nominal_document();
          if (s == 0)
            record_lead_phase(own, document, first_phase);
          else
            reuse_lead_phase(own, document, first_phase);
        }
        append_run(results[s], scenarios[s].run(own));
        if (results[s]->cancelled) return false;
      }
    }
    return true;
  };
  if (options.units)
    return run_units(
        scenarios.size(), run, options, run_batch, [&](std::uint64_t p) { return scenarios[p].run(run); }, results,
        kind, scenario_sha256);
  if (!options.precision) {
    run_batch(run.first_replication, run.replications);
    return run.replications;
  }
  return run_batches_to_precision(
      run_batch, [&] { return read(results, options.precision->metric); }, *options.precision, run.first_replication,
      cap, outcome);
}

bool any_cancelled(const ScenarioResults& results) {
  return std::any_of(results.begin(), results.end(), [](const auto& r) { return !r || r->cancelled; });
}

/// Compare's rule: the widest relative half-width of every variant's paired difference with the
/// base (results[0]).
PrecisionReading widest_paired_width(const ScenarioResults& all, std::size_t metric) {
  PrecisionReading widest{0.0, true};
  for (std::size_t v = 1; v < all.size(); ++v) {
    const double width = paired_table_half_width(all[0]->table, all[v]->table, metric);
    // One variant without a defined width leaves the whole comparison undefined.
    widest.achieved = std::isnan(width) || std::isnan(widest.achieved) ? PrecisionOutcome::undefined
                                                                       : std::max(widest.achieved, width);
    widest.hopeless = widest.hopeless && std::isnan(width);
  }
  return widest;  // hopeless: undefined for every variant (a base mean of 0)
}

/// Sweep's rule: the widest relative half-width of the points' means. A point whose metric is
/// undefined or 0 in every replication so far has no relative precision to reach: it is left
/// out, and when every point is like that, more replications cannot help.
PrecisionReading widest_mean_width(const ScenarioResults& all, std::size_t metric) {
  PrecisionReading widest{0.0, true};
  for (const auto& point : all) {
    const PrecisionReading reading = table_precision(point->table, metric);
    if (reading.hopeless) continue;
    widest.hopeless = false;
    widest.achieved = std::isnan(reading.achieved) || std::isnan(widest.achieved)
                          ? PrecisionOutcome::undefined
                          : std::max(widest.achieved, reading.achieved);
  }
  if (widest.hopeless) widest.achieved = PrecisionOutcome::undefined;
  return widest;
}

std::vector<std::string> uncertain_pointers(const RunnableScenario& scenario) {
  std::vector<std::string> pointers;
  for (const UncertainParameter& p : scenario.uncertain().parameters()) pointers.push_back(p.pointer);
  return pointers;
}

/// Every point of a sweep's grid as a runnable scenario; a bad point names itself.
std::vector<RunnableScenario> sweep_scenarios(const nlohmann::json& document, const std::string& file,
                                              const SweepSpec& spec, const WarmupChoice& warmup) {
  const std::string fallback_name = std::filesystem::path(file).stem().string();
  std::vector<RunnableScenario> scenarios;
  for (std::size_t p = 0; p < spec.points.size(); ++p) {
    try {
      nlohmann::json point_doc = document;
      apply_overrides(point_doc, point_overrides(spec.parameters, spec.points[p]));
      scenarios.emplace_back(std::move(point_doc), fallback_name, ScenarioOrigin{}, warmup);
    } catch (const ScenarioError& e) {
      throw ScenarioInputError(
          fmt::format("{} at sweep point {} ({})", file, p, point_text(spec.parameters, spec.points[p])), e);
    }
  }
  return scenarios;
}

/// One scenario's run. With a precision target its table grows batch by batch (append_run): while
/// it moves, its old copy and the new one are both held, so the caller adds one more table.
MemoryEstimate scenario_estimate(const RunnableScenario& scenario, std::uint64_t replications, int threads,
                                 bool with_outputs) {
  return scenario.uncertain().empty()
             ? estimate_memory(scenario.nominal_model(), replications, threads, with_outputs)
             : estimate_memory(scenario.uncertain(), scenario.scenario().name, replications, threads, with_outputs);
}

/// Several scenarios' tables held at once, and per scenario what is kept of it afterwards.
MemoryEstimate scenarios_estimate(const std::vector<RunnableScenario>& scenarios, const WhatIfOptions& options,
                                  bool with_outputs, double kept_per_scenario) {
  if (scenarios.empty()) return {};
  const std::uint64_t replications = most_replications(scenarios.front().scenario(), options);
  std::vector<MemoryEstimate> each;
  std::uint64_t largest_table = 0;
  for (const RunnableScenario& scenario : scenarios) {
    each.push_back(scenario_estimate(scenario, replications, options.threads, false));
    largest_table = std::max(largest_table, each.back().table);
  }
  MemoryEstimate all = held_together(each);
  if (options.precision) all.table += largest_table;  // the tables grow one at a time
  // Sharing the first scenario's lead phase (run_scenarios): its record of one chunk. Counted
  // whenever it could be shared: a job may give every scenario the first one's warm-up later.
  if (scenarios.size() > 1 && scenarios.front().uncertain().empty())
    all.fixed += (each.front().lead_phase_per_replication +
                  static_cast<std::uint64_t>(each.front().leads_per_replication * kRecordedLeadBytes)) *
                 std::min(replications, kSharedChunk);
  // The table of each scenario's statistics (or comparison) and, with outputs, their text.
  all.summary +=
      static_cast<std::uint64_t>(static_cast<double>(scenarios.size()) * kept_per_scenario * (with_outputs ? 3 : 2));
  return all;
}

/// Bytes of a summary of one run of `model` (run_summary.hpp), its metric and weekly statistics.
double summary_bytes(const CompiledModel& model) {
  double rows = static_cast<double>((model.sources.size() + 1) * (kMetricCount + kSeriesCount * model.weeks));
  if (model.sales)
    for (const CompiledTeam& team : model.sales->teams)
      rows += static_cast<double>(metric_defs(ScopeKind::team).size()) +
              team.headcount * static_cast<double>(metric_defs(ScopeKind::rep).size());
  return rows * (sizeof(SummaryStats) + sizeof(PooledRatio) + 64);
}

/// A tornado's base, uncertain inputs and plan (plan_sensitivity, with the uncertain leaves left out).
struct Tornado {
  WarmupChoice warmup;  // first: resolve_warmup fills it while `uncertain` is built
  UncertainScenario uncertain;
  nlohmann::json resolved;
  Scenario base;
  SensitivityPlan plan;
  Tornado(const nlohmann::json& document, const std::string& fallback_name, const SensitivitySpec& spec,
          const WhatIfOptions& options)
      : uncertain(resolve_warmup(document, fallback_name, spec.warmup, warmup)),
        resolved(resolved_scenario_json(uncertain.nominal_document())),
        base(scenario_from_json(resolved, fallback_name)) {
    std::vector<std::string> uncertain_leaves;
    for (const auto& pointers : uncertain.resolved_pointers())
      uncertain_leaves.insert(uncertain_leaves.end(), pointers.begin(), pointers.end());
    plan = plan_sensitivity(resolved, spec.parameters, spec.vary, uncertain_leaves, options.cancel);
  }
};

/// The most a tornado's base keeps of its lead phase for its variants (about 4,000 replications of
/// saas_baseline); beyond it every run simulates every source, as when nothing is shared.
constexpr std::uint64_t kMostTornadoRecord = std::uint64_t{1} << 30;

/// The bytes the tornado's base keeps of its lead phase; 0 when it keeps none (uncertain inputs
/// draw a model per replication, or the record would pass kMostTornadoRecord).
std::uint64_t tornado_record_bytes(const Tornado& tornado, const RunOptions& run) {
  if (!tornado.uncertain.empty()) return 0;
  const std::uint64_t bytes =
      estimate_memory(compile_model(tornado.base), run.replications, run.threads, false).lead_phase_per_replication *
      run.replications;
  return bytes <= kMostTornadoRecord ? bytes : 0;
}

}  // namespace

RunOptions run_options_for(const Scenario& scenario, const WhatIfOptions& options) {
  RunOptions run;
  run.seed = options.seed.value_or(scenario.seed);
  run.replications = options.replications.value_or(scenario.replications);
  run.first_replication = options.first_replication;
  run.threads = options.threads;
  run.cancel = options.cancel;
  return run;
}

std::uint64_t most_replications(const Scenario& scenario, const WhatIfOptions& options) {
  return options.precision ? options.replications.value_or(kPrecisionCap)
                           : options.replications.value_or(scenario.replications);
}

std::optional<ScenarioRun> run_scenario(const RunnableScenario& runnable, const WhatIfOptions& options) {
  const Scenario& scenario = runnable.scenario();
  const RunOptions run = run_options_for(scenario, options);
  RunInfo info{scenario.name,         run.seed,     run.replications,  run.first_replication,
               scenario.horizon_days, std::nullopt, runnable.warmup(), runnable.provenance()};
  auto run_batch = [&](std::uint64_t first, std::uint64_t count) {
    RunOptions batch = run;
    batch.first_replication = first;
    batch.replications = count;
    const std::uint64_t before = first - run.first_replication;
    if (options.progress)
      batch.progress = [&options, before](std::uint64_t done, std::uint64_t total) {
        options.progress(before + done, before + total);
      };
    if (runnable.uncertain().empty() && !options.precision && !options.units) {
      const nlohmann::json& document = runnable.uncertain().nominal_document();
      if (options.record_lead_phase) record_lead_phase(batch, document, *options.record_lead_phase);
      if (options.reuse_lead_phase) reuse_lead_phase(batch, document, *options.reuse_lead_phase);
    }
    return runnable.run(batch);
  };
  PrecisionOutcome outcome;
  std::optional<RunResult> shard_result;
  if (options.units) {  // a shard records its block, a merge replays every replication
    ScenarioResults parts(1);
    const auto record_batch = [&](std::uint64_t first, std::uint64_t count) {
      parts[0] = run_batch(first, count);
      return !parts[0]->cancelled;
    };
    const auto no_points = [](std::uint64_t) -> RunResult { throw std::logic_error("run_scenario: no points"); };
    if (run_units(1, run, options, record_batch, no_points, parts, JobUnitKind::replications,
                  runnable.provenance().resolved_sha256) == 0)
      return std::nullopt;
    shard_result = std::move(parts[0]);
  }
  RunResult result = shard_result        ? std::move(*shard_result)
                     : options.precision ? run_to_precision(run_batch, *options.precision, run.first_replication,
                                                            most_replications(scenario, options), outcome)
                                         : run_batch(run.first_replication, run.replications);
  if (result.cancelled) return std::nullopt;
  if (options.precision) {
    info.replications = result.table.replications();
    info.precision = outcome;
  }
  RunSummary summary = summarize_run(result.table);
  std::optional<UncertainDraws> draws;
  if (!runnable.uncertain().empty())
    draws = runnable.uncertain().draws(info.seed, info.first_replication, info.replications);
  return ScenarioRun{std::move(info), std::move(result), std::move(summary), std::move(draws)};
}

std::optional<ComparisonReport> run_comparison(const std::vector<RunnableScenario>& scenarios,
                                               const std::vector<std::string>& files, const WhatIfOptions& options) {
  if (scenarios.size() < 2 || files.size() != scenarios.size())
    throw std::invalid_argument("run_comparison: a base and at least one variant, one file name each");
  // The base decides seed and replication count; every scenario then runs the same ones.
  const RunOptions run = run_options_for(scenarios.front().scenario(), options);
  ScenarioResults results;
  ComparisonReport report;
  PrecisionOutcome outcome;
  report.replications = run_scenarios(scenarios, run, options, widest_paired_width, results, outcome,
                                      JobUnitKind::replications, scenarios_sha256(scenarios));
  if (any_cancelled(results)) return std::nullopt;

  std::vector<std::string> names;
  for (const RunnableScenario& scenario : scenarios) names.push_back(scenario.scenario().name);
  const std::vector<std::string> labels = unique_labels(names);
  report.base = {labels[0], files[0], uncertain_pointers(scenarios[0]), scenarios[0].warmup(),
                 scenarios[0].provenance()};
  report.seed = run.seed;
  report.first_replication = run.first_replication;
  if (options.precision) report.precision = outcome;
  report.horizon_days = scenarios.front().scenario().horizon_days;
  for (std::size_t v = 1; v < scenarios.size(); ++v) {
    report.variants.push_back(
        {labels[v], files[v], uncertain_pointers(scenarios[v]), scenarios[v].warmup(), scenarios[v].provenance()});
    report.results.push_back(compare_tables(results[0]->table, results[v]->table));
  }
  for (const auto& r : results) report.weekly.push_back({r->table.weeks(), summarize_weekly(r->table, 0)});
  return report;
}

std::optional<SweepReport> run_sweep(const nlohmann::json& document, const std::string& file, SweepSpec spec,
                                     const WhatIfOptions& options, const ScenarioOrigin& origin) {
  const std::string fallback_name = std::filesystem::path(file).stem().string();
  const RunnableScenario base(document, fallback_name, origin, spec.warmup);  // seed, replications, warm-up
  const std::vector<RunnableScenario> scenarios = sweep_scenarios(document, file, spec, base.warmup());

  const RunOptions run = run_options_for(base.scenario(), options);
  SweepReport report;
  report.scenario = base.scenario().name;
  report.file = file;
  report.provenance = base.provenance();
  report.seed = run.seed;
  report.first_replication = run.first_replication;
  report.parameters = std::move(spec.parameters);
  for (SweepParameter& p : report.parameters) p.title = parameter_title(document, p.pointer);
  report.points = std::move(spec.points);
  report.objective = std::move(spec.objective);
  report.pareto = spec.pareto;
  report.warmup = base.warmup();
  ScenarioResults results;
  PrecisionOutcome outcome;
  report.replications = run_scenarios(scenarios, run, options, widest_mean_width, results, outcome,
                                      JobUnitKind::sweep_points, base.provenance().resolved_sha256);
  if (any_cancelled(results)) return std::nullopt;
  if (options.precision) report.precision = outcome;
  for (const auto& point : results) report.summaries.push_back(summarize_run(point->table));
  return report;
}

std::optional<SensitivityReport> run_sensitivity(const nlohmann::json& document, const std::string& fallback_name,
                                                 const SensitivitySpec& spec, const WhatIfOptions& options,
                                                 const ScenarioOrigin& origin) {
  if (options.precision) throw std::invalid_argument("run_sensitivity: a tornado takes no precision target");
  const Tornado tornado(document, fallback_name, spec, options);
  const UncertainScenario& uncertain = tornado.uncertain;
  const nlohmann::json& resolved = tornado.resolved;
  const Scenario& base = tornado.base;
  const SensitivityPlan& plan = tornado.plan;
  if (raised(options.cancel)) return std::nullopt;

  RunOptions run = run_options_for(base, options);
  std::uint64_t done_before = 0;
  const std::uint64_t total = run.replications * (1 + 2 * plan.parameters.size());
  if (options.progress)
    run.progress = [&](std::uint64_t done, std::uint64_t) { options.progress(done_before + done, total); };
  // One run: without uncertain inputs one compiled model, with them one per replication.
  const auto ratio = ratio_columns(ScopeKind::funnel, spec.metric);
  // A shard runs its block of the runs (0 the base, then each parameter's low and high side).
  const bool recording = options.units && !options.units->replaying();
  const bool replaying = options.units && options.units->replaying();
  if (options.units)
    options.units->begin({"",
                          {},
                          resolved_sha256(uncertain),
                          run.seed,
                          JobUnitKind::sensitivity_runs,
                          1 + 2 * plan.parameters.size(),
                          run.first_replication});
  std::size_t next_run = 0;
  // The base run keeps its lead phase; each variant simulates only the sources its change reaches
  // (lead_phase_keys.hpp), the rest it takes from the base: the same bytes, a fraction of the work.
  SharedLeadPhase base_phase;
  const bool share_base = tornado_record_bytes(tornado, run) > 0;
  auto metric_of = [&](const ResolvedEdit& edit) {
    const std::size_t index = next_run++;
    if (recording && !options.units->wants(index)) return MetricRun{};
    const RunResult result = [&] {
      if (replaying) return options.units->take(index);
      if (!uncertain.empty()) return run_uncertain(uncertain, fallback_name, run, edit);
      nlohmann::json doc = resolved;
      RunOptions shared = run;
      if (!edit) {
        if (share_base) record_lead_phase(shared, doc, base_phase);
      } else {
        edit(doc);
        reuse_lead_phase(shared, doc, base_phase);
      }
      return run_replications(compile_model(scenario_from_json(doc, fallback_name)), shared);
    }();
    if (recording && result.cancelled) options.units->set_cancelled();
    if (recording && !result.cancelled) options.units->keep(index, result.table);
    done_before += run.replications;
    MetricRun metric;
    result.table.column(0, spec.metric, metric.values);
    if (ratio) {
      result.table.column(0, ratio->numerator, metric.numerators);
      result.table.column(0, ratio->denominator, metric.denominators);
    }
    return metric;
  };
  const MetricRun base_run = metric_of({});
  std::vector<MetricRun> low, high;
  for (const SensitivityParameter& p : plan.parameters) {
    if (raised(options.cancel)) break;
    low.push_back(metric_of([&](nlohmann::json& doc) { set_parameter(doc, p.pointer, p.low_value); }));
    high.push_back(metric_of([&](nlohmann::json& doc) { set_parameter(doc, p.pointer, p.high_value); }));
  }
  if (raised(options.cancel) || recording) return std::nullopt;

  SensitivityReport report;
  report.scenario = base.name;
  report.provenance = {origin, resolved_sha256(uncertain)};
  report.seed = run.seed;
  report.replications = run.replications;
  report.metric = spec.metric;
  report.vary = spec.vary;
  report.base = summarize(base_run.values);
  if (ratio) report.base_pooled = pooled_ratio(base_run.numerators, base_run.denominators);
  report.effects = rank_effects(plan, base_run, low, high, metric_defs()[spec.metric].better);
  report.skipped = plan.skipped;
  report.warmup = tornado.warmup;
  if (!uncertain.empty()) {
    const UncertainDraws draws = uncertain.draws(run.seed, run.first_replication, run.replications);
    report.uncertain = UncertainSensitivity{draws.parameters, regression_sensitivity(draws.values, base_run.values)};
  }
  return report;
}

MemoryEstimate estimate_run_memory(const RunnableScenario& scenario, const WhatIfOptions& options, bool with_outputs) {
  MemoryEstimate e =
      scenario_estimate(scenario, most_replications(scenario.scenario(), options), options.threads, with_outputs);
  if (options.precision) e.table *= 2;  // the table grows batch by batch: old and new copies at once
  return e;
}

MemoryEstimate estimate_comparison_memory(const std::vector<RunnableScenario>& scenarios, const WhatIfOptions& options,
                                          bool with_outputs) {
  if (scenarios.empty()) return {};
  // Each variant's comparison: statistics of every metric of every scope, paired.
  return scenarios_estimate(scenarios, options, with_outputs, 2 * summary_bytes(scenarios.front().nominal_model()));
}

MemoryEstimate estimate_sweep_memory(const nlohmann::json& document, const std::string& file, const SweepSpec& spec,
                                     const WhatIfOptions& options, bool with_outputs) {
  WarmupChoice warmup;
  const nlohmann::json resolved =
      resolve_warmup(document, std::filesystem::path(file).stem().string(), spec.warmup, warmup);
  const std::vector<RunnableScenario> scenarios = sweep_scenarios(resolved, file, spec, warmup);
  if (scenarios.empty()) return {};
  return scenarios_estimate(scenarios, options, with_outputs, summary_bytes(scenarios.front().nominal_model()));
}

MemoryEstimate estimate_sensitivity_memory(const nlohmann::json& document, const std::string& fallback_name,
                                           const SensitivitySpec& spec, const WhatIfOptions& options) {
  const Tornado tornado(document, fallback_name, spec, options);
  const UncertainScenario& uncertain = tornado.uncertain;
  const nlohmann::json& resolved = tornado.resolved;
  const Scenario& base = tornado.base;
  const SensitivityPlan& plan = tornado.plan;
  const std::uint64_t replications = run_options_for(base, options).replications;
  // The runs follow one another: the largest of them, with the metric's column of each kept.
  const auto estimate_of = [&](const ResolvedEdit& edit) {
    if (!uncertain.empty())
      return estimate_memory(uncertain, fallback_name, replications, options.threads, false, edit);
    nlohmann::json doc = resolved;
    if (edit) edit(doc);
    return estimate_memory(compile_model(scenario_from_json(doc, fallback_name)), replications, options.threads, false);
  };
  MemoryEstimate most = estimate_of({});
  for (const SensitivityParameter& p : plan.parameters)
    for (const nlohmann::json* value : {&p.low_value, &p.high_value}) {
      const MemoryEstimate e = estimate_of([&](nlohmann::json& doc) { set_parameter(doc, p.pointer, *value); });
      if (e.total() > most.total()) most = e;
    }
  const double runs = static_cast<double>(1 + 2 * plan.parameters.size());
  most.fixed += tornado_record_bytes(tornado, run_options_for(base, options));  // the base's lead phase, kept
  most.summary += static_cast<std::uint64_t>(runs * static_cast<double>(replications) * 2 * sizeof(double) +
                                             runs * 4096.0 + static_cast<double>(resolved.dump().size()) * 64 * runs);
  return most;
}

}  // namespace funnelsim
