#pragma once
/// A calibrate request as every front end (the CLI, the Python module) takes it: where the
/// observed funnel comes from, the run identifier of the request, and the "extends" of the
/// calibrated.json it writes. One place, so the same request names and writes its results alike.
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "funnelsim/calibrate/calibrate.hpp"
#include "funnelsim/crm/observe.hpp"

namespace funnelsim::calibrate {

/// Whether `observed` is one folder that observe --out wrote (it holds summary.json): that folder
/// holds the measured funnel itself, with the window observe measured.
bool is_observe_result(const std::vector<std::filesystem::path>& observed);

/// The mapping file export-crm writes beside its export: mapping.json in `observed` when it is one
/// folder that holds one (and is not an observe result); empty otherwise.
std::filesystem::path default_mapping(const std::vector<std::filesystem::path>& observed);

/// The funnel to fit: read back from an observe result folder, or measured from the exports
/// (read with `read`) within [first, last] (crm::kNoTime: the records' own window).
crm::ObservedFunnel observed_funnel(const std::vector<std::filesystem::path>& observed, const crm::ReadOptions& read,
                                    crm::Minute first, crm::Minute last);

/// calibrate's run identifier: the base document (after extends and overrides), the seed, the
/// replications, the window as the caller wrote it (`from`, `to`: empty when not given), the free
/// pointers, and the observed funnel itself (each scope's metrics, intervals and how many samples
/// its distributions hold), not where it was read from.
std::string run_id_of_calibration(const nlohmann::json& base, const CalibrationOptions& options, std::string_view from,
                                  std::string_view to, const crm::ObservedFunnel& funnel);

/// What calibrated.json's "extends" says to name `base_file` from the folder it is written into.
std::string extends_path(const std::filesystem::path& base_file, const std::filesystem::path& folder);

}  // namespace funnelsim::calibrate
