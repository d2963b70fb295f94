#pragma once
/// The run identifier of each kind of job (run_identifier, result_set.hpp) from what chose its
/// numbers: the scenario documents (after extends and overrides), the run controls and the
/// command's specs as the caller wrote them. One function per job, so every front end (the CLI,
/// the Python module) names the same job alike: the Python module passes the text a CLI user
/// would type for the same request (its sweep values {"/x": [60, 65]} as "/x=60,65").
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "funnelsim/whatif/run_report.hpp"

namespace funnelsim {

/// The run controls as the caller gave them: nullopt for one left to the scenario.
struct GivenRunControls {
  std::optional<std::uint64_t> seed;
  std::optional<std::uint64_t> replications;
  std::uint64_t first_replication = 0;
  std::string precision;  ///< the precision target as written ("sqls=1%"), empty without one
};

/// A run of `document`: the seed, replications and first replication it ran (`info`, after a
/// precision target chose the count) and the precision target as written.
std::string run_id_of_run(const nlohmann::json& document, const RunInfo& info, std::string_view precision);

/// A comparison of `documents` (the base first).
std::string run_id_of_comparison(const std::vector<nlohmann::json>& documents, const GivenRunControls& controls);

/// A sweep of `document`: the objective and Pareto axes as written (empty when none), and each
/// parameter as written ("PTR=a:b:step" or "PTR=v1,v2,...").
std::string run_id_of_sweep(const nlohmann::json& document, const GivenRunControls& controls,
                            std::string_view objective, std::string_view pareto,
                            const std::vector<std::string>& parameters);

/// A tornado of `document`: vary, the metric and the parameter list as written (empty: all).
std::string run_id_of_sensitivity(const nlohmann::json& document, const GivenRunControls& controls,
                                  std::string_view vary, std::string_view metric, std::string_view parameters);

}  // namespace funnelsim
