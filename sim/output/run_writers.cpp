#include <cmath>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "funnelsim/output/comparison_output.hpp"
#include "funnelsim/output/run_output.hpp"
#include "output/format.hpp"
#include "output/provenance_json.hpp"
#include "funnelsim/core/regression.hpp"

namespace funnelsim {
namespace {

using ordered_json = nlohmann::ordered_json;

/// Column prefix of a scope in replications.csv: "" for the whole funnel, "<source>.",
/// "team.<team>.", "rep.<team>.<n>.".
std::string column_prefix(const Scope& scope, std::size_t index) {
  if (index == 0) return "";
  if (scope.kind == ScopeKind::funnel) return scope.name + ".";
  return fmt::format("{}.{}.", scope_kind_name(scope.kind), scope.name);
}

/// The uncertain inputs: their draws' statistics, and how much of each headline metric's spread
/// across replications they explain (R^2 of a regression on the draws).
void add_uncertain(ordered_json& j, const RunReport& report) {
  const UncertainDraws& u = *report.uncertain;
  ordered_json list = ordered_json::array();
  for (std::size_t k = 0; k < u.parameters.size(); ++k) {
    const UncertainParameter& p = u.parameters[k];
    ordered_json params = ordered_json::object();
    for (const auto& [name, _] : p.params) params[name] = ordered_json::parse(p.written.at(name).dump());
    const SummaryStats s = summarize(u.values[k]);
    list.push_back({{"pointer", p.pointer},
                    {"distribution", distribution_name(p.distribution)},
                    {"params", params},
                    {"clamped", u.clamped[k]},
                    {"sampled",
                     {{"mean", number_or_null(s.mean)},
                      {"sd", number_or_null(s.sd)},
                      {"p10", number_or_null(s.p10)},
                      {"p50", number_or_null(s.p50)},
                      {"p90", number_or_null(s.p90)}}}});
  }
  j["uncertain_parameters"] = list;
  ordered_json metrics = ordered_json::object();
  std::vector<double> column;
  for (std::string_view name : headline_metrics()) {
    const std::size_t m = metric_index(name);
    if (m >= metric_defs().size()) continue;
    report.table.column(0, m, column);
    const RegressionSensitivity r = regression_sensitivity(u.values, column);
    metrics[std::string(name)] = {{"n_defined", r.n},
                                  {"uncertain_inputs_share", number_or_null(r.r_squared)},
                                  {"random_share", number_or_null(1.0 - r.r_squared)}};
  }
  j["variance_split"] = {
      {"method",
       "R^2 of a least-squares regression of the metric on the uncertain inputs' draws (standardized, with every "
       "input at once) over the replications where it is defined: the share of its variance across replications "
       "that not knowing the inputs explains; the rest is the quarter's own randomness (and any effect of the inputs "
       "that is not linear)"},
      {"metrics", metrics}};
}

class SummaryJsonWriter final : public OutputWriter {
 public:
  std::string file_name() const override { return "summary.json"; }
  std::string render(const RunReport& report) const override {
    ordered_json j;
    j["funnelsim_version"] = FUNNELSIM_VERSION;
    j["scenario"] = report.info.scenario;
    j["seed"] = report.info.seed;
    j["replications"] = report.info.replications;
    if (report.info.first_replication != 0) j["first_replication"] = report.info.first_replication;
    if (const auto& p = report.info.precision) j["precision"] = precision_json(*p);
    j["horizon_days"] = report.info.horizon_days;
    add_warmup_fields(j, report.info.warmup);
    j["provenance"] = provenance_json(report.info.provenance);
    j["statistics"] = statistics_legend();
    add_summary_scopes(j, report.summary);
    if (report.uncertain && !report.uncertain->parameters.empty()) add_uncertain(j, report);
    add_metric_definitions(j);
    return j.dump(2) + "\n";
  }
};

/// The metric columns of every scope, then the component columns of every scope (so a metric's
/// column stays where it was when components are added).
class ReplicationsCsvWriter final : public OutputWriter {
 public:
  std::string file_name() const override { return "replications.csv"; }
  std::string render(const RunReport& report) const override {
    const ReplicationTable& t = report.table;
    std::string out = "replication";
    for (std::size_t scope = 0; scope < t.scopes(); ++scope)
      for (const MetricDef& d : metric_defs(t.scope(scope).kind))
        (out += ',') += csv_field(column_prefix(t.scope(scope), scope) + std::string(d.name));
    for (std::size_t scope = 0; scope < t.scopes(); ++scope)
      for (const ComponentDef& c : component_defs(t.scope(scope).kind))
        (out += ',') += csv_field(column_prefix(t.scope(scope), scope) + std::string(c.name));
    out += '\n';
    for (std::size_t r = 0; r < t.replications(); ++r) {
      out += fmt::format("{}", report.info.first_replication + r);
      for (std::size_t scope = 0; scope < t.scopes(); ++scope)
        for (double v : t.row(r, scope)) (out += ',') += format_number(v);
      for (std::size_t scope = 0; scope < t.scopes(); ++scope)
        for (double v : t.components(r, scope)) (out += ',') += format_number(v);
      out += '\n';
    }
    return out;
  }
};

/// summary.csv: one row per scope and metric, for spreadsheets: the headline figure first, then
/// the pooled ratio and the distribution across replications.
class SummaryCsvWriter final : public OutputWriter {
 public:
  std::string file_name() const override { return "summary.csv"; }
  std::string render(const RunReport& report) const override {
    const RunSummary& s = report.summary;
    std::string out =
        "scope_kind,scope,metric,unit,headline,value,value_ci95_low,value_ci95_high,pooled,pooled_ci95_low,"
        "pooled_ci95_high,pooled_se,pooled_n";
    for (std::string_view name : statistic_names()) (out += ',') += name;
    out += '\n';
    for (std::size_t scope = 0; scope < s.scopes.size(); ++scope) {
      const auto defs = metric_defs(s.scopes[scope].kind);
      for (std::size_t m = 0; m < defs.size(); ++m) {
        const HeadlineFigure h = s.headline(scope, m);
        const PooledRatio& p = s.pooled_ratio(scope, m);
        const bool ratio = defs[m].is_ratio();
        out += fmt::format("{},{},{},{},{},{},{},{}", scope_kind_name(s.scopes[scope].kind),
                           csv_field(s.scopes[scope].name), defs[m].name, csv_field(defs[m].unit),
                           ratio ? "pooled" : "mean", format_number(h.value), format_number(h.ci95_low),
                           format_number(h.ci95_high));
        if (ratio)
          out += fmt::format(",{},{},{},{},{}", format_number(p.value), format_number(p.ci95_low),
                             format_number(p.ci95_high), format_number(p.se), p.n);
        else
          out += ",,,,,";
        const SummaryStats& st = s.metric(scope, m);
        for (std::string_view name : statistic_names()) (out += ',') += format_number(st.get(name));
        out += '\n';
      }
    }
    return out;
  }
};

class WeeklyCsvWriter final : public OutputWriter {
 public:
  std::string file_name() const override { return "weekly.csv"; }
  std::string render(const RunReport& report) const override {
    const RunSummary& s = report.summary;
    std::string out = "source,series,week,first_day";
    for (std::string_view name : statistic_names()) (out += ',') += name;
    out += '\n';
    for (std::size_t scope = 0; scope < report.table.funnel_scopes(); ++scope) {
      for (std::size_t k = 0; k < kSeriesCount; ++k) {
        for (std::size_t w = 0; w < s.weeks; ++w) {
          const SummaryStats& st = s.week(scope, static_cast<Series>(k), w);
          out += fmt::format("{},{},{},{}", csv_field(s.scopes[scope].name), series_names()[k], w + 1, 7 * w);
          for (std::string_view name : statistic_names()) (out += ',') += format_number(st.get(name));
          out += '\n';
        }
      }
    }
    return out;
  }
};

}  // namespace

std::unique_ptr<OutputWriter> summary_json_writer() { return std::make_unique<SummaryJsonWriter>(); }
std::unique_ptr<OutputWriter> replications_csv_writer() { return std::make_unique<ReplicationsCsvWriter>(); }
std::unique_ptr<OutputWriter> summary_csv_writer() { return std::make_unique<SummaryCsvWriter>(); }
std::unique_ptr<OutputWriter> weekly_csv_writer() { return std::make_unique<WeeklyCsvWriter>(); }

std::vector<std::unique_ptr<OutputWriter>> run_output_writers() {
  std::vector<std::unique_ptr<OutputWriter>> writers;
  writers.push_back(summary_json_writer());
  writers.push_back(summary_csv_writer());
  writers.push_back(replications_csv_writer());
  writers.push_back(weekly_csv_writer());
  return writers;
}

}  // namespace funnelsim
