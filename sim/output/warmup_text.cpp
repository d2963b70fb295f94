// Messages about the warm-up: what "auto" chose, and the warning for a quarter that starts empty.
#include <cmath>

#include <fmt/format.h>

#include "funnelsim/output/run_output.hpp"

namespace funnelsim {

std::string warmup_note(const WarmupChoice& choice) {
  if (!choice.automatic || !choice.rule) return fmt::format("warm-up: {} days", choice.days);
  const WarmupRecommendation& r = *choice.rule;
  return fmt::format(
      "warm-up auto: {} days (the time by which {:g}% of the MQLs of a simulated 4-week cohort are resolved by sales; "
      "{} cohort MQLs in {} probe replications; {:g}% of them had happened by day {:.0f})",
      choice.days, 100.0 * r.quantile, r.cohort_mqls, r.replications, 100.0 * r.quantile, r.mql_quantile_days);
}

void add_warmup_fields(nlohmann::ordered_json& j, const WarmupChoice& choice) {
  j["warmup_days"] = choice.days;
  j["warmup_auto"] = choice.automatic;
}

std::string cold_start_warning(const ColdStart& cold, std::optional<int> rule_days) {
  const std::string fix =
      rule_days ? fmt::format("--warmup auto (the rule picks {} days here)", *rule_days) : std::string("--warmup auto");
  return fmt::format(
      "warning: the quarter starts with an empty funnel: week 1-2 MQLs average {:.0f}% of weeks {}-{}'s (per expected "
      "lead; upper 99.9% bound {:.0f}%), so every total is a ramp-up. Start it warm with {}, or set warmup_days; "
      "write \"warmup_days\": 0 in the scenario if the empty start is meant",
      100.0 * cold.ratio, cold.last_first, cold.last_last, 100.0 * cold.ratio_upper, fix);
}

}  // namespace funnelsim
