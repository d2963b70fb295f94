#pragma once
/// The "provenance" block every result file carries for each scenario: which files made it (each
/// with the SHA-256 of its bytes), the overrides applied, and the hash of the resolved scenario
/// (origin.hpp defines both). The same shape in summary.json, compare.json (one per scenario),
/// sweep.json and sensitivity.json:
///   {"file": {"path": "scenarios/v.json", "sha256": "<64 hex>"} (or null: no file),
///    "extends": [{"path": "scenarios/base.json", "sha256": "<64 hex>"}, ...],  // the base first
///    "overrides": [{"pointer": "/scoring/mql_threshold", "value": 55}, ...],   // in the order applied
///    "resolved_sha256": "<64 hex>"}
#include <nlohmann/json.hpp>

#include "funnelsim/scenario/origin.hpp"

namespace funnelsim {

nlohmann::ordered_json provenance_json(const ScenarioProvenance& provenance);

}  // namespace funnelsim
