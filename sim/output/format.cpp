#include "output/format.hpp"

#include <fmt/format.h>

#include <cmath>

namespace funnelsim {

nlohmann::ordered_json number_or_null(double value) {
  return std::isfinite(value) ? nlohmann::ordered_json(value) : nlohmann::ordered_json(nullptr);
}

nlohmann::ordered_json precision_json(const PrecisionOutcome& outcome, std::string_view of) {
  nlohmann::ordered_json j = {{"metric", metric_defs()[outcome.target.metric].name},
                              {"target_relative_half_width", outcome.target.relative_half_width},
                              {"achieved", number_or_null(outcome.achieved)},
                              {"met", outcome.met}};
  if (!of.empty()) j["of"] = of;
  return j;
}

std::string precision_text(const PrecisionOutcome& outcome, std::string_view what, std::string_view relative_to,
                           std::uint64_t replications) {
  const std::string achieved = std::isnan(outcome.achieved) ? "n/a" : fmt::format("{:.2f}%", 100.0 * outcome.achieved);
  return fmt::format("precision: {} {} is {} of {} (target: below {:g}%): {} after {} replications (batches of {})\n",
                     what, metric_defs()[outcome.target.metric].name, achieved, relative_to,
                     100.0 * outcome.target.relative_half_width, outcome.met ? "met" : "NOT met", replications,
                     kPrecisionBatch);
}

nlohmann::ordered_json pooled_json(const PooledRatio& p) {
  return {{"value", number_or_null(p.value)},
          {"ci95_low", number_or_null(p.ci95_low)},
          {"ci95_high", number_or_null(p.ci95_high)},
          {"se", number_or_null(p.se)},
          {"n", p.n},
          {"numerator_total", number_or_null(p.numerator_total)},
          {"denominator_total", number_or_null(p.denominator_total)}};
}

nlohmann::ordered_json metric_json(const MetricDef& def, const SummaryStats& stats, const PooledRatio& pooled) {
  if (!def.is_ratio()) return stats_json(stats);
  nlohmann::ordered_json j = {{"pooled", pooled_json(pooled)}};
  const nlohmann::ordered_json distribution = stats_json(stats);
  for (const auto& [key, value] : distribution.items()) j[key] = value;
  return j;
}

nlohmann::ordered_json statistics_legend() {
  return {{"pooled",
           "ratio metrics only, their headline figure: value = numerator_total / denominator_total, the sums of the "
           "metric's numerator and denominator over the n replications where both are defined (metric_definitions "
           "names them); ci95 by the delta method for a ratio of means, se = sd(x_i - value * y_i) / (sqrt(n) * "
           "mean(y_i)), ci95 = value -+ t(0.975, n - 1) * se"},
          {"distribution",
           "mean, sd, se, ci95_low, ci95_high, p5 ... p95, min, max, n_defined: the distribution across replications "
           "of the metric's value in each replication where it is defined (n_defined of them); ci95 is the Student t "
           "interval of their mean, the headline figure of every metric that is not a ratio"}};
}

void add_metric_definitions(nlohmann::ordered_json& into) {
  nlohmann::ordered_json definitions = nlohmann::ordered_json::object();
  nlohmann::ordered_json components = nlohmann::ordered_json::object();
  for (ScopeKind kind : {ScopeKind::funnel, ScopeKind::team, ScopeKind::rep}) {
    nlohmann::ordered_json set = nlohmann::ordered_json::object();
    for (const MetricDef& d : metric_defs(kind)) {
      nlohmann::ordered_json def = {{"unit", d.unit},
                                    {"better", better_name(d.better)},
                                    {"description", d.description},
                                    {"label", metric_label(d)},
                                    {"headline", d.is_ratio() ? "pooled" : "mean"}};
      if (d.is_ratio()) {
        def["numerator"] = d.numerator;
        def["denominator"] = d.denominator;
      }
      set[std::string(d.name)] = std::move(def);
    }
    definitions[std::string(scope_kind_name(kind))] = std::move(set);
    nlohmann::ordered_json parts = nlohmann::ordered_json::object();
    for (const ComponentDef& c : component_defs(kind))
      parts[std::string(c.name)] = {{"unit", c.unit}, {"description", c.description}};
    components[std::string(scope_kind_name(kind))] = std::move(parts);
  }
  into["metric_definitions"] = std::move(definitions);
  into["component_definitions"] = std::move(components);
}

void add_summary_scopes(nlohmann::ordered_json& into, const RunSummary& summary) {
  auto scope_json = [&](std::size_t scope) {
    nlohmann::ordered_json j = nlohmann::ordered_json::object();
    const auto defs = metric_defs(summary.scopes[scope].kind);
    for (std::size_t m = 0; m < defs.size(); ++m)
      j[std::string(defs[m].name)] = metric_json(defs[m], summary.metric(scope, m), summary.pooled_ratio(scope, m));
    return j;
  };
  into["metrics"] = scope_json(0);
  const char* sections[] = {"by_source", "by_team", "by_rep"};  // indexed by ScopeKind
  for (const char* section : sections) into[section] = nlohmann::ordered_json::object();
  for (std::size_t scope = 1; scope < summary.scopes.size(); ++scope) {
    const Scope& s = summary.scopes[scope];
    into[sections[static_cast<std::size_t>(s.kind)]][s.name] = scope_json(scope);
  }
}

nlohmann::ordered_json stats_json(const SummaryStats& stats) {
  nlohmann::ordered_json j = nlohmann::ordered_json::object();
  for (std::string_view name : statistic_names()) {
    if (name == "n_defined")
      j[std::string(name)] = stats.n_defined;
    else
      j[std::string(name)] = number_or_null(stats.get(name));
  }
  return j;
}

std::vector<std::size_t> chosen_metrics(std::span<const std::string> names, ScopeKind kind,
                                        std::span<const std::string_view> defaults) {
  std::vector<std::size_t> out;
  auto add = [&](std::string_view name) {
    if (const std::size_t m = metric_index(name, kind); m < metric_defs(kind).size()) out.push_back(m);
  };
  if (names.empty())
    for (std::string_view name : defaults) add(name);
  else
    for (const std::string& name : names) add(name);
  return out;
}

std::string_view better_name(Better better) {
  return better == Better::higher ? "higher" : better == Better::lower ? "lower" : "neither";
}

std::string display_value(double value, std::string_view unit) {
  if (std::isnan(value)) return "n/a";
  if (unit_kind(unit) == UnitKind::ratio) return fmt::format("{:.1f}%", 100.0 * value);
  if (unit_kind(unit) == UnitKind::currency_ratio)
    return fmt::format("{}${:.2f} per $1", value < 0 ? "-" : "", std::abs(value));
  if (unit_kind(unit) == UnitKind::currency) return fmt::format("{:.2f}", value);
  return fmt::format("{:.1f}", value);
}

std::string display_interval(double low, double high, std::string_view unit) {
  if (unit_kind(unit) == UnitKind::currency_ratio && !std::isnan(low) && !std::isnan(high))
    return fmt::format("[${:.2f}, ${:.2f}] per $1", low, high);
  return fmt::format("[{}, {}]", display_value(low, unit), display_value(high, unit));
}

std::string csv_field(std::string_view text) {
  // A leading = + - @ tab or carriage return would make a spreadsheet read the cell as a formula
  // (OWASP, CSV injection): a leading apostrophe keeps it text. Numbers never come through here.
  const bool formula = !text.empty() && std::string_view("=+-@\t\r").find(text.front()) != std::string_view::npos;
  std::string cell(formula ? 1 : 0, '\'');
  cell.append(text);
  if (cell.find_first_of(",\"\n\r") == std::string::npos) return cell;
  std::string out = "\"";
  for (char c : cell) {
    if (c == '"') out += '"';
    out += c;
  }
  return out += '"';
}

}  // namespace funnelsim
