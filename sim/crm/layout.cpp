#include "crm/layout.hpp"

#include <algorithm>
#include <string>
#include <vector>

#include "crm/ascii_text.hpp"

namespace funnelsim::crm {
namespace {

constexpr bool kRequired = true, kOptional = false;

// HubSpot: a contacts export with its default labels, a deals export, and the property history
// of the date properties a recycled contact sets more than once.
constexpr ColumnSpec kHubSpotContacts[] = {
    {Role::id, "Record ID", kRequired},
    {Role::first_name, "First Name", kOptional},
    {Role::last_name, "Last Name", kOptional},
    {Role::email, "Email", kOptional},
    {Role::created, "Create Date", kRequired},
    {Role::source, "Original Source", kRequired},
    {Role::source_detail, "Original Source Drill-Down 1", kOptional},
    {Role::stage, "Lifecycle Stage", kRequired},
    {Role::status, "Lead Status", kOptional},
    {Role::score, "HubSpot Score", kOptional},
    {Role::lead_date, "Became a Lead Date", kOptional},
    {Role::mql_date, "Became a Marketing Qualified Lead Date", kRequired},
    {Role::sql_date, "Became a Sales Qualified Lead Date", kRequired},
    {Role::opportunity_date, "Became an Opportunity Date", kOptional},
    {Role::customer_date, "Became a Customer Date", kOptional},
    {Role::owner, "Contact owner", kOptional},
    {Role::team, "HubSpot Team", kOptional},
    {Role::owner_assigned, "Owner Assigned Date", kOptional},
    {Role::last_contacted, "Last Contacted", kOptional},
    {Role::deal_ids, "Associated Deal IDs", kOptional},
    {Role::segment, "Segment", kOptional},
    {Role::mql_reason, "MQL Reason", kOptional},
};
constexpr ColumnSpec kHubSpotDeals[] = {
    {Role::id, "Record ID", kRequired},
    {Role::deal_name, "Deal Name", kOptional},
    {Role::pipeline, "Pipeline", kOptional},
    {Role::deal_stage, "Deal Stage", kRequired},
    {Role::amount, "Amount", kRequired},
    {Role::created, "Create Date", kRequired},
    {Role::close_date, "Close Date", kRequired},
    {Role::source, "Original Source", kOptional},
    {Role::source_detail, "Original Source Drill-Down 1", kOptional},
    {Role::segment, "Segment", kOptional},
};
constexpr ColumnSpec kHubSpotHistory[] = {
    {Role::id, "Record ID", kRequired},         {Role::property, "Property", kRequired},
    {Role::value, "Value", kRequired},          {Role::timestamp, "Timestamp", kRequired},
    {Role::change_source, "Source", kOptional},
};

// Salesforce: a Lead report and an Opportunity report with their standard labels, the custom
// lifecycle fields RevOps teams add (Inquiry Date, MQL Date, MQL Reason, Lead Score, Segment),
// and the Lead History report of those fields.
constexpr ColumnSpec kSalesforceLeads[] = {
    {Role::id, "Lead ID", kRequired},
    {Role::first_name, "First Name", kOptional},
    {Role::last_name, "Last Name", kOptional},
    {Role::email, "Email", kOptional},
    {Role::created, "Created Date", kRequired},
    {Role::source, "Lead Source", kRequired},
    {Role::status, "Lead Status", kRequired},
    {Role::rating, "Rating", kOptional},
    {Role::score, "Lead Score", kOptional},
    {Role::segment, "Segment", kOptional},
    {Role::lead_date, "Inquiry Date", kOptional},
    {Role::mql_date, "MQL Date", kRequired},
    {Role::mql_reason, "MQL Reason", kOptional},
    {Role::converted, "Converted", kRequired},
    {Role::sql_date, "Converted Date", kRequired},
    {Role::converted_opportunity, "Converted Opportunity ID", kOptional},
    {Role::owner, "Lead Owner", kOptional},
    {Role::team, "Owner Role", kOptional},
    {Role::owner_assigned, "First Activity", kOptional},
    {Role::last_contacted, "Last Activity", kOptional},
};
constexpr ColumnSpec kSalesforceOpportunities[] = {
    {Role::id, "Opportunity ID", kRequired},
    {Role::deal_name, "Opportunity Name", kOptional},
    {Role::amount, "Amount", kRequired},
    {Role::deal_stage, "Stage", kRequired},
    {Role::created, "Created Date", kRequired},
    {Role::close_date, "Close Date", kRequired},
    {Role::won, "Won", kOptional},
    {Role::closed, "Closed", kOptional},
    {Role::source, "Lead Source", kOptional},
    {Role::segment, "Segment", kOptional},
};
constexpr ColumnSpec kSalesforceHistory[] = {
    {Role::id, "Lead ID", kRequired},
    {Role::timestamp, "Edit Date", kRequired},
    {Role::property, "Field / Event", kRequired},
    {Role::old_value, "Old Value", kRequired},
    {Role::new_value, "New Value", kRequired},
};

constexpr FileLayout kHubSpot[] = {
    {CrmFormat::hubspot, FileKind::leads, "contacts.csv", "HubSpot contacts", kHubSpotContacts},
    {CrmFormat::hubspot, FileKind::deals, "deals.csv", "HubSpot deals", kHubSpotDeals},
    {CrmFormat::hubspot, FileKind::history, "contacts_history.csv", "HubSpot contacts' property history",
     kHubSpotHistory},
};
constexpr FileLayout kSalesforce[] = {
    {CrmFormat::salesforce, FileKind::leads, "leads.csv", "Salesforce leads", kSalesforceLeads},
    {CrmFormat::salesforce, FileKind::deals, "opportunities.csv", "Salesforce opportunities", kSalesforceOpportunities},
    {CrmFormat::salesforce, FileKind::history, "lead_history.csv", "Salesforce lead history", kSalesforceHistory},
};

/// Lower case without spaces, underscores, hyphens and dots: "Marketing Qualified Lead",
/// "marketingqualifiedlead" and "MARKETING_QUALIFIED_LEAD" read alike.
std::string folded(std::string_view text) {
  std::string out;
  for (char c : text)
    if (c != ' ' && c != '_' && c != '-' && c != '.' && c != '/')
      out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

struct StageName {
  Stage stage;
  std::string_view value, label;
};
constexpr StageName kStages[] = {
    {Stage::subscriber, "subscriber", "Subscriber"},
    {Stage::lead, "lead", "Lead"},
    {Stage::mql, "marketingqualifiedlead", "Marketing Qualified Lead"},
    {Stage::sql, "salesqualifiedlead", "Sales Qualified Lead"},
    {Stage::opportunity, "opportunity", "Opportunity"},
    {Stage::customer, "customer", "Customer"},
    {Stage::evangelist, "evangelist", "Evangelist"},
    {Stage::other, "other", "Other"},
};

struct StatusName {
  LeadStatus status;
  std::string_view value;
};
constexpr StatusName kHubSpotStatuses[] = {
    {LeadStatus::new_lead, "NEW"},
    {LeadStatus::open, "OPEN"},
    {LeadStatus::attempted, "ATTEMPTED_TO_CONTACT"},
    {LeadStatus::connected, "CONNECTED"},
    {LeadStatus::bad_fit, "UNQUALIFIED"},
    {LeadStatus::not_ready, "BAD_TIMING"},
    {LeadStatus::unreachable, "UNREACHABLE"},
    {LeadStatus::unresponsive, "UNRESPONSIVE"},
    // Read as well: HubSpot's other default values.
    {LeadStatus::attempted, "IN_PROGRESS"},
    {LeadStatus::connected, "OPEN_DEAL"},
};
constexpr StatusName kSalesforceStatuses[] = {
    {LeadStatus::new_lead, "Open - Not Contacted"},    {LeadStatus::open, "Open - Not Contacted"},
    {LeadStatus::attempted, "Working - Contacted"},    {LeadStatus::connected, "Closed - Converted"},
    {LeadStatus::bad_fit, "Closed - Not Converted"},   {LeadStatus::not_ready, "Closed - Not Ready"},
    {LeadStatus::unreachable, "Closed - Unreachable"}, {LeadStatus::unresponsive, "Closed - No Response"},
};

constexpr std::string_view kReasons[] = {"Demo request", "Lead score", "SDR qualified", "Intent signal"};

constexpr std::string_view kHubSpotOpenStages[] = {"appointmentscheduled", "qualifiedtobuy", "presentationscheduled",
                                                   "decisionmakerboughtin", "contractsent"};
constexpr std::string_view kSalesforceOpenStages[] = {"Prospecting",          "Qualification",
                                                      "Needs Analysis",       "Value Proposition",
                                                      "Proposal/Price Quote", "Negotiation/Review"};
constexpr std::string_view kOtherOpenStages[] = {
    "Appointment Scheduled", "Qualified To Buy",    "Presentation Scheduled", "Decision Maker Bought-In",
    "Contract Sent",         "Id. Decision Makers", "Perception Analysis"};

}  // namespace

std::span<const FileLayout> layouts(CrmFormat format) {
  return format == CrmFormat::hubspot ? std::span<const FileLayout>(kHubSpot)
                                      : std::span<const FileLayout>(kSalesforce);
}

const FileLayout& layout(CrmFormat format, FileKind kind) { return layouts(format)[static_cast<std::size_t>(kind)]; }

std::string_view label_of(const FileLayout& layout, Role role) {
  for (const ColumnSpec& c : layout.columns)
    if (c.role == role) return c.label;
  return {};
}

std::string_view file_kind_name(FileKind kind) {
  return kind == FileKind::leads ? "leads" : kind == FileKind::deals ? "deals" : "history";
}

std::string_view stage_value(Stage stage) { return kStages[static_cast<std::size_t>(stage)].value; }

std::optional<Stage> parse_stage(std::string_view text) {
  const std::string f = folded(text);
  for (const StageName& s : kStages)
    if (f == s.value) return s.stage;
  return std::nullopt;
}

std::string_view status_value(CrmFormat format, LeadStatus status) {
  const auto& table = format == CrmFormat::hubspot ? std::span<const StatusName>(kHubSpotStatuses)
                                                   : std::span<const StatusName>(kSalesforceStatuses);
  for (const StatusName& s : table)
    if (s.status == status) return s.value;
  return {};
}

std::optional<LeadStatus> parse_status(CrmFormat format, std::string_view text) {
  // Folded once: this runs for every row of a million-row export.
  static const auto folded_table = [](std::span<const StatusName> table) {
    std::vector<std::pair<std::string, LeadStatus>> out;
    for (const StatusName& s : table) out.emplace_back(folded(s.value), s.status);
    return out;
  };
  static const auto hubspot = folded_table(kHubSpotStatuses), salesforce = folded_table(kSalesforceStatuses);
  const std::string f = folded(text);
  for (const auto& [name, status] : format == CrmFormat::hubspot ? hubspot : salesforce)
    if (f == name) return status;
  return std::nullopt;
}

std::string_view reason_value(MqlReason reason) {
  return reason == MqlReason::unknown ? std::string_view{} : kReasons[static_cast<std::size_t>(reason)];
}

std::optional<MqlReason> parse_reason(std::string_view text) {
  static const auto table = [] {
    std::vector<std::string> out;
    for (std::string_view r : kReasons) out.push_back(folded(r));
    return out;
  }();
  const std::string f = folded(text);
  for (std::size_t i = 0; i < table.size(); ++i)
    if (f == table[i]) return static_cast<MqlReason>(i);
  return std::nullopt;
}

std::string_view deal_stage_value(CrmFormat format, DealState state, double progress) {
  const bool hubspot = format == CrmFormat::hubspot;
  if (state == DealState::won) return hubspot ? "closedwon" : "Closed Won";
  if (state == DealState::lost) return hubspot ? "closedlost" : "Closed Lost";
  const auto& open = hubspot ? std::span<const std::string_view>(kHubSpotOpenStages)
                             : std::span<const std::string_view>(kSalesforceOpenStages);
  const auto i =
      std::min(open.size() - 1, static_cast<std::size_t>(std::max(0.0, progress) * static_cast<double>(open.size())));
  return open[i];
}

std::optional<DealState> parse_deal_stage(std::string_view text) {
  static const auto open = [] {
    std::vector<std::string> out;
    for (auto list : {std::span<const std::string_view>(kHubSpotOpenStages),
                      std::span<const std::string_view>(kSalesforceOpenStages),
                      std::span<const std::string_view>(kOtherOpenStages)})
      for (std::string_view s : list) out.push_back(folded(s));
    return out;
  }();
  const std::string f = folded(text);
  if (f == "closedwon") return DealState::won;
  if (f == "closedlost") return DealState::lost;
  for (const std::string& s : open)
    if (f == s) return DealState::open;
  return std::nullopt;
}

std::optional<bool> parse_bool(std::string_view text) {
  const std::string f = lower(text);
  if (f == "true" || f == "1" || f == "yes") return true;
  if (f == "false" || f == "0" || f == "no") return false;
  return std::nullopt;
}

std::string_view history_property(CrmFormat format, Role role) {
  const bool hubspot = format == CrmFormat::hubspot;
  switch (role) {
    case Role::lead_date:
      return hubspot ? "hs_lifecyclestage_lead_date" : "Inquiry Date";
    case Role::mql_date:
      return hubspot ? "hs_lifecyclestage_marketingqualifiedlead_date" : "MQL Date";
    case Role::mql_reason:
      return hubspot ? "mql_reason" : "MQL Reason";
    case Role::owner_assigned:
      return hubspot ? "hubspot_owner_assigneddate" : "First Activity";
    default:
      return {};
  }
}

std::string_view hubspot_source_category(std::string_view source) {
  const std::string s = lower(source);
  const auto has = [&](std::string_view word) { return s.find(word) != std::string::npos; };
  const bool paid = has("paid") || has("ads") || has("cpc") || has("ppc");
  if (has("search") || has("seo") || has("sem")) return paid ? "Paid search" : "Organic search";
  if (has("social") || has("linkedin") || has("facebook")) return paid ? "Paid social" : "Organic social";
  if (has("referral") || has("partner")) return "Referrals";
  if (has("email") || has("newsletter")) return "Email marketing";
  if (has("organic") || has("direct") || has("demo") || has("website") || has("inbound") || has("signup"))
    return "Direct traffic";
  if (has("event") || has("webinar") || has("trade") || has("syndication") || has("list") || has("import"))
    return "Offline sources";
  return "Other campaigns";
}

std::string salesforce_source_value(std::string_view source) {
  std::string out;
  bool start = true;
  for (char c : source) {
    if (c == '_' || c == '-' || c == ' ') {
      if (!out.empty() && out.back() != ' ') out += ' ';
      start = true;
      continue;
    }
    out += start ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c;
    start = false;
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out.empty() ? std::string(source) : out;
}

}  // namespace funnelsim::crm
