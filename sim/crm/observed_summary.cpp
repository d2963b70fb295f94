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

/// One of observe's CSV files beside summary.json, read by column name, row by row; every error
/// names the file, and the row and column where there is one.
class ObserveCsv {
 public:
  explicit ObserveCsv(const std::filesystem::path& file)
      : where_(file.string()), in_(file, std::ios::binary), reader_(in_) {}

  /// Reads the header; false when there is no such file (a folder from an older observe) or it is empty.
  bool begin() { return in_ && next_into(header_); }
  bool next() { return next_into(row_); }

  std::size_t column(std::string_view name) const {
    const auto at = std::find(header_.begin(), header_.end(), name);
    if (at == header_.end())
      throw UsageError(where_, fmt::format("expected a column '{}' as observe writes it, found none", name));
    return static_cast<std::size_t>(at - header_.begin());
  }
  std::string place(std::size_t c) const {
    return fmt::format("{} row {} column '{}'", where_, reader_.row(), header_[c]);
  }
  const std::string& cell(std::size_t c) const {
    if (c >= row_.size()) throw UsageError(place(c), "expected a value, found a short row");
    return row_[c];
  }
  double number(std::size_t c, std::string_view expected = "a number") const {
    const std::string& text = cell(c);
    char* end = nullptr;
    const double v = std::strtod(text.c_str(), &end);
    if (text.empty() || end != text.c_str() + text.size())
      throw UsageError(place(c), fmt::format("expected {}, found '{}'", expected, text));
    return v;
  }

 private:
  bool next_into(std::vector<std::string>& fields) {
    try {
      return reader_.next(fields);
    } catch (const CsvError& e) {
      throw UsageError(fmt::format("{} row {}", where_, e.row()), e.what());
    }
  }
  std::string where_;
  std::ifstream in_;
  CsvReader reader_;
  std::vector<std::string> header_, row_;
};

/// The scope a row names, or null for one the summary does not hold.
ObservedScope* scope_named(ObservedFunnel& funnel, const std::string& name) {
  const auto at =
      std::find_if(funnel.scopes.begin(), funnel.scopes.end(), [&](const ObservedScope& s) { return s.name == name; });
  return at == funnel.scopes.end() ? nullptr : &*at;
}

/// The weeks of observe's weekly.csv beside summary.json (observe_output.cpp writes it), into the
/// scopes of the same name; a folder without one keeps no weeks.
void read_weeks(const std::filesystem::path& file, ObservedFunnel& funnel) {
  ObserveCsv csv(file);
  if (!csv.begin()) return;
  const std::size_t source = csv.column("source"), week = csv.column("week"), first_day = csv.column("first_day"),
                    leads = csv.column("leads"), mqls = csv.column("mqls_in_week"), sqls = csv.column("sqls_in_week"),
                    cohort_mqls = csv.column("cohort_mqls"), cohort_sqls = csv.column("cohort_sqls"),
                    cohort_opportunities = csv.column("cohort_opportunities"), won = csv.column("cohort_won_deals"),
                    age = csv.column("age_days"), maturing = csv.column("maturing");
  while (csv.next()) {
    ObservedScope* scope = scope_named(funnel, csv.cell(source));
    if (!scope) continue;
    CohortWeek w;
    const double number = csv.number(week);
    if (!(number >= 1) || number != std::floor(number))
      throw UsageError(csv.place(week), fmt::format("expected a week number from 1, found '{}'", csv.cell(week)));
    w.week = static_cast<std::size_t>(number) - 1;
    w.first_day = naming_source(csv.place(first_day), [&] { return parse_day(csv.cell(first_day)); });
    w.leads = w.leads_in_week = csv.number(leads);
    w.mqls_in_week = csv.number(mqls);
    w.sqls_in_week = csv.number(sqls);
    w.mqls = csv.number(cohort_mqls);
    w.sqls = csv.number(cohort_sqls);
    w.opportunities = csv.number(cohort_opportunities);
    w.won_deals = csv.number(won);
    w.age_days = csv.number(age);
    w.maturing = csv.cell(maturing) == "true";
    scope->weeks.push_back(w);
  }
}

/// The samples of observe's samples.csv (observe_output.cpp), into the scopes of the same name,
/// sorted; a folder without one (observe before it wrote them) keeps none.
void read_samples(const std::filesystem::path& file, ObservedFunnel& funnel) {
  ObserveCsv csv(file);
  if (!csv.begin()) return;
  const std::size_t source = csv.column("source"), sample = csv.column("sample"), value = csv.column("value");
  while (csv.next()) {
    ObservedScope* scope = scope_named(funnel, csv.cell(source));
    if (!scope) continue;
    const std::string& kind = csv.cell(sample);
    std::vector<double>* into = kind == "time_to_mql_days"      ? &scope->time_to_mql_days
                                : kind == "response_time_hours" ? &scope->response_hours
                                                                : nullptr;
    if (!into)
      throw UsageError(csv.place(sample),
                       fmt::format("expected time_to_mql_days or response_time_hours, found '{}'", kind));
    const double v = csv.number(value, "a number of at least 0");
    if (!(v >= 0.0) || !std::isfinite(v))
      throw UsageError(csv.place(value), fmt::format("expected a number of at least 0, found '{}'", csv.cell(value)));
    into->push_back(v);
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
