#pragma once
/// --messy: the defects real exports have, planted on chosen leads at documented rates
/// (MessyRates in funnelsim/crm/export.hpp), each lead at most one, drawn from the lead's own
/// counter-based stream (purpose "crm:messy", keyed by the lead), so the plan is a pure function
/// of (seed, replication, lead) and never touches the simulation's streams.
#include <cstdint>
#include <string>
#include <vector>

#include "funnelsim/crm/export.hpp"
#include "funnelsim/crm/records.hpp"

namespace funnelsim::crm {

enum class Defect : std::uint8_t {
  none,
  missing_stage_date,
  skipped_stage,
  date_before_creation,
  mixed_date_formats,
  duplicate_contact,
  unknown_source,
};

struct LeadDefect {
  Defect defect = Defect::none;
  Minute shifted = kNoTime;   ///< date_before_creation: the MQL date; duplicate_contact: the copy's creation
  int offset_minutes = 0;     ///< mixed_date_formats: the UTC offset its times are written in
  std::uint32_t unknown = 0;  ///< unknown_source: which unknown value
};

struct MessyPlan {
  std::vector<LeadDefect> leads;  ///< by lead (records.leads order); empty when not messy
  MessyCounts counts;
};

/// Which defect each lead gets in `format` (a defect that does not apply to the lead: none).
MessyPlan plan_messy(const CrmRecords& records, CrmFormat format, std::uint64_t seed, std::uint64_t replication);

/// The source values an unknown-source defect writes, none of which a mapping of the export
/// names: HubSpot (Original Source, Drill-Down 1) pairs, Salesforce Lead Source values.
struct UnknownSource {
  std::string source, detail;
};
std::vector<UnknownSource> unknown_sources(const CrmRecords& records, CrmFormat format);

}  // namespace funnelsim::crm
