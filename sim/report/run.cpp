// The report's run section: headline numbers, the funnel with P10-P90 bands, conversion at each
// step, histograms of the headline metrics across replications, weekly fan charts, lifecycle
// states, and tables by source and by sales team.
#include <fmt/format.h>

#include <algorithm>
#include <span>
#include <cmath>
#include <string>
#include <vector>

#include "funnelsim/metrics/metrics.hpp"
#include "funnelsim/core/statistics.hpp"
#include "output/notes.hpp"
#include "report/internal.hpp"

namespace funnelsim::report_detail {
namespace {

constexpr std::string_view kBlue = "#4c78a8";
constexpr std::string_view kDark = "#1d3d63";

/// "90-day horizon", "quarter" reads wrong for a 30-day run.
std::string horizon_text(int days) { return days > 0 ? fmt::format("{}-day horizon", days) : "horizon"; }

/// Whether a metric says anything in this run: defined somewhere and not zero everywhere.
bool informative(const json& stats) {
  if (!(number(stats, "n_defined") > 0)) return false;
  return !(number(stats, "min") == 0.0 && number(stats, "max") == 0.0);
}

std::string cell(double value, std::string_view unit) { return "<td>" + html_escape(display(value, unit)) + "</td>"; }

/// The funnel metrics a table shows: those of `chosen` (--metrics) the funnel has, else `defaults`.
std::vector<std::string> shown(const std::vector<std::string>& chosen, std::span<const std::string_view> defaults,
                               ScopeKind kind = ScopeKind::funnel) {
  std::vector<std::string> out;
  if (chosen.empty()) {
    for (std::string_view m : defaults) out.emplace_back(m);
    return out;
  }
  for (const std::string& m : chosen)
    if (metric_index(m, kind) < metric_defs(kind).size()) out.push_back(m);
  return out;
}

/// A figure's cell with the note a reader needs beside it (a ratio undefined in some quarters).
std::string figure_cell(double value, std::string_view unit, const std::string& note) {
  if (note.empty()) return cell(value, unit);
  return fmt::format("<td>{} <span class=\"aside\">{}</span></td>", html_escape(display(value, unit)),
                     html_escape(note));
}

std::string headline_table(const json& metrics, const std::vector<std::string>& chosen, std::uint64_t replications,
                           int horizon) {
  static constexpr std::string_view kShown[] = {"leads",
                                                "mqls",
                                                "sqls",
                                                "mql_to_sql_rate",
                                                "opportunities",
                                                "won_deals",
                                                "spend",
                                                "cost_per_mql",
                                                "cost_per_sql_marketing",
                                                "cost_per_sql_loaded",
                                                "cac",
                                                "pipeline_value",
                                                "pipeline_per_dollar",
                                                "revenue",
                                                "mql_precision",
                                                "mql_recall",
                                                "time_to_mql_days",
                                                "response_time_hours",
                                                "sla_attainment",
                                                "backlog_at_end"};
  const double closed_share = figure(stats_of(metrics, "opportunities_closed_share")).value;
  std::string rows;
  for (const std::string& metric : shown(chosen, kShown)) {
    const json& s = stats_of(metrics, metric);
    if (chosen.empty() ? !informative(s) : !(number(s, "n_defined") > 0)) continue;
    const std::string unit = metric_unit(metric);
    const std::size_t m = metric_index(metric);
    const Figure f = figure(s);
    std::string note =
        undefined_note(ScopeKind::funnel, m, static_cast<std::size_t>(number(s, "n_defined")), replications, horizon);
    if (counts_closed_deals(ScopeKind::funnel, m))
      if (const std::string h = horizon_note(closed_share); !h.empty()) note += (note.empty() ? "" : "; ") + h;
    rows += fmt::format(
        "<tr><td>{}</td>{}<td>{} to {}</td><td class=\"kind\">{}</td>{}{}{}<td class=\"aside\">{}</td></tr>\n",
        html_escape(axis_title(metric, unit)), cell(f.value, unit), html_escape(display(f.low, unit)),
        html_escape(display(f.high, unit)), f.pooled ? "pooled ratio" : "mean", cell(number(s, "p10"), unit),
        cell(number(s, "p50"), unit), cell(number(s, "p90"), unit), html_escape(note));
  }
  std::string out =
      "<div class=\"table-wrap\"><table><thead><tr><th>Metric</th><th>Value</th><th>95% CI</th><th>Figure</th>"
      "<th>P10</th><th>P50</th><th>P90</th><th>Note</th></tr></thead><tbody>\n" +
      rows + "</tbody></table></div>\n";
  out +=
      "<p class=\"meta\">Value: for a ratio the pooled ratio, its total numerator over its total denominator across "
      "the replications (what a finance reader computes as totals over totals), with a delta-method 95% CI; for every "
      "other metric the mean per replication with its Student t 95% CI. P10, P50 and P90 are the spread of the "
      "per-replication values.</p>\n";
  if (const std::string sentence = horizon_sentence(closed_share, horizon);
      !sentence.empty() && informative(stats_of(metrics, "opportunities")))
    out += "<p class=\"note\">" + html_escape(sentence) + "</p>\n";
  return out;
}

std::string funnel_chart(Page& page, const json& metrics, int horizon_days, std::uint64_t replications) {
  static constexpr std::string_view kStages[] = {"leads", "mqls", "sqls", "opportunities", "won_deals"};
  ordered_json values = ordered_json::array();
  double top = 0.0, previous = std::nan("");
  std::string previous_name;
  int order = 0;
  for (std::string_view stage : kStages) {
    const json& s = stats_of(metrics, stage);
    const std::string name = metric_label(stage);
    if (!(number(s, "n_defined") > 0)) continue;
    if (order >= 3 && !informative(s)) continue;  // no pipeline section: stop at SQLs
    const double mean = number(s, "mean"), p10 = number(s, "p10"), p90 = number(s, "p90");
    const std::string unit = metric_unit(stage);
    std::string label =
        fmt::format("{}  (P10-P90 {} to {})", display(mean, unit), display(p10, unit), display(p90, unit));
    if (std::isfinite(previous) && previous > 0)
      label += fmt::format(", {:.1f}% of {}", 100.0 * mean / previous, previous_name);
    values.push_back({{"stage", name},
                      {"order", order++},
                      {"mean", mean},
                      {"p10", p10},
                      {"p50", number(s, "p50")},
                      {"p90", p90},
                      {"label", label}});
    top = std::max(top, std::isfinite(p90) ? p90 : mean);
    previous = mean;
    previous_name = name;
  }
  ordered_json order_names = ordered_json::array();
  for (const auto& v : values) order_names.push_back(v["stage"]);
  const ordered_json x_scale = {{"domain", {0, top * 1.6}}, {"nice", false}};
  ordered_json spec = {
      {"title",
       {{"text", "The funnel: how many leads reach each step"},
        {"subtitle", fmt::format("Bars: mean per {} over {} replications. Black line: P10 to P90, the middle 80% "
                                 "of replications.",
                                 horizon_text(horizon_days), replications)}}},
      {"height", 46 * static_cast<int>(values.size())},
      {"data", {{"values", values}}},
      {"encoding",
       {{"y",
         {{"field", "stage"},
          {"type", "nominal"},
          {"sort", order_names},
          {"title", nullptr},
          {"axis", {{"labelFontSize", 13}, {"labelFontWeight", "bold"}, {"ticks", false}}}}}}},
      {"layer",
       {{{"mark", {{"type", "bar"}, {"color", kBlue}, {"height", {{"band", 0.68}}}}},
         {"encoding",
          {{"x",
            {{"field", "mean"},
             {"type", "quantitative"},
             {"scale", x_scale},
             {"title", fmt::format("Count per {} (mean)", horizon_text(horizon_days))},
             {"axis", {{"format", ",.4~r"}, {"tickCount", 8}}}}},
           {"tooltip",
            {{{"field", "stage"}, {"title", "Step"}},
             {{"field", "mean"}, {"title", "Mean"}, {"format", ",.1f"}},
             {{"field", "p10"}, {"title", "P10"}, {"format", ",.0f"}},
             {{"field", "p50"}, {"title", "P50"}, {"format", ",.0f"}},
             {{"field", "p90"}, {"title", "P90"}, {"format", ",.0f"}}}}}}},
        {{"mark", {{"type", "rule"}, {"color", "#111"}, {"strokeWidth", 2.5}}},
         {"encoding", {{"x", {{"field", "p10"}, {"type", "quantitative"}}}, {"x2", {{"field", "p90"}}}}}},
        {{"mark", {{"type", "tick"}, {"color", "#111"}, {"thickness", 2}, {"size", 14}}},
         {"encoding", {{"x", {{"field", "p10"}, {"type", "quantitative"}}}}}},
        {{"mark", {{"type", "tick"}, {"color", "#111"}, {"thickness", 2}, {"size", 14}}},
         {"encoding", {{"x", {{"field", "p90"}, {"type", "quantitative"}}}}}},
        {{"mark", {{"type", "text"}, {"align", "left"}, {"dx", 8}, {"fontSize", 12}, {"color", "#222"}}},
         {"encoding", {{"x", {{"field", "p90"}, {"type", "quantitative"}}}, {"text", {{"field", "label"}}}}}}}}};
  return page.chart(std::move(spec),
                    "Each bar is the mean count of one step of the funnel; the line across its end spans P10 to P90. "
                    "The text gives the numbers and the share of the step before.",
                    true);
}

std::string conversion_chart(Page& page, const json& metrics, const Csv* replications) {
  struct Step {
    std::string_view name, numerator, denominator;
    std::string_view rate;  ///< the summary's metric for numerator / denominator; empty: none used
  };
  static constexpr Step kSteps[] = {{"Lead to MQL", "mqls", "leads", "lead_to_mql_rate"},
                                    {"MQL to SQL", "sqls", "mqls", "mql_to_sql_rate"},
                                    {"SQL to opportunity", "opportunities", "sqls", ""},
                                    {"Opportunity to won deal", "won_deals", "opportunities", ""}};
  ordered_json values = ordered_json::array();
  int order = 0;
  for (const Step& step : kSteps) {
    if (!informative(stats_of(metrics, step.numerator))) continue;
    // Pooled over replications.csv (totals over totals) with the spread of the per-replication
    // ratios; else the summary's rate metric.
    std::vector<double> ratios, numerators, denominators;
    if (replications) {
      const std::size_t n = replications->column(step.numerator), d = replications->column(step.denominator);
      if (n != std::string::npos && d != std::string::npos)
        for (const auto& row : replications->rows) {
          const double num = csv_number(row[n], replications->file), den = csv_number(row[d], replications->file);
          numerators.push_back(num);
          denominators.push_back(den);
          ratios.push_back(den > 0 ? num / den : std::nan(""));
        }
    }
    double pooled = std::nan(""), p10 = std::nan(""), p90 = std::nan("");
    if (!ratios.empty()) {
      const SummaryStats s = summarize(ratios);
      pooled = pooled_ratio(numerators, denominators).value;
      p10 = s.p10;
      p90 = s.p90;
    } else {
      const json& r = stats_of(metrics, step.rate);
      if (step.rate.empty() || !(number(r, "n_defined") > 0)) continue;
      pooled = figure(r).value;
      p10 = number(r, "p10");
      p90 = number(r, "p90");
    }
    if (!std::isfinite(pooled)) continue;
    values.push_back({{"step", std::string(step.name)},
                      {"order", order++},
                      {"mean", pooled},
                      {"p10", p10},
                      {"p90", p90},
                      {"label", fmt::format("{:.1f}%", 100.0 * pooled)}});
  }
  ordered_json order_names = ordered_json::array();
  for (const auto& v : values) order_names.push_back(v["step"]);
  ordered_json spec = {
      {"title",
       {{"text", "Conversion at each step"},
        {"subtitle", "Dot: pooled (total over total across replications). Line: P10 to P90 across replications."}}},
      {"height", 42 * static_cast<int>(values.size())},
      {"data", {{"values", values}}},
      {"encoding", {{"y", {{"field", "step"}, {"type", "nominal"}, {"sort", order_names}, {"title", nullptr}}}}},
      {"layer",
       {{{"mark", {{"type", "rule"}, {"color", kBlue}, {"strokeWidth", 3}}},
         {"encoding",
          {{"x",
            {{"field", "p10"},
             {"type", "quantitative"},
             {"title", "Share that moves on to the next step (%)"},
             {"axis", {{"format", ".0%"}}},
             {"scale", {{"domain", {0, 1}}}}}},
           {"x2", {{"field", "p90"}}}}}},
        {{"mark", {{"type", "point"}, {"filled", true}, {"size", 90}, {"color", kDark}}},
         {"encoding",
          {{"x", {{"field", "mean"}, {"type", "quantitative"}}},
           {"tooltip",
            {{{"field", "step"}, {"title", "Step"}},
             {{"field", "mean"}, {"title", "Pooled"}, {"format", ".1%"}},
             {{"field", "p10"}, {"title", "P10"}, {"format", ".1%"}},
             {{"field", "p90"}, {"title", "P90"}, {"format", ".1%"}}}}}}},
        {{"mark", {{"type", "text"}, {"dy", -13}, {"fontSize", 12}}},
         {"encoding", {{"x", {{"field", "mean"}, {"type", "quantitative"}}}, {"text", {{"field", "label"}}}}}}}}};
  return page.chart(std::move(spec),
                    "The share of one step that reaches the next: the dot pools every replication (all of the next "
                    "step over all of this one), the line spans the share in single replications, how much a quarter "
                    "can differ by chance alone.");
}

std::string histogram_chart(Page& page, const Csv& replications, std::string_view metric, const json& stats,
                            int horizon_days) {
  const std::size_t col = replications.column(metric);
  if (col == std::string::npos) return {};
  const std::vector<double> values = replications.numbers(col);
  if (values.empty()) return {};
  const SummaryStats s = summarize(values);
  const std::string unit = metric_unit(metric);
  ordered_json data = ordered_json::array();
  for (double v : values) data.push_back({{"value", v}});
  const bool count = unit_kind(unit) == UnitKind::count || unit_kind(unit) == UnitKind::duration;
  const std::string axis_format = d3_axis_format(unit);
  std::string x_title = axis_title(metric, unit);
  if (count) x_title += fmt::format(" per {}", horizon_text(horizon_days));
  // A ratio's headline is its pooled ratio (totals over totals); the histogram is its spread.
  const Figure f = figure(stats);
  const bool pooled = f.pooled && std::isfinite(f.value);
  const std::string centre = pooled ? "pooled ratio" : "mean";
  const ordered_json markers = ordered_json::array({{{"value", pooled ? f.value : s.mean}, {"marker", centre}},
                                                    {{"value", s.p10}, {"marker", "P10 and P90"}},
                                                    {{"value", s.p90}, {"marker", "P10 and P90"}}});
  const std::string subtitle =
      pooled ? fmt::format("Pooled {} (mean of the replications {}), P10 {}, P90 {} ({} replications)",
                           display(f.value, unit), display(s.mean, unit), display(s.p10, unit), display(s.p90, unit),
                           s.n_defined)
             : fmt::format("Mean {}, P10 {}, P90 {} ({} replications)", display(s.mean, unit), display(s.p10, unit),
                           display(s.p90, unit), s.n_defined);
  ordered_json spec = {
      {"title", {{"text", metric_label(metric)}, {"subtitle", subtitle}}},
      {"height", 170},
      {"layer",
       {{{"data", {{"values", data}}},
         {"mark", {{"type", "bar"}, {"color", kBlue}, {"binSpacing", 1}}},
         {"encoding",
          {{"x",
            {{"field", "value"},
             {"type", "quantitative"},
             {"bin", {{"maxbins", 24}}},
             {"title", x_title},
             {"axis",
              {{"format", axis_format}, {"tickCount", 6}, {"labelOverlap", "greedy"}, {"labelSeparation", 6}}}}},
           {"y",
            {{"aggregate", "count"},
             {"type", "quantitative"},
             {"title", "Replications"},
             {"axis", {{"tickMinStep", 1}}}}}}}},
        {{"data", {{"values", markers}}},
         {"mark", {{"type", "rule"}, {"strokeWidth", 2}}},
         {"encoding",
          {{"x", {{"field", "value"}, {"type", "quantitative"}}},
           {"color",
            {{"field", "marker"},
             {"type", "nominal"},
             {"title", nullptr},
             {"scale", {{"domain", {centre, "P10 and P90"}}, {"range", {"#d62728", "#333333"}}}}}},
           {"strokeDash",
            {{"field", "marker"},
             {"type", "nominal"},
             {"title", nullptr},
             {"scale", {{"domain", {centre, "P10 and P90"}}, {"range", {{1, 0}, {5, 4}}}}}}}}}}}}};
  return page.chart(std::move(spec), "");
}

struct WeekRow {
  double week, mean, p10, p50, p90;
};

std::vector<WeekRow> weekly_series(const Csv& weekly, std::string_view series) {
  const std::size_t source = weekly.column("source"), name = weekly.column("series"), week = weekly.column("week"),
                    mean = weekly.column("mean"), p10 = weekly.column("p10"), p50 = weekly.column("p50"),
                    p90 = weekly.column("p90");
  std::vector<WeekRow> rows;
  for (const std::size_t c : {source, name, week, mean, p10, p50, p90})
    if (c == std::string::npos) return rows;
  for (const auto& row : weekly.rows)
    if (row[source] == "all" && row[name] == series)
      rows.push_back({csv_number(row[week], weekly.file), csv_number(row[mean], weekly.file),
                      csv_number(row[p10], weekly.file), csv_number(row[p50], weekly.file),
                      csv_number(row[p90], weekly.file)});
  return rows;
}

std::string fan_chart(Page& page, const Csv& weekly, std::string_view series, std::string_view title,
                      std::string_view y_title, std::string_view caption, int horizon_days) {
  const std::vector<WeekRow> rows = weekly_series(weekly, series);
  bool any = false;
  for (const WeekRow& r : rows) any = any || r.p90 > 0 || r.mean > 0;
  if (!any) return {};
  ordered_json data = ordered_json::array();
  for (const WeekRow& r : rows)
    data.push_back({{"week", r.week}, {"mean", r.mean}, {"p10", r.p10}, {"p50", r.p50}, {"p90", r.p90}});
  const std::string band = "P10 to P90", median = "Median (P50)";
  const ordered_json x = {{"field", "week"},
                          {"type", "quantitative"},
                          {"title", "Week of the horizon"},
                          {"axis", {{"tickMinStep", 1}, {"format", "d"}}},
                          {"scale", {{"domain", {1, rows.empty() ? 1.0 : rows.back().week}}, {"nice", false}}}};
  const ordered_json color_scale = {{"domain", {band, median}}, {"range", {"#9ecae9", kDark}}};
  std::string subtitle = "Median week and the P10-P90 band across replications";
  if (horizon_days > 0 && horizon_days % 7 != 0)
    subtitle +=
        fmt::format("; week {} has {} day{}", horizon_days / 7 + 1, horizon_days % 7, horizon_days % 7 == 1 ? "" : "s");
  ordered_json spec = {
      {"title", {{"text", std::string(title)}, {"subtitle", subtitle}}},
      {"height", 190},
      {"data", {{"values", data}}},
      {"layer",
       {{{"mark", {{"type", "area"}, {"opacity", 0.75}}},
         {"encoding",
          {{"x", x},
           {"y", {{"field", "p10"}, {"type", "quantitative"}, {"title", std::string(y_title)}}},
           {"y2", {{"field", "p90"}}},
           {"color", {{"datum", band}, {"type", "nominal"}, {"scale", color_scale}, {"title", nullptr}}}}}},
        {{"mark", {{"type", "line"}, {"strokeWidth", 2.5}, {"point", {{"size", 28}}}}},
         {"encoding",
          {{"x", x},
           {"y", {{"field", "p50"}, {"type", "quantitative"}}},
           {"color", {{"datum", median}, {"type", "nominal"}}},
           {"tooltip",
            {{{"field", "week"}, {"title", "Week"}},
             {{"field", "p10"}, {"title", "P10"}, {"format", ",.1f"}},
             {{"field", "p50"}, {"title", "P50"}, {"format", ",.1f"}},
             {{"field", "p90"}, {"title", "P90"}, {"format", ",.1f"}},
             {{"field", "mean"}, {"title", "Mean"}, {"format", ",.1f"}}}}}}}}}};
  return page.chart(std::move(spec), caption);
}

std::string lifecycle_chart(Page& page, const Csv& weekly) {
  struct State {
    std::string_view series, label;
  };
  static constexpr State kStates[] = {{"in_active", "Arrived, in no track"},
                                      {"in_nurture", "In a nurture track"},
                                      {"in_dormant", "Dormant"},
                                      {"in_recycle_wait", "Waiting to be recycled"},
                                      {"in_sales_backlog", "With sales, not resolved"},
                                      {"in_sql", "SQL"},
                                      {"in_rejected", "Rejected by sales"},
                                      {"in_cold", "Gone cold"},
                                      {"in_disqualified", "Disqualified"}};
  ordered_json data = ordered_json::array();
  ordered_json domain = ordered_json::array();
  int order = 0;
  for (const State& state : kStates) {
    const std::vector<WeekRow> rows = weekly_series(weekly, state.series);
    bool any = false;
    for (const WeekRow& r : rows) any = any || r.mean > 0;
    if (!any) continue;
    domain.push_back(std::string(state.label));
    for (const WeekRow& r : rows)
      data.push_back({{"week", r.week}, {"state", std::string(state.label)}, {"order", order}, {"leads", r.mean}});
    ++order;
  }
  if (data.empty()) return {};
  ordered_json spec = {
      {"title",
       {{"text", "Where the leads stand at each week's end"},
        {"subtitle", "Every lead created so far is in exactly one state (means across replications)"}}},
      {"height", 230},
      {"data", {{"values", data}}},
      {"mark", {{"type", "area"}, {"line", false}}},
      {"encoding",
       {{"x",
         {{"field", "week"},
          {"type", "quantitative"},
          {"title", "Week of the horizon"},
          {"axis", {{"tickMinStep", 1}, {"format", "d"}}},
          {"scale", {{"nice", false}}}}},
        {"y",
         {{"field", "leads"},
          {"type", "quantitative"},
          {"stack", "zero"},
          {"title", "Leads (mean)"},
          {"axis", {{"format", ",.4~r"}}}}},
        {"color",
         {{"field", "state"},
          {"type", "nominal"},
          {"title", "State"},
          {"scale", {{"domain", domain}, {"scheme", "tableau10"}}},
          {"legend", {{"orient", "bottom"}, {"columns", 3}}}}},
        {"order", {{"field", "order"}, {"type", "quantitative"}}},
        {"tooltip",
         {{{"field", "week"}, {"title", "Week"}},
          {{"field", "state"}, {"title", "State"}},
          {{"field", "leads"}, {"title", "Leads (mean)"}, {"format", ",.1f"}}}}}}};
  return page.chart(
      std::move(spec),
      "The lifecycle states from weekly.csv, stacked: the top of the stack is every lead created so far.");
}

std::string source_cost_chart(Page& page, const json& by_source) {
  constexpr std::string_view kCost = "cost_per_sql_marketing";
  ordered_json data = ordered_json::array();
  for (const auto& [source, metrics] : by_source.items()) {
    const json& s = stats_of(metrics, kCost);
    const Figure f = figure(s);
    if (!(number(s, "n_defined") > 0) || !std::isfinite(f.value)) continue;
    data.push_back({{"source", source},
                    {"mean", f.value},
                    {"p10", number(s, "p10")},
                    {"p90", number(s, "p90")},
                    {"label", display(f.value, metric_unit(kCost))}});
  }
  if (data.empty()) return {};
  double top = 0.0;
  for (const auto& d : data) top = std::max(top, std::isfinite(d["p90"].get<double>()) ? d["p90"].get<double>() : 0.0);
  ordered_json order_names = ordered_json::array();
  {
    std::vector<std::pair<double, std::string>> by_cost;
    for (const auto& d : data) by_cost.emplace_back(d["mean"].get<double>(), d["source"].get<std::string>());
    std::sort(by_cost.begin(), by_cost.end());
    for (const auto& [cost, source] : by_cost) order_names.push_back(source);
  }
  ordered_json spec = {
      {"title",
       {{"text", "Cost per SQL by source (marketing spend)"},
        {"subtitle",
         "Bar: pooled, total spend over total SQLs. Line: P10 to P90 across replications. Sorted from "
         "cheapest."}}},
      {"height", 32 * static_cast<int>(data.size())},
      {"data", {{"values", data}}},
      {"encoding", {{"y", {{"field", "source"}, {"type", "nominal"}, {"title", nullptr}, {"sort", order_names}}}}},
      {"layer",
       {{{"mark", {{"type", "bar"}, {"color", kBlue}, {"height", {{"band", 0.65}}}}},
         {"encoding",
          {{"x",
            {{"field", "mean"},
             {"type", "quantitative"},
             {"title", axis_title(kCost, metric_unit(kCost))},
             {"scale", {{"domain", {0, top * 1.3}}, {"nice", false}}},
             {"axis", {{"format", "$,.3~s"}, {"tickCount", 6}}}}},
           {"tooltip",
            {{{"field", "source"}, {"title", "Source"}},
             {{"field", "mean"}, {"title", "Pooled"}, {"format", "$,.0f"}},
             {{"field", "p10"}, {"title", "P10"}, {"format", "$,.0f"}},
             {{"field", "p90"}, {"title", "P90"}, {"format", "$,.0f"}}}}}}},
        {{"mark", {{"type", "rule"}, {"color", "#111"}, {"strokeWidth", 2}}},
         {"encoding", {{"x", {{"field", "p10"}, {"type", "quantitative"}}}, {"x2", {{"field", "p90"}}}}}},
        {{"mark", {{"type", "text"}, {"align", "left"}, {"dx", 6}, {"fontSize", 11}}},
         {"encoding", {{"x", {{"field", "p90"}, {"type", "quantitative"}}}, {"text", {{"field", "label"}}}}}}}}};
  return page.chart(std::move(spec),
                    "Channel and nurture spend of each source over all replications divided by its SQLs over all of "
                    "them. A source with few SQLs has a wide line: its cost per SQL is uncertain from quarter to "
                    "quarter.");
}

/// One row per scope of a kind, one column per metric: headline figures (a ratio pooled), a
/// ratio undefined in some replications with its note beside the figure.
std::string scope_table(const json& scopes, ScopeKind kind, std::string_view first,
                        const std::vector<std::string>& columns, std::uint64_t replications, int horizon) {
  std::string out = fmt::format("<div class=\"table-wrap\"><table><thead><tr><th>{}</th>", html_escape(first));
  for (const std::string& c : columns) out += fmt::format("<th>{}</th>", html_escape(axis_title(c, metric_unit(c))));
  out += "</tr></thead><tbody>\n";
  for (const auto& [scope, metrics] : scopes.items()) {
    out += "<tr><td>" + html_escape(scope) + "</td>";
    for (const std::string& c : columns) {
      const json& s = stats_of(metrics, c);
      const std::size_t m = metric_index(c, kind);
      const std::string note =
          metric_defs(kind)[m].is_ratio()
              ? undefined_note(kind, m, static_cast<std::size_t>(number(s, "n_defined")), replications, horizon)
              : std::string();
      out += figure_cell(figure(s).value, metric_unit(c), note);
    }
    out += "</tr>\n";
  }
  return out + "</tbody></table></div>\n";
}

std::string source_table(const json& by_source, bool pipeline, const std::vector<std::string>& chosen,
                         std::uint64_t replications, int horizon) {
  static constexpr std::string_view kColumns[] = {"leads",
                                                  "mqls",
                                                  "lead_to_mql_rate",
                                                  "sqls",
                                                  "mql_to_sql_rate",
                                                  "channel_spend",
                                                  "cost_per_mql",
                                                  "cost_per_sql_marketing",
                                                  "cost_per_sql_loaded"};
  std::vector<std::string> columns = shown(chosen, kColumns);
  if (chosen.empty() && pipeline)
    for (const char* c : {"pipeline_value", "won_deals", "cac"}) columns.emplace_back(c);
  return scope_table(by_source, ScopeKind::funnel, "Source", columns, replications, horizon);
}

std::string team_table(const json& by_team, const std::vector<std::string>& chosen, std::uint64_t replications,
                       int horizon) {
  static constexpr std::string_view kColumns[] = {"mqls",           "response_time_hours", "response_time_hours_p90",
                                                  "sla_attainment", "queue_length_mean",   "rep_utilization",
                                                  "sqls",           "acceptance_rate",     "cold_leads",
                                                  "backlog_at_end"};
  return scope_table(by_team, ScopeKind::team, "Team", shown(chosen, kColumns, ScopeKind::team), replications, horizon);
}

}  // namespace

/// With uncertain inputs: what was drawn, and how much of each headline metric's spread across
/// replications comes from not knowing the inputs (summary.json's variance_split).
std::string uncertainty_html(Page& page, const json& summary) {
  const json& inputs = summary.at("uncertain_parameters");
  std::string out =
      "<h3>Where the spread comes from</h3>\n<p>Some inputs are not known exactly: each replication drew them "
      "once from the distribution below, so the spread across replications mixes \"we do not know the true value\" "
      "with the quarter's own randomness.</p>\n<table>\n<tr><th>Input</th><th>Distribution</th><th>Drawn: "
      "mean</th><th>P10</th><th>P90</th><th>Clamped to bounds</th></tr>\n";
  for (const json& p : inputs) {
    std::string params;
    const json written = p.value("params", json::object());  // a named copy: items() must not outlive it
    for (const auto& [key, value] : written.items())
      params += fmt::format("{}{} {}", params.empty() ? "" : ", ", key, value_text(value));
    const json& sampled = p.value("sampled", json::object());
    out += fmt::format(
        "<tr><td><code>{}</code></td><td>{}({})</td><td>{:.4g}</td><td>{:.4g}</td><td>{:.4g}</td><td>{}</td></tr>\n",
        html_escape(p.value("pointer", std::string())), html_escape(p.value("distribution", std::string())),
        html_escape(params), number(sampled, "mean"), number(sampled, "p10"), number(sampled, "p90"),
        p.value("clamped", 0));
  }
  out += "</table>\n";
  const json split = summary.value("variance_split", json::object()).value("metrics", json::object());
  ordered_json rows = ordered_json::array();
  ordered_json order = ordered_json::array();
  for (const MetricDef& def : metric_defs(ScopeKind::funnel)) {  // the library's order, not the file's
    const std::string metric(def.name);
    if (!split.contains(metric)) continue;
    const json& shares = split.at(metric);
    const double inputs_share = number(shares, "uncertain_inputs_share");
    if (!std::isfinite(inputs_share)) continue;
    const std::string label = metric_label(metric);
    order.push_back(label);
    rows.push_back({{"metric", label}, {"source", "Not knowing the inputs"}, {"share", inputs_share}, {"order", 0}});
    rows.push_back(
        {{"metric", label}, {"source", "The quarter's own randomness"}, {"share", 1.0 - inputs_share}, {"order", 1}});
  }
  if (rows.empty()) return out;
  const ordered_json sources = {"Not knowing the inputs", "The quarter's own randomness"};
  ordered_json spec = {
      {"title",
       {{"text", "Share of each metric's spread across replications"},
        {"subtitle", "R² of a regression of the metric on the drawn inputs: the part not knowing them explains"}}},
      {"height", 30 * static_cast<int>(order.size())},
      {"data", {{"values", rows}}},
      {"mark", {{"type", "bar"}}},
      {"encoding",
       {{"y", {{"field", "metric"}, {"type", "nominal"}, {"sort", order}, {"title", nullptr}}},
        {"x",
         {{"field", "share"},
          {"type", "quantitative"},
          {"stack", "normalize"},
          {"title", "Share of the variance"},
          {"axis", {{"format", ".0%"}}}}},
        {"color",
         {{"field", "source"},
          {"type", "nominal"},
          {"title", nullptr},
          {"scale", {{"domain", sources}, {"range", {"#e45756", "#9d9d9d"}}}}}},
        {"order", {{"field", "order"}}},
        {"tooltip",
         {{{"field", "metric"}, {"title", "Metric"}},
          {{"field", "source"}, {"title", "From"}},
          {{"field", "share"}, {"title", "Share"}, {"format", ".1%"}}}}}}};
  out += "<div class=\"grid\">\n" +
         page.chart(std::move(spec),
                    "Red: the share of the metric's variance across replications that the uncertain inputs explain "
                    "(linearly); grey: the rest, the quarter's own randomness. A red bar that dominates says: learn "
                    "the inputs better before trusting the spread.",
                    true) +
         "</div>\n";
  return out;
}

void run_section(Page& page, const json& summary, const Csv* replications, const Csv* weekly,
                 const std::vector<std::string>& chosen) {
  const json& metrics = summary.at("metrics");
  const std::string scenario = summary.value("scenario", std::string("(unnamed)"));
  const auto replications_count = summary.value("replications", std::uint64_t{0});
  const int horizon = summary.value("horizon_days", 0);
  std::string& out = page.body;
  out += fmt::format("<section id=\"run\">\n<h2>Run: {}</h2>\n", html_escape(scenario));
  out += fmt::format("<p class=\"meta\">{} replications of a {}, seed {}, funnelsim {}.</p>\n", replications_count,
                     horizon_text(horizon), summary.value("seed", std::uint64_t{0}),
                     html_escape(summary.value("funnelsim_version", std::string("?"))));
  out += made_from_meta(summary);
  if (const auto p = summary.find("precision"); p != summary.end() && p->is_object())
    out += precision_meta(*p, "the 95% CI half-width of its mean, relative to the mean,");
  const bool uncertain = summary.contains("uncertain_parameters") && summary["uncertain_parameters"].is_array();
  out += "<h3>Headline numbers</h3>\n" + headline_table(metrics, chosen, replications_count, horizon);
  out += "<div class=\"grid\">\n" + funnel_chart(page, metrics, horizon, replications_count);
  out += conversion_chart(page, metrics, replications);
  const json by_source = summary.value("by_source", json::object());
  out += source_cost_chart(page, by_source);
  out += "</div>\n";

  if (replications) {
    out +=
        "<h3>How much a quarter varies</h3>\n<p>Each histogram counts the simulated replications by their "
        "value of one headline metric (bar height: how many replications landed in that range). The spread is "
        "what chance alone does to a quarter with the same plan" +
        std::string(uncertain ? ", plus what the uncertain inputs below do" : "") +
        ".</p>\n"
        "<div class=\"grid\">\n";
    const bool pipeline = informative(stats_of(metrics, "pipeline_value"));
    const std::string_view defaults[] = {"mqls", "mql_to_sql_rate", "cost_per_sql_marketing",
                                         pipeline ? std::string_view("pipeline_value") : std::string_view("sqls")};
    for (const std::string& metric : shown(chosen, defaults))
      out += histogram_chart(page, *replications, metric, stats_of(metrics, metric), horizon);
    out += "</div>\n";
  } else {
    out += "<p class=\"note\">No replications.csv beside summary.json: the histograms are left out.</p>\n";
  }
  if (uncertain) out += uncertainty_html(page, summary);

  if (weekly) {
    out += "<h3>Week by week</h3>\n<div class=\"grid\">\n";
    out += fan_chart(page, *weekly, "mqls", "MQLs per week", "MQLs in the week",
                     "MQLs by the week they happened in. Without a warm-up the first weeks are low while new leads "
                     "build up score.",
                     horizon);
    out += fan_chart(page, *weekly, "sqls", "SQLs per week", "SQLs in the week",
                     "SQLs by the week sales accepted them.", horizon);
    out += fan_chart(page, *weekly, "in_sales_backlog", "Sales backlog at each week's end", "MQLs waiting for sales",
                     "MQLs routed to sales and not yet resolved (waiting, or between contact attempts) at the end of "
                     "each week: a backlog that keeps growing means the desk is the bottleneck.",
                     horizon);
    out += lifecycle_chart(page, *weekly);
    out += "</div>\n";
  } else {
    out += "<p class=\"note\">No weekly.csv beside summary.json: the weekly charts are left out.</p>\n";
  }

  if (!by_source.empty() && (chosen.empty() || !shown(chosen, {}).empty()))
    out +=
        "<h3>By source (ratios pooled, other metrics means across replications)</h3>\n" +
        source_table(by_source, informative(stats_of(metrics, "pipeline_value")), chosen, replications_count, horizon);
  const json by_team = summary.value("by_team", json::object());
  if (!by_team.empty() && (chosen.empty() || !shown(chosen, {}, ScopeKind::team).empty()))
    out += "<h3>By sales team (ratios pooled, other metrics means across replications)</h3>\n" +
           team_table(by_team, chosen, replications_count, horizon);
  out += "</section>\n";
}

}  // namespace funnelsim::report_detail
