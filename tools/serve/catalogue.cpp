// Scenarios read at start and the JSON of their runs (catalogue.hpp).
#include "catalogue.hpp"

#include <cmath>

#include <fmt/format.h>

#include "funnelsim/metrics/metrics.hpp"
#include "funnelsim/scenario/origin.hpp"
#include "funnelsim/whatif/comparison.hpp"

namespace funnelsim::server {
namespace {

using nlohmann::json;

// What the explore view and the workshop show, in this order (issue 16's list): the library
// defines each one's label, unit and better direction.
constexpr Metric kShown[] = {Metric::mqls,
                             Metric::sqls,
                             Metric::mql_to_sql_rate,
                             Metric::response_time_hours,
                             Metric::sla_attainment,
                             Metric::cost_per_sql_marketing,
                             Metric::cost_per_sql_loaded,
                             Metric::pipeline_value,
                             Metric::mql_precision,
                             Metric::mql_recall};
constexpr Metric kStages[] = {Metric::leads, Metric::mqls, Metric::sqls, Metric::opportunities, Metric::won_deals};

json def_json(const MetricDef& def) {
  return {{"name", def.name}, {"label", metric_label(def)},        {"short_label", short_metric_label(def)},
          {"unit", def.unit}, {"better", better_name(def.better)}, {"description", def.description}};
}

/// "better", "worse", "unclear" (the 95% interval holds 0) or "same" (no replication differs).
std::string verdict(const HeadlineChange& change, Better better) {
  if (change.n_paired == 0 || std::isnan(change.mean)) return "unclear";
  if (change.mean == 0 && (std::isnan(change.se) || change.se == 0)) return "same";
  if (std::isnan(change.ci95_low) || std::isnan(change.ci95_high)) return "unclear";
  const int sign = change.ci95_low > 0 ? 1 : change.ci95_high < 0 ? -1 : 0;
  if (sign == 0 || better == Better::neither) return "unclear";
  return (sign > 0) == (better == Better::higher) ? "better" : "worse";
}

json change_json(const HeadlineChange& change, Better better) {
  return {{"base", change.base},
          {"value", change.variant},
          {"difference", change.mean},
          {"ci95_low", change.ci95_low},
          {"ci95_high", change.ci95_high},
          {"relative", change.relative},
          {"relative_ci95_low", change.relative_ci95_low},
          {"relative_ci95_high", change.relative_ci95_high},
          {"verdict", verdict(change, better)}};
}

json figure_json(const RunSummary& summary, std::size_t scope, std::size_t metric) {
  const HeadlineFigure figure = summary.headline(scope, metric);
  const SummaryStats& stats = summary.metric(scope, metric);
  return {{"value", figure.value},
          {"ci95_low", figure.ci95_low},
          {"ci95_high", figure.ci95_high},
          {"pooled", figure.pooled},
          {"p10", stats.p10},
          {"p90", stats.p90}};
}

}  // namespace

std::string_view better_name(Better better) {
  return better == Better::higher ? "higher" : better == Better::lower ? "lower" : "neither";
}

bool is_latent_metric(std::size_t metric) {
  const auto m = static_cast<Metric>(metric);
  return m == Metric::mql_precision || m == Metric::mql_recall || m == Metric::ready_leads ||
         m == Metric::missed_ready_leads;
}

ScenarioEntry read_entry(const std::filesystem::path& file) {
  ScenarioInput input = read_scenario_input(file);
  ScenarioEntry entry;
  entry.name = file.stem().string();
  const std::optional<WarmupChoice> choice = choose_warmup(input.document, entry.name);
  entry.warmup = choice.value_or(WarmupChoice{});
  apply_warmup(input.document, entry.warmup);
  const RunnableScenario checked(input.document, entry.name);
  entry.description = input.document.value("description", "");
  entry.seed = checked.scenario().seed;
  entry.replications = checked.scenario().replications;
  entry.horizon_days = checked.scenario().horizon_days;
  entry.levers = levers_of(input.document);
  entry.document = std::move(input.document);
  return entry;
}

json plan_document(const ScenarioEntry& entry, const json& settings, const std::string& name,
                   std::uint64_t replications) {
  json document = apply_levers(entry.document, settings);
  document["name"] = name;
  document["seed"] = entry.seed;
  document["replications"] = replications;
  (void)runnable(document, name);  // validates: the schema's error, naming the field
  return document;
}

RunnableScenario runnable(const json& document, const std::string& name) { return RunnableScenario(document, name); }

std::vector<double> headline_means(const RunSummary& summary) {
  std::vector<double> means;
  for (std::size_t m = 0; m < metric_defs(ScopeKind::funnel).size(); ++m) means.push_back(summary.headline(0, m).value);
  return means;
}

json shown_metric_defs() {
  json out = json::array();
  for (const Metric m : kShown) {
    json def = def_json(metric_def(m));
    def["description"] = metric_def(m).description;
    def["latent"] = is_latent_metric(static_cast<std::size_t>(m));
    out.push_back(std::move(def));
  }
  return out;
}

json run_json(const ScenarioRun& run, const ScenarioRun* base, bool hide_latent) {
  const RunSummary& summary = run.summary;
  std::vector<ScopeComparison> compared;
  if (base != nullptr) compared = compare_tables(base->result.table, run.result.table);
  json out{{"replications", summary.replications}, {"seed", run.info.seed}};

  json funnel = json::array();
  for (const Metric m : kStages) {
    const SummaryStats& stats = summary.metric(0, m);
    funnel.push_back({{"name", metric_def(m).name},
                      {"label", metric_label(metric_def(m))},
                      {"mean", stats.mean},
                      {"p10", stats.p10},
                      {"p50", stats.p50},
                      {"p90", stats.p90},
                      {"base", base ? base->summary.metric(0, m).mean : SummaryStats::undefined}});
  }
  out["funnel"] = std::move(funnel);

  json metrics = json::array();
  for (const Metric m : kShown) {
    const auto index = static_cast<std::size_t>(m);
    if (hide_latent && is_latent_metric(index)) continue;
    const MetricDef& def = metric_def(m);
    json item = def_json(def);
    item.update(figure_json(summary, 0, index));
    if (!compared.empty()) item["change"] = change_json(headline_change(def, compared[0].metrics[index]), def.better);
    metrics.push_back(std::move(item));
  }
  out["metrics"] = std::move(metrics);

  json teams = json::array();
  const auto utilization = static_cast<std::size_t>(TeamMetric::rep_utilization);
  const MetricDef& def = metric_defs(ScopeKind::team)[utilization];
  for (std::size_t s = 0; s < summary.scopes.size(); ++s) {
    if (summary.scopes[s].kind != ScopeKind::team) continue;
    json item = def_json(def);
    item["team"] = summary.scopes[s].name;
    item.update(figure_json(summary, s, utilization));
    for (const ScopeComparison& scope : compared)
      if (scope.scope == summary.scopes[s])
        item["change"] = change_json(headline_change(def, scope.metrics[utilization]), def.better);
    teams.push_back(std::move(item));
  }
  out["teams"] = std::move(teams);
  return out;
}

std::shared_ptr<const BaseRun> BaseRuns::get(const ScenarioEntry& entry, std::uint64_t replications,
                                             const WhatIfOptions& options) {
  const std::string key = fmt::format("{}#{}", entry.name, replications);
  {
    const std::lock_guard lock(mutex_);
    for (const auto& [k, run] : runs_)
      if (k == key) return run;
  }
  const RunnableScenario scenario =
      runnable(plan_document(entry, json::object(), entry.name, replications), entry.name);
  SharedLeadPhase lead_phase;
  lead_phase.with_leads = true;  // the threshold slider: a plan books every journey that stays below it
  WhatIfOptions recording = options;
  if (replications <= kMostSharedReplications) recording.record_lead_phase = &lead_phase;
  std::optional<ScenarioRun> run = run_scenario(scenario, recording);
  if (!run) return nullptr;
  auto shared = std::make_shared<const BaseRun>(BaseRun{std::move(*run), std::move(lead_phase)});
  const std::lock_guard lock(mutex_);
  runs_.emplace_back(key, shared);
  return shared;
}

}  // namespace funnelsim::server
