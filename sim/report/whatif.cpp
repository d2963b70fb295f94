// The report's what-if sections: a forest plot of paired differences (compare), trade-off
// curves and the Pareto front (sweep), and a tornado chart (sensitivity).
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>
#include <span>
#include <sstream>
#include <string>
#include <vector>

#include "funnelsim/output/comparison_output.hpp"
#include "core/number_text.hpp"
#include "output/format.hpp"
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
  if (unit_kind(unit) == UnitKind::currency_ratio) return signed_number(v, 2, "$");
  if (unit_kind(unit) == UnitKind::currency)
    return scale >= 10 && scale < 1e5 ? signed_money(std::round(v), scale)  // whole dollars with separators
                                      : signed_money(v, scale);
  return signed_number(v, 1);
}

/// A paired difference with its interval: "+1.2 pp [+0.9, +1.5]", "+$42 [+$30, +$55]".
std::string change_text(double mean, double low, double high, std::string_view unit) {
  const double scale = std::max(std::abs(low), std::abs(high));
  const std::string_view suffix = unit_kind(unit) == UnitKind::ratio            ? " pp"
                                  : unit_kind(unit) == UnitKind::currency_ratio ? " per $1"
                                                                                : "";
  return fmt::format("{}{} [{}, {}]", change_value(mean, unit, scale), suffix, change_value(low, unit, scale),
                     change_value(high, unit, scale));
}

std::string verdict(const json& difference, std::string_view better) {
  const double low = number(difference, "ci95_low"), high = number(difference, "ci95_high");
  const int sign = low > 0 ? 1 : high < 0 ? -1 : 0;
  if (sign == 0) return std::string(kUnclear);
  if (better == "neither") return std::string(kChanged);
  return std::string((sign > 0) == (better == "higher") ? kBetter : kWorse);
}

/// The metrics a comparison shows: the whole-funnel ones of --metrics, else the verdict's
/// headline metrics, then money and pipeline when the base has them.
std::vector<std::string> compared_metrics(const json& metrics, const std::vector<std::string>& chosen) {
  std::vector<std::string> out;
  if (!chosen.empty()) {
    for (const std::string& m : chosen)
      if (metric_index(m) < metric_defs().size()) out.push_back(m);
    return out;
  }
  for (std::string_view m : headline_metrics()) out.emplace_back(m);
  for (std::string_view m : {"cost_per_sql_loaded", "pipeline_value", "cac"}) {
    const json& base = member(member(metrics, m), "base");
    if (number(base, "n_defined") > 0 && !(number(base, "min") == 0 && number(base, "max") == 0)) out.emplace_back(m);
  }
  return out;
}

struct VariantMetrics {
  std::string variant;
  const json* metrics;
};

/// Every variant's change in the shown metrics on one chart and one scale: each metric a row,
/// each variant a dot and bar within it, coloured by whether the change is better or worse in
/// the metric's direction.
std::string forest_chart(Page& page, const std::vector<VariantMetrics>& variants, const std::string& base,
                         const std::vector<std::string>& shown_metrics, std::uint64_t replications) {
  ordered_json rows = ordered_json::array();
  ordered_json variant_names = ordered_json::array();
  for (const VariantMetrics& v : variants) variant_names.push_back(v.variant);
  int order = 0;
  std::size_t metric_rows = 0;
  for (const std::string& metric : shown_metrics) {
    bool any = false;
    for (const VariantMetrics& v : variants) {
      const json& c = member(*v.metrics, metric);
      const json& d = headline_difference(c);
      const double rel = number(d, "relative"), lo = number(d, "relative_ci95_low"),
                   hi = number(d, "relative_ci95_high");
      if (!std::isfinite(rel)) continue;
      any = true;
      const std::string unit = c.value("unit", metric_unit(metric));
      const Figure b = figure(member(c, "base")), w = figure(member(c, "variant"));
      rows.push_back({{"metric", metric_label(metric)},
                      {"variant", v.variant},
                      {"order", order},
                      {"rel", rel},
                      {"lo", std::isfinite(lo) ? lo : rel},
                      {"hi", std::isfinite(hi) ? hi : rel},
                      {"verdict", verdict(d, c.value("better", std::string("neither")))},
                      {"figure", b.pooled ? "pooled ratio" : "mean"},
                      {"change", change_text(number(d, "mean"), number(d, "ci95_low"), number(d, "ci95_high"), unit)},
                      {"base", display(b.value, unit)},
                      {"variant_value", display(w.value, unit)}});
    }
    if (any) ++order, ++metric_rows;
  }
  ordered_json order_names = ordered_json::array();
  for (const auto& r : rows)
    if (order_names.empty() || order_names.back() != r["metric"]) order_names.push_back(r["metric"]);
  const bool several = variants.size() > 1;
  const ordered_json y = {{"field", "metric"},
                          {"type", "nominal"},
                          {"sort", order_names},
                          {"title", nullptr},
                          {"axis", {{"labelFontSize", 12}, {"labelLimit", 220}}}};
  const ordered_json y_offset = {{"field", "variant"}, {"type", "nominal"}, {"sort", variant_names}};
  const ordered_json color = {{"field", "verdict"},
                              {"type", "nominal"},
                              {"title", "By the 95% CI"},
                              {"scale",
                               {{"domain", {kBetter, kWorse, kUnclear, kChanged}},
                                {"range", {kBetterColour, kWorseColour, kNeutralColour, "#2f6db5"}}}}};
  auto with_offset = [&](ordered_json encoding) {
    encoding["y"] = y;
    if (several) encoding["yOffset"] = y_offset;
    return encoding;
  };
  ordered_json point_encoding = with_offset({{"x", {{"field", "rel"}, {"type", "quantitative"}}},
                                             {"color", color},
                                             {"tooltip",
                                              {{{"field", "metric"}, {"title", "Metric"}},
                                               {{"field", "variant"}, {"title", "Variant"}},
                                               {{"field", "figure"}, {"title", "Figure"}},
                                               {{"field", "base"}, {"title", "Base"}},
                                               {{"field", "variant_value"}, {"title", "Variant"}},
                                               {{"field", "change"}, {"title", "Difference [95% CI]"}},
                                               {{"field", "rel"}, {"title", "Relative"}, {"format", "+.1%"}},
                                               {{"field", "verdict"}, {"title", "Verdict"}}}}});
  if (several)
    point_encoding["shape"] = {{"field", "variant"},
                               {"type", "nominal"},
                               {"title", "Variant"},
                               {"sort", variant_names},
                               {"legend", {{"symbolFillColor", "#555"}, {"symbolStrokeColor", "#555"}}}};
  std::string title = several ? fmt::format("Every variant vs {}: change in each metric, on one scale", base)
                              : fmt::format("{} vs {}: change in each headline metric", variants.front().variant, base);
  ordered_json spec = {
      {"title",
       {{"text", title},
        {"subtitle", fmt::format("Difference relative to the base, with its 95% CI ({} paired replications; ratios: "
                                 "pooled, totals over totals). Labels: the change in the metric's own units.",
                                 replications)}}},
      {"height", (several ? 26 * static_cast<int>(variants.size()) + 10 : 44) * static_cast<int>(metric_rows)},
      {"data", {{"values", rows}}},
      {"layer",
       {{{"data", {{"values", ordered_json::array({{{"zero", 0}}})}}},
         {"mark", {{"type", "rule"}, {"color", "#555"}, {"strokeDash", {4, 3}}}},
         {"encoding", {{"x", {{"field", "zero"}, {"type", "quantitative"}}}}}},
        {{"mark", {{"type", "rule"}, {"strokeWidth", 3}}},
         {"encoding", with_offset({{"x",
                                    {{"field", "lo"},
                                     {"type", "quantitative"},
                                     {"title", "Change relative to the base (%)"},
                                     {"scale", {{"padding", 70}}},
                                     {"axis", {{"format", "+.0%"}}}}},
                                   {"x2", {{"field", "hi"}}},
                                   {"color", color}})}},
        {{"mark", {{"type", "point"}, {"filled", true}, {"size", several ? 80 : 110}, {"opacity", 1}}},
         {"encoding", point_encoding}},
        {{"mark", {{"type", "text"}, {"dy", several ? -9 : -15}, {"fontSize", several ? 10 : 12}, {"color", "#222"}}},
         {"encoding",
          with_offset({{"x", {{"field", "rel"}, {"type", "quantitative"}}}, {"text", {{"field", "change"}}}})}}}}};
  return page.chart(std::move(spec),
                    "Each row is one metric: the dot is the difference variant minus base, relative to the base; the "
                    "bar is its 95% confidence interval. Green: better in the metric's direction (fewer cold leads is "
                    "better even though it is down), red: worse, grey: no clear change, blue: a clear change of a "
                    "metric with no better direction (such as MQLs). A bar that does not cross the dashed zero line "
                    "is a clear change. Rates move in percentage points (pp), money in dollars.",
                    true);
}

std::string change_cells(const json& c, std::string_view unit) {
  const json& d = headline_difference(c);
  const std::string v = verdict(d, c.value("better", std::string("neither")));
  const std::string css = v == kBetter ? " class=\"better\"" : v == kWorse ? " class=\"worse\"" : "";
  const Figure b = figure(member(c, "base")), w = figure(member(c, "variant"));
  const double p = number(member(c, "difference"), "p_better_share"), reduction = number(d, "variance_reduction");
  return fmt::format(
      "<td>{}</td><td>{}</td><td{}>{}</td><td>{} [{}, {}]</td><td class=\"kind\">{}</td><td>{}</td><td>{}</td>",
      display(b.value, unit), display(w.value, unit), css,
      change_text(number(d, "mean"), number(d, "ci95_low"), number(d, "ci95_high"), unit),
      signed_number(100 * number(d, "relative"), 1, "", "%"),
      signed_number(100 * number(d, "relative_ci95_low"), 1, "", "%"),
      signed_number(100 * number(d, "relative_ci95_high"), 1, "", "%"), b.pooled ? "pooled ratio" : "mean",
      std::isfinite(p) ? fmt::format("{:.0f}%", 100 * p) : "",
      std::isfinite(reduction) ? fmt::format("{:.1f}x", reduction) : "");
}

constexpr std::string_view kChangeHeadings =
    "<th>Base</th><th>Variant</th><th>Difference [95% CI]</th><th>Relative [95% CI]</th><th>Figure</th>"
    "<th>P(variant better)</th><th>Variance reduction</th>";

std::string compare_table(const json& metrics, const std::vector<std::string>& shown_metrics) {
  std::string out = fmt::format("<div class=\"table-wrap\"><table><thead><tr><th>Metric</th>{}</tr></thead><tbody>\n",
                                kChangeHeadings);
  for (const std::string& metric : shown_metrics) {
    const json& c = member(metrics, metric);
    if (!c.is_object()) continue;
    const std::string unit = c.value("unit", metric_unit(metric));
    out += fmt::format("<tr><td>{}</td>{}</tr>\n", html_escape(axis_title(metric, unit)), change_cells(c, unit));
  }
  return out + "</tbody></table></div>\n";
}

/// The operational metrics a threshold decision turns on, per team or per source: one row per
/// scope and metric, left out where no replication paired them.
std::string operations_table(const json& scopes, std::string_view first,
                             const std::vector<std::string>& shown_metrics) {
  std::string rows;
  for (const auto& [scope, metrics] : scopes.items())
    for (const std::string& metric : shown_metrics) {
      const json& c = member(metrics, metric);
      if (!(number(headline_difference(c), "n_paired") > 0)) continue;
      const std::string unit = c.value("unit", metric_unit(metric));
      rows += fmt::format("<tr><td>{}</td><td>{}</td>{}</tr>\n", html_escape(scope),
                          html_escape(axis_title(metric, unit)), change_cells(c, unit));
    }
  if (rows.empty()) return {};
  return fmt::format("<div class=\"table-wrap\"><table><thead><tr><th>{}</th><th>Metric</th>{}</tr></thead><tbody>\n",
                     html_escape(first), kChangeHeadings) +
         rows + "</tbody></table></div>\n";
}

/// One weekly series of every scenario on one chart: the mean line and the P10-P90 band.
std::string weekly_compare_chart(Page& page, const json& weekly, const std::string& series, const std::string& title,
                                 const std::string& y_title) {
  ordered_json data = ordered_json::array();
  ordered_json names = ordered_json::array();
  bool any = false;
  for (const json& scenario : weekly) {
    const json& s = member(member(scenario, "series"), series);
    const json& mean = member(s, "mean");
    if (!mean.is_array()) continue;
    const std::string name = scenario.value("scenario", std::string("?"));
    names.push_back(name);
    const json &p10 = member(s, "p10"), &p90 = member(s, "p90");
    for (std::size_t w = 0; w < mean.size(); ++w) {
      const double m = mean[w].is_number() ? mean[w].get<double>() : std::nan("");
      if (!std::isfinite(m)) continue;
      any = any || m != 0.0;
      const double lo = p10.is_array() && w < p10.size() && p10[w].is_number() ? p10[w].get<double>() : m;
      const double hi = p90.is_array() && w < p90.size() && p90[w].is_number() ? p90[w].get<double>() : m;
      data.push_back({{"scenario", name}, {"week", w + 1}, {"mean", m}, {"p10", lo}, {"p90", hi}});
    }
  }
  if (!any) return {};
  const ordered_json x = {{"field", "week"},
                          {"type", "quantitative"},
                          {"title", "Week of the horizon"},
                          {"axis", {{"tickMinStep", 1}, {"format", "d"}}},
                          {"scale", {{"nice", false}}}};
  const ordered_json color = {{"field", "scenario"},
                              {"type", "nominal"},
                              {"title", nullptr},
                              {"sort", names},
                              {"scale", {{"scheme", "tableau10"}}}};
  ordered_json spec = {
      {"title", {{"text", title}, {"subtitle", "Mean of each week across replications, band: P10 to P90; one scale"}}},
      {"height", 200},
      {"data", {{"values", data}}},
      {"layer",
       {{{"mark", {{"type", "area"}, {"opacity", 0.18}}},
         {"encoding",
          {{"x", x},
           {"y", {{"field", "p10"}, {"type", "quantitative"}, {"title", y_title}}},
           {"y2", {{"field", "p90"}}},
           {"color", color}}}},
        {{"mark", {{"type", "line"}, {"strokeWidth", 2.5}, {"point", {{"size", 24}}}}},
         {"encoding",
          {{"x", x},
           {"y", {{"field", "mean"}, {"type", "quantitative"}}},
           {"color", color},
           {"tooltip",
            {{{"field", "scenario"}, {"title", "Scenario"}},
             {{"field", "week"}, {"title", "Week"}},
             {{"field", "mean"}, {"title", "Mean"}, {"format", ",.1f"}},
             {{"field", "p10"}, {"title", "P10"}, {"format", ",.1f"}},
             {{"field", "p90"}, {"title", "P90"}, {"format", ",.1f"}}}}}}}}}};
  return page.chart(std::move(spec), "");
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

/// A swept parameter in users' words: its "title" in sweep.json, else its pointer.
std::string title_of(const json& sweep, const std::string& pointer) {
  for (const json& p : member(sweep, "parameters").is_array() ? sweep.at("parameters") : json::array())
    if (p.value("pointer", std::string()) == pointer) {
      const std::string title = p.value("title", std::string());
      return title.empty() ? pointer : title;
    }
  return pointer;
}

std::string point_label(const json& sweep, const json& values) {
  std::string out;
  for (const auto& [pointer, value] : values.items())
    out += (out.empty() ? "" : ", ") + fmt::format("{} = {}", title_of(sweep, pointer), value_text(value));
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
      if (ptr != pointer)
        rest += (rest.empty() ? "" : ", ") + fmt::format("{} = {}", title_of(sweep, ptr), value_text(v));
    const Figure f = figure(s);
    std::size_t index = 0;
    while (index < values.size() && values[index] != own) ++index;
    ordered_json row = {{"x", numeric ? ordered_json(own.get<double>()) : ordered_json(value_text(own))},
                        {"x_order", index},
                        {"others", rest.empty() ? "all points" : rest},
                        {"mean", f.value},
                        {"lo", std::isfinite(f.low) ? f.low : f.value},
                        {"hi", std::isfinite(f.high) ? f.high : f.value},
                        {"best", point.value("best", false) ? "best point" : ""},
                        {"point", point.value("point", 0)},
                        {"label", point_label(sweep, point.at("values"))}};
    if (!std::isfinite(f.value)) continue;
    rows.push_back(std::move(row));
  }
  const std::string value_format = d3_format(unit), axis_format = d3_axis_format(unit);
  const std::string parameter_title = title_of(sweep, pointer);
  const bool pooled = metric_index(metric) < metric_defs().size() && metric_defs()[metric_index(metric)].is_ratio();
  ordered_json x = {{"field", "x"}, {"type", numeric ? "quantitative" : "ordinal"}, {"title", parameter_title}};
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
                        {{"field", "mean"}, {"title", pooled ? "Pooled" : "Mean"}, {"format", value_format}},
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
                         {"subtitle", fmt::format("against {} ({}); line: {}, band: its 95% CI", parameter_title,
                                                  pointer, pooled ? "pooled ratio" : "mean")}}},
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
    const Figure fx = figure(sx), fy = figure(sy);
    if (!std::isfinite(fx.value) || !std::isfinite(fy.value)) continue;
    std::string label;
    for (const auto& [ptr, v] : point.at("values").items()) label += (label.empty() ? "" : ", ") + value_text(v);
    rows.push_back({{"x", fx.value},
                    {"y", fy.value},
                    {"x_lo", std::isfinite(fx.low) ? fx.low : fx.value},
                    {"x_hi", std::isfinite(fx.high) ? fx.high : fx.value},
                    {"y_lo", std::isfinite(fy.low) ? fy.low : fy.value},
                    {"y_hi", std::isfinite(fy.high) ? fy.high : fy.value},
                    {"front", point.value("pareto", false) ? "On the Pareto front" : "Beaten on both"},
                    {"label", label},
                    {"point", point_label(sweep, point.at("values"))}});
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
    parameters += (parameters.empty() ? "" : ", ") + title_of(sweep, p.at("pointer").get<std::string>());
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
  const double base = figure(s.at("base")).value;  // a ratio's pooled ratio, else the mean
  std::vector<const json*> params;
  for (const json& p : s.at("parameters")) params.push_back(&p);
  std::stable_sort(params.begin(), params.end(),
                   [](const json* a, const json* b) { return a->value("rank", 1e9) < b->value("rank", 1e9); });
  // Bars coloured by the metric's better direction: more cold leads is worse even though it is up.
  const std::size_t m = metric_index(metric);
  const std::string better = m < metric_defs().size() ? std::string(better_name(metric_defs()[m].better)) : "neither";
  auto judged = [&](double effect) {
    if (!(effect != 0.0) || better == "neither") return std::string(better == "neither" ? kChanged : kUnclear);
    return std::string((effect > 0.0) == (better == "higher") ? kBetter : kWorse);
  };
  // Rows are named by the parameter's title (its pointer when it has none, or when two share one).
  std::vector<std::string> names;
  for (const json* p : params) {
    const std::string pointer = p->at("pointer").get<std::string>();
    const std::string title = p->value("title", std::string());
    names.push_back(title.empty() ? pointer : title);
  }
  for (std::size_t i = 0; i < names.size(); ++i)
    if (std::count(names.begin(), names.end(), names[i]) > 1)
      names[i] += fmt::format(" ({})", params[i]->at("pointer").get<std::string>());
  ordered_json rows = ordered_json::array();
  int order = 0;
  for (const json* p : params) {
    const std::string pointer = p->at("pointer").get<std::string>();
    const std::string name = names[static_cast<std::size_t>(order)];
    for (const char* end : {"low", "high"}) {
      // sensitivity.json holds each side's paired effect on the metric; the bars sit at base + effect.
      const json& stats = p->at(end);
      const double effect = number(stats, "mean");
      if (!std::isfinite(effect)) continue;
      const double low = number(stats, "ci95_low"), high = number(stats, "ci95_high");
      const std::string value = value_text(p->at(std::string(end) + "_value"));
      rows.push_back(
          {{"parameter", name},
           {"order", order},
           {"end", std::string(end) == "low" ? "Low value" : "High value"},
           {"base", base},
           {"mean", base + effect},
           {"lo", base + low},
           {"hi", base + high},
           {"right", effect >= 0.0},
           {"verdict", judged(effect)},
           {"label", fmt::format("{} {}: {}", end, value, change_only(effect, unit))},
           {"change", change_text(effect, low, high, unit)},
           {"setting", fmt::format("{} ({}) = {} (base {})", name, pointer, value, value_text(p->at("base_value")))}});
    }
    ++order;
  }
  const std::string value_format = d3_format(unit), axis_format = d3_axis_format(unit);
  ordered_json order_names = ordered_json::array();
  for (const std::string& name : names) order_names.push_back(name);
  const ordered_json y = {{"field", "parameter"},
                          {"type", "nominal"},
                          {"sort", order_names},
                          {"title", nullptr},
                          {"axis", {{"labelLimit", 320}, {"labelFontSize", 12}}}};
  const ordered_json y_offset = {{"field", "end"}, {"type", "nominal"}, {"sort", {"Low value", "High value"}}};
  const ordered_json color = {
      {"field", "verdict"},
      {"type", "nominal"},
      {"title", better == "neither" ? fmt::format("Change in {} (no better direction)", metric_label(metric))
                                    : fmt::format("Change in {} ({} is better)", metric_label(metric), better)},
      {"scale",
       {{"domain", {kBetter, kWorse, kUnclear, kChanged}},
        {"range", {kBetterColour, kWorseColour, kNeutralColour, "#2f6db5"}}}}};
  const ordered_json x = {{"field", "mean"},
                          {"type", "quantitative"},
                          {"title", axis_title(metric, unit)},
                          {"scale", {{"zero", false}, {"padding", 70}}},
                          {"axis", {{"format", axis_format}}}};
  ordered_json spec = {
      {"title",
       {{"text", fmt::format("What moves {} most", metric_label(metric))},
        {"subtitle", fmt::format("One parameter at a time to its low and high value; bars run from the base "
                                 "scenario's {} ({}) by the paired change; black lines: its 95% CI",
                                 figure(s.at("base")).pooled ? "pooled ratio" : "mean", display(base, unit))}}},
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
           {"opacity",
            {{"field", "end"},
             {"type", "ordinal"},  // sorted, as Vega-Lite wants an opacity scale's field
             {"sort", {"Low value", "High value"}},
             {"legend", nullptr},
             {"scale", {{"domain", {"Low value", "High value"}}, {"range", {0.65, 1.0}}}}}},
           {"tooltip",
            {{{"field", "setting"}, {"title", "Setting"}},
             {{"field", "end"}, {"title", "Side"}},
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
                    "mean to the mean with that one parameter at its low (upper bar, paler) or high (lower bar) "
                    "value, on the same replications; green where the change is better in the metric's direction, "
                    "red where it is worse, blue when the metric has no better direction. The labels give the value "
                    "tried and the paired change (its 95% CI in the tooltip).",
                    true);
}

}  // namespace

void compare_section(Page& page, const json& compare, const std::vector<std::string>& chosen) {
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
      "replication r of the base, so each difference measures the change, not the noise. A ratio's figures are its "
      "pooled ratio (total numerator over total denominator across the replications) and their difference, with a "
      "delta-method interval.</p>\n",
      replications, compare.value("seed", std::uint64_t{0}), files);
  std::string made_from;
  for (const json& s : compare.value("scenarios", json::array()))
    if (const std::string text = made_from_text(member(s, "provenance")); !text.empty())
      made_from += fmt::format("<li>{}: {}</li>", html_escape(value_text(s.value("name", json("?")))), text);
  if (!made_from.empty()) out += "<div class=\"meta made-from\">Made from:<ul>" + made_from + "</ul></div>\n";
  if (const json& p = member(compare, "precision"); p.is_object() && p.contains("metric"))
    out += precision_meta(p, "the widest 95% CI half-width of a paired difference, relative to the base's figure,");
  std::vector<VariantMetrics> all;
  for (const json& c : compare.at("comparisons"))
    all.push_back({c.value("variant", std::string("variant")), &c.at("metrics")});
  if (all.empty()) return void(out += "</section>\n");
  const std::vector<std::string> shown_metrics = compared_metrics(*all.front().metrics, chosen);
  out += "<div class=\"grid\">\n" + forest_chart(page, all, base, shown_metrics, replications) + "</div>\n";

  static constexpr std::string_view kTeamOps[] = {"response_time_hours", "sla_attainment", "rep_utilization",
                                                  "cold_leads", "backlog_at_end"};
  static constexpr std::string_view kSourceOps[] = {"response_time_hours", "sla_attainment", "cold_leads",
                                                    "backlog_at_end"};
  auto ops = [&](ScopeKind kind, std::span<const std::string_view> defaults) {
    std::vector<std::string> list;
    if (chosen.empty())
      for (std::string_view m : defaults) list.emplace_back(m);
    else
      for (const std::string& m : chosen)
        if (metric_index(m, kind) < metric_defs(kind).size()) list.push_back(m);
    return list;
  };
  const std::vector<std::string> team_ops = ops(ScopeKind::team, kTeamOps),
                                 source_ops = ops(ScopeKind::funnel, kSourceOps);
  for (const json& c : compare.at("comparisons")) {
    const std::string variant = c.value("variant", std::string("variant"));
    out += fmt::format("<h3>{} vs {}: the numbers</h3>\n", html_escape(variant), html_escape(base));
    out += compare_table(c.at("metrics"), shown_metrics);
    if (const std::string t = operations_table(member(c, "by_team"), "Team", team_ops); !t.empty())
      out += fmt::format("<h3>{} vs {}: the sales desk, by team</h3>\n", html_escape(variant), html_escape(base)) + t;
    if (const std::string t = operations_table(member(c, "by_source"), "Source", source_ops); !t.empty())
      out += fmt::format("<h3>{} vs {}: the sales desk, by source</h3>\n", html_escape(variant), html_escape(base)) + t;
  }
  const json& weekly = member(compare, "weekly");
  if (weekly.is_array() && !weekly.empty()) {
    // The series every scenario has, the steps and the backlog first, then any the file adds.
    std::vector<std::pair<std::string, std::string>> series = {
        {"mqls", "MQLs per week"}, {"sqls", "SQLs per week"}, {"in_sales_backlog", "Sales backlog at each week's end"}};
    const std::span<const std::string_view> known = series_names();
    for (const auto& [name, _] : member(weekly[0], "series").items())
      if (std::find(known.begin(), known.end(), name) == known.end()) series.emplace_back(name, metric_label(name));
    std::string charts;
    for (const auto& [name, title] : series) charts += weekly_compare_chart(page, weekly, name, title, title);
    if (!charts.empty())
      out +=
          "<h3>Week by week, side by side</h3>\n<p>Each scenario's weekly series on one scale: where the lines "
          "part is when the change starts to tell.</p>\n<div class=\"grid\">\n" +
          charts + "</div>\n";
  }
  out += "</section>\n";
}

void sweep_section(Page& page, const json& sweep, const std::vector<std::string>& chosen) {
  std::string& out = page.body;
  const json& params = sweep.at("parameters");
  const json& objective = member(sweep, "objective");
  out += fmt::format("<section id=\"sweep\">\n<h2>Sweep: {}</h2>\n",
                     html_escape(sweep.value("scenario", std::string("(unnamed)"))));
  std::string grid;
  for (const json& p : params) {
    std::string values;
    for (const json& v : p.at("values")) values += (values.empty() ? "" : ", ") + value_text(v);
    const std::string pointer = p.at("pointer").get<std::string>();
    grid += fmt::format("{}{} (<code>{}</code>) = {}", grid.empty() ? "" : "; ", html_escape(title_of(sweep, pointer)),
                        html_escape(pointer), html_escape(values));
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
          best_text = fmt::format("point {} ({})", best.get<int>(), point_label(sweep, point.at("values")));
    out += fmt::format("<p>Objective: <b>{}</b>; best: {}.</p>\n", html_escape(objective.value("text", std::string())),
                       html_escape(best_text));
  }
  const json& pareto = member(sweep, "pareto");
  const bool has_pareto = pareto.is_object() && pareto.contains("x") && pareto.contains("y");
  if (has_pareto) {
    add(pareto.at("x").get<std::string>());
    add(pareto.at("y").get<std::string>());
  }
  for (const std::string& m : chosen)
    if (metric_index(m) < metric_defs().size()) add(m);
  if (chosen.empty())
    for (const char* m : {"sqls", "mql_to_sql_rate", "cost_per_sql_marketing", "mql_recall"})
      if (metrics.size() < 4) add(m);

  out += "<div class=\"grid\">\n";
  if (has_pareto) out += pareto_chart(page, sweep);
  out += "</div>\n";
  for (std::size_t p = 0; p < params.size(); ++p) {
    out += fmt::format(
        "<h3>Trade-off curves: {} (<code>{}</code>)</h3>\n<p>Each chart follows one metric as this "
        "parameter changes{}. Every point ran the same seed and replications (common random numbers), "
        "so the curve's shape is the parameter's effect, not noise. A ratio's line is its pooled ratio.</p>\n"
        "<div class=\"grid\">\n",
        html_escape(title_of(sweep, params[p].at("pointer").get<std::string>())),
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
  const Figure f = figure(base);
  out += fmt::format(
      "<p class=\"meta\">{} replications per setting, seed {}. Varied: {}. Base {} {} [95% CI {} to {}]{}.</p>\n",
      s.value("replications", std::uint64_t{0}), s.value("seed", std::uint64_t{0}), html_escape(vary_text(s)),
      f.pooled ? "pooled ratio" : "mean", display(f.value, unit), display(f.low, unit), display(f.high, unit),
      f.pooled ? "; each change is that of the pooled ratio" : "");
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
