#pragma once
// Helpers of the CRM tests: an export written to a folder and read back, and the comparison of an
// observed metrics row with a simulated one at the resolution the export keeps.
#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>

#include <nlohmann/json.hpp>

#include "cli_support.hpp"
#include "funnelsim/crm/export.hpp"
#include "funnelsim/crm/observe.hpp"
#include "funnelsim/scenario/loader.hpp"
#include "funnelsim/whatif/runnable_scenario.hpp"

namespace funnelsim::test {

inline RunnableScenario shipped(const std::string& name) {
  const std::filesystem::path file = std::filesystem::path(FUNNELSIM_SOURCE_DIR) / "scenarios" / (name + ".json");
  return RunnableScenario(read_scenario_document(file), name);
}

/// The export's files written into `dir`.
inline void write_export(const crm::CrmExport& e, const std::filesystem::path& dir) {
  std::filesystem::create_directories(dir);
  for (const auto& [name, content] : e.files) std::ofstream(dir / name, std::ios::binary) << content;
}

/// Reads an export folder back with the mapping it came with, measured over its horizon.
struct ReadBack {
  crm::ObservedData data;
  crm::ObservedFunnel funnel;
};
inline ReadBack read_back(const std::filesystem::path& dir, crm::ReadOptions options = {}) {
  options.mapping = crm::read_mapping((dir / "mapping.json").string());
  ReadBack r{crm::read_exports({dir}, options), {}};
  const nlohmann::json info = nlohmann::json::parse(read_file(dir / "export.json"));
  const crm::Minute from = crm::parse_day(info["horizon"]["from"].get<std::string>());
  const crm::Minute to = crm::parse_day(info["horizon"]["to"].get<std::string>());
  r.funnel = crm::measure(r.data.records, crm::window_of(r.data.records, from, to));
  return r;
}

/// The tolerance of one observed metric against the simulated one: exact for counts and rates;
/// under a minute for times (both ends are floored to the minute); half a cent a deal for sums of
/// amounts (exports carry cents).
inline double round_trip_tolerance(Metric m, double deals) {
  const std::string_view unit = metric_def(m).unit;
  if (unit == "days") return 1.0 / 1440.0 + 1e-9;
  if (unit == "hours") return 1.0 / 60.0 + 1e-9;
  if (unit == "currency") return 0.005 * deals + 1e-6;
  return 1e-9;
}

/// Every observable metric of every scope of `observed` equals the simulated row of the same
/// scope (in `table`'s replication `slot`), within round_trip_tolerance; a metric the simulation
/// leaves undefined is undefined in the observation too. Returns the number of values compared.
inline std::size_t require_same_funnel(const ReplicationTable& table, std::size_t slot,
                                       const crm::ObservedFunnel& observed) {
  std::size_t compared = 0;
  for (const crm::ObservedScope& scope : observed.scopes) {
    std::size_t s = table.scopes();
    for (std::size_t k = 0; k < table.funnel_scopes(); ++k)
      if (table.scope(k).name == scope.name) s = k;
    INFO("scope " << scope.name);
    REQUIRE(s < table.scopes());
    const auto row = table.row(slot, s);
    const double deals =
        row[static_cast<std::size_t>(Metric::opportunities)] + row[static_cast<std::size_t>(Metric::won_deals)];
    for (Metric m : crm::observable_metrics()) {
      const auto i = static_cast<std::size_t>(m);
      INFO("metric " << metric_def(m).name << ": simulated " << row[i] << ", observed " << scope.metrics[i]);
      REQUIRE(std::isnan(row[i]) == std::isnan(scope.metrics[i]));
      if (std::isnan(row[i])) continue;
      REQUIRE(std::abs(row[i] - scope.metrics[i]) <= round_trip_tolerance(m, std::isnan(deals) ? 0.0 : deals));
      ++compared;
    }
  }
  return compared;
}

}  // namespace funnelsim::test
