// Reads back the observed funnel an observe result folder's summary.json holds
// (funnelsim/crm/observe_output.hpp).
#include <cmath>
#include <fstream>
#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "funnelsim/crm/observe_output.hpp"

namespace funnelsim::crm {
namespace {

using json = nlohmann::json;

double number_of(const json& value) { return value.is_number() ? value.get<double>() : NAN; }

/// A scope's metric row and intervals from its summary.json object ({metric: {"mean", ...}}).
ObservedScope scope_of(std::string name, const json& metrics) {
  const auto defs = metric_defs(ScopeKind::funnel);
  ObservedScope scope;
  scope.name = std::move(name);
  scope.metrics.assign(defs.size(), NAN);
  scope.intervals.resize(defs.size());
  for (std::size_t m = 0; m < defs.size(); ++m) {
    const auto found = metrics.find(std::string(defs[m].name));
    if (found == metrics.end() || !found->is_object()) continue;
    scope.metrics[m] = number_of(found->value("mean", json()));
    if (found->contains("ci_method")) {
      scope.intervals[m].method = found->at("ci_method").get<std::string>();
      scope.intervals[m].low = number_of(found->value("ci95_low", json()));
      scope.intervals[m].high = number_of(found->value("ci95_high", json()));
    }
  }
  return scope;
}

}  // namespace

ObservedFunnel read_observed_summary(const std::filesystem::path& dir) {
  const std::filesystem::path file = dir / "summary.json";
  const std::string where = file.string();
  std::ifstream in(file, std::ios::binary);
  if (!in)
    throw UsageError(where, "expected observe's summary.json (a folder observe --out wrote), found no such file");
  std::stringstream text;
  text << in.rdbuf();
  json j;
  try {
    j = json::parse(text.str());
  } catch (const json::exception& e) {
    throw UsageError(where, fmt::format("expected JSON, found a syntax error: {}", e.what()));
  }
  const auto require = [&](const char* pointer, bool (json::*is)() const noexcept, const char* what) -> const json& {
    const json::json_pointer ptr(pointer);
    if (!j.contains(ptr) || !(j.at(ptr).*is)())
      throw UsageError(where + " " + pointer,
                       fmt::format("expected {}, found {}", what, j.contains(ptr) ? j.at(ptr).dump() : "nothing"));
    return j.at(ptr);
  };
  if (require("/kind", &json::is_string, "\"observed\"").get<std::string>() != "observed")
    throw UsageError(where + " /kind",
                     fmt::format("expected \"observed\" (a folder observe --out wrote), found {}", j["kind"].dump()));
  ObservedFunnel funnel;
  const auto day = [&](const char* pointer) {
    const std::string value = require(pointer, &json::is_string, "a date YYYY-MM-DD").get<std::string>();
    return naming_source(where + " " + pointer, [&] { return parse_day(value); });
  };
  funnel.window.from = day("/observed/window/from");
  funnel.window.end = day("/observed/window/to") + kMinutesPerDay;
  funnel.maturity_days = number_of(j["observed"].value("maturity_days", json()));
  funnel.scopes.push_back(scope_of("all", require("/metrics", &json::is_object, "an object of metrics")));
  for (const auto& [name, metrics] : require("/by_source", &json::is_object, "an object of sources").items())
    funnel.scopes.push_back(scope_of(name, metrics));
  return funnel;
}

}  // namespace funnelsim::crm
