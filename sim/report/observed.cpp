// The report's observed sections: the funnel a CRM export recorded (observe's summary.json and
// weekly.csv), and observed beside simulated when a run's results are on the same page.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "funnelsim/metrics/metrics.hpp"
#include "report/internal.hpp"

namespace funnelsim::report_detail {
namespace {

constexpr std::string_view kObserved = "#d62728";
constexpr std::string_view kSimulated = "#4c78a8";

bool defined(const json& stats) { return std::isfinite(number(stats, "mean")); }

/// An observed count is whole: 99, not 99.0 (a simulated mean keeps its decimal).
std::string shown(double value, std::string_view unit) {
  if (unit_kind(unit) == UnitKind::count && std::isfinite(value) && value == std::floor(value) &&
      std::abs(value) < 100.0)
    return fmt::format("{:.0f}", value);
  return display(value, unit);
}

std::string interval_text(const json& s, std::string_view unit) {
  if (!std::isfinite(number(s, "ci95_low"))) return "";
  return fmt::format("{} to {}", display(number(s, "ci95_low"), unit), display(number(s, "ci95_high"), unit));
}

constexpr std::string_view kFunnelSteps[] = {"leads", "mqls", "sqls", "opportunities", "won_deals"};
constexpr std::string_view kObservedMetrics[] = {"leads",
                                                 "mqls",
                                                 "sqls",
                                                 "opportunities",
                                                 "won_deals",
                                                 "lead_to_mql_rate",
                                                 "mql_to_sql_rate",
                                                 "sql_to_opportunity_rate",
                                                 "pipeline_value",
                                                 "revenue",
                                                 "time_to_mql_days",
                                                 "time_to_mql_days_p50",
                                                 "time_to_mql_days_p90",
                                                 "response_time_hours",
                                                 "response_time_hours_p50",
                                                 "response_time_hours_p90"};

std::string observed_table(const json& metrics) {
  std::string rows;
  for (std::string_view metric : kObservedMetrics) {
    const json& s = stats_of(metrics, metric);
    if (!defined(s)) continue;
    const std::string unit = metric_unit(metric);
    rows += fmt::format("<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
                        html_escape(axis_title(metric, unit)), html_escape(shown(number(s, "mean"), unit)),
                        html_escape(interval_text(s, unit)), html_escape(s.value("ci_method", std::string())));
  }
  return "<div class=\"table-wrap\"><table><thead><tr><th>Metric</th><th>Observed</th><th>95% interval</th>"
         "<th>Method</th></tr></thead><tbody>\n" +
         rows + "</tbody></table></div>\n";
}

std::string observed_funnel_chart(Page& page, const json& metrics) {
  ordered_json values = ordered_json::array();
  ordered_json order = ordered_json::array();
  for (std::string_view step : kFunnelSteps) {
    const json& s = stats_of(metrics, step);
    if (!defined(s)) continue;
    const std::string name = metric_label(step);
    order.push_back(name);
    values.push_back({{"stage", name},
                      {"value", number(s, "mean")},
                      {"low", number(s, "ci95_low")},
                      {"high", number(s, "ci95_high")},
                      {"label", shown(number(s, "mean"), metric_unit(step))}});
  }
  if (values.empty()) return {};
  ordered_json spec = {
      {"title",
       {{"text", "The funnel the export records"},
        {"subtitle", "Bars: observed counts in the window. Lines: 95% intervals (exact Poisson)."}}},
      {"height", 46 * static_cast<int>(values.size())},
      {"data", {{"values", values}}},
      {"encoding", {{"y", {{"field", "stage"}, {"type", "nominal"}, {"sort", order}, {"title", nullptr}}}}},
      {"layer",
       {{{"mark", {{"type", "bar"}, {"color", kObserved}, {"opacity", 0.8}, {"height", {{"band", 0.68}}}}},
         {"encoding",
          {{"x", {{"field", "value"}, {"type", "quantitative"}, {"title", "Count in the window"}}},
           {"tooltip",
            {{{"field", "stage"}, {"title", "Step"}},
             {{"field", "value"}, {"title", "Observed"}, {"format", ",.0f"}},
             {{"field", "low"}, {"title", "95% low"}, {"format", ",.1f"}},
             {{"field", "high"}, {"title", "95% high"}, {"format", ",.1f"}}}}}}},
        {{"mark", {{"type", "rule"}, {"color", "#111"}, {"strokeWidth", 2}}},
         {"encoding", {{"x", {{"field", "low"}, {"type", "quantitative"}}}, {"x2", {{"field", "high"}}}}}},
        {{"mark", {{"type", "text"}, {"align", "left"}, {"dx", 8}, {"fontSize", 12}}},
         {"encoding", {{"x", {{"field", "high"}, {"type", "quantitative"}}}, {"text", {{"field", "label"}}}}}}}}};
  return page.chart(std::move(spec), "Each bar is what the CRM recorded in the window; its line, the 95% interval.",
                    true);
}

/// Weekly volumes with their Poisson intervals, and each creation cohort's lead-to-MQL share so
/// far, maturing cohorts set apart (not failures: their leads have not had the time yet).
std::string cohort_charts(Page& page, const Csv& weekly) {
  const std::size_t source = weekly.column("source"), week = weekly.column("week"), leads = weekly.column("leads"),
                    low = weekly.column("leads_ci95_low"), high = weekly.column("leads_ci95_high"),
                    rate = weekly.column("cohort_lead_to_mql"), rlow = weekly.column("cohort_lead_to_mql_ci95_low"),
                    rhigh = weekly.column("cohort_lead_to_mql_ci95_high"), maturing = weekly.column("maturing"),
                    first_day = weekly.column("first_day");
  for (std::size_t c : {source, week, leads, low, high, rate, rlow, rhigh, maturing, first_day})
    if (c == std::string::npos) return {};
  ordered_json data = ordered_json::array();
  for (const auto& row : weekly.rows) {
    if (row[source] != "all") continue;
    data.push_back({{"week", csv_number(row[week], weekly.file)},
                    {"first_day", row[first_day]},
                    {"leads", csv_number(row[leads], weekly.file)},
                    {"low", csv_number(row[low], weekly.file)},
                    {"high", csv_number(row[high], weekly.file)},
                    {"rate", csv_number(row[rate], weekly.file)},
                    {"rate_low", csv_number(row[rlow], weekly.file)},
                    {"rate_high", csv_number(row[rhigh], weekly.file)},
                    {"cohort", row[maturing] == "true" ? "maturing" : "mature"}});
  }
  if (data.empty()) return {};
  const ordered_json x = {{"field", "week"}, {"type", "ordinal"}, {"title", "Creation week"}};
  const ordered_json colors = {{"domain", {"mature", "maturing"}}, {"range", {kObserved, "#f4a6a6"}}};
  ordered_json volume = {
      {"title", {{"text", "Leads created per week"}, {"subtitle", "Lines: 95% intervals (exact Poisson)"}}},
      {"height", 190},
      {"data", {{"values", data}}},
      {"layer",
       {{{"mark", {{"type", "bar"}, {"color", kObserved}, {"opacity", 0.8}}},
         {"encoding",
          {{"x", x},
           {"y", {{"field", "leads"}, {"type", "quantitative"}, {"title", "Leads"}}},
           {"tooltip",
            {{{"field", "first_day"}, {"title", "Week from"}},
             {{"field", "leads"}, {"title", "Leads"}},
             {{"field", "low"}, {"title", "95% low"}, {"format", ",.1f"}},
             {{"field", "high"}, {"title", "95% high"}, {"format", ",.1f"}}}}}}},
        {{"mark", {{"type", "rule"}, {"color", "#111"}}},
         {"encoding", {{"x", x}, {"y", {{"field", "low"}, {"type", "quantitative"}}}, {"y2", {{"field", "high"}}}}}}}}};
  ordered_json conversion = {
      {"title",
       {{"text", "Lead to MQL so far, by creation week"},
        {"subtitle", "Share of each week's leads that became MQLs by the end of the data; pale: still maturing"}}},
      {"height", 190},
      {"data", {{"values", data}}},
      {"layer",
       {{{"mark", {{"type", "rule"}, {"strokeWidth", 2}}},
         {"encoding",
          {{"x", x},
           {"y",
            {{"field", "rate_low"},
             {"type", "quantitative"},
             {"title", "Lead to MQL so far (%)"},
             {"axis", {{"format", ".0%"}}}}},
           {"y2", {{"field", "rate_high"}}},
           {"color", {{"field", "cohort"}, {"type", "nominal"}, {"scale", colors}, {"title", "Cohort"}}}}}},
        {{"mark", {{"type", "point"}, {"filled", true}, {"size", 70}}},
         {"encoding",
          {{"x", x},
           {"y", {{"field", "rate"}, {"type", "quantitative"}}},
           {"color", {{"field", "cohort"}, {"type", "nominal"}, {"scale", colors}}},
           {"tooltip",
            {{{"field", "first_day"}, {"title", "Week from"}},
             {{"field", "rate"}, {"title", "Lead to MQL so far"}, {"format", ".1%"}},
             {{"field", "cohort"}, {"title", "Cohort"}}}}}}}}}};
  return page.chart(std::move(volume), "Leads by the week they were created.") +
         page.chart(std::move(conversion),
                    "A maturing cohort's leads have had less time than most leads take to reach an SQL (the P90 "
                    "time to MQL plus the P90 time from MQL to SQL): its share is still growing.");
}

std::string quality_html(const json& observed) {
  const json& q = observed.value("data_quality", json::object());
  std::string out =
      "<h3>What was read, and what was left out</h3>\n<div class=\"table-wrap\"><table><thead><tr>"
      "<th>File</th><th>Recognised as</th><th>Rows</th></tr></thead><tbody>\n";
  for (const json& f : q.value("files", json::array()))
    out += fmt::format("<tr><td>{}</td><td>{}</td><td>{}</td></tr>\n", html_escape(f.value("file", std::string())),
                       html_escape(f.value("kind", std::string())), f.value("rows", 0));
  out +=
      "</tbody></table></div>\n<div class=\"table-wrap\"><table><thead><tr><th>Rows left out or noted</th>"
      "<th>Count</th></tr></thead><tbody>\n";
  for (const char* part : {"excluded_rows", "excluded_deals", "noted"}) {
    const json section = q.value(part, json::object());
    for (const auto& [kind, n] : section.items())
      if (n.is_number() && n.get<double>() > 0 && kind != "total")
        out += fmt::format("<tr><td>{}: {}</td><td>{}</td></tr>\n", part, html_escape(kind), n.get<std::uint64_t>());
  }
  return out + "</tbody></table></div>\n";
}

std::string source_table(const json& by_source) {
  struct Column {
    std::string_view metric, title;
  };
  static constexpr Column kColumns[] = {{"leads", "Leads"},
                                        {"mqls", "MQLs"},
                                        {"lead_to_mql_rate", "Lead to MQL"},
                                        {"sqls", "SQLs"},
                                        {"mql_to_sql_rate", "MQL to SQL"},
                                        {"opportunities", "Opportunities"},
                                        {"won_deals", "Won"},
                                        {"pipeline_value", "Pipeline"},
                                        {"time_to_mql_days_p50", "Days to MQL, P50"}};
  std::string out = "<div class=\"table-wrap\"><table><thead><tr><th>Source</th>";
  for (const Column& c : kColumns) out += fmt::format("<th>{}</th>", c.title);
  out += "</tr></thead><tbody>\n";
  for (const auto& [source, metrics] : by_source.items()) {
    out += "<tr><td>" + html_escape(source) + "</td>";
    for (const Column& c : kColumns)
      out += "<td>" + html_escape(shown(number(stats_of(metrics, c.metric), "mean"), metric_unit(c.metric))) + "</td>";
    out += "</tr>\n";
  }
  return out + "</tbody></table></div>\n";
}

}  // namespace

bool is_observed(const json& summary) { return summary.value("kind", std::string()) == "observed"; }

void observed_section(Page& page, const json& summary, const Csv* weekly) {
  const json& metrics = summary.at("metrics");
  const json observed = summary.value("observed", json::object());
  const json window = observed.value("window", json::object());
  std::string& out = page.body;
  out += "<section id=\"observed\">\n<h2>Observed: the funnel a CRM export records</h2>\n";
  out += fmt::format("<p class=\"meta\">{} export, {} to {} ({} days, UTC), funnelsim {}.</p>\n",
                     html_escape(observed.value("format", std::string("CRM"))),
                     html_escape(window.value("from", std::string("?"))),
                     html_escape(window.value("to", std::string("?"))), window.value("days", 0),
                     html_escape(summary.value("funnelsim_version", std::string("?"))));
  out += "<h3>Observed figures</h3>\n" + observed_table(metrics);
  out += "<div class=\"grid\">\n" + observed_funnel_chart(page, metrics);
  if (weekly) out += cohort_charts(page, *weekly);
  out += "</div>\n";
  const json by_source = summary.value("by_source", json::object());
  if (!by_source.empty()) out += "<h3>By source</h3>\n" + source_table(by_source);
  out += quality_html(observed);
  out += "</section>\n";
}

void beside_section(Page& page, const json& observed, const json& simulated) {
  std::string& out = page.body;
  out += fmt::format(
      "<section id=\"beside\">\n<h2>Observed beside simulated</h2>\n<p>The export's figures (red: observed, with "
      "its 95% interval) against the simulated scenario <code>{}</code> (blue: P10 to P90 of its {} replications, "
      "the tick at their mean). An observed value outside the simulated band is a figure the scenario does not "
      "reproduce.</p>\n",
      html_escape(simulated.value("scenario", std::string("?"))), simulated.value("replications", 0));
  // One chart per kind of figure, so counts, shares and times each get their own scale.
  struct Group {
    std::string_view title;
    std::vector<std::string_view> metrics;
    std::string_view format;
  };
  const Group groups[] = {
      {"Counts", {"leads", "mqls", "sqls", "opportunities", "won_deals"}, ",.0f"},
      {"Conversion", {"lead_to_mql_rate", "mql_to_sql_rate", "sql_to_opportunity_rate"}, ".1%"},
      {"Time to MQL (days)", {"time_to_mql_days", "time_to_mql_days_p50", "time_to_mql_days_p90"}, ",.1f"},
      {"Response time (hours)", {"response_time_hours", "response_time_hours_p50", "response_time_hours_p90"}, ",.1f"}};
  std::string table;
  out += "<div class=\"grid\">\n";
  const json& om = observed.at("metrics");
  const json& sm = simulated.at("metrics");
  for (const Group& g : groups) {
    ordered_json data = ordered_json::array();
    ordered_json order = ordered_json::array();
    for (std::string_view metric : g.metrics) {
      const json &o = stats_of(om, metric), &s = stats_of(sm, metric);
      if (!defined(o) || !defined(s)) continue;
      const std::string label = metric_label(metric), unit = metric_unit(metric);
      order.push_back(label);
      const double value = number(o, "mean"), p5 = number(s, "p5"), p95 = number(s, "p95");
      data.push_back({{"metric", label},
                      {"observed", value},
                      {"low", number(o, "ci95_low")},
                      {"high", number(o, "ci95_high")},
                      {"mean", number(s, "mean")},
                      {"p10", number(s, "p10")},
                      {"p90", number(s, "p90")}});
      const bool inside = value >= p5 && value <= p95;
      table += fmt::format("<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{} to {}</td><td>{}</td></tr>\n",
                           html_escape(label), html_escape(shown(value, unit)), html_escape(interval_text(o, unit)),
                           html_escape(display(number(s, "mean"), unit)), html_escape(display(number(s, "p10"), unit)),
                           html_escape(display(number(s, "p90"), unit)), inside ? "yes" : "<strong>no</strong>");
    }
    if (data.empty()) continue;
    const bool counts = g.title == "Counts";
    const ordered_json x_scale = counts ? ordered_json{{"type", "log"}} : ordered_json{{"zero", true}};
    ordered_json spec = {
        {"title",
         {{"text", std::string(g.title)}, {"subtitle", "Red: observed (95% interval). Blue: simulated P10-P90."}}},
        {"height", 40 * static_cast<int>(data.size())},
        {"data", {{"values", data}}},
        {"encoding", {{"y", {{"field", "metric"}, {"type", "nominal"}, {"sort", order}, {"title", nullptr}}}}},
        {"layer",
         {{{"mark", {{"type", "rule"}, {"color", kSimulated}, {"strokeWidth", 10}, {"opacity", 0.45}}},
           {"encoding",
            {{"x",
              {{"field", "p10"},
               {"type", "quantitative"},
               {"scale", x_scale},
               {"title", nullptr},
               {"axis", {{"format", std::string(g.format)}}}}},
             {"x2", {{"field", "p90"}}}}}},
          {{"mark", {{"type", "tick"}, {"color", kSimulated}, {"thickness", 3}, {"size", 18}}},
           {"encoding", {{"x", {{"field", "mean"}, {"type", "quantitative"}}}}}},
          {{"mark", {{"type", "rule"}, {"color", kObserved}, {"strokeWidth", 2}}},
           {"encoding", {{"x", {{"field", "low"}, {"type", "quantitative"}}}, {"x2", {{"field", "high"}}}}}},
          {{"mark", {{"type", "point"}, {"filled", true}, {"color", kObserved}, {"size", 80}}},
           {"encoding",
            {{"x", {{"field", "observed"}, {"type", "quantitative"}}},
             {"tooltip",
              {{{"field", "metric"}, {"title", "Metric"}},
               {{"field", "observed"}, {"title", "Observed"}, {"format", std::string(g.format)}},
               {{"field", "mean"}, {"title", "Simulated mean"}, {"format", std::string(g.format)}},
               {{"field", "p10"}, {"title", "Simulated P10"}, {"format", std::string(g.format)}},
               {{"field", "p90"}, {"title", "Simulated P90"}, {"format", std::string(g.format)}}}}}}}}}};
    out += page.chart(std::move(spec), "");
  }
  out +=
      "</div>\n<div class=\"table-wrap\"><table><thead><tr><th>Whole funnel</th><th>Observed</th><th>95% "
      "interval</th><th>Simulated mean</th><th>Simulated P10 to P90</th><th>Observed inside the simulated P5 to "
      "P95</th></tr></thead><tbody>\n" +
      table + "</tbody></table></div>\n</section>\n";
}

}  // namespace funnelsim::report_detail
