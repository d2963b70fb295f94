#pragma once
/// Which sources' lead phase a variant shares with its base (engine/lead_phase.hpp), and the
/// what-if jobs' way to record a base's lead phase and let its variants reuse it.
///
/// A source's lead phase reads the source itself, its index among the sources, the names of
/// every source's event types (the score's groups), and everything else in the scenario but the
/// other sources, the scenario's name and description, and the contents of `sales` and
/// `pipeline` (of those only whether they exist: the lead process hands MQLs to a desk or decides
/// at once); with a desk, not `nurture.recycling` either (recycling follows the desk's decisions).
/// Its key is that part of the document, as text: two documents (extends resolved, warm-up
/// resolved to days) with equal keys for a source simulate the same lead phase for it, byte for
/// byte, on the same seed and replications. Documents that differ only in how they are written
/// (a default spelled out in one) get different keys: the variant then simulates that source,
/// which costs time and nothing else.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "funnelsim/engine/engine.hpp"

namespace funnelsim {

/// One key per source of a scenario document.
std::vector<std::string> lead_phase_keys(const nlohmann::json& document);
/// The same without the MQL thresholds (`scoring.mql_threshold` and each segment's): sources
/// whose keys differ only there run the same journeys until an MQL, so a variant books every
/// journey of the record that stayed below its own threshold (RunOptions::reuse_leads).
std::vector<std::string> lead_keys_without_thresholds(const nlohmann::json& document);

/// Per source of `variant`: whether its key equals the base's (false for every source when the
/// sources' count differs).
std::vector<bool> shared_lead_phases(const std::vector<std::string>& base, const std::vector<std::string>& variant);

/// A run's lead phase with its sources' keys: what runs of variants take unchanged sources from.
struct SharedLeadPhase {
  /// Set before recording: keep every arrival's first journey too (24 bytes a lead), for
  /// variants with another MQL threshold.
  bool with_leads = false;
  LeadPhaseRecord record;
  std::vector<std::string> keys;
  std::vector<std::string> keys_without_thresholds;  ///< when recorded with its leads
};

/// Makes `run` (about to run `document`) record its lead phase into `into`.
void record_lead_phase(RunOptions& run, const nlohmann::json& document, SharedLeadPhase& into);
/// Makes `run` (about to run `document`) take from `from` every source the two share, and book
/// from it the quiet journeys of every source they share but for the thresholds (when recorded
/// with leads); leaves it alone when `from` is incomplete, was recorded for other replications or
/// another seed, or shares nothing.
void reuse_lead_phase(RunOptions& run, const nlohmann::json& document, const SharedLeadPhase& from);

}  // namespace funnelsim
