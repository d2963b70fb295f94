#pragma once
/// Which sources' lead phase a variant shares with its base (engine/lead_phase.hpp).
///
/// A source's lead phase reads the source itself, its index among the sources, and everything
/// else in the scenario but the other sources and the contents of `sales` and `pipeline` (of
/// those only whether they exist: the lead process hands MQLs to a desk or decides at once).
/// Its key is that part of the resolved document, as text: two documents with equal keys for a
/// source simulate the same lead phase for it, byte for byte, on the same seed and replications.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace funnelsim {

/// One key per source of a resolved scenario document (warm-up resolved to days).
std::vector<std::string> lead_phase_keys(const nlohmann::json& resolved);

/// Per source of `variant`: whether its key equals the base's (false for every source when the
/// sources' count differs).
std::vector<bool> shared_lead_phases(const std::vector<std::string>& base, const std::vector<std::string>& variant);

}  // namespace funnelsim
