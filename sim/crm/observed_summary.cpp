// Reads back the observed funnel an observe result folder's summary.json holds
// (funnelsim/crm/observe_output.hpp).
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "crm/csv_reader.hpp"
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

/// The weeks of observe's weekly.csv beside summary.json (observe_output.cpp writes it), into the
/// scopes of the same name; a folder without one keeps no weeks.
void read_weeks(const std::filesystem::path& file, ObservedFunnel& funnel) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return;
  const std::string where = file.string();
  CsvReader reader(in);
  std::vector<std::string> header, row;
  try {
    if (!reader.next(header)) return;
    const auto column = [&](std::string_view name) {
      const auto at = std::find(header.begin(), header.end(), name);
      if (at == header.end())
        throw UsageError(where, fmt::format("expected a column '{}' as observe writes it, found none", name));
      return static_cast<std::size_t>(at - header.begin());
    };
    const std::size_t source = column("source"), week = column("week"), first_day = column("first_day"),
                      leads = column("leads"), mqls = column("mqls_in_week"), sqls = column("sqls_in_week"),
                      cohort_mqls = column("cohort_mqls"), cohort_sqls = column("cohort_sqls"),
                      cohort_opportunities = column("cohort_opportunities"), won = column("cohort_won_deals"),
                      age = column("age_days"), maturing = column("maturing");
    while (reader.next(row)) {
      const auto cell = [&](std::size_t c) -> const std::string& {
        if (c >= row.size())
          throw UsageError(fmt::format("{} row {} column '{}'", where, reader.row(), header[c]),
                           "expected a value, found a short row");
        return row[c];
      };
      const auto value = [&](std::size_t c) {
        const std::string& text = cell(c);
        char* end = nullptr;
        const double v = std::strtod(text.c_str(), &end);
        if (text.empty() || end != text.c_str() + text.size())
          throw UsageError(fmt::format("{} row {} column '{}'", where, reader.row(), header[c]),
                           fmt::format("expected a number, found '{}'", text));
        return v;
      };
      const auto scope = std::find_if(funnel.scopes.begin(), funnel.scopes.end(),
                                      [&](const ObservedScope& s) { return s.name == cell(source); });
      if (scope == funnel.scopes.end()) continue;
      CohortWeek w;
      const double number = value(week);
      if (!(number >= 1) || number != std::floor(number))
        throw UsageError(fmt::format("{} row {} column 'week'", where, reader.row()),
                         fmt::format("expected a week number from 1, found '{}'", cell(week)));
      w.week = static_cast<std::size_t>(number) - 1;
      w.first_day = naming_source(fmt::format("{} row {} column 'first_day'", where, reader.row()),
                                  [&] { return parse_day(cell(first_day)); });
      w.leads = w.leads_in_week = value(leads);
      w.mqls_in_week = value(mqls);
      w.sqls_in_week = value(sqls);
      w.mqls = value(cohort_mqls);
      w.sqls = value(cohort_sqls);
      w.opportunities = value(cohort_opportunities);
      w.won_deals = value(won);
      w.age_days = value(age);
      w.maturing = cell(maturing) == "true";
      scope->weeks.push_back(w);
    }
  } catch (const CsvError& e) {
    throw UsageError(fmt::format("{} row {}", where, e.row()), e.what());
  }
}

/// The samples of observe's samples.csv (observe_output.cpp), into the scopes of the same name,
/// sorted; a folder without one (observe before it wrote them) keeps none.
void read_samples(const std::filesystem::path& file, ObservedFunnel& funnel) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return;
  const std::string where = file.string();
  CsvReader reader(in);
  std::vector<std::string> header, row;
  try {
    if (!reader.next(header)) return;
    const auto column = [&](std::string_view name) {
      const auto at = std::find(header.begin(), header.end(), name);
      if (at == header.end())
        throw UsageError(where, fmt::format("expected a column '{}' as observe writes it, found none", name));
      return static_cast<std::size_t>(at - header.begin());
    };
    const std::size_t source = column("source"), sample = column("sample"), value = column("value");
    while (reader.next(row)) {
      const auto cell = [&](std::size_t c) -> const std::string& {
        if (c >= row.size())
          throw UsageError(fmt::format("{} row {} column '{}'", where, reader.row(), header[c]),
                           "expected a value, found a short row");
        return row[c];
      };
      const auto scope = std::find_if(funnel.scopes.begin(), funnel.scopes.end(),
                                      [&](const ObservedScope& s) { return s.name == cell(source); });
      if (scope == funnel.scopes.end()) continue;
      std::vector<double>* into = cell(sample) == "time_to_mql_days"      ? &scope->time_to_mql_days
                                  : cell(sample) == "response_time_hours" ? &scope->response_hours
                                                                          : nullptr;
      if (!into)
        throw UsageError(fmt::format("{} row {} column 'sample'", where, reader.row()),
                         fmt::format("expected time_to_mql_days or response_time_hours, found '{}'", cell(sample)));
      const std::string& text = cell(value);
      char* end = nullptr;
      const double v = std::strtod(text.c_str(), &end);
      if (text.empty() || end != text.c_str() + text.size() || !(v >= 0.0) || !std::isfinite(v))
        throw UsageError(fmt::format("{} row {} column 'value'", where, reader.row()),
                         fmt::format("expected a number of at least 0, found '{}'", text));
      into->push_back(v);
    }
  } catch (const CsvError& e) {
    throw UsageError(fmt::format("{} row {}", where, e.row()), e.what());
  }
  for (ObservedScope& s : funnel.scopes) {
    std::sort(s.time_to_mql_days.begin(), s.time_to_mql_days.end());
    std::sort(s.response_hours.begin(), s.response_hours.end());
  }
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
  read_weeks(dir / "weekly.csv", funnel);
  read_samples(dir / "samples.csv", funnel);
  return funnel;
}

}  // namespace funnelsim::crm
