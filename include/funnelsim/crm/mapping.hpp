#pragma once
/// observe --mapping MAP.json: how an export that is not laid out exactly as funnelsim expects
/// reads as one that is. Every part is optional:
///
///   {
///     "format": "hubspot",                                  // or "salesforce"; else recognised
///     "columns": {"Create Date": "Created On"},             // funnelsim's label -> your column
///     "lifecycle_stages": {"Recycled": "lead"},             // your value -> a standard stage
///     "lead_statuses": {"Nurture": "not_ready"},            // your value -> funnelsim's status
///     "deal_stages": {"Verbal yes": "open"},                // your value -> open, won or lost
///     "mql_reasons": {"Demo form": "demo_request"},         // your value -> funnelsim's path
///     "sources": [                                          // first matching rule names the source
///       {"source": "webinar", "when": {"Original Source": "Offline sources",
///                                      "Original Source Drill-Down 1": "webinar"}}
///     ]
///   }
///
/// "when" names columns by funnelsim's label or by any column of the file (a custom "UTM
/// Campaign" works). With "sources", a row no rule matches counts in the source "(unmapped)";
/// without it, each source value is a source of its own. export-crm writes the mapping that
/// reads its export back in the scenario's source names.
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "funnelsim/crm/records.hpp"

namespace funnelsim::crm {

/// A lifecycle stage as HubSpot names it internally.
enum class MappedStage : std::uint8_t { subscriber, lead, mql, sql, opportunity, customer, evangelist, other };

struct SourceRule {
  std::string source;
  std::vector<std::pair<std::string, std::string>> when;  ///< (column, value): all must match
};

struct Mapping {
  std::optional<CrmFormat> format;
  std::map<std::string, std::string> columns;  ///< funnelsim's label -> the file's column
  std::map<std::string, MappedStage> lifecycle_stages;
  std::map<std::string, LeadStatus> lead_statuses;
  std::map<std::string, DealState> deal_stages;
  std::map<std::string, MqlReason> mql_reasons;
  std::vector<SourceRule> sources;  ///< empty: source values as they are
};

/// Reads a mapping document; `file` names it in errors. Throws UsageError naming the JSON
/// Pointer, what was expected and what was found (an unknown key, a stage that is not one, ...).
Mapping parse_mapping(const nlohmann::json& document, const std::string& file);
/// Reads and parses a mapping file (UTF-8 JSON); UsageError when it cannot be read or parsed.
Mapping read_mapping(const std::string& path);

}  // namespace funnelsim::crm
