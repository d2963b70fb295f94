// calibrated.json, fit.json, fit.csv and the printed table of a calibration.
#include <fmt/format.h>

#include "funnelsim/calibrate/calibrate.hpp"
#include "crm/date_text.hpp"
#include "funnelsim/output/run_output.hpp"
#include "output/format.hpp"

namespace funnelsim::calibrate {
namespace {

/// A number for JSON: null where it is not finite (JSON has no NaN).
nlohmann::json number(double value) { return std::isfinite(value) ? nlohmann::json(value) : nlohmann::json(); }

/// Writes `value` at `pointer` into `out`, a document that extends `base` and holds only what
/// changed: objects by key, arrays of named items by their name (named arrays merge by name onto
/// the base); an array of anything else is written whole (it replaces the base's).
void overlay(nlohmann::json& out, const nlohmann::json& base, const std::string& pointer, const nlohmann::json& value) {
  std::vector<std::string> tokens;
  for (nlohmann::json::json_pointer p(pointer); !p.empty(); p = p.parent_pointer())
    tokens.insert(tokens.begin(), p.back());
  const nlohmann::json* in_base = &base;
  nlohmann::json* at = &out;
  for (std::size_t k = 0; k < tokens.size(); ++k) {
    if (in_base->is_array()) {
      const nlohmann::json& item = in_base->at(std::stoul(tokens[k]));
      if (!item.is_object() || !item.contains("name") || k + 1 == tokens.size()) {
        if (!at->is_array()) *at = *in_base;
        std::string rest;
        for (std::size_t r = k; r < tokens.size(); ++r) rest += "/" + tokens[r];
        (*at)[nlohmann::json::json_pointer(rest)] = value;
        return;
      }
      const std::string name = item.at("name").get<std::string>();
      if (!at->is_array()) *at = nlohmann::json::array();
      nlohmann::json* found = nullptr;
      for (nlohmann::json& entry : *at)
        if (entry["name"] == name) found = &entry;
      if (found == nullptr) {
        at->push_back({{"name", name}});
        found = &at->back();
      }
      at = found;
      in_base = &item;
    } else if (k + 1 == tokens.size()) {
      (*at)[tokens[k]] = value;
    } else {
      // A field the base leaves out (a source's profile/event_rate_scale) is written all the same.
      static const nlohmann::json kNothing = nlohmann::json::object();
      in_base = in_base->is_object() && in_base->contains(tokens[k]) ? &in_base->at(tokens[k]) : &kNothing;
      if (!at->contains(tokens[k])) (*at)[tokens[k]] = nlohmann::json::object();
      at = &(*at)[tokens[k]];
    }
  }
}

}  // namespace

ResultSetFiles calibration_files(const CalibrationResult& result, const nlohmann::json& base,
                                 const std::string& extends_path,
                                 const std::vector<std::pair<std::string, nlohmann::json>>& kept) {
  nlohmann::json calibrated = {{"extends", extends_path},
                               {"name", base.value("name", std::string("scenario")) + "_calibrated"}};
  for (const auto& [pointer, value] : kept) overlay(calibrated, base, pointer, value);
  for (const auto& [pointer, value] : result.changes) overlay(calibrated, base, pointer, value);

  nlohmann::json fit = {{"kind", "calibration"},
                        {"method", "simulated method of moments, common random numbers, NLopt BOBYQA"},
                        {"seed", result.seed},
                        {"replications", result.replications},
                        {"evaluations", result.evaluations},
                        {"warmup", {{"days", result.warmup_days}, {"automatic", result.warmup_automatic}}}};
  nlohmann::json parameters = nlohmann::json::array();
  for (const ParameterEstimate& p : result.parameters)
    parameters.push_back({{"pointer", p.pointer},
                          {"how", p.how},
                          {"base", number(p.base)},
                          {"estimate", number(p.estimate)},
                          {"se", number(p.se)},
                          {"ci95_low", number(p.ci_low)},
                          {"ci95_high", number(p.ci_high)}});
  fit["parameters"] = parameters;
  fit["correlation"] = result.correlation;
  fit["warnings"] = result.warnings;
  nlohmann::json moments = nlohmann::json::array();
  for (const MomentFit& m : result.moments)
    moments.push_back({{"scope", m.scope},
                       {"metric", m.metric},
                       {"observed", number(m.observed)},
                       {"observed_ci95", {number(m.observed_low), number(m.observed_high)}},
                       {"simulated", number(m.simulated)},
                       {"simulated_ci95", {number(m.simulated_low), number(m.simulated_high)}},
                       {"z", number(m.z)}});
  fit["moments"] = moments;
  // The weekly series as observe's weekly.csv numbers them: week 1 from the window's first day.
  nlohmann::json weeks = nlohmann::json::array();
  for (const WeekFit& w : result.weeks)
    weeks.push_back({{"scope", w.scope},
                     {"series", w.series},
                     {"week", w.week + 1},
                     {"first_day", crm::format_date(w.first_day)},
                     {"observed", number(w.observed)},
                     {"simulated", number(w.simulated)},
                     {"simulated_p5", number(w.simulated_p5)},
                     {"simulated_p95", number(w.simulated_p95)}});
  fit["weeks"] = weeks;
  // The distributions of days to MQL and response hours: each bin's share, observed and simulated.
  nlohmann::json distributions = nlohmann::json::array();
  for (const DistributionFit& d : result.distributions) {
    nlohmann::json bins = nlohmann::json::array();
    for (const DistributionBin& b : d.bins)
      bins.push_back({{"low", number(b.low)},
                      {"high", number(b.high)},
                      {"observed", number(b.observed)},
                      {"simulated", number(b.simulated)},
                      {"simulated_p5", number(b.simulated_p5)},
                      {"simulated_p95", number(b.simulated_p95)}});
    distributions.push_back({{"scope", d.scope},
                             {"metric", d.metric},
                             {"observed_count", number(d.observed_count)},
                             {"simulated_count", number(d.simulated_count)},
                             {"bins", bins}});
  }
  fit["distributions"] = distributions;
  fit["j"] = {{"statistic", number(result.j)},
              {"degrees_of_freedom", result.degrees_of_freedom},
              {"p_value", number(result.p_value)},
              {"rejected", result.rejected},
              {"verdict", result.verdict}};

  std::string csv =
      "kind,name,metric,observed_or_base,observed_ci95_low,observed_ci95_high,simulated_or_estimate,ci95_low,ci95_high,"
      "z_or_se\n";
  for (const ParameterEstimate& p : result.parameters)
    csv +=
        fmt::format("parameter_{},{},,{},,,{},{},{},{}\n", p.how, csv_field(p.pointer), format_number(p.base),
                    format_number(p.estimate), format_number(p.ci_low), format_number(p.ci_high), format_number(p.se));
  for (const MomentFit& m : result.moments)
    csv += fmt::format("moment,{},{},{},{},{},{},{},{},{}\n", csv_field(m.scope), m.metric, format_number(m.observed),
                       format_number(m.observed_low), format_number(m.observed_high), format_number(m.simulated),
                       format_number(m.simulated_low), format_number(m.simulated_high), format_number(m.z));
  return {{"calibrated.json", calibrated.dump(2) + "\n"}, {"fit.json", fit.dump(2) + "\n"}, {"fit.csv", csv}};
}

std::string calibration_table(const CalibrationResult& result) {
  std::string text =
      fmt::format("calibrate: {} replications a value on seed {} (common random numbers), {} evaluations\n",
                  result.replications, result.seed, result.evaluations);
  text += fmt::format("warm-up: {} days{}\n", result.warmup_days,
                      result.warmup_automatic ? " (\"auto\": the rule's pick on the base, held for every value)" : "");
  text += fmt::format("{:<44} {:>7} {:>12} {:>12} {:>25}\n", "parameter", "how", "base", "estimate", "95% interval");
  for (const ParameterEstimate& p : result.parameters)
    text += fmt::format("{:<44} {:>7} {:>12.4g} {:>12.4g} {:>12.4g} .. {:<10.4g}\n", p.pointer, p.how, p.base,
                        p.estimate, p.ci_low, p.ci_high);
  text += fmt::format("\n{:<22} {:<18} {:>28} {:>28} {:>6}\n", "scope", "moment", "observed (95% CI)",
                      "simulated (95% CI)", "z");
  for (const MomentFit& m : result.moments)
    text += fmt::format("{:<22} {:<18} {:>9.4g} ({:>7.4g}..{:<7.4g}) {:>9.4g} ({:>7.4g}..{:<7.4g}) {:>+6.2f}\n",
                        m.scope, m.metric, m.observed, m.observed_low, m.observed_high, m.simulated, m.simulated_low,
                        m.simulated_high, m.z);
  text += "\nfit: " + result.verdict + "\n";
  for (const std::string& w : result.warnings) text += "warning: " + w + "\n";
  return text;
}

}  // namespace funnelsim::calibrate
