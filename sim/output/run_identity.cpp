#include "funnelsim/output/run_identity.hpp"

#include <fmt/format.h>

#include "funnelsim/output/result_set.hpp"

namespace funnelsim {
namespace {

/// "seed=7 replications=- first=0 precision=sqls=1%": a control left to the scenario reads "-".
std::string controls_text(const GivenRunControls& controls) {
  const auto text = [](const std::optional<std::uint64_t>& v) { return v ? std::to_string(*v) : std::string("-"); };
  return fmt::format("seed={} replications={} first={} precision={}", text(controls.seed), text(controls.replications),
                     controls.first_replication, controls.precision);
}

}  // namespace

std::string run_id_of_run(const nlohmann::json& document, const RunInfo& info, std::string_view precision) {
  return run_identifier({"run", document.dump(), std::to_string(info.seed), std::to_string(info.replications),
                         std::to_string(info.first_replication), std::string(precision)});
}

std::string run_id_of_comparison(const std::vector<nlohmann::json>& documents, const GivenRunControls& controls) {
  std::vector<std::string> parts{"compare", controls_text(controls)};
  for (const nlohmann::json& document : documents) parts.push_back(document.dump());
  return run_identifier(parts);
}

std::string run_id_of_sweep(const nlohmann::json& document, const GivenRunControls& controls,
                            std::string_view objective, std::string_view pareto,
                            const std::vector<std::string>& parameters) {
  std::vector<std::string> parts{"sweep", document.dump(), controls_text(controls), std::string(objective),
                                 std::string(pareto)};
  parts.insert(parts.end(), parameters.begin(), parameters.end());
  return run_identifier(parts);
}

std::string run_id_of_sensitivity(const nlohmann::json& document, const GivenRunControls& controls,
                                  std::string_view vary, std::string_view metric, std::string_view parameters) {
  return run_identifier({"sensitivity", document.dump(), controls_text(controls), std::string(vary),
                         std::string(metric), std::string(parameters)});
}

}  // namespace funnelsim
