// The report's building blocks: escaping, CSV reading, axis titles and number formats, and
// the common look of every chart.
#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <string>

#include "funnelsim/metrics/metrics.hpp"
#include "funnelsim/core/usage_error.hpp"
#include "report/internal.hpp"

namespace funnelsim::report_detail {
namespace {

/// An integer with thousands separators: 1234567 -> "1,234,567".
std::string grouped(double value) {
  const std::string digits = fmt::format("{:.0f}", std::abs(value));
  std::string out = value < 0 && digits != "0" ? "-" : "";
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

}  // namespace

std::string html_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::size_t Csv::column(std::string_view name) const {
  const auto it = std::find(header.begin(), header.end(), name);
  return it == header.end() ? std::string::npos : static_cast<std::size_t>(it - header.begin());
}

double csv_number(const std::string& cell, std::string_view file) {
  if (cell.empty()) return std::nan("");
  double value = 0.0;
  const char* end = cell.data() + cell.size();
  const auto [ptr, ec] = std::from_chars(cell.data(), end, value);
  if (ec != std::errc() || ptr != end)
    throw UsageError(fmt::format("{}: expected a number in every metric cell, found \"{}\"", file, cell));
  return value;
}

std::vector<double> Csv::numbers(std::size_t col) const {
  std::vector<double> out;
  for (const auto& row : rows)
    if (col < row.size() && !row[col].empty()) out.push_back(csv_number(row[col], file));
  return out;
}

Csv parse_csv(std::string_view text, std::string file) {
  Csv csv;
  csv.file = std::move(file);
  std::vector<std::vector<std::string>> records;
  std::vector<std::string> record;
  std::string field;
  bool quoted = false, any = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    any = true;
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        field += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      record.push_back(std::move(field));
      field.clear();
    } else if (c == '\n' || c == '\r') {
      if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      record.push_back(std::move(field));
      field.clear();
      records.push_back(std::move(record));
      record.clear();
      any = false;
    } else {
      field += c;
    }
  }
  if (quoted) throw UsageError(fmt::format("{}: expected CSV, found a quoted field that never ends", csv.file));
  if (any) {
    record.push_back(std::move(field));
    records.push_back(std::move(record));
  }
  if (records.empty())
    throw UsageError(fmt::format("{}: expected CSV with a header row, found an empty file", csv.file));
  csv.header = std::move(records.front());
  for (std::size_t r = 1; r < records.size(); ++r) {
    if (records[r].size() != csv.header.size())
      throw UsageError(fmt::format("{}: expected {} fields in every row, found {} in row {}", csv.file,
                                   csv.header.size(), records[r].size(), r + 1));
    csv.rows.push_back(std::move(records[r]));
  }
  return csv;
}

double number(const json& object, std::string_view key) {
  if (!object.is_object()) return std::nan("");
  const auto it = object.find(key);
  if (it == object.end() || !it->is_number()) return std::nan("");
  return it->get<double>();
}

const json& stats_of(const json& scope, std::string_view metric) {
  static const json none = json::object();
  const auto it = scope.find(metric);
  return it == scope.end() ? none : *it;
}

Figure figure(const json& stats) {
  if (stats.is_object() && stats.contains("pooled") && stats["pooled"].is_object()) {
    const json& p = stats["pooled"];
    return {number(p, "value"), number(p, "ci95_low"), number(p, "ci95_high"), true};
  }
  return {number(stats, "mean"), number(stats, "ci95_low"), number(stats, "ci95_high"), false};
}

const json& headline_difference(const json& comparison) {
  static const json none = json::object();
  if (!comparison.is_object()) return none;
  for (const char* key : {"pooled_difference", "difference"})
    if (const auto it = comparison.find(key); it != comparison.end() && it->is_object()) return *it;
  return none;
}

std::string_view change_colour(double change, std::string_view better) {
  if (!(change != 0.0) || !std::isfinite(change) || (better != "higher" && better != "lower")) return kNeutralColour;
  return (change > 0.0) == (better == "higher") ? kBetterColour : kWorseColour;
}

std::string metric_unit(std::string_view metric, std::string_view fallback) {
  const MetricDef* def = find_metric(metric);
  return std::string(def ? def->unit : fallback);
}

std::string axis_title(std::string_view metric, std::string_view unit) {
  const std::string label = metric_label(metric);
  if (unit_kind(unit) == UnitKind::ratio) return label + " (%)";
  if (unit_kind(unit) == UnitKind::currency_ratio) return label + " ($ per $1)";
  if (unit_kind(unit) == UnitKind::currency) return label + " ($)";
  if (unit_kind(unit) == UnitKind::duration) return fmt::format("{} ({})", label, unit);
  return label;
}

std::string d3_format(std::string_view unit) {
  if (unit_kind(unit) == UnitKind::ratio) return ".1%";
  if (unit_kind(unit) == UnitKind::currency_ratio) return "$,.2f";
  if (unit_kind(unit) == UnitKind::currency) return "$,.0f";
  return ",.1f";
}

std::string d3_axis_format(std::string_view unit) {
  if (unit_kind(unit) == UnitKind::ratio) return ".1~%";
  if (unit_kind(unit) == UnitKind::currency_ratio) return "$,.2~f";
  if (unit_kind(unit) == UnitKind::currency) return "$,.3~s";
  return ",.4~r";
}

std::string display(double value, std::string_view unit) {
  if (!std::isfinite(value)) return "n/a";
  if (unit_kind(unit) == UnitKind::ratio) return fmt::format("{:.1f}%", 100.0 * value);
  if (unit_kind(unit) == UnitKind::currency_ratio)
    return fmt::format("{}${:.2f} per $1", value < 0 ? "-" : "", std::abs(value));
  if (unit_kind(unit) == UnitKind::currency) {
    if (std::abs(value) >= 100.0) return (value < 0 ? "-$" : "$") + grouped(std::abs(value));
    return fmt::format("{}${:.2f}", value < 0 ? "-" : "", std::abs(value));
  }
  if (unit_kind(unit) == UnitKind::count && std::abs(value) >= 100.0) return grouped(value);
  return fmt::format("{:.1f}", value);
}

std::string value_text(const json& value) { return value.is_string() ? value.get<std::string>() : value.dump(); }

std::string precision_meta(const json& p, std::string_view measured) {
  const double achieved = number(p, "achieved");
  return fmt::format(
      "<p class=\"meta\">The replication count was chosen by <code>--precision {}={:g}%</code>: {} is {} ({}).</p>\n",
      html_escape(value_text(p.value("metric", json("?")))), 100.0 * number(p, "target_relative_half_width"), measured,
      std::isfinite(achieved) ? fmt::format("{:.2f}%", 100.0 * achieved) : "n/a",
      p.value("met", false) ? "target met" : "target not met");
}

std::string Page::chart(ordered_json spec, std::string_view caption, bool wide) {
  const std::string id = fmt::format("chart-{}", charts_.size() + 1);
  std::string title;
  if (spec.contains("title") && spec["title"].contains("text")) title = spec["title"]["text"].get<std::string>();
  if (!spec.contains("width")) spec["width"] = "container";
  spec["autosize"] = {{"type", "fit-x"}, {"contains", "padding"}};
  spec["config"] = {
      {"font", "system-ui, -apple-system, 'Segoe UI', Roboto, 'Liberation Sans', Arial, sans-serif"},
      {"view", {{"stroke", nullptr}}},
      {"title",
       {{"anchor", "start"}, {"fontSize", 15}, {"subtitleFontSize", 12}, {"subtitleColor", "#555"}, {"offset", 10}}},
      {"axis", {{"labelFontSize", 11}, {"titleFontSize", 12}, {"titleFontWeight", "normal"}, {"gridColor", "#e8e8e8"}}},
      {"legend",
       {{"labelFontSize", 11},
        {"titleFontSize", 12},
        {"orient", "bottom"},
        {"labelLimit", 360},
        {"symbolOpacity", 1}}}};
  charts_.push_back({{"id", id}, {"spec", std::move(spec)}});
  return fmt::format(
      "<figure class=\"card{}\"><div class=\"chart\" id=\"{}\" role=\"img\" aria-label=\"{}\"></div>"
      "{}</figure>\n",
      wide ? " wide" : "", id, html_escape(title),
      caption.empty() ? std::string() : fmt::format("<figcaption>{}</figcaption>", caption));
}

}  // namespace funnelsim::report_detail
