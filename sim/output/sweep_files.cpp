#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "funnelsim/output/run_output.hpp"
#include "output/format.hpp"
#include "output/provenance_json.hpp"
#include "funnelsim/output/sweep_output.hpp"

namespace funnelsim {
namespace {

using ordered_json = nlohmann::ordered_json;

ordered_json objective_json(const Objective& o, const std::vector<std::vector<double>>& means) {
  ordered_json constraints = ordered_json::array();
  for (const Constraint& c : o.constraints) constraints.push_back(constraint_text(c));
  const auto best = best_point(o, means);
  return {{"text", objective_text(o)},
          {"goal", o.maximize ? "maximize" : "minimize"},
          {"metric", metric_defs()[o.metric].name},
          {"constraints", constraints},
          {"best_point", best ? ordered_json(*best) : ordered_json(nullptr)}};
}

}  // namespace

std::string sweep_csv(const SweepReport& report) {
  std::string out = "point";
  for (const SweepParameter& p : report.parameters) (out += ',') += csv_field(p.pointer);
  out +=
      ",scope_kind,scope,metric,mean,ci95_low,ci95_high,p10,p50,p90,n_defined,pooled,pooled_ci95_low,pooled_ci95_"
      "high\n";
  for (std::size_t p = 0; p < report.points.size(); ++p) {
    std::string prefix = fmt::format("{}", p);
    for (std::size_t i = 0; i < report.parameters.size(); ++i) {
      const auto& value = report.parameters[i].values[report.points[p][i]];
      (prefix += ',') += value.is_number() ? value_text(value) : csv_field(value_text(value));  // -3.5 stays a number
    }
    const RunSummary& s = report.summaries[p];
    for (std::size_t scope = 0; scope < s.scopes.size(); ++scope) {
      const auto defs = metric_defs(s.scopes[scope].kind);
      for (std::size_t m = 0; m < defs.size(); ++m) {
        const SummaryStats& st = s.metric(scope, m);
        const PooledRatio& pooled = s.pooled_ratio(scope, m);
        out += fmt::format("{},{},{},{},{},{},{},{},{},{},{},{},{},{}\n", prefix, scope_kind_name(s.scopes[scope].kind),
                           csv_field(s.scopes[scope].name), defs[m].name, format_number(st.mean),
                           format_number(st.ci95_low), format_number(st.ci95_high), format_number(st.p10),
                           format_number(st.p50), format_number(st.p90), st.n_defined, format_number(pooled.value),
                           format_number(pooled.ci95_low), format_number(pooled.ci95_high));
      }
    }
  }
  return out;
}

std::string sweep_json(const SweepReport& report) {
  const auto means = report.funnel_values();
  ordered_json j;
  j["funnelsim_version"] = FUNNELSIM_VERSION;
  j["scenario"] = report.scenario;
  j["file"] = report.file;
  j["provenance"] = provenance_json(report.provenance);
  j["seed"] = report.seed;
  j["replications"] = report.replications;
  add_warmup_fields(j, report.warmup);
  if (report.first_replication != 0) j["first_replication"] = report.first_replication;
  if (report.precision)
    j["precision"] = precision_json(*report.precision,
                                    "every point's headline figure (a ratio's pooled ratio, "
                                    "else its mean), relative to that figure");
  j["statistics"] = statistics_legend();
  ordered_json parameters = ordered_json::array();
  for (const SweepParameter& p : report.parameters)
    parameters.push_back(
        {{"pointer", p.pointer}, {"title", p.title}, {"values", ordered_json::parse(nlohmann::json(p.values).dump())}});
  j["parameters"] = parameters;
  j["objective"] = report.objective ? objective_json(*report.objective, means) : ordered_json(nullptr);
  std::vector<bool> front;
  if (report.pareto) {
    front = pareto_front(*report.pareto, means);
    j["pareto"] = {{"x", metric_defs()[report.pareto->x].name}, {"y", metric_defs()[report.pareto->y].name}};
  } else {
    j["pareto"] = nullptr;
  }
  const auto best = report.objective ? best_point(*report.objective, means) : std::nullopt;
  ordered_json points = ordered_json::array();
  for (std::size_t p = 0; p < report.points.size(); ++p) {
    ordered_json point = {{"point", p}};
    ordered_json values = ordered_json::object();
    for (std::size_t i = 0; i < report.parameters.size(); ++i)
      values[report.parameters[i].pointer] =
          ordered_json::parse(report.parameters[i].values[report.points[p][i]].dump());
    point["values"] = values;
    if (report.objective) {
      point["feasible"] = is_feasible(*report.objective, means[p]);
      point["best"] = best == p;
    }
    if (report.pareto) point["pareto"] = static_cast<bool>(front[p]);
    add_summary_scopes(point, report.summaries[p]);
    points.push_back(std::move(point));
  }
  j["points"] = points;
  return j.dump(2) + "\n";
}

}  // namespace funnelsim
