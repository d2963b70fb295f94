// The report's calibration section (calibrate's fit.json): the export's moments beside the
// calibrated scenario's per source, the weekly series observed beside simulated, the distributions
// of time to MQL and response time overlaid, the parameter table, the fit table and the J verdict
// in words.
#include <fmt/format.h>

#include <cmath>
#include <map>
#include <string>
#include <vector>

#include "funnelsim/metrics/metrics.hpp"
#include "report/internal.hpp"

namespace funnelsim::report_detail {
namespace {

constexpr std::string_view kObservedMark = "#d62728";
constexpr std::string_view kCalibratedMark = "#4c78a8";

/// A [low, high] pair of fit.json ("observed_ci95": [low, high]); NaN where null.
std::pair<double, double> pair_of(const json& object, std::string_view key) {
  const auto it = object.find(key);
  if (it == object.end() || !it->is_array() || it->size() != 2) return {NAN, NAN};
  const auto at = [&](std::size_t i) { return (*it)[i].is_number() ? (*it)[i].get<double>() : NAN; };
  return {at(0), at(1)};
}

/// A parameter's value for the table: 4 significant digits, "n/a" when undefined.
std::string parameter_text(double value) { return std::isfinite(value) ? fmt::format("{:.4g}", value) : "n/a"; }

std::string parameter_table(const json& fit) {
  std::string rows;
  for (const json& p : fit.at("parameters"))
    rows += fmt::format(
        "<tr><td><code>{}</code></td><td class=\"kind\">{}</td><td>{}</td><td>{}</td><td>{} to {}</td><td>{}</td>"
        "</tr>\n",
        html_escape(p.value("pointer", std::string())), html_escape(p.value("how", std::string())),
        parameter_text(number(p, "base")), parameter_text(number(p, "estimate")), parameter_text(number(p, "ci95_low")),
        parameter_text(number(p, "ci95_high")), parameter_text(number(p, "se")));
  return "<div class=\"table-wrap\"><table><thead><tr><th>Parameter</th><th>How</th><th>Base</th><th>Estimate</th>"
         "<th>95% interval</th><th>Standard error</th></tr></thead><tbody>\n" +
         rows + "</tbody></table></div>\n";
}

std::string correlation_table(const json& fit) {
  std::vector<std::string> fitted;
  for (const json& p : fit.at("parameters"))
    if (p.value("how", std::string()) == "fitted") fitted.push_back(p.value("pointer", std::string()));
  const json& correlation = fit.value("correlation", json::array());
  if (fitted.size() < 2 || correlation.size() != fitted.size()) return {};
  std::string out = "<div class=\"table-wrap\"><table><thead><tr><th>Correlation</th>";
  for (const std::string& name : fitted) out += "<th><code>" + html_escape(name) + "</code></th>";
  out += "</tr></thead><tbody>\n";
  for (std::size_t i = 0; i < fitted.size(); ++i) {
    out += "<tr><td><code>" + html_escape(fitted[i]) + "</code></td>";
    for (std::size_t k = 0; k < fitted.size(); ++k) {
      const json& v = correlation[i].is_array() && k < correlation[i].size() ? correlation[i][k] : json();
      out += fmt::format("<td>{}</td>", v.is_number() ? fmt::format("{:+.3f}", v.get<double>()) : "n/a");
    }
    out += "</tr>\n";
  }
  return out + "</tbody></table></div>\n";
}

std::string fit_table(const json& fit) {
  std::string rows;
  for (const json& m : fit.at("moments")) {
    const std::string metric = m.value("metric", std::string());
    const std::string unit = metric_unit(metric);
    const auto [olow, ohigh] = pair_of(m, "observed_ci95");
    const auto [slow, shigh] = pair_of(m, "simulated_ci95");
    const double z = number(m, "z");
    const bool far = std::isfinite(z) && std::abs(z) > 2.5;
    rows += fmt::format(
        "<tr><td>{}</td><td>{}</td><td>{}</td><td>{} to {}</td><td>{}</td><td>{} to {}</td><td{}>{}</td></tr>\n",
        html_escape(m.value("scope", std::string())), html_escape(axis_title(metric, unit)),
        html_escape(display(number(m, "observed"), unit)), html_escape(display(olow, unit)),
        html_escape(display(ohigh, unit)), html_escape(display(number(m, "simulated"), unit)),
        html_escape(display(slow, unit)), html_escape(display(shigh, unit)), far ? " class=\"worse\"" : "",
        std::isfinite(z) ? fmt::format("{:+.2f}", z) : "n/a");
  }
  return "<div class=\"table-wrap\"><table><thead><tr><th>Source</th><th>Moment</th><th>Observed</th>"
         "<th>Observed 95% interval</th><th>Simulated</th><th>Simulated 95% interval</th><th>z</th></tr></thead>"
         "<tbody>\n" +
         rows + "</tbody></table></div>\n";
}

/// The J test in words: what the statistic says about the calibrated scenario.
std::string verdict_html(const json& fit) {
  const json& j = fit.at("j");
  const double statistic = number(j, "statistic"), p = number(j, "p_value");
  const bool rejected = j.value("rejected", false);
  std::string out = fmt::format(
      "<p{}><strong>{}</strong> Hansen's J = {:.2f} on {} degrees of freedom, p = {:.3g}. {}</p>\n",
      rejected ? " class=\"note\"" : "",
      rejected ? "The export rejects the calibrated scenario." : "The export does not reject the calibrated scenario.",
      statistic, j.value("degrees_of_freedom", 0), p,
      rejected ? "Its moments are further from the export's than chance allows (p &lt; 0.05): the model lacks "
                 "something the data have; the moments with |z| &gt; 2.5 are named below."
               : "Its moments are as close to the export's as the sampling noise of both allows (p &ge; 0.05); "
                 "a true model is rejected at 5% one fit in 20.");
  out += "<p>In full: " + html_escape(j.value("verdict", std::string())) + "</p>\n";
  for (const json& w : fit.value("warnings", json::array()))
    out += "<p class=\"note\">Warning: " + html_escape(value_text(w)) + "</p>\n";
  return out;
}

/// One chart per moment: each source's observed value (red, its 95% interval) beside the
/// calibrated scenario's simulated mean (blue, its 95% interval).
std::string moment_charts(Page& page, const json& fit) {
  std::vector<std::string> metrics;
  std::map<std::string, ordered_json> data;
  for (const json& m : fit.at("moments")) {
    const std::string metric = m.value("metric", std::string());
    if (!data.contains(metric)) {
      metrics.push_back(metric);
      data[metric] = ordered_json::array();
    }
    const auto [olow, ohigh] = pair_of(m, "observed_ci95");
    const auto [slow, shigh] = pair_of(m, "simulated_ci95");
    data[metric].push_back({{"source", m.value("scope", std::string())},
                            {"observed", number(m, "observed")},
                            {"observed_low", olow},
                            {"observed_high", ohigh},
                            {"simulated", number(m, "simulated")},
                            {"simulated_low", slow},
                            {"simulated_high", shigh},
                            {"z", number(m, "z")}});
  }
  std::string out;
  for (const std::string& metric : metrics) {
    const std::string unit = metric_unit(metric), format = d3_format(unit);
    const ordered_json& values = data[metric];
    const ordered_json y = {{"field", "source"}, {"type", "nominal"}, {"sort", nullptr}, {"title", nullptr}};
    ordered_json spec = {
        {"title",
         {{"text", metric_label(metric) + " by source"},
          {"subtitle", "Red: observed (95% interval). Blue: calibrated mean (95% interval)."}}},
        {"height", 34 * static_cast<int>(values.size()) + 20},
        {"data", {{"values", values}}},
        {"encoding", {{"y", y}}},
        {"layer",
         {{{"mark", {{"type", "rule"}, {"color", kCalibratedMark}, {"strokeWidth", 8}, {"opacity", 0.45}}},
           {"encoding",
            {{"x",
              {{"field", "simulated_low"},
               {"type", "quantitative"},
               {"scale", {{"zero", false}}},
               {"title", axis_title(metric, unit)},
               {"axis", {{"format", d3_axis_format(unit)}}}}},
             {"x2", {{"field", "simulated_high"}}}}}},
          {{"mark", {{"type", "tick"}, {"color", kCalibratedMark}, {"thickness", 3}, {"size", 16}}},
           {"encoding", {{"x", {{"field", "simulated"}, {"type", "quantitative"}}}}}},
          {{"mark", {{"type", "rule"}, {"color", kObservedMark}, {"strokeWidth", 2}}},
           {"encoding",
            {{"x", {{"field", "observed_low"}, {"type", "quantitative"}}}, {"x2", {{"field", "observed_high"}}}}}},
          {{"mark", {{"type", "point"}, {"filled", true}, {"color", kObservedMark}, {"size", 70}}},
           {"encoding",
            {{"x", {{"field", "observed"}, {"type", "quantitative"}}},
             {"tooltip",
              {{{"field", "source"}, {"title", "Source"}},
               {{"field", "observed"}, {"title", "Observed"}, {"format", format}},
               {{"field", "simulated"}, {"title", "Simulated"}, {"format", format}},
               {{"field", "z"}, {"title", "z"}, {"format", "+.2f"}}}}}}}}}};
    out += page.chart(std::move(spec), "");
  }
  return out;
}

std::string_view series_title(const std::string& series) {
  if (series == "leads") return "Leads";
  if (series == "mqls") return "MQLs";
  return "SQLs";
}

/// The weekly series: the whole funnel's observed weeks against the calibrated scenario's P5-P95
/// band and mean, then every source's on one chart per series; and, per scope and series, how
/// many observed weeks fall inside the band.
std::string week_charts(Page& page, const json& weeks, std::string& table) {
  const std::vector<std::string> series = {"leads", "mqls", "sqls"};
  std::map<std::string, ordered_json> all, by_source;
  struct Inside {
    int inside = 0, weeks = 0;
  };
  std::vector<std::string> scopes;
  std::map<std::string, std::map<std::string, Inside>> counts;
  for (const json& w : weeks) {
    const std::string scope = w.value("scope", std::string()), name = w.value("series", std::string());
    const double observed = number(w, "observed"), p5 = number(w, "simulated_p5"), p95 = number(w, "simulated_p95");
    const ordered_json point = {{"source", scope},
                                {"week", w.value("week", 0)},
                                {"first_day", w.value("first_day", std::string())},
                                {"observed", observed},
                                {"simulated", number(w, "simulated")},
                                {"p5", p5},
                                {"p95", p95}};
    (scope == "all" ? all : by_source)[name].push_back(point);
    if (!counts.contains(scope)) scopes.push_back(scope);
    Inside& c = counts[scope][name];
    c.weeks += 1;
    c.inside += observed >= p5 && observed <= p95;
  }
  const ordered_json x = {
      {"field", "week"}, {"type", "quantitative"}, {"title", "Week"}, {"axis", {{"tickMinStep", 1}}}};
  const ordered_json tooltip = {{{"field", "source"}, {"title", "Scope"}},
                                {{"field", "first_day"}, {"title", "Week from"}},
                                {{"field", "observed"}, {"title", "Observed"}, {"format", ",.0f"}},
                                {{"field", "simulated"}, {"title", "Simulated mean"}, {"format", ",.1f"}},
                                {{"field", "p5"}, {"title", "Simulated P5"}, {"format", ",.1f"}},
                                {{"field", "p95"}, {"title", "Simulated P95"}, {"format", ",.1f"}}};
  std::string out;
  for (const std::string& name : series) {
    if (!all.contains(name)) continue;
    const std::string title(series_title(name));
    ordered_json spec = {
        {"title",
         {{"text", title + " per week, whole funnel"},
          {"subtitle", "Red: observed. Blue: the calibrated scenario's mean and P5-P95 band."}}},
        {"height", 200},
        {"data", {{"values", all[name]}}},
        {"layer",
         {{{"mark", {{"type", "area"}, {"color", kCalibratedMark}, {"opacity", 0.25}}},
           {"encoding",
            {{"x", x},
             {"y", {{"field", "p5"}, {"type", "quantitative"}, {"title", title}}},
             {"y2", {{"field", "p95"}}}}}},
          {{"mark", {{"type", "line"}, {"color", kCalibratedMark}}},
           {"encoding", {{"x", x}, {"y", {{"field", "simulated"}, {"type", "quantitative"}}}}}},
          {{"mark", {{"type", "point"}, {"filled", true}, {"color", kObservedMark}, {"size", 50}}},
           {"encoding", {{"x", x}, {"y", {{"field", "observed"}, {"type", "quantitative"}}}, {"tooltip", tooltip}}}}}}};
    out += page.chart(std::move(spec), "");
  }
  for (const std::string& name : series) {
    if (!by_source.contains(name)) continue;
    const std::string title(series_title(name));
    const ordered_json color = {{"field", "source"}, {"type", "nominal"}, {"title", "Source"}};
    ordered_json spec = {
        {"title",
         {{"text", title + " per week, by source"},
          {"subtitle", "Points: observed. Lines: the calibrated scenario's mean."}}},
        {"height", 220},
        {"data", {{"values", by_source[name]}}},
        {"layer",
         {{{"mark", {{"type", "line"}, {"opacity", 0.8}}},
           {"encoding",
            {{"x", x}, {"y", {{"field", "simulated"}, {"type", "quantitative"}, {"title", title}}}, {"color", color}}}},
          {{"mark", {{"type", "point"}, {"filled", true}, {"size", 40}}},
           {"encoding",
            {{"x", x},
             {"y", {{"field", "observed"}, {"type", "quantitative"}}},
             {"color", color},
             {"tooltip", tooltip}}}}}}};
    out += page.chart(std::move(spec), "");
  }
  for (const std::string& scope : scopes) {
    table += "<tr><td>" + html_escape(scope == "all" ? std::string("whole funnel") : scope) + "</td>";
    for (const std::string& name : series) {
      const Inside& c = counts[scope][name];
      table += c.weeks > 0 ? fmt::format("<td>{} of {}</td>", c.inside, c.weeks) : "<td>n/a</td>";
    }
    table += "</tr>\n";
  }
  return out;
}

/// The distributions of days to MQL and response hours, one chart per scope and metric: the
/// export's share per bin (red bars) beside the calibrated scenario's mean share and P5-P95 over
/// its replications (blue line and band).
std::string distribution_charts(Page& page, const json& distributions) {
  std::string out;
  for (const json& d : distributions) {
    const std::string scope = d.value("scope", std::string()), metric = d.value("metric", std::string());
    const bool days = metric == "time_to_mql_days";
    const std::string what = days ? "Days to MQL" : "Response hours";
    const std::string axis = days ? "Days from lead to MQL" : "Hours from MQL to owner";
    ordered_json values = ordered_json::array();
    for (const json& b : d.value("bins", json::array())) {
      const double low = number(b, "low"), high = number(b, "high");
      values.push_back({{"low", low},
                        {"high", high},
                        {"middle", (low + high) / 2},
                        {"observed", number(b, "observed")},
                        {"simulated", number(b, "simulated")},
                        {"p5", number(b, "simulated_p5")},
                        {"p95", number(b, "simulated_p95")}});
    }
    if (values.empty()) continue;
    const ordered_json x = {{"field", "middle"}, {"type", "quantitative"}};
    const ordered_json tooltip = {{{"field", "low"}, {"title", "From"}, {"format", ",.1f"}},
                                  {{"field", "high"}, {"title", "To"}, {"format", ",.1f"}},
                                  {{"field", "observed"}, {"title", "Observed share"}, {"format", ".1%"}},
                                  {{"field", "simulated"}, {"title", "Simulated share"}, {"format", ".1%"}},
                                  {{"field", "p5"}, {"title", "Simulated P5"}, {"format", ".1%"}},
                                  {{"field", "p95"}, {"title", "Simulated P95"}, {"format", ".1%"}}};
    ordered_json spec = {
        {"title",
         {{"text", fmt::format("{}, {}", what, scope == "all" ? std::string("whole funnel") : scope)},
          {"subtitle", fmt::format("Red: the export ({:.0f}). Blue: calibrated ({:.0f} a replication).",
                                   number(d, "observed_count"), number(d, "simulated_count"))}}},
        {"height", 180},
        {"data", {{"values", values}}},
        {"layer",
         {{{"mark", {{"type", "rect"}, {"color", kObservedMark}, {"opacity", 0.45}}},
           {"encoding",
            {{"x", {{"field", "low"}, {"type", "quantitative"}, {"title", axis}}},
             {"x2", {{"field", "high"}}},
             {"y", {{"field", "observed"}, {"type", "quantitative"}, {"title", "Share"}, {"axis", {{"format", "%"}}}}},
             {"y2", {{"datum", 0}}},
             {"tooltip", tooltip}}}},
          {{"mark", {{"type", "area"}, {"color", kCalibratedMark}, {"opacity", 0.25}}},
           {"encoding", {{"x", x}, {"y", {{"field", "p5"}, {"type", "quantitative"}}}, {"y2", {{"field", "p95"}}}}}},
          {{"mark", {{"type", "line"}, {"color", kCalibratedMark}, {"point", true}}},
           {"encoding",
            {{"x", x}, {"y", {{"field", "simulated"}, {"type", "quantitative"}}}, {"tooltip", tooltip}}}}}}};
    out += page.chart(std::move(spec), "");
  }
  return out;
}

}  // namespace

bool is_calibration(const json& fit) { return fit.value("kind", std::string()) == "calibration"; }

void calibration_section(Page& page, const json& fit) {
  std::string& out = page.body;
  const json warmup = fit.value("warmup", json::object());
  out += "<section id=\"calibration\">\n<h2>Calibration: the scenario fitted to the export</h2>\n";
  out += fmt::format(
      "<p class=\"meta\">{}; seed {}, {} replications a parameter value (common random numbers), {} evaluations; "
      "warm-up {} days{}.</p>\n",
      html_escape(fit.value("method", std::string())), fit.value("seed", std::uint64_t{0}),
      fit.value("replications", std::uint64_t{0}), fit.value("evaluations", std::uint64_t{0}), warmup.value("days", 0),
      warmup.value("automatic", false) ? " (the rule's pick on the base)" : "");
  out += "<h3>Does the calibrated scenario fit?</h3>\n" + verdict_html(fit);
  out +=
      "<h3>Parameters</h3>\n<p>Direct ones are set from the export (leads per week: the observed count over the "
      "simulated); fitted ones minimise the distance to the export's moments. 95% intervals from the "
      "method-of-moments sandwich (docs/calibrate.md).</p>\n" +
      parameter_table(fit) + correlation_table(fit);
  out += "<h3>Observed beside simulated, per source</h3>\n<div class=\"grid\">\n" + moment_charts(page, fit) +
         "</div>\n" + fit_table(fit);
  const json& weeks = fit.value("weeks", json::array());
  if (!weeks.empty()) {
    std::string table;
    out += "<h3>Week by week</h3>\n<div class=\"grid\">\n" + week_charts(page, weeks, table) + "</div>\n";
    out +=
        "<div class=\"table-wrap\"><table><thead><tr><th>Observed weeks inside the simulated P5 to P95</th>"
        "<th>Leads</th><th>MQLs</th><th>SQLs</th></tr></thead><tbody>\n" +
        table + "</tbody></table></div>\n";
  }
  const json& distributions = fit.value("distributions", json::array());
  if (!distributions.empty())
    out +=
        "<h3>Distributions: time to MQL and response time</h3>\n<p>Each bin's share of the export's values "
        "beside the calibrated scenario's (its mean share over the replications, the band their P5 to P95), from "
        "0 to the export's 99th percentile; the last bin holds all beyond. The fit matches the means; a shape the "
        "model cannot make shows here.</p>\n<div class=\"grid\">\n" +
        distribution_charts(page, distributions) + "</div>\n";
  out += "</section>\n";
}

}  // namespace funnelsim::report_detail
