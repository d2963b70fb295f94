// The report's what-if sections: a forest plot of paired differences (compare), trade-off
// curves and the Pareto front (sweep), and a tornado chart (sensitivity).
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "funnelsim/output/comparison_output.hpp"
#include "core/number_text.hpp"
#include "report/internal.hpp"

namespace funnelsim::report_detail {
namespace {

constexpr std::string_view kBetter = "Better", kWorse = "Worse", kUnclear = "No clear change",
                           kChanged = "Changed (no better direction)";

const json& member(const json& object, std::string_view key) {
  static const json none = json::object();
  if (!object.is_object()) return none;
  const auto it = object.find(key);
  return it == object.end() ? none : *it;
}

/// Signed dollars, short for large amounts: +$565, -$8,964, +$303K, -$1.25M.
std::string signed_money(double v, double scale) {
  if (!std::isfinite(v)) return "n/a";
  const std::string sign = v > 0 ? "+" : v < 0 ? "-" : "";
  const double a = std::abs(v);
  if (scale >= 1e6) return fmt::format("{}${:.2f}M", sign, a / 1e6);
  if (scale >= 1e5) return fmt::format("{}${:.0f}K", sign, a / 1e3);
  if (scale >= 10) return sign + "$" + display(a, "currency").substr(1);
  return fmt::format("{}${:.2f}", sign, a);
}

/// One signed change in the metric's own units: points for rates, dollars for money. `scale`, the
/// largest magnitude shown beside it, picks the money format so that a mean and its interval agree.
std::string change_value(double v, std::string_view unit, double scale) {
  if (unit_kind(unit) == UnitKind::ratio) return signed_number(100 * v, 1);
  if (unit_kind(unit) == UnitKind::currency)
    return scale >= 10 && scale < 1e5 ? signed_money(std::round(v), scale)  // whole dollars with separators
                                      : signed_money(v, scale);
  return signed_number(v, 1);
}

/// A paired difference with its interval: "+1.2 pp [+0.9, +1.5]", "+$42 [+$30, +$55]".
std::string change_text(double mean, double low, double high, std::string_view unit) {
  const double scale = std::max(std::abs(low), std::abs(high));
  return fmt::format("{}{} [{}, {}]", change_value(mean, unit, scale), unit_kind(unit) == UnitKind::ratio ? " pp" : "",
                     change_value(low, unit, scale), change_value(high, unit, scale));
}

std::string verdict(const json& difference, std::string_view better) {
  const double low = number(difference, "ci95_low"), high = number(difference, "ci95_high");
  const int sign = low > 0 ? 1 : high < 0 ? -1 : 0;
  if (sign == 0) return std::string(kUnclear);
  if (better == "neither") return std::string(kChanged);
  return std::string((sign > 0) == (better == "higher") ? kBetter : kWorse);
}

/// The metrics a comparison shows: the verdict's headline metrics, then money and pipeline when
/// the base has them.
std::vector<std::string> compared_metrics(const json& metrics) {
  std::vector<std::string> out;
  for (std::string_view m : headline_metrics()) out.emplace_back(m);
  for (std::string_view m : {"cost_per_sql_loaded", "pipeline_value", "cac"}) {
    const json& base = member(member(metrics, m), "base");
    if (number(base, "n_defined") > 0 && !(number(base, "min") == 0 && number(base, "max") == 0)) out.emplace_back(m);
  }
  return out;
}

std::string forest_chart(Page& page, const std::string& variant, const std::string& base, const json& metrics,
                         std::uint64_t replications) {
  ordered_json rows = ordered_json::array();
  int order = 0;
  for (const std::string& metric : compared_metrics(metrics)) {
    const json& c = member(metrics, metric);
    const json& d = member(c, "difference");
    const double rel = number(d, "relative"), lo = number(d, "relative_ci95_low"), hi = number(d, "relative_ci95_high");
    if (!std::isfinite(rel)) continue;
    const std::string unit = c.value("unit", metric_unit(metric));
    rows.push_back({{"metric", metric_label(metric)},
                    {"order", order++},
                    {"rel", rel},
                    {"lo", std::isfinite(lo) ? lo : rel},
                    {"hi", std::isfinite(hi) ? hi : rel},
                    {"verdict", verdict(d, c.value("better", std::string("neither")))},
                    {"change", change_text(number(d, "mean"), number(d, "ci95_low"), number(d, "ci95_high"), unit)},
                    {"base", display(number(member(c, "base"), "mean"), unit)},
                    {"variant", display(number(member(c, "variant"), "mean"), unit)}});
  }
  ordered_json order_names = ordered_json::array();
  for (const auto& r : rows) order_names.push_back(r["metric"]);
  const ordered_json y = {{"field", "metric"},
                          {"type", "nominal"},
                          {"sort", order_names},
                          {"title", nullptr},
                          {"axis", {{"labelFontSize", 12}, {"labelLimit", 220}}}};
  const ordered_json color = {
      {"field", "verdict"},
      {"type", "nominal"},
      {"title", "By the 95% CI"},
      {"scale",
       {{"domain", {kBetter, kWorse, kUnclear, kChanged}}, {"range", {"#1b7a36", "#c0392b", "#8a8a8a", "#2f6db5"}}}}};
  ordered_json spec = {
      {"title",
       {{"text", fmt::format("{} vs {}: change in each headline metric", variant, base)},
        {"subtitle", fmt::format("Mean of the paired differences relative to the base, with its 95% CI ({} paired "
                                 "replications). Labels: the change in the metric's own units.",
                                 replications)}}},
      {"height", 44 * static_cast<int>(rows.size())},
      {"data", {{"values", rows}}},
      {"layer",
       {{{"data", {{"values", ordered_json::array({{{"zero", 0}}})}}},
         {"mark", {{"type", "rule"}, {"color", "#555"}, {"strokeDash", {4, 3}}}},
         {"encoding", {{"x", {{"field", "zero"}, {"type", "quantitative"}}}}}},
        {{"mark", {{"type", "rule"}, {"strokeWidth", 3}}},
         {"encoding",
          {{"y", y},
           {"x",
            {{"field", "lo"},
             {"type", "quantitative"},
             {"title", "Change relative to the base (%)"},
             {"scale", {{"padding", 70}}},
             {"axis", {{"format", "+.0%"}}}}},
           {"x2", {{"field", "hi"}}},
           {"color", color}}}},
        {{"mark", {{"type", "point"}, {"filled", true}, {"size", 110}, {"opacity", 1}}},
         {"encoding",
          {{"y", y},
           {"x", {{"field", "rel"}, {"type", "quantitative"}}},
           {"color", color},
           {"tooltip",
            {{{"field", "metric"}, {"title", "Metric"}},
             {{"field", "base"}, {"title", "Base mean"}},
             {{"field", "variant"}, {"title", "Variant mean"}},
             {{"field", "change"}, {"title", "Difference [95% CI]"}},
             {{"field", "rel"}, {"title", "Relative"}, {"format", "+.1%"}},
             {{"field", "verdict"}, {"title", "Verdict"}}}}}}},
        {{"mark", {{"type", "text"}, {"dy", -15}, {"fontSize", 12}, {"color", "#222"}}},
         {"encoding",
          {{"y", y}, {"x", {{"field", "rel"}, {"type", "quantitative"}}}, {"text", {{"field", "change"}}}}}}}}};
  return page.chart(std::move(spec),
                    "Each row is one metric: the dot is the mean difference variant minus base, relative to the base "
                    "mean; the bar is its 95% confidence interval. A bar that does not cross the dashed zero line is a "
                    "clear change. Rates move in percentage points (pp), money in dollars.",
                    true);
}

std::string compare_table(const json& metrics) {
  std::string out =
      "<div class=\"table-wrap\"><table><thead><tr><th>Metric</th><th>Base</th><th>Variant</th>"
      "<th>Difference [95% CI]</th><th>Relative [95% CI]</th><th>P(variant better)</th><th>Variance reduction</th>"
      "</tr></thead><tbody>\n";
  for (const std::string& metric : compared_metrics(metrics)) {
    const json& c = member(metrics, metric);
    const json& d = member(c, "difference");
    const std::string unit = c.value("unit", metric_unit(metric));
    const std::string v = verdict(d, c.value("better", std::string("neither")));
    const std::string css = v == kBetter ? " class=\"better\"" : v == kWorse ? " class=\"worse\"" : "";
    const double p = number(d, "p_better_share"), reduction = number(d, "variance_reduction");
    out += fmt::format(
        "<tr><td>{}</td><td>{}</td><td>{}</td><td{}>{}</td><td>{} [{}, {}]</td><td>{}</td><td>{}</td></tr>\n",
        html_escape(axis_title(metric, unit)), display(number(member(c, "base"), "mean"), unit),
        display(number(member(c, "variant"), "mean"), unit), css,
        change_text(number(d, "mean"), number(d, "ci95_low"), number(d, "ci95_high"), unit),
        signed_number(100 * number(d, "relative"), 1, "", "%"),
        signed_number(100 * number(d, "relative_ci95_low"), 1, "", "%"),
        signed_number(100 * number(d, "relative_ci95_high"), 1, "", "%"),
        std::isfinite(p) ? fmt::format("{:.0f}%", 100 * p) : "",
        std::isfinite(reduction) ? fmt::format("{:.1f}x", reduction) : "");
  }
  return out + "</tbody></table></div>\n";
}

// ---- sweep ----------------------------------------------------------------------------------

struct Threshold {
  std::string metric, op;
  double value = 0;
};

/// "mql_to_sql_rate >= 0.19" as sweep.json writes a constraint.
std::optional<Threshold> parse_constraint(const std::string& text) {
  Threshold t;
  std::string value;
  std::istringstream in(text);
  if (!(in >> t.metric >> t.op >> value)) return std::nullopt;
  try {
    t.value = std::stod(value);
  } catch (const std::exception&) {
    return std::nullopt;
  }
  return t;
}

std::string point_label(const json& values) {
  std::string out;
  for (const auto& [pointer, value] : values.items())
    out += (out.empty() ? "" : ", ") + fmt::format("{}={}", pointer, value_text(value));
  return out;
}

std::string tradeoff_chart(Page& page, const json& sweep, std::size_t parameter, const std::string& metric,
                           const std::vector<Threshold>& thresholds) {
  const json& params = sweep.at("parameters");
  const std::string pointer = params[parameter].at("pointer").get<std::string>();
  const json& values = params[parameter].at("values");
  bool numeric = true;
  for (const json& v : values) numeric = numeric && v.is_number();
  const std::string unit = metric_unit(metric);
  const bool others = params.size() > 1;
  ordered_json rows = ordered_json::array();
  for (const json& point : sweep.at("points")) {
    const json& s = member(member(point, "metrics"), metric);
    const json& own = point.at("values").at(pointer);
    std::string rest;
    for (const auto& [ptr, v] : point.at("values").items())
      if (ptr != pointer) rest += (rest.empty() ? "" : ", ") + fmt::format("{}={}", ptr, value_text(v));
    std::size_t index = 0;
    while (index < values.size() && values[index] != own) ++index;
    ordered_json row = {{"x", numeric ? ordered_json(own.get<double>()) : ordered_json(value_text(own))},
                        {"x_order", index},
                        {"others", rest.empty() ? "all points" : rest},
                        {"mean", number(s, "mean")},
                        {"lo", number(s, "ci95_low")},
                        {"hi", number(s, "ci95_high")},
                        {"best", point.value("best", false) ? "best point" : ""},
                        {"point", point.value("point", 0)},
                        {"label", point_label(point.at("values"))}};
    if (!std::isfinite(number(s, "mean"))) continue;
    rows.push_back(std::move(row));
  }
  const std::string value_format = d3_format(unit), axis_format = d3_axis_format(unit);
  ordered_json x = {{"field", "x"}, {"type", numeric ? "quantitative" : "ordinal"}, {"title", pointer}};
  if (numeric)
    x["scale"] = {{"zero", false}, {"nice", false}, {"padding", 12}};
  else {
    ordered_json order = ordered_json::array();
    for (const json& v : values) order.push_back(value_text(v));
    x["sort"] = order;
    x["axis"] = {{"labelAngle", 0}};
  }
  // The values tried, written as given (a d3 format would round them to the tick step).
  if (numeric) x["axis"] = {{"values", values}, {"labelExpr", "format(datum.value, ',.10~r')"}};
  ordered_json color = {{"field", "others"},
                        {"type", "nominal"},
                        {"title", "Other parameters"},
                        {"legend", {{"columns", 1}, {"symbolOpacity", 1}}}};
  if (!others) color = {{"value", "#4c78a8"}};
  ordered_json layers = ordered_json::array();
  layers.push_back({{"mark", {{"type", "area"}, {"opacity", 0.2}}},
                    {"encoding",
                     {{"x", x},
                      {"y",
                       {{"field", "lo"},
                        {"type", "quantitative"},
                        {"title", axis_title(metric, unit)},
                        {"scale", {{"zero", false}}},
                        {"axis", {{"format", axis_format}}}}},
                      {"y2", {{"field", "hi"}}},
                      {"color", color}}}});
  layers.push_back({{"mark", {{"type", "line"}, {"strokeWidth", 2.5}, {"point", {{"size", 50}, {"filled", true}}}}},
                    {"encoding",
                     {{"x", x},
                      {"y", {{"field", "mean"}, {"type", "quantitative"}}},
                      {"color", color},
                      {"tooltip",
                       {{{"field", "label"}, {"title", "Point"}},
                        {{"field", "mean"}, {"title", "Mean"}, {"format", value_format}},
                        {{"field", "lo"}, {"title", "95% CI low"}, {"format", value_format}},
                        {{"field", "hi"}, {"title", "95% CI high"}, {"format", value_format}}}}}}});
  layers.push_back({{"transform", {{{"filter", "datum.best != ''"}}}},
                    {"mark",
                     {{"type", "point"},
                      {"shape", "diamond"},
                      {"size", 260},
                      {"filled", false},
                      {"strokeWidth", 2.5},
                      {"color", "#c0392b"}}},
                    {"encoding", {{"x", x}, {"y", {{"field", "mean"}, {"type", "quantitative"}}}}}});
  layers.push_back(
      {{"transform", {{{"filter", "datum.best != ''"}}}},
       {"mark", {{"type", "text"}, {"dy", -16}, {"color", "#c0392b"}, {"fontWeight", "bold"}}},
       {"encoding", {{"x", x}, {"y", {{"field", "mean"}, {"type", "quantitative"}}}, {"text", {{"field", "best"}}}}}});
  for (const Threshold& t : thresholds) {
    if (t.metric != metric) continue;
    const std::string label = fmt::format("constraint {} {}", t.op, display(t.value, unit));
    layers.push_back({{"data", {{"values", ordered_json::array({{{"y", t.value}, {"label", label}}})}}},
                      {"mark", {{"type", "rule"}, {"color", "#c0392b"}, {"strokeDash", {6, 4}}}},
                      {"encoding", {{"y", {{"field", "y"}, {"type", "quantitative"}}}}}});
    layers.push_back(
        {{"data", {{"values", ordered_json::array({{{"y", t.value}, {"label", label}}})}}},
         {"mark", {{"type", "text"}, {"align", "left"}, {"dy", -7}, {"x", 4}, {"color", "#c0392b"}}},
         {"encoding", {{"y", {{"field", "y"}, {"type", "quantitative"}}}, {"text", {{"field", "label"}}}}}});
  }
  ordered_json spec = {{"title",
                        {{"text", metric_label(metric)},
                         {"subtitle", fmt::format("against {}; line: mean, band: its 95% CI", pointer)}}},
                       {"height", 200},
                       {"data", {{"values", rows}}},
                       {"layer", layers}};
  return page.chart(std::move(spec), "");
}

std::string pareto_chart(Page& page, const json& sweep) {
  const json& axes = sweep.at("pareto");
  const std::string xm = axes.at("x").get<std::string>(), ym = axes.at("y").get<std::string>();
  const std::string xu = metric_unit(xm), yu = metric_unit(ym);
  ordered_json rows = ordered_json::array();
  for (const json& point : sweep.at("points")) {
    const json& sx = member(member(point, "metrics"), xm);
    const json& sy = member(member(point, "metrics"), ym);
    if (!std::isfinite(number(sx, "mean")) || !std::isfinite(number(sy, "mean"))) continue;
    std::string label;
    for (const auto& [ptr, v] : point.at("values").items()) label += (label.empty() ? "" : ", ") + value_text(v);
    rows.push_back({{"x", number(sx, "mean")},
                    {"y", number(sy, "mean")},
                    {"x_lo", number(sx, "ci95_low")},
                    {"x_hi", number(sx, "ci95_high")},
                    {"y_lo", number(sy, "ci95_low")},
                    {"y_hi", number(sy, "ci95_high")},
                    {"front", point.value("pareto", false) ? "On the Pareto front" : "Beaten on both"},
                    {"label", label},
                    {"point", point_label(point.at("values"))}});
  }
  const ordered_json x = {{"field", "x"},
                          {"type", "quantitative"},
                          {"title", axis_title(xm, xu)},
                          {"scale", {{"zero", false}, {"padding", 20}}},
                          {"axis", {{"format", d3_axis_format(xu)}}}};
  const ordered_json y = {{"field", "y"},
                          {"type", "quantitative"},
                          {"title", axis_title(ym, yu)},
                          {"scale", {{"zero", false}, {"padding", 20}}},
                          {"axis", {{"format", d3_axis_format(yu)}}}};
  const ordered_json color = {
      {"field", "front"},
      {"type", "nominal"},
      {"title", nullptr},
      {"scale", {{"domain", {"On the Pareto front", "Beaten on both"}}, {"range", {"#c0392b", "#9a9a9a"}}}}};
  std::string parameters;
  for (const json& p : sweep.at("parameters"))
    parameters += (parameters.empty() ? "" : ", ") + p.at("pointer").get<std::string>();
  ordered_json spec = {
      {"title",
       {{"text", fmt::format("Trade-off: {} against {}", metric_label(xm), metric_label(ym))},
        {"subtitle",
         fmt::format("One dot per sweep point, labelled with its value of {}; lines: 95% CIs", parameters)}}},
      {"height", 300},
      {"data", {{"values", rows}}},
      {"layer",
       {{{"mark", {{"type", "rule"}, {"color", "#bbb"}}},
         {"encoding", {{"x", {{"field", "x_lo"}, {"type", "quantitative"}}}, {"x2", {{"field", "x_hi"}}}, {"y", y}}}},
        {{"mark", {{"type", "rule"}, {"color", "#bbb"}}},
         {"encoding", {{"y", {{"field", "y_lo"}, {"type", "quantitative"}}}, {"y2", {{"field", "y_hi"}}}, {"x", x}}}},
        {{"transform", {{{"filter", "datum.front == 'On the Pareto front'"}}}},
         {"mark", {{"type", "line"}, {"color", "#c0392b"}, {"strokeWidth", 2}}},
         {"encoding", {{"x", x}, {"y", y}, {"order", {{"field", "x"}, {"type", "quantitative"}}}}}},
        {{"mark", {{"type", "point"}, {"filled", true}, {"size", 90}, {"opacity", 1}}},
         {"encoding",
          {{"x", x},
           {"y", y},
           {"color", color},
           {"tooltip",
            {{{"field", "point"}, {"title", "Point"}},
             {{"field", "x"}, {"title", metric_label(xm)}, {"format", d3_format(xu)}},
             {{"field", "y"}, {"title", metric_label(ym)}, {"format", d3_format(yu)}},
             {{"field", "front"}, {"title", "Front"}}}}}}},
        {{"mark", {{"type", "text"}, {"align", "left"}, {"dx", 8}, {"dy", -8}, {"fontSize", 12}}},
         {"encoding", {{"x", x}, {"y", y}, {"text", {{"field", "label"}}}}}}}}};
  return page.chart(std::move(spec),
                    "A point is on the front when no other point is at least as good on both metrics (each in its "
                    "better direction) and better on one: moving along the front trades one metric for the other.",
                    true);
}

// ---- sensitivity --------------------------------------------------------------------------

std::string json_html(const json& value) {
  if (value.is_object()) {
    std::string out = "<ul>";
    for (const auto& [key, v] : value.items())
      out += fmt::format("<li><b>{}</b>: {}</li>", html_escape(key),
                         v.is_structured() ? json_html(v) : html_escape(value_text(v)));
    return out + "</ul>";
  }
  if (value.is_array()) {
    std::string out = "<ul>";
    for (const json& v : value)
      out += "<li>" + (v.is_structured() ? json_html(v) : html_escape(value_text(v))) + "</li>";
    return out + "</ul>";
  }
  return html_escape(value_text(value));
}

/// A paired change without its interval, for a short label: "+18.2", "-1.3 pp", "+$42".
std::string change_only(double mean, std::string_view unit) {
  return change_value(mean, unit, std::abs(mean)) + (unit_kind(unit) == UnitKind::ratio ? " pp" : "");
}

/// "each parameter to -20% and +20% of its base value" from the file's `vary` (a share, or text).
std::string vary_text(const json& s) {
  const json& vary = member(s, "vary");
  if (vary.is_number())
    return fmt::format("each parameter to -{0:g}% and +{0:g}% of its base value", 100.0 * vary.get<double>());
  return vary.is_string() ? vary.get<std::string>() : std::string("each parameter down and up");
}

/// The regression on uncertain inputs: one row per input, then the variance split. Anything
/// not in that shape is shown as it is.
std::string uncertain_html(const json& u, const std::string& metric) {
  std::string out = "<h3>Input uncertainty</h3>\n";
  const json& parameters = member(u, "parameters");
  if (!parameters.is_array()) return out + "<div class=\"note\">" + json_html(u) + "</div>\n";
  out += fmt::format(
      "<p>These inputs were drawn once per replication. {} was regressed on them over the base run: the "
      "standardized regression coefficient (SRC) says how many standard deviations the metric moves per standard "
      "deviation of the input, the Spearman coefficient how monotone the relation is.</p>\n",
      html_escape(metric_label(metric)));
  out += "<table>\n<tr><th>Input</th><th>SRC</th><th>Spearman</th></tr>\n";
  for (const json& p : parameters)
    out += fmt::format("<tr><td><code>{}</code></td><td>{}</td><td>{}</td></tr>\n",
                       html_escape(value_text(member(p, "pointer"))), signed_number(number(p, "src"), 3),
                       signed_number(number(p, "spearman"), 3));
  out += "</table>\n";
  const double r2 = number(u, "r_squared");
  if (std::isfinite(r2))
    out += fmt::format(
        "<p>R<sup>2</sup> = {:.3f}: about {:.0f}% of the spread of {} across replications comes from not knowing "
        "these inputs (as far as a linear model sees it), the rest from the quarter's own randomness.</p>\n",
        r2, 100.0 * r2, html_escape(metric_label(metric)));
  return out;
}

std::string tornado_chart(Page& page, const json& s) {
  const std::string metric = s.at("metric").get<std::string>();
  const std::string unit = metric_unit(metric);
  const double base = number(s.at("base"), "mean");
  std::vector<const json*> params;
  for (const json& p : s.at("parameters")) params.push_back(&p);
  std::stable_sort(params.begin(), params.end(),
                   [](const json* a, const json* b) { return a->value("rank", 1e9) < b->value("rank", 1e9); });
  ordered_json rows = ordered_json::array();
  int order = 0;
  for (const json* p : params) {
    const std::string pointer = p->at("pointer").get<std::string>();
    for (const char* end : {"low", "high"}) {
      // sensitivity.json holds each side's paired effect on the metric; the bars sit at base + effect.
      const json& stats = p->at(end);
      const double effect = number(stats, "mean");
      if (!std::isfinite(effect)) continue;
      const double low = number(stats, "ci95_low"), high = number(stats, "ci95_high");
      const std::string value = value_text(p->at(std::string(end) + "_value"));
      rows.push_back({{"parameter", pointer},
                      {"order", order},
                      {"end", std::string(end) == "low" ? "Low value" : "High value"},
                      {"base", base},
                      {"mean", base + effect},
                      {"lo", base + low},
                      {"hi", base + high},
                      {"right", effect >= 0.0},
                      {"label", fmt::format("{}: {}", value, change_only(effect, unit))},
                      {"change", change_text(effect, low, high, unit)},
                      {"setting", fmt::format("{} = {} (base {})", pointer, value, value_text(p->at("base_value")))}});
    }
    ++order;
  }
  const std::string value_format = d3_format(unit), axis_format = d3_axis_format(unit);
  ordered_json order_names = ordered_json::array();
  for (const json* p : params) order_names.push_back(p->at("pointer"));
  const ordered_json y = {{"field", "parameter"},
                          {"type", "nominal"},
                          {"sort", order_names},
                          {"title", nullptr},
                          {"axis", {{"labelLimit", 320}, {"labelFontSize", 12}}}};
  const ordered_json y_offset = {{"field", "end"}, {"type", "nominal"}, {"sort", {"Low value", "High value"}}};
  const ordered_json color = {{"field", "end"},
                              {"type", "nominal"},
                              {"title", "Parameter set to its"},
                              {"scale", {{"domain", {"Low value", "High value"}}, {"range", {"#4c78a8", "#f58518"}}}}};
  const ordered_json x = {{"field", "mean"},
                          {"type", "quantitative"},
                          {"title", axis_title(metric, unit)},
                          {"scale", {{"zero", false}, {"padding", 70}}},
                          {"axis", {{"format", axis_format}}}};
  ordered_json spec = {
      {"title",
       {{"text", fmt::format("What moves {} most", metric_label(metric))},
        {"subtitle", fmt::format("One parameter at a time to its low and high value; bars run from the base "
                                 "scenario's mean ({}) by the paired change; black lines: its 95% CI",
                                 display(base, unit))}}},
      {"height", 56 * static_cast<int>(params.size())},
      {"data", {{"values", rows}}},
      {"layer",
       {{{"mark", {{"type", "bar"}, {"height", {{"band", 0.9}}}}},
         {"encoding",
          {{"y", y},
           {"yOffset", y_offset},
           {"x", x},
           {"x2", {{"field", "base"}}},
           {"color", color},
           {"tooltip",
            {{{"field", "setting"}, {"title", "Setting"}},
             {{"field", "mean"}, {"title", "Mean"}, {"format", value_format}},
             {{"field", "change"}, {"title", "Paired change [95% CI]"}}}}}}},
        {{"mark", {{"type", "rule"}, {"color", "#111"}, {"strokeWidth", 1.5}}},
         {"encoding",
          {{"y", y},
           {"yOffset", y_offset},
           {"x", {{"field", "lo"}, {"type", "quantitative"}}},
           {"x2", {{"field", "hi"}}}}}},
        {{"transform", {{{"filter", "datum.right"}}}},
         {"mark", {{"type", "text"}, {"align", "left"}, {"dx", 6}, {"fontSize", 11}}},
         {"encoding",
          {{"y", y},
           {"yOffset", y_offset},
           {"x", {{"field", "hi"}, {"type", "quantitative"}}},
           {"text", {{"field", "label"}}}}}},
        {{"transform", {{{"filter", "!datum.right"}}}},
         {"mark", {{"type", "text"}, {"align", "right"}, {"dx", -6}, {"fontSize", 11}}},
         {"encoding",
          {{"y", y},
           {"yOffset", y_offset},
           {"x", {{"field", "lo"}, {"type", "quantitative"}}},
           {"text", {{"field", "label"}}}}}},
        {{"data", {{"values", ordered_json::array({{{"base", base}}})}}},
         {"mark", {{"type", "rule"}, {"color", "#333"}, {"strokeDash", {4, 3}}, {"strokeWidth", 1.5}}},
         {"encoding", {{"x", {{"field", "base"}, {"type", "quantitative"}}}}}}}}};
  return page.chart(std::move(spec),
                    "Parameters sorted by how far they move the metric (rank 1 on top). Each bar runs from the base "
                    "mean to the mean with that one parameter at its low (blue) or high (orange) value, on the same "
                    "replications; the labels give the value tried and the paired change (its 95% CI in the tooltip).",
                    true);
}

}  // namespace

void compare_section(Page& page, const json& compare) {
  const std::string base = compare.value("base", std::string("base"));
  const auto replications = compare.value("replications", std::uint64_t{0});
  std::string& out = page.body;
  out += "<section id=\"compare\">\n";
  std::string variants;
  for (const json& c : compare.at("comparisons"))
    variants += (variants.empty() ? "" : ", ") + c.value("variant", std::string("variant"));
  out += fmt::format("<h2>Comparison: {} vs {}</h2>\n", html_escape(variants), html_escape(base));
  std::string files;
  for (const json& s : compare.value("scenarios", json::array()))
    files += fmt::format("{}<code>{}</code> ({})", files.empty() ? "" : ", ",
                         html_escape(s.value("file", std::string())), html_escape(s.value("role", std::string())));
  out += fmt::format(
      "<p class=\"meta\">{} paired replications, seed {}; files: {}. Every scenario ran on the same seed and "
      "replication indices (common random numbers): replication r of a variant saw the very same leads as "
      "replication r of the base, so each difference measures the change, not the noise.</p>\n",
      replications, compare.value("seed", std::uint64_t{0}), files);
  std::string made_from;
  for (const json& s : compare.value("scenarios", json::array()))
    if (const std::string text = made_from_text(member(s, "provenance")); !text.empty())
      made_from += fmt::format("<li>{}: {}</li>", html_escape(value_text(s.value("name", json("?")))), text);
  if (!made_from.empty()) out += "<div class=\"meta made-from\">Made from:<ul>" + made_from + "</ul></div>\n";
  if (const json& p = member(compare, "precision"); p.is_object() && p.contains("metric"))
    out += precision_meta(p, "the widest 95% CI half-width of a paired difference, relative to the base's mean,");
  for (const json& c : compare.at("comparisons")) {
    const std::string variant = c.value("variant", std::string("variant"));
    const json& metrics = c.at("metrics");
    out += "<div class=\"grid\">\n" + forest_chart(page, variant, base, metrics, replications) + "</div>\n";
    out += fmt::format("<h3>{} vs {}: the numbers</h3>\n", html_escape(variant), html_escape(base));
    out += compare_table(metrics);
  }
  out += "</section>\n";
}

void sweep_section(Page& page, const json& sweep) {
  std::string& out = page.body;
  const json& params = sweep.at("parameters");
  const json& objective = member(sweep, "objective");
  out += fmt::format("<section id=\"sweep\">\n<h2>Sweep: {}</h2>\n",
                     html_escape(sweep.value("scenario", std::string("(unnamed)"))));
  std::string grid;
  for (const json& p : params) {
    std::string values;
    for (const json& v : p.at("values")) values += (values.empty() ? "" : ", ") + value_text(v);
    grid += fmt::format("{}<code>{}</code> = {}", grid.empty() ? "" : "; ",
                        html_escape(p.at("pointer").get<std::string>()), html_escape(values));
  }
  out += fmt::format("<p class=\"meta\">{} points x {} replications, seed {}; parameters: {}.</p>\n",
                     sweep.at("points").size(), sweep.value("replications", std::uint64_t{0}),
                     sweep.value("seed", std::uint64_t{0}), grid);
  out += made_from_meta(sweep);
  if (const json& p = member(sweep, "precision"); p.is_object() && p.contains("metric"))
    out += precision_meta(p, "the widest 95% CI half-width of a point's mean, relative to that mean,");

  std::vector<std::string> metrics;
  auto add = [&](const std::string& m) {
    if (std::find(metrics.begin(), metrics.end(), m) == metrics.end()) metrics.push_back(m);
  };
  std::vector<Threshold> thresholds;
  if (objective.is_object() && objective.contains("metric")) {
    add(objective.at("metric").get<std::string>());
    for (const json& c : objective.value("constraints", json::array()))
      if (c.is_string())
        if (auto t = parse_constraint(c.get<std::string>())) {
          add(t->metric);
          thresholds.push_back(*t);
        }
    const json& best = member(objective, "best_point");
    std::string best_text = "no point meets every constraint";
    if (best.is_number_integer())
      for (const json& point : sweep.at("points"))
        if (point.value("point", -1) == best.get<int>())
          best_text = fmt::format("point {} ({})", best.get<int>(), point_label(point.at("values")));
    out += fmt::format("<p>Objective: <b>{}</b>; best: {}.</p>\n", html_escape(objective.value("text", std::string())),
                       html_escape(best_text));
  }
  const json& pareto = member(sweep, "pareto");
  const bool has_pareto = pareto.is_object() && pareto.contains("x") && pareto.contains("y");
  if (has_pareto) {
    add(pareto.at("x").get<std::string>());
    add(pareto.at("y").get<std::string>());
  }
  for (const char* m : {"sqls", "mql_to_sql_rate", "cost_per_sql_marketing", "mql_recall"})
    if (metrics.size() < 4) add(m);

  out += "<div class=\"grid\">\n";
  if (has_pareto) out += pareto_chart(page, sweep);
  out += "</div>\n";
  for (std::size_t p = 0; p < params.size(); ++p) {
    out += fmt::format(
        "<h3>Trade-off curves: <code>{}</code></h3>\n<p>Each chart follows one metric as this "
        "parameter changes{}. Every point ran the same seed and replications (common random numbers), "
        "so the curve's shape is the parameter's effect, not noise.</p>\n<div class=\"grid\">\n",
        html_escape(params[p].at("pointer").get<std::string>()),
        params.size() > 1 ? " (one line per value of the other parameters)" : "");
    for (const std::string& m : metrics) out += tradeoff_chart(page, sweep, p, m, thresholds);
    out += "</div>\n";
  }
  if (!has_pareto)
    out +=
        "<p class=\"note\">No Pareto front: run the sweep with <code>--pareto METRIC_X,METRIC_Y</code> to see "
        "one.</p>\n";
  out += "</section>\n";
}

void sensitivity_section(Page& page, const json& s) {
  std::string& out = page.body;
  const std::string metric = s.at("metric").get<std::string>();
  const std::string unit = metric_unit(metric);
  const json& base = s.at("base");
  out += fmt::format("<section id=\"sensitivity\">\n<h2>Sensitivity of {}: {}</h2>\n",
                     html_escape(metric_label(metric)), html_escape(s.value("scenario", std::string("(unnamed)"))));
  out += fmt::format(
      "<p class=\"meta\">{} replications per setting, seed {}. Varied: {}. Base mean {} [95% CI {} to {}].</p>\n",
      s.value("replications", std::uint64_t{0}), s.value("seed", std::uint64_t{0}), html_escape(vary_text(s)),
      display(number(base, "mean"), unit), display(number(base, "ci95_low"), unit),
      display(number(base, "ci95_high"), unit));
  out += made_from_meta(s);
  out += "<div class=\"grid\">\n" + tornado_chart(page, s) + "</div>\n";
  const json& skipped = member(s, "skipped");
  if (skipped.is_array() && !skipped.empty()) {
    out += "<h3>Parameters left out</h3>\n<div class=\"note\"><ul>";
    for (const json& item : skipped) {
      if (item.is_object() && item.contains("pointer")) {
        out += fmt::format("<li><code>{}</code>", html_escape(value_text(item.at("pointer"))));
        for (const auto& [key, v] : item.items())
          if (key != "pointer") out += fmt::format("; {}: {}", html_escape(key), html_escape(value_text(v)));
        out += "</li>";
      } else {
        out += "<li>" +
               (item.is_structured() ? json_html(item) : "<code>" + html_escape(value_text(item)) + "</code>") +
               "</li>";
      }
    }
    out += "</ul></div>\n";
  }
  const json& uncertain = member(s, "uncertain");
  if (!uncertain.is_null() && !(uncertain.is_object() && uncertain.empty())) out += uncertain_html(uncertain, metric);
  out += "</section>\n";
}

}  // namespace funnelsim::report_detail
