#include "funnelsim/whatif/lead_phase_keys.hpp"

#include <fmt/format.h>

namespace funnelsim {

std::vector<std::string> lead_phase_keys(const nlohmann::json& resolved) {
  nlohmann::json shared = resolved;
  shared.erase("sources");
  // Downstream of the MQL handoff: only whether there is a desk and a pipeline reaches back.
  for (const char* downstream : {"sales", "pipeline"}) shared[downstream] = resolved.contains(downstream);
  const std::string common = shared.dump();
  const nlohmann::json& sources = resolved.at("sources");
  std::vector<std::string> keys;
  keys.reserve(sources.size());
  for (std::size_t s = 0; s < sources.size(); ++s)
    keys.push_back(fmt::format("{}\n{} of {}\n{}", common, s, sources.size(), sources[s].dump()));
  return keys;
}

std::vector<bool> shared_lead_phases(const std::vector<std::string>& base, const std::vector<std::string>& variant) {
  std::vector<bool> shared(variant.size(), false);
  if (base.size() != variant.size()) return shared;
  for (std::size_t s = 0; s < variant.size(); ++s) shared[s] = base[s] == variant[s];
  return shared;
}

}  // namespace funnelsim
