#include "funnelsim/whatif/sensitivity.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <set>

#include "core/fraction.hpp"
#include "core/json_pointer_token.hpp"
#include "funnelsim/whatif/objective.hpp"
#include "funnelsim/scenario/loader.hpp"
#include "core/trim.hpp"

namespace funnelsim {
namespace {

using nlohmann::json;

/// 12 significant digits remove the float noise of x * (1 +- vary) (77.99999999999999 -> 78).
json rounded_value(double v, bool integer) {
  if (integer) return json(static_cast<std::int64_t>(v));
  const double rounded = std::stod(fmt::format("{:.12g}", v));
  if (std::abs(rounded) < 0x1p53 && rounded == std::trunc(rounded)) return json(static_cast<std::int64_t>(rounded));
  return json(rounded);
}

/// How a value reads in a reason: numbers as JSON, the rest as the validator shows them.
std::string shown(const json& v) {
  if (v.is_object()) return "an object";
  if (v.is_array()) return fmt::format("an array of {} item{}", v.size(), v.size() == 1 ? "" : "s");
  return v.dump();
}

/// Every number in the resolved document whose schema field is a (non-integer) number.
void numeric_leaves(const json& doc, const json& node, const std::string& path, std::vector<std::string>& out) {
  if (node.is_object()) {
    for (const auto& [key, value] : node.items())
      numeric_leaves(doc, value, path + "/" + escape_pointer_token(key), out);
  } else if (node.is_array()) {
    for (std::size_t i = 0; i < node.size(); ++i) numeric_leaves(doc, node[i], fmt::format("{}/{}", path, i), out);
  } else if (node.is_number()) {
    if (const auto field = numeric_field(doc, path); field && !field->integer) out.push_back(path);
  }
}

/// A perturbed value: x * factor, an integer field moved by at least 1, within the bounds.
double perturbed(double base, double factor, const NumericField& field) {
  double v = base * factor;
  if (field.integer) {
    v = std::round(v);
    if (v == base) v += (factor < 1.0) == (base > 0.0) ? -1.0 : 1.0;
  }
  return field.clamp(v);
}

}  // namespace

double parse_vary(std::string_view text) {
  const auto fraction = parse_fraction(text);
  if (!fraction || !(*fraction > 0.0 && *fraction <= 1.0))
    throw UsageError(fmt::format(
        "expected a fraction of each value such as 20% or 0.2, above 0 and at most 100%, found \"{}\"", text));
  return *fraction;
}

std::vector<std::string> parse_pointer_list(std::string_view text) {
  std::vector<std::string> pointers;
  std::set<std::string> seen;
  std::size_t start = 0;
  for (;;) {
    const std::size_t comma = text.find(',', start);
    const std::string pointer(trim_blanks(text.substr(start, comma == std::string_view::npos ? comma : comma - start)));
    bool valid = !pointer.empty() && pointer.front() == '/';
    try {
      if (valid) (void)json::json_pointer(pointer);
    } catch (const json::exception&) {
      valid = false;
    }
    if (!valid)
      throw UsageError(
          fmt::format("expected JSON Pointers separated by commas, such as /scoring/mql_threshold,/sources/0/"
                      "leads_per_week, found \"{}\"",
                      pointer));
    if (!seen.insert(pointer).second) throw UsageError(pointer, "expected each pointer once, found it twice");
    pointers.push_back(pointer);
    if (comma == std::string_view::npos) return pointers;
    start = comma + 1;
  }
}

std::size_t parse_sensitivity_metric(std::string_view name) { return parse_funnel_metric(name); }

void set_parameter(json& resolved, const std::string& pointer, const json& value) {
  resolved[json::json_pointer(pointer)] = value;
}

SensitivityPlan plan_sensitivity(const json& resolved, const std::vector<std::string>& requested, double vary,
                                 const std::vector<std::string>& uncertain_pointers, const std::atomic<bool>* cancel) {
  std::vector<std::string> pointers;
  if (requested.empty()) {
    numeric_leaves(resolved, resolved, "", pointers);
  } else {
    for (const std::string& pointer : requested) {
      const json::json_pointer p(pointer);
      const std::string_view expected = kResolvedNumericField;
      if (pointer == "/seed" || pointer == "/replications")
        throw UsageError(pointer, fmt::format("expected {}, found a run control: it does not change the funnel, and "
                                              "with common random numbers its effect would read as exactly 0",
                                              expected));
      if (!resolved.contains(p)) throw UsageError(pointer, fmt::format("expected {}, found no such field", expected));
      const json& value = resolved.at(p);
      if (!value.is_number() || !numeric_field(resolved, pointer))
        throw UsageError(
            pointer, fmt::format("expected {}, found {}", expected,
                                 value.is_string() ? fmt::format("\"{}\"", value.get<std::string>()) : shown(value)));
      pointers.push_back(pointer);
    }
  }

  const std::set<std::string> uncertain(uncertain_pointers.begin(), uncertain_pointers.end());
  SensitivityPlan plan;
  for (const std::string& pointer : pointers) {
    if (cancel && cancel->load(std::memory_order_relaxed)) break;
    auto skip = [&](std::string reason) {
      plan.skipped.push_back({pointer, std::move(reason), parameter_title(resolved, pointer)});
    };
    if (uncertain.count(pointer)) {
      skip("an uncertain input, drawn per replication (see the regression-based sensitivity)");
      continue;
    }
    const json& value = resolved.at(json::json_pointer(pointer));
    const NumericField field = *numeric_field(resolved, pointer);
    const double base = value.get<double>();
    if (base == 0.0) {
      skip("base value 0: a relative change cannot move it");
      continue;
    }
    SensitivityParameter p{pointer, value, rounded_value(perturbed(base, 1.0 - vary, field), field.integer),
                           rounded_value(perturbed(base, 1.0 + vary, field), field.integer),
                           parameter_title(resolved, pointer)};
    if (p.low_value.get<double>() == base && p.high_value.get<double>() == base) {
      skip(fmt::format("no room to move within the schema's bounds [{}, {}]", json(field.lower).dump(),
                       json(field.upper).dump()));
      continue;
    }
    std::string failure;
    for (const auto& [side, side_value] : {std::pair{"low", &p.low_value}, std::pair{"high", &p.high_value}}) {
      json doc = resolved;
      set_parameter(doc, pointer, *side_value);
      try {
        (void)scenario_from_json(doc, "sensitivity");
      } catch (const ScenarioError& e) {
        failure =
            fmt::format("the {} value {} is invalid: {}", side, side_value->dump(), format_issue(e.issues().front()));
        break;
      }
    }
    if (!failure.empty()) {
      skip(std::move(failure));
      continue;
    }
    plan.parameters.push_back(std::move(p));
  }
  return plan;
}

std::vector<ParameterEffect> rank_effects(const SensitivityPlan& plan, const MetricRun& base,
                                          const std::vector<MetricRun>& low, const std::vector<MetricRun>& high,
                                          Better better) {
  auto change = [&](const MetricRun& side) {
    if (base.numerators.empty()) return headline_change(paired_difference(base.values, side.values, better));
    return headline_change(
        pooled_difference(base.numerators, base.denominators, side.numerators, side.denominators, better));
  };
  std::vector<ParameterEffect> effects;
  for (std::size_t i = 0; i < plan.parameters.size(); ++i)
    effects.push_back({plan.parameters[i], change(low[i]), change(high[i]), 0});
  auto size = [](const ParameterEffect& e) {
    double s = -1.0;  // an undefined mean ranks below every defined one
    for (const HeadlineChange* d : {&e.low, &e.high})
      if (!std::isnan(d->mean)) s = std::max(s, std::abs(d->mean));
    return s;
  };
  std::stable_sort(effects.begin(), effects.end(),
                   [&](const ParameterEffect& a, const ParameterEffect& b) { return size(a) > size(b); });
  for (std::size_t i = 0; i < effects.size(); ++i) effects[i].rank = i + 1;
  return effects;
}

}  // namespace funnelsim
