#include "funnelsim/whatif/lead_phase_sharing.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace funnelsim {

std::vector<std::string> lead_phase_keys(const nlohmann::json& document) {
  nlohmann::json shared = document;
  shared.erase("sources");
  for (const char* text : {"name", "description"}) shared.erase(text);  // words, read by no process
  // Downstream of the MQL handoff: only whether there is a desk and a pipeline reaches back.
  for (const char* downstream : {"sales", "pipeline"}) shared[downstream] = document.contains(downstream);
  // With a desk, recycling starts from the desk's decisions, after the lead phase.
  if (document.contains("sales") && shared.contains("nurture") && shared["nurture"].is_object())
    shared["nurture"].erase("recycling");
  // Every source's event types make the score's groups (an ungrouped event is a group of its own).
  const nlohmann::json& sources = document.at("sources");
  nlohmann::json event_types = nlohmann::json::array();
  for (const nlohmann::json& source : sources) {
    const auto profile = source.find("profile");
    if (profile == source.end() || !profile->is_object()) continue;
    const auto events = profile->find("events");
    if (events != profile->end() && events->is_object())
      for (const auto& [name, event] : events->items()) event_types.push_back(name);
  }
  shared["(every source's event types)"] = std::move(event_types);
  const std::string common = shared.dump();
  std::vector<std::string> keys;
  keys.reserve(sources.size());
  for (std::size_t s = 0; s < sources.size(); ++s)
    keys.push_back(fmt::format("{}\n{} of {}\n{}", common, s, sources.size(), sources[s].dump()));
  return keys;
}

std::vector<std::string> lead_keys_without_thresholds(const nlohmann::json& document) {
  nlohmann::json without = document;
  const auto scoring = without.find("scoring");
  if (scoring != without.end() && scoring->is_object()) {
    scoring->erase("mql_threshold");
    const auto segments = scoring->find("by_segment");
    if (segments != scoring->end() && segments->is_object())
      for (auto& [name, thresholds] : segments->items())
        if (thresholds.is_object()) thresholds.erase("mql_threshold");
  }
  return lead_phase_keys(without);
}

std::vector<bool> shared_lead_phases(const std::vector<std::string>& base, const std::vector<std::string>& variant) {
  std::vector<bool> shared(variant.size(), false);
  if (base.size() != variant.size()) return shared;
  for (std::size_t s = 0; s < variant.size(); ++s) shared[s] = base[s] == variant[s];
  return shared;
}

void record_lead_phase(RunOptions& run, const nlohmann::json& document, SharedLeadPhase& into) {
  into.keys = lead_phase_keys(document);
  into.keys_without_thresholds = into.with_leads ? lead_keys_without_thresholds(document) : std::vector<std::string>{};
  run.record_lead_phase = &into.record;
  run.record_leads = into.with_leads;
}

void reuse_lead_phase(RunOptions& run, const nlohmann::json& document, const SharedLeadPhase& from) {
  if (!from.record.complete_for(run.seed, run.first_replication, run.replications)) return;
  std::vector<bool> shared = shared_lead_phases(from.keys, lead_phase_keys(document));
  std::vector<bool> leads;
  if (!from.keys_without_thresholds.empty()) {
    leads = shared_lead_phases(from.keys_without_thresholds, lead_keys_without_thresholds(document));
    for (std::size_t s = 0; s < leads.size(); ++s) leads[s] = leads[s] && !shared[s];
  }
  const auto any = [](const std::vector<bool>& v) { return std::find(v.begin(), v.end(), true) != v.end(); };
  if (!any(shared) && !any(leads)) return;
  run.reuse_sources = std::move(shared);
  run.reuse_leads = std::move(leads);
  run.reuse_lead_phase = &from.record;
}

}  // namespace funnelsim
