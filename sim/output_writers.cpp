#include <cmath>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "funnelsim/output.hpp"
#include "funnelsim/output_format.hpp"

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
    j["horizon_days"] = report.info.horizon_days;
    add_summary_scopes(j, report.summary);
    ordered_json definitions = ordered_json::object();
    for (ScopeKind kind : {ScopeKind::funnel, ScopeKind::team, ScopeKind::rep}) {
      ordered_json set = ordered_json::object();
      for (const MetricDef& d : metric_defs(kind))
        set[std::string(d.name)] = {{"unit", d.unit}, {"better", better_name(d.better)}, {"description", d.description}};
      definitions[std::string(scope_kind_name(kind))] = set;
    }
    j["metric_definitions"] = definitions;
    return j.dump(2) + "\n";
  }
};

class ReplicationsCsvWriter final : public OutputWriter {
 public:
  std::string file_name() const override { return "replications.csv"; }
  std::string render(const RunReport& report) const override {
    const ReplicationTable& t = report.table;
    std::string out = "replication";
    for (std::size_t scope = 0; scope < t.scopes(); ++scope)
      for (const MetricDef& d : metric_defs(t.scope(scope).kind))
        out += fmt::format(",{}{}", column_prefix(t.scope(scope), scope), d.name);
    out += '\n';
    for (std::size_t r = 0; r < t.replications(); ++r) {
      out += fmt::format("{}", report.info.first_replication + r);
      for (std::size_t scope = 0; scope < t.scopes(); ++scope)
        for (double v : t.row(r, scope)) (out += ',') += format_number(v);
      out += '\n';
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
          out += fmt::format("{},{},{},{}", s.scopes[scope].name, series_names()[k], w + 1, 7 * w);
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
std::unique_ptr<OutputWriter> weekly_csv_writer() { return std::make_unique<WeeklyCsvWriter>(); }

std::vector<std::unique_ptr<OutputWriter>> run_output_writers() {
  std::vector<std::unique_ptr<OutputWriter>> writers;
  writers.push_back(summary_json_writer());
  writers.push_back(replications_csv_writer());
  writers.push_back(weekly_csv_writer());
  return writers;
}

}  // namespace funnelsim
