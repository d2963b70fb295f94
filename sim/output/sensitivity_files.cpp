#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "funnelsim/output/run_output.hpp"
#include "output/format.hpp"
#include "output/provenance_json.hpp"
#include "funnelsim/output/sensitivity_output.hpp"

namespace funnelsim {
namespace {

using ordered_json = nlohmann::ordered_json;

ordered_json effect_json(const HeadlineChange& d) {
  return {{"mean", number_or_null(d.mean)},
          {"ci95_low", number_or_null(d.ci95_low)},
          {"ci95_high", number_or_null(d.ci95_high)}};
}

ordered_json value_json(const nlohmann::json& value) { return ordered_json::parse(value.dump()); }

}  // namespace

std::string sensitivity_json(const SensitivityReport& report) {
  ordered_json j;
  j["funnelsim_version"] = FUNNELSIM_VERSION;
  j["scenario"] = report.scenario;
  j["provenance"] = provenance_json(report.provenance);
  j["seed"] = report.seed;
  j["replications"] = report.replications;
  add_warmup_fields(j, report.warmup);
  j["metric"] = metric_defs()[report.metric].name;
  j["vary"] = report.vary;
  j["base"] = metric_json(metric_defs()[report.metric], report.base, report.base_pooled);
  ordered_json parameters = ordered_json::array();
  for (const ParameterEffect& e : report.effects)
    parameters.push_back({{"pointer", e.parameter.pointer},
                          {"title", e.parameter.title},
                          {"base_value", value_json(e.parameter.base_value)},
                          {"low_value", value_json(e.parameter.low_value)},
                          {"high_value", value_json(e.parameter.high_value)},
                          {"low", effect_json(e.low)},
                          {"high", effect_json(e.high)},
                          {"rank", e.rank}});
  j["parameters"] = parameters;
  ordered_json skipped = ordered_json::array();
  for (const SkippedParameter& s : report.skipped)
    skipped.push_back({{"pointer", s.pointer}, {"title", s.title}, {"reason", s.reason}});
  j["skipped"] = skipped;
  if (report.uncertain) {
    const UncertainSensitivity& u = *report.uncertain;
    ordered_json list = ordered_json::array();
    for (std::size_t k = 0; k < u.parameters.size(); ++k)
      list.push_back({{"pointer", u.parameters[k].pointer},
                      {"src", number_or_null(u.regression.src[k])},
                      {"spearman", number_or_null(u.regression.spearman[k])}});
    j["uncertain"] = {{"parameters", list}, {"r_squared", number_or_null(u.regression.r_squared)}};
  } else {
    j["uncertain"] = nullptr;
  }
  return j.dump(2) + "\n";
}

std::string sensitivity_csv(const SensitivityReport& report) {
  std::string out =
      "rank,pointer,base_value,low_value,high_value,low_mean,low_ci95_low,low_ci95_high,high_mean,high_ci95_low,"
      "high_ci95_high,title\n";
  for (const ParameterEffect& e : report.effects)
    out += fmt::format("{},{},{},{},{},{},{},{},{},{},{},{}\n", e.rank, csv_field(e.parameter.pointer),
                       e.parameter.base_value.dump(), e.parameter.low_value.dump(), e.parameter.high_value.dump(),
                       format_number(e.low.mean), format_number(e.low.ci95_low), format_number(e.low.ci95_high),
                       format_number(e.high.mean), format_number(e.high.ci95_low), format_number(e.high.ci95_high),
                       csv_field(e.parameter.title));
  return out;
}

}  // namespace funnelsim
