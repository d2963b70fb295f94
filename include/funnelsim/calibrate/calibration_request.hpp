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
#include "funnelsim/crm/mapping.hpp"
#include "funnelsim/crm/observe.hpp"

namespace funnelsim::calibrate {

/// How a front end names the arguments of an observed-funnel request in its errors: the CLI's
/// "--mapping", "--from", "--to"; the Python module's "mapping", "from_date", "to_date".
struct ObservedArgumentNames {
  std::string mapping, from, to;
};

/// What to read, and how, for the funnel to fit.
struct ObservedRequest {
  std::vector<std::filesystem::path> sources;
  crm::ReadOptions read;
  crm::Minute first = crm::kNoTime, last = crm::kNoTime;
};

/// Checks and resolves a request as the caller wrote it (empty text: not given). `observed` is CRM
/// exports (CSV files or folders of them) or one folder observe --out wrote (it holds
/// summary.json): that folder holds the measured funnel itself, with observe's window, so `to` and
/// `mapping` belong to observe there and `from` stays day 0. Without `mapping`, the mapping.json
/// export-crm writes beside its export, when `observed` is one such folder. Throws UsageError
/// naming the argument (by `names`): one given with an observe folder, a mapping or day that does
/// not read.
ObservedRequest observed_request(const std::vector<std::filesystem::path>& observed, const std::string& mapping,
                                 const std::string& from, const std::string& to, const ObservedArgumentNames& names);

/// The funnel to fit: read back from the observe folder, or measured from the exports within
/// [first, last] (crm::kNoTime: the records' own window).
crm::ObservedFunnel observed_funnel(const ObservedRequest& request);

/// calibrate's run identifier: the base document (after extends and overrides), the seed, the
/// replications, the window as the caller wrote it (`from`, `to`: empty when not given), the free
/// pointers, and the observed funnel itself (each scope's metrics, intervals and how many samples
/// its distributions hold), not where it was read from.
std::string run_id_of_calibration(const nlohmann::json& base, const CalibrationOptions& options, std::string_view from,
                                  std::string_view to, const crm::ObservedFunnel& funnel);

/// What calibrated.json's "extends" says to name `base_file` from the folder it is written into.
std::string extends_path(const std::filesystem::path& base_file, const std::filesystem::path& folder);

}  // namespace funnelsim::calibrate
