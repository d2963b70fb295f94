#pragma once
/// The two layouts funnelsim writes and reads: their files, column labels (in the order exports
/// have them) and values. One table, read by the export writers and by the importer, so what
/// export-crm writes is by construction what observe reads. README ("Bring your own funnel")
/// documents every column.
#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "funnelsim/crm/export.hpp"
#include "funnelsim/crm/records.hpp"

namespace funnelsim::crm {

/// What a column means, whatever it is called in either CRM.
enum class Role : std::uint8_t {
  // leads (HubSpot contacts, Salesforce leads)
  id,
  first_name,
  last_name,
  email,
  created,
  source,
  source_detail,
  stage,
  status,
  score,
  rating,
  segment,
  lead_date,
  mql_date,
  mql_reason,
  sql_date,
  opportunity_date,
  customer_date,
  converted,
  converted_opportunity,
  owner,
  team,
  owner_assigned,
  last_contacted,
  deal_ids,
  // deals (HubSpot deals, Salesforce opportunities)
  deal_name,
  pipeline,
  deal_stage,
  amount,
  close_date,
  won,
  closed,
  // history (HubSpot property history, Salesforce lead history)
  property,
  value,
  timestamp,
  change_source,
  old_value,
  new_value,
};

enum class FileKind : std::uint8_t { leads, deals, history };
std::string_view file_kind_name(FileKind kind);  ///< "contacts" or "leads", ... per format: see file_label

struct ColumnSpec {
  Role role;
  std::string_view label;
  bool required;  ///< observe refuses a file of this kind without it
};

struct FileLayout {
  CrmFormat format;
  FileKind kind;
  std::string_view file_name;  ///< as export-crm names it
  std::string_view label;      ///< "HubSpot contacts", "Salesforce opportunities", ...
  std::span<const ColumnSpec> columns;
};

/// The three files of a format, in the order export-crm writes them.
std::span<const FileLayout> layouts(CrmFormat format);
const FileLayout& layout(CrmFormat format, FileKind kind);
/// The label of `role` in the layout, empty when it has none.
std::string_view label_of(const FileLayout& layout, Role role);

// ---- values --------------------------------------------------------------------------------------

/// HubSpot lifecycle stages, in order, by their internal value.
enum class Stage : std::uint8_t { subscriber, lead, mql, sql, opportunity, customer, evangelist, other };
std::string_view stage_value(Stage stage);  ///< "lead", "marketingqualifiedlead", ...
/// Internal values and labels ("Marketing Qualified Lead"), any case.
std::optional<Stage> parse_stage(std::string_view text);

std::string_view status_value(CrmFormat format, LeadStatus status);
std::optional<LeadStatus> parse_status(CrmFormat format, std::string_view text);

std::string_view reason_value(MqlReason reason);  ///< "Demo request", "Lead score", ...
std::optional<MqlReason> parse_reason(std::string_view text);

/// A deal's stage value: an open deal's by its progress, else closed won / lost.
std::string_view deal_stage_value(CrmFormat format, DealState state, double progress);
/// Closed won / closed lost / any open stage of either pipeline (internal values or labels).
std::optional<DealState> parse_deal_stage(std::string_view text);

/// "true"/"false" as written; 1/0, yes/no, true/false (any case) as read.
std::optional<bool> parse_bool(std::string_view text);

/// HubSpot's property names in the history file, by the column they hold the values of.
std::string_view history_property(CrmFormat format, Role role);

/// The Original Source a source's leads get in a HubSpot export (from its name: paid_search ->
/// "Paid search"), and the Lead Source in a Salesforce one ("Paid Search").
std::string_view hubspot_source_category(std::string_view source);
std::string salesforce_source_value(std::string_view source);

}  // namespace funnelsim::crm
