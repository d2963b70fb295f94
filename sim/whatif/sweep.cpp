#include "funnelsim/whatif/sweep.hpp"

#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <set>

#include "core/split_top_level.hpp"
#include "core/trim.hpp"
#include "funnelsim/metrics/metrics.hpp"

namespace funnelsim {
namespace {

using nlohmann::json;

bool parse_number(std::string_view text, double& out) {
  text = trim_blanks(text);
  if (text.empty()) return false;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc{} && end == text.data() + text.size() && std::isfinite(out);
}

/// 12 significant digits remove the float noise of a + i * step (0.30000000000000004).
json range_value(double v) {
  const double rounded = std::stod(fmt::format("{:.12g}", v));
  if (std::abs(rounded) < 0x1p53 && rounded == std::trunc(rounded)) return json(static_cast<std::int64_t>(rounded));
  return json(rounded);
}

std::vector<json> range_values(const std::string& pointer, std::string_view spec,
                               const std::vector<std::string_view>& parts) {
  double a = 0, b = 0, step = 0;
  if (parts.size() != 3 || !parse_number(parts[0], a) || !parse_number(parts[1], b) || !parse_number(parts[2], step))
    throw UsageError(pointer, fmt::format("expected a range a:b:step of three numbers, found \"{}\"", spec));
  if (a > b || !(step > 0))
    throw UsageError(pointer,
                     fmt::format("expected a non-empty range a:b:step (a <= b and step > 0), found \"{}\"", spec));
  // The tolerance keeps b in the range when (b - a) / step lands a hair below an integer.
  const double steps = std::floor((b - a) / step * (1.0 + 1e-12) + 1e-9);
  if (steps + 1.0 > static_cast<double>(kMaxSweepPoints))
    throw UsageError(
        pointer, fmt::format("expected at most {} values, found {:.0f} in \"{}\"", kMaxSweepPoints, steps + 1.0, spec));
  std::vector<json> values;
  for (std::size_t i = 0; i <= static_cast<std::size_t>(steps); ++i)
    values.push_back(range_value(a + static_cast<double>(i) * step));
  return values;
}

std::vector<json> list_values(const std::string& pointer, std::string_view spec) {
  std::vector<json> values;
  for (std::string_view item : split_top_level(spec, ',')) {
    item = trim_blanks(item);
    if (item.empty())
      throw UsageError(pointer, fmt::format("expected a list v1,v2,... without empty values, found \"{}\"", spec));
    json value = json::parse(item, nullptr, /*allow_exceptions=*/false);
    values.push_back(value.is_discarded() ? json(std::string(item)) : std::move(value));
  }
  if (values.size() > kMaxSweepPoints)
    throw UsageError(pointer, fmt::format("expected at most {} values, found {}", kMaxSweepPoints, values.size()));
  return values;
}

}  // namespace

SweepParameter parse_sweep_parameter(std::string_view text) {
  const auto eq = text.find('=');
  if (eq == std::string_view::npos || eq == 0 || text.front() != '/')
    throw UsageError(fmt::format(
        "expected PTR=a:b:step or PTR=v1,v2,... (e.g. /scoring/mql_threshold=55:85:10), found \"{}\"", text));
  SweepParameter p{std::string(text.substr(0, eq)), {}, {}};
  try {
    (void)json::json_pointer(p.pointer);
  } catch (const json::exception&) {
    throw UsageError(fmt::format("expected a JSON Pointer such as /scoring/mql_threshold, found \"{}\"", p.pointer));
  }
  if (p.pointer == "/seed" || p.pointer == "/replications")
    throw UsageError(p.pointer,
                     "expected a scenario field to sweep, found a run control (every point runs the same seed and "
                     "replications: set them for the whole sweep)");
  const std::string_view spec = text.substr(eq + 1);
  const auto parts = split_top_level(spec, ':');
  p.values = parts.size() > 1 ? range_values(p.pointer, spec, parts) : list_values(p.pointer, spec);
  return p;
}

std::string value_text(const json& value) { return value.is_string() ? value.get<std::string>() : value.dump(); }

std::vector<std::vector<std::size_t>> sweep_grid(const std::vector<SweepParameter>& parameters) {
  std::set<std::string> pointers;
  double size = 1.0;
  for (const SweepParameter& p : parameters) {
    if (!pointers.insert(p.pointer).second)
      throw UsageError(p.pointer, "expected each pointer in one parameter only, found it twice");
    size *= static_cast<double>(p.values.size());
  }
  if (size > static_cast<double>(kMaxSweepPoints))
    throw UsageError(fmt::format("expected a grid of at most {} points, found {:.0f}", kMaxSweepPoints, size));
  std::vector<std::vector<std::size_t>> points{{}};
  for (const SweepParameter& p : parameters) {
    std::vector<std::vector<std::size_t>> next;
    for (const auto& prefix : points)
      for (std::size_t v = 0; v < p.values.size(); ++v) {
        next.push_back(prefix);
        next.back().push_back(v);
      }
    points = std::move(next);
  }
  return points;
}

std::vector<Override> point_overrides(const std::vector<SweepParameter>& parameters,
                                      const std::vector<std::size_t>& point) {
  std::vector<Override> overrides;
  // dump() keeps a string a JSON string, so "75" given as "\"75\"" stays text.
  for (std::size_t i = 0; i < parameters.size(); ++i)
    overrides.push_back(Override{parameters[i].pointer, parameters[i].values[point[i]].dump()});
  return overrides;
}

std::string point_text(const std::vector<SweepParameter>& parameters, const std::vector<std::size_t>& point) {
  std::string text;
  for (std::size_t i = 0; i < parameters.size(); ++i)
    text += fmt::format("{}{}={}", i ? ", " : "", parameters[i].pointer, value_text(parameters[i].values[point[i]]));
  return text;
}

std::vector<std::vector<double>> SweepReport::funnel_values() const {
  std::vector<std::vector<double>> values;
  for (const RunSummary& s : summaries) {
    auto& row = values.emplace_back();
    for (std::size_t m = 0; m < metric_defs().size(); ++m) row.push_back(s.headline(0, m).value);
  }
  return values;
}

}  // namespace funnelsim
