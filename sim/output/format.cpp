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

void add_summary_scopes(nlohmann::ordered_json& into, const RunSummary& summary) {
  auto scope_json = [&](std::size_t scope) {
    nlohmann::ordered_json j = nlohmann::ordered_json::object();
    const auto defs = metric_defs(summary.scopes[scope].kind);
    for (std::size_t m = 0; m < defs.size(); ++m) j[std::string(defs[m].name)] = stats_json(summary.metric(scope, m));
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

std::string_view better_name(Better better) {
  return better == Better::higher ? "higher" : better == Better::lower ? "lower" : "neither";
}

std::string display_value(double value, std::string_view unit) {
  if (std::isnan(value)) return "n/a";
  if (unit_kind(unit) == UnitKind::ratio) return fmt::format("{:.1f}%", 100.0 * value);
  if (unit_kind(unit) == UnitKind::currency) return fmt::format("{:.2f}", value);
  return fmt::format("{:.1f}", value);
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
