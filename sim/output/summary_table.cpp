#include <algorithm>
#include <cmath>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <vector>

#include "funnelsim/output/comparison_output.hpp"
#include "funnelsim/output/run_output.hpp"
#include "output/format.hpp"
#include "funnelsim/core/regression.hpp"

namespace funnelsim {
namespace {

/// The uncertain inputs' draws, and the share of each headline metric's spread they explain.
std::string uncertain_text(const RunReport& report) {
  const UncertainDraws& u = *report.uncertain;
  std::size_t width = 9, dist_width = 12;
  for (const UncertainParameter& p : u.parameters) {
    width = std::max(width, p.pointer.size());
    dist_width = std::max(dist_width, distribution_text(p).size());
  }
  std::string out = "\nuncertain inputs (drawn once per replication)\n";
  out += fmt::format("{:<{}}  {:<{}} {:>12} {:>10} {:>10} {:>10} {:>10} {:>8}\n", "parameter", width, "distribution",
                     dist_width, "sampled mean", "sd", "P10", "P50", "P90", "clamped");
  for (std::size_t k = 0; k < u.parameters.size(); ++k) {
    const SummaryStats s = summarize(u.values[k]);
    auto g = [](double v) { return std::isnan(v) ? std::string("n/a") : fmt::format("{:.4g}", v); };
    out += fmt::format("{:<{}}  {:<{}} {:>12} {:>10} {:>10} {:>10} {:>10} {:>8}\n", u.parameters[k].pointer, width,
                       distribution_text(u.parameters[k]), dist_width, g(s.mean), g(s.sd), g(s.p10), g(s.p50), g(s.p90),
                       u.clamped[k]);
  }
  out += fmt::format("\n{:<22} {:>26} {:>26}\n", "spread across replications", "from the uncertain inputs",
                     "from the quarter itself");
  std::vector<double> column;
  for (std::string_view name : headline_metrics()) {
    const std::size_t m = metric_index(name);
    if (m >= metric_defs().size()) continue;
    report.table.column(0, m, column);
    const double r2 = regression_sensitivity(u.values, column).r_squared;
    auto pct = [](double v) { return std::isnan(v) ? std::string("n/a") : fmt::format("{:.1f}%", 100.0 * v); };
    out += fmt::format("{:<22} {:>26} {:>26}\n", name, pct(r2), pct(1.0 - r2));
  }
  out += "(R^2 of a linear regression of each metric on the draws; see docs/model.md)\n";
  return out;
}

}  // namespace

std::string summary_table(const RunReport& report) {
  const RunSummary& s = report.summary;
  std::string out =
      fmt::format("funnelsim {} | scenario {} | {} replications of {} days | seed {}\n\n", FUNNELSIM_VERSION,
                  report.info.scenario, report.info.replications, report.info.horizon_days, report.info.seed);
  if (const auto& p = report.info.precision)
    out += precision_text(*p, "the 95% CI half-width of the mean of", "the mean", report.info.replications) + "\n";
  out += fmt::format("{:<22} {:>12} {:>25} {:>12} {:>12} {:>12}\n", "metric (whole funnel)", "mean", "95% CI of mean",
                     "P10", "P50", "P90");
  std::vector<std::string_view> never_defined;
  for (std::size_t m = 0; m < kMetricCount; ++m) {
    const MetricDef& d = metric_defs()[m];
    const SummaryStats& st = s.metric(0, static_cast<Metric>(m));
    if (st.n_defined == 0) {  // e.g. sales metrics without sales teams: listed once below instead
      never_defined.push_back(d.name);
      continue;
    }
    const std::string ci =
        fmt::format("[{}, {}]", display_value(st.ci95_low, d.unit), display_value(st.ci95_high, d.unit));
    std::string line =
        fmt::format("{:<22} {:>12} {:>25} {:>12} {:>12} {:>12}", d.name, display_value(st.mean, d.unit), ci,
                    display_value(st.p10, d.unit), display_value(st.p50, d.unit), display_value(st.p90, d.unit));
    if (st.n_defined < report.info.replications)
      line += fmt::format("  (defined in {} of {})", st.n_defined, report.info.replications);
    out += line + '\n';
  }
  if (!never_defined.empty())
    out += fmt::format("not defined in any replication: {}\n", fmt::join(never_defined, ", "));
  out += fmt::format("\n{:<22} {:>9} {:>9} {:>10} {:>9} {:>10} {:>12} {:>12}\n", "by source (means)", "leads", "MQLs",
                     "lead>MQL", "SQLs", "MQL>SQL", "cost/MQL", "cost/SQL mkt");
  for (std::size_t scope = 1; scope < s.scopes.size() && s.scopes[scope].kind == ScopeKind::funnel; ++scope) {
    auto mean = [&](Metric m) { return display_value(s.metric(scope, m).mean, metric_def(m).unit); };
    out += fmt::format("{:<22} {:>9} {:>9} {:>10} {:>9} {:>10} {:>12} {:>12}\n", s.scopes[scope].name,
                       mean(Metric::leads), mean(Metric::mqls), mean(Metric::lead_to_mql_rate), mean(Metric::sqls),
                       mean(Metric::mql_to_sql_rate), mean(Metric::cost_per_mql), mean(Metric::cost_per_sql_marketing));
  }
  if (s.metric(0, Metric::opportunities).n_defined > 0) {
    out += fmt::format("\n{:<22} {:>9} {:>14} {:>9} {:>14} {:>14} {:>12}\n", "pipeline by source", "opps", "pipeline",
                       "won", "revenue", "cost/SQL load", "CAC");
    for (std::size_t scope = 1; scope < s.scopes.size() && s.scopes[scope].kind == ScopeKind::funnel; ++scope) {
      auto mean = [&](Metric m) { return display_value(s.metric(scope, m).mean, metric_def(m).unit); };
      out += fmt::format("{:<22} {:>9} {:>14} {:>9} {:>14} {:>14} {:>12}\n", s.scopes[scope].name,
                         mean(Metric::opportunities), mean(Metric::pipeline_value), mean(Metric::won_deals),
                         mean(Metric::revenue), mean(Metric::cost_per_sql_loaded), mean(Metric::cac));
    }
  }
  bool header = false;
  for (std::size_t scope = 1; scope < s.scopes.size(); ++scope) {
    if (s.scopes[scope].kind != ScopeKind::team) continue;
    if (!header) {
      out += fmt::format("\n{:<22} {:>8} {:>11} {:>11} {:>8} {:>10} {:>9} {:>7} {:>7}\n", "by team (means)", "MQLs",
                         "response h", "resp. P90", "SLA", "queue len", "utiliz.", "SQLs", "cold");
      header = true;
    }
    auto mean = [&](TeamMetric m) {
      const std::size_t i = static_cast<std::size_t>(m);
      return display_value(s.metric(scope, i).mean, metric_defs(ScopeKind::team)[i].unit);
    };
    out += fmt::format("{:<22} {:>8} {:>11} {:>11} {:>8} {:>10} {:>9} {:>7} {:>7}\n", s.scopes[scope].name,
                       mean(TeamMetric::mqls), mean(TeamMetric::response_time_hours),
                       mean(TeamMetric::response_time_hours_p90), mean(TeamMetric::sla_attainment),
                       mean(TeamMetric::queue_length_mean), mean(TeamMetric::rep_utilization), mean(TeamMetric::sqls),
                       mean(TeamMetric::cold_leads));
  }
  if (report.uncertain && !report.uncertain->parameters.empty()) out += uncertain_text(report);
  return out;
}

}  // namespace funnelsim
