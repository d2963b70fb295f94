#pragma once
/// "warmup_days": "auto": the warm-up rule's pick (funnelsim/engine/warmup.hpp), worked out on a
/// scenario document before it is built, so that every later step (uncertain draws, sweep points,
/// tornado runs, result files) sees a number of days.
///
/// One job, one warm-up: compare gives every scenario that asks for "auto" the longest pick among
/// them (shared_warmup), so each is warm by its own rule and all stay paired; sweep and
/// sensitivity run every point on the base's pick (the base with one value moved is the same
/// funnel; a grid that lengthens it, a longer cooldown say, can set the days itself).
#include <atomic>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "funnelsim/engine/warmup.hpp"

namespace funnelsim {

struct WarmupChoice {
  int days = 0;                              ///< the warm-up the scenario runs with
  bool automatic = false;                    ///< chosen by the rule ("auto"), not written in the scenario
  std::optional<WarmupRecommendation> rule;  ///< what the rule found, when automatic
};

/// Whether a document (after extends and overrides) says "warmup_days": "auto".
bool asks_for_auto_warmup(const nlohmann::json& document);

/// The warm-up of `document`: its number of days, or for "auto" the rule's pick on its nominal
/// scenario (uncertain inputs at their means). Throws ScenarioError for an invalid document, and at
/// /warmup_days when the rule finds the funnel never settles. nullopt when `cancel` was seen set.
std::optional<WarmupChoice> choose_warmup(const nlohmann::json& document, const std::string& fallback_name,
                                          const std::atomic<bool>* cancel = nullptr);

/// One warm-up for scenarios run together: the longest of the automatic choices (with its rule);
/// a job without one gets a non-automatic choice of 0 days, which apply_warmup ignores.
WarmupChoice shared_warmup(const std::vector<WarmupChoice>& choices);

/// Replaces "auto" in `document` by `choice.days` when the choice is automatic; a document with a
/// number of days keeps it.
void apply_warmup(nlohmann::json& document, const WarmupChoice& choice);

/// `document` with "auto" worked out: by `given` (a job's shared choice) when there is one, else by
/// the rule's pick for it; `chosen` says how. A document with its own days keeps them.
nlohmann::json resolve_warmup(nlohmann::json document, const std::string& fallback_name,
                              const std::optional<WarmupChoice>& given, WarmupChoice& chosen);

}  // namespace funnelsim
