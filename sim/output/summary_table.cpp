#include <algorithm>
#include <cmath>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <vector>

#include "funnelsim/output/comparison_output.hpp"
#include "funnelsim/output/run_output.hpp"
#include "output/format.hpp"
#include "output/notes.hpp"
#include "output/text_table.hpp"
#include "funnelsim/core/regression.hpp"

namespace funnelsim {
namespace {

/// The uncertain inputs' draws, and the share of each headline metric's spread they explain.
std::string uncertain_text(const RunReport& report) {
  const UncertainDraws& u = *report.uncertain;
  TextTable draws({"parameter", "distribution", "sampled mean", "sd", "P10", "P50", "P90", "clamped"}, "llrrrrrr");
  auto g = [](double v) { return std::isnan(v) ? std::string("n/a") : fmt::format("{:.4g}", v); };
  for (std::size_t k = 0; k < u.parameters.size(); ++k) {
    const SummaryStats s = summarize(u.values[k]);
    draws.add({u.parameters[k].pointer, distribution_text(u.parameters[k]), g(s.mean), g(s.sd), g(s.p10), g(s.p50),
               g(s.p90), fmt::format("{}", u.clamped[k])});
  }
  std::string out = "\nuncertain inputs (drawn once per replication)\n" + draws.render();
  TextTable split({"spread across replications", "from the uncertain inputs", "from the quarter itself"}, "lrr");
  std::vector<double> column;
  for (std::string_view name : headline_metrics()) {
    const std::size_t m = metric_index(name);
    if (m >= metric_defs().size()) continue;
    report.table.column(0, m, column);
    const double r2 = regression_sensitivity(u.values, column).r_squared;
    auto pct = [](double v) { return std::isnan(v) ? std::string("n/a") : fmt::format("{:.1f}%", 100.0 * v); };
    split.add({std::string(name), pct(r2), pct(1.0 - r2)});
  }
  out += '\n' + split.render();
  out += "(R^2 of a linear regression of each metric on the draws; see docs/model.md)\n";
  return out;
}

/// Short column headings of the by-source and by-team tables; other metrics head by name.
std::string heading(std::string_view metric) {
  static constexpr std::pair<std::string_view, std::string_view> kShort[] = {{"mqls", "MQLs"},
                                                                             {"lead_to_mql_rate", "lead>MQL"},
                                                                             {"sqls", "SQLs"},
                                                                             {"mql_to_sql_rate", "MQL>SQL"},
                                                                             {"cost_per_mql", "cost/MQL"},
                                                                             {"cost_per_sql_marketing", "cost/SQL mkt"},
                                                                             {"opportunities", "opps"},
                                                                             {"pipeline_value", "pipeline"},
                                                                             {"won_deals", "won"},
                                                                             {"cost_per_sql_loaded", "cost/SQL load"},
                                                                             {"cac", "CAC"},
                                                                             {"response_time_hours", "response h"},
                                                                             {"response_time_hours_p90", "resp. P90"},
                                                                             {"sla_attainment", "SLA"},
                                                                             {"queue_length_mean", "queue len"},
                                                                             {"rep_utilization", "utiliz."},
                                                                             {"cold_leads", "cold"},
                                                                             {"backlog_at_end", "backlog end"}};
  for (const auto& [name, text] : kShort)
    if (name == metric) return std::string(text);
  return std::string(metric);
}

/// One table of scopes of a kind (rows) by metrics (columns), headline figures; a figure whose
/// ratio is undefined in some replications is marked "*" and explained under the table.
std::string scope_table(const RunReport& report, ScopeKind kind, std::string_view title,
                        const std::vector<std::size_t>& metrics) {
  const RunSummary& s = report.summary;
  const auto defs = metric_defs(kind);
  std::vector<std::string> header{std::string(title)};
  std::string align = "l";
  for (std::size_t m : metrics) {
    header.push_back(heading(defs[m].name));
    align += 'r';
  }
  TextTable table(header, align);
  std::vector<std::string> notes;
  for (std::size_t scope = 1; scope < s.scopes.size(); ++scope) {
    if (s.scopes[scope].kind != kind) continue;
    std::vector<std::string> row{s.scopes[scope].name};
    for (std::size_t m : metrics) {
      std::string cell = display_value(s.headline(scope, m).value, defs[m].unit);
      const std::string note =
          undefined_note(kind, m, s.metric(scope, m).n_defined, report.info.replications, report.info.horizon_days);
      if (!note.empty() && defs[m].is_ratio()) {
        cell += '*';
        notes.push_back(fmt::format("  * {} {}: {}", s.scopes[scope].name, defs[m].name, note));
      }
      row.push_back(std::move(cell));
    }
    table.add(std::move(row));
  }
  if (table.empty()) return {};
  std::string out = '\n' + table.render();
  for (const std::string& note : notes) out += note + '\n';
  return out;
}

}  // namespace

std::string summary_table(const RunReport& report, std::span<const std::string> chosen) {
  const RunSummary& s = report.summary;
  const int horizon = report.info.horizon_days;
  std::string out =
      fmt::format("funnelsim {} | scenario {} | {} replications of {} days | seed {}\n\n", FUNNELSIM_VERSION,
                  report.info.scenario, report.info.replications, horizon, report.info.seed);
  if (const auto& p = report.info.precision)
    out += precision_text(*p,
                          metric_defs()[p->target.metric].is_ratio() ? "the 95% CI half-width of the pooled"
                                                                     : "the 95% CI half-width of the mean of",
                          metric_defs()[p->target.metric].is_ratio() ? "the pooled ratio" : "the mean",
                          report.info.replications) +
           "\n";
  const double closed_share = s.pooled_ratio(0, Metric::opportunities_closed_share).value;
  std::vector<std::string_view> all_names;
  for (const MetricDef& d : metric_defs()) all_names.push_back(d.name);
  TextTable table({"metric (whole funnel)", "value", "95% CI", "figure", "P10", "P50", "P90", "note"}, "lrrlrrrl");
  std::vector<std::string_view> never_defined;
  for (std::size_t m : chosen_metrics(chosen, ScopeKind::funnel, all_names)) {
    const MetricDef& d = metric_defs()[m];
    const SummaryStats& st = s.metric(0, m);
    if (st.n_defined == 0) {  // e.g. sales metrics without sales teams: listed once below instead
      never_defined.push_back(d.name);
      continue;
    }
    const HeadlineFigure h = s.headline(0, m);
    std::string note = undefined_note(ScopeKind::funnel, m, st.n_defined, report.info.replications, horizon);
    if (counts_closed_deals(ScopeKind::funnel, m))
      if (const std::string h_note = horizon_note(closed_share); !h_note.empty())
        note += (note.empty() ? "" : "; ") + h_note;
    table.add({std::string(d.name), display_value(h.value, d.unit), display_interval(h.ci95_low, h.ci95_high, d.unit),
               h.pooled ? "pooled" : "mean", display_value(st.p10, d.unit), display_value(st.p50, d.unit),
               display_value(st.p90, d.unit), note});
  }
  if (!table.empty()) {
    out += table.render();
    out +=
        "value: for a ratio the pooled ratio (its total numerator / total denominator over the replications), for\n"
        "the rest the mean per replication, with its 95% CI; P10, P50, P90: the spread across replications.\n";
  }
  if (!never_defined.empty())
    out += fmt::format("not defined in any replication: {}\n", fmt::join(never_defined, ", "));
  const bool pipeline = s.metric(0, Metric::opportunities).n_defined > 0;
  if (const std::string sentence = horizon_sentence(closed_share, horizon); pipeline && !sentence.empty())
    out += sentence + '\n';

  static constexpr std::string_view kBySource[] = {"leads",           "mqls",         "lead_to_mql_rate",      "sqls",
                                                   "mql_to_sql_rate", "cost_per_mql", "cost_per_sql_marketing"};
  static constexpr std::string_view kPipeline[] = {"opportunities", "pipeline_value",      "won_deals",
                                                   "revenue",       "cost_per_sql_loaded", "cac"};
  static constexpr std::string_view kByTeam[] = {"mqls",           "response_time_hours", "response_time_hours_p90",
                                                 "sla_attainment", "queue_length_mean",   "rep_utilization",
                                                 "sqls",           "cold_leads",          "backlog_at_end"};
  if (chosen.empty()) {
    out += scope_table(report, ScopeKind::funnel, "by source (ratios pooled)",
                       chosen_metrics({}, ScopeKind::funnel, kBySource));
    if (pipeline)
      out += scope_table(report, ScopeKind::funnel, "pipeline by source",
                         chosen_metrics({}, ScopeKind::funnel, kPipeline));
    if (s.metric(0, Metric::contact_attempts).n_defined > 0)
      out +=
          scope_table(report, ScopeKind::team, "by team (ratios pooled)", chosen_metrics({}, ScopeKind::team, kByTeam));
  } else {
    if (const auto m = chosen_metrics(chosen, ScopeKind::funnel, {}); !m.empty())
      out += scope_table(report, ScopeKind::funnel, "by source (ratios pooled)", m);
    if (const auto m = chosen_metrics(chosen, ScopeKind::team, {}); !m.empty())
      out += scope_table(report, ScopeKind::team, "by team (ratios pooled)", m);
  }
  if (report.uncertain && !report.uncertain->parameters.empty()) out += uncertain_text(report);
  // The same scenario, seed and replications give the same digest on any thread count, rank count
  // or shard split; `funnelsim bench` prints it too, to show it timed this very work.
  out += '\n';  // in steps: "\n" + string trips g++ 12's -Wrestrict
  out += checksum_line(report.table);
  out += '\n';
  return out;
}

std::string checksum_line(const ReplicationTable& table) {
  return fmt::format("checksum of the replications (sha256): {}", table.checksum());
}

}  // namespace funnelsim
