#include "funnelsim/whatif/warmup_choice.hpp"

#include <fmt/format.h>

#include "funnelsim/scenario/error.hpp"
#include "funnelsim/scenario/loader.hpp"
#include "funnelsim/scenario/uncertain.hpp"

namespace funnelsim {

bool asks_for_auto_warmup(const nlohmann::json& document) {
  const auto it = document.find("warmup_days");
  return it != document.end() && it->is_string() && *it == "auto";
}

std::optional<WarmupChoice> choose_warmup(const nlohmann::json& document, const std::string& fallback_name,
                                          const std::atomic<bool>* cancel) {
  WarmupChoice choice;
  const Scenario scenario = scenario_from_json(UncertainScenario(document).nominal_document(), fallback_name);
  if (!scenario.warmup_auto) {
    choice.days = scenario.warmup_days;
    return choice;
  }
  WarmupRule rule;
  std::optional<WarmupRecommendation> found = recommend_warmup(scenario, rule, nullptr, cancel);
  if (!found) return std::nullopt;
  if (!found->reached)
    throw ScenarioError(
        {Issue{"/warmup_days",
               fmt::format("a funnel whose MQLs are resolved within {} days (what \"auto\" can pick)", rule.max_days),
               fmt::format("more than {:g}% of a cohort's MQLs still unresolved after {} days: set "
                           "warmup_days to a number",
                           100.0 * (1.0 - rule.quantile), found->follow_days)}});
  choice.days = found->days;
  choice.automatic = true;
  choice.rule = std::move(found);
  return choice;
}

WarmupChoice shared_warmup(const std::vector<WarmupChoice>& choices) {
  WarmupChoice shared;
  for (const WarmupChoice& c : choices)
    if (c.automatic && (!shared.automatic || c.days > shared.days)) shared = c;
  return shared;
}

void apply_warmup(nlohmann::json& document, const WarmupChoice& choice) {
  if (choice.automatic && asks_for_auto_warmup(document)) document["warmup_days"] = choice.days;
}

nlohmann::json resolve_warmup(nlohmann::json document, const std::string& fallback_name,
                              const std::optional<WarmupChoice>& given, WarmupChoice& chosen) {
  if (!asks_for_auto_warmup(document)) {
    const auto days = document.find("warmup_days");
    const bool valid = days != document.end() && days->is_number_integer() && days->get<std::int64_t>() >= 0 &&
                       days->get<std::int64_t>() <= WarmupRule{}.max_days;
    chosen = WarmupChoice{valid ? days->get<int>() : 0, false, {}};  // an invalid one fails validation later
    return document;
  }
  chosen = given && given->automatic ? *given : *choose_warmup(document, fallback_name);
  apply_warmup(document, chosen);
  return document;
}

}  // namespace funnelsim
