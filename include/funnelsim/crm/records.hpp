#pragma once
/// A funnel as a CRM records it, in one shape for every CRM: leads (HubSpot contacts, Salesforce
/// leads) with the moments they reached each stage, their journeys (a recycled lead passes the
/// funnel again), and deals (HubSpot deals, Salesforce opportunities). export-crm writes these
/// from a simulated replication (export.hpp); observe reads them from exports (observe.hpp) and
/// measures the funnel they record. Times are whole minutes since 1970-01-01 00:00 UTC.
///
/// Nothing here is personal data: names and e-mail addresses exist only in exported files
/// (written from the lead's position, never stored), and observe keeps none of them.
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

namespace funnelsim::crm {

/// The CRMs whose exports funnelsim writes and reads.
enum class CrmFormat : std::uint8_t { hubspot, salesforce };
std::string_view format_name(CrmFormat format);  ///< "hubspot", "salesforce"
/// "hubspot" or "salesforce"; UsageError otherwise.
CrmFormat parse_format(std::string_view text);

using Minute = std::int64_t;
inline constexpr Minute kNoTime = std::numeric_limits<Minute>::min();
inline constexpr Minute kMinutesPerDay = 1440;

/// A day written YYYY-MM-DD: its midnight (UTC). UsageError otherwise.
Minute parse_day(std::string_view text);

/// How to read a date written D/M/YYYY or M/D/YYYY when both readings are possible.
enum class DateOrder : std::uint8_t { unknown, month_first, day_first };

/// Why a lead became an MQL (HubSpot and Salesforce portals keep it in a custom "MQL Reason").
enum class MqlReason : std::uint8_t { demo_request, lead_score, sdr_qualified, intent_signal, unknown };
inline constexpr std::size_t kMqlReasons = 4;  ///< the known ones, in funnelsim's path order

/// Where sales left a lead (its lead status).
enum class LeadStatus : std::uint8_t {
  new_lead,      ///< not (yet) an MQL, or back in nurture after a recycle
  open,          ///< an MQL nobody has attempted yet
  attempted,     ///< attempted, not reached yet
  connected,     ///< reached and accepted: an SQL
  bad_fit,       ///< rejected: not a fit
  not_ready,     ///< rejected: a buyer, not now
  unreachable,   ///< rejected: never reached after every attempt
  unresponsive,  ///< went cold waiting
  other,         ///< a status funnelsim does not know (kept, not interpreted)
};

enum class DealState : std::uint8_t { open, won, lost };

/// One pass of a lead through the funnel: its first (from creation, or from the start of the
/// quarter for a lead already in nurture), or a re-entry into nurture after a recycle.
struct Journey {
  std::uint32_t lead = 0;  ///< index into CrmRecords::leads
  Minute start = kNoTime;  ///< became a lead
  Minute mql = kNoTime;    ///< became an MQL (kNoTime: not in this journey)
  MqlReason reason = MqlReason::unknown;
  double score = std::numeric_limits<double>::quiet_NaN();  ///< score at the MQL
  Minute owner_assigned = kNoTime;                          ///< a rep took it: the first contact attempt
  Minute last_contacted = kNoTime;                          ///< the last contact attempt
  std::int32_t owner = -1;                                  ///< index into CrmRecords::owners (export only)
};

struct Lead {
  std::uint32_t source = 0;   ///< index into CrmRecords::sources
  std::uint32_t segment = 0;  ///< index into CrmRecords::segments
  Minute created = kNoTime;
  Minute sql = kNoTime;  ///< became an SQL (accepted by sales)
  std::uint32_t first_journey = 0;
  std::uint32_t journeys = 0;  ///< journeys first_journey .. + journeys - 1 of CrmRecords::journeys
  LeadStatus status = LeadStatus::new_lead;
  std::int64_t deal = -1;  ///< index into CrmRecords::deals
  double fit = 0.0;        ///< fit points (the score a lead that never qualified shows)
  bool backlog = false;    ///< part of the quarter's starting backlog (created just before it)
  std::uint64_t key = 0;   ///< a stable hash of the lead's identity (export: ids, names, messy draws)
};

struct Deal {
  std::uint32_t source = 0;
  std::uint32_t segment = 0;
  std::int64_t lead = -1;  ///< index into CrmRecords::leads; -1: none (an opportunity of the backlog)
  Minute created = kNoTime;
  Minute close = kNoTime;  ///< closed; for an open deal, its expected close
  double amount = 0.0;
  DealState state = DealState::open;
  double progress = 0.0;  ///< an open deal's share of its cycle done at the export (its stage)
  std::uint64_t key = 0;  ///< a stable hash of the deal's identity (export: ids)
};

struct Owner {
  std::string team;
  std::uint32_t rep = 0;  ///< 0-based within the team
};

struct CrmRecords {
  std::vector<std::string> sources;
  std::vector<std::string> segments;
  std::vector<Owner> owners;
  std::vector<Lead> leads;  ///< in creation order
  std::vector<Journey> journeys;
  std::vector<Deal> deals;         ///< in creation order
  Minute horizon_start = kNoTime;  ///< export: the measured quarter [horizon_start, horizon_end)
  Minute horizon_end = kNoTime;    ///< export: also when the export was taken
  bool deals_recorded = false;     ///< deals are known (a deals file was read; the scenario has a pipeline)
};

}  // namespace funnelsim::crm
