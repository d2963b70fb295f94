#pragma once
/// export-crm: one simulated replication as the files a CRM would export for it, HubSpot's
/// (contacts, deals, contacts' property history) or Salesforce's (a Lead report, an Opportunity
/// report, the Lead History report), with the column labels and values those CRMs use. The same
/// scenario, seed and replication give the same bytes. README ("Bring your own funnel") lists
/// every column; docs/crm.md says how each is derived from the simulation.
///
/// Times are in UTC at minute resolution (floored); the horizon's day 0 is `start_date`. The
/// export holds every lead the replication had: those that arrived in the warm-up (older
/// contacts), in the horizon, and the starting backlog (created a minute before the horizon).
#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "funnelsim/crm/records.hpp"
#include "funnelsim/engine/engine.hpp"
#include "funnelsim/engine/memory_estimate.hpp"
#include "funnelsim/output/result_set.hpp"
#include "funnelsim/whatif/runnable_scenario.hpp"

namespace funnelsim::crm {

/// The planted defects of a --messy export, each counted (messy.json).
struct MessyCounts {
  std::uint64_t missing_stage_date = 0;    ///< the date of the stage a lead is at, left empty
  std::uint64_t skipped_stage = 0;         ///< the MQL date of a lead that went further, left empty
  std::uint64_t date_before_creation = 0;  ///< an MQL date moved before the lead's creation
  std::uint64_t mixed_date_formats = 0;    ///< a lead's times written with a UTC offset
  std::uint64_t duplicate_contacts = 0;    ///< a second record of the same person, created later
  std::uint64_t unknown_source = 0;        ///< a source value the mapping does not know
};

/// The share of leads each defect is planted on (a lead gets at most one; a lead a defect does
/// not apply to, e.g. a skipped stage for one that never went past MQL, gets none).
struct MessyRates {
  static constexpr double missing_stage_date = 0.01;
  static constexpr double skipped_stage = 0.01;
  static constexpr double date_before_creation = 0.005;
  static constexpr double mixed_date_formats = 0.02;
  static constexpr double duplicate_contacts = 0.01;
  static constexpr double unknown_source = 0.005;
};

struct ExportOptions {
  CrmFormat format = CrmFormat::hubspot;
  Minute start_date = kNoTime;  ///< midnight (UTC) of the horizon's day 0; kNoTime: default_start_date
  bool messy = false;
};

struct CrmExport {
  CrmRecords records;    ///< what the files hold (before any messy defect)
  ResultSetFiles files;  ///< (name, content): the CRM files, export.json, mapping.json, messy.json
  RunResult run;         ///< the replication's own metrics (a 1-replication table)
  std::optional<MessyCounts> messy;
};

/// The first date on or after Monday 2025-01-06 that falls on the scenario's start weekday.
Minute default_start_date(const Scenario& scenario);
/// "YYYY-MM-DD" as a start date: UsageError when it is not a date or not on the scenario's
/// start weekday (day 0's weekday shapes arrivals and working days).
Minute parse_start_date(std::string_view text, const Scenario& scenario);

/// Runs replication `replication` under `seed` with a trace attached (its metrics row is the one
/// `run` gives it) and renders the export. nullopt when cancelled.
std::optional<CrmExport> export_replication(const RunnableScenario& scenario, std::uint64_t seed,
                                            std::uint64_t replication, const ExportOptions& options,
                                            const std::atomic<bool>* cancel = nullptr);

/// An upper estimate of an export's peak memory: the replication's run (one replication, one
/// thread) plus every lead's records and rows, about a kilobyte a lead.
MemoryEstimate estimate_export_memory(const RunnableScenario& scenario);

/// A replication's CRM records without rendering any file (what calibration measures with
/// crm::measure, observe.hpp, beside an observed funnel) and its own metrics row.
struct TracedReplication {
  CrmRecords records;
  RunResult run;  ///< a 1-replication table: the row run_replications gives that replication
};
/// `start_date` as in ExportOptions (kNoTime: default_start_date).
TracedReplication trace_replication(const RunnableScenario& scenario, std::uint64_t seed, std::uint64_t replication,
                                    Minute start_date = kNoTime);

}  // namespace funnelsim::crm
