#include "crm/messy.hpp"

#include <algorithm>
#include <set>

#include "core/random.hpp"
#include "core/stream_purposes.hpp"
#include "crm/layout.hpp"

namespace funnelsim::crm {
namespace {

constexpr int kOffsets[] = {-480, -300, 60, 330};  // Pacific, Eastern, Central European, India

/// The defect bands of one uniform draw, in MessyRates' order.
Defect band(double u) {
  double edge = 0.0;
  const std::pair<double, Defect> bands[] = {
      {MessyRates::missing_stage_date, Defect::missing_stage_date},
      {MessyRates::skipped_stage, Defect::skipped_stage},
      {MessyRates::date_before_creation, Defect::date_before_creation},
      {MessyRates::mixed_date_formats, Defect::mixed_date_formats},
      {MessyRates::duplicate_contacts, Defect::duplicate_contact},
      {MessyRates::unknown_source, Defect::unknown_source},
  };
  for (const auto& [rate, defect] : bands)
    if (u < (edge += rate)) return defect;
  return Defect::none;
}

Minute latest_mql(const CrmRecords& records, const Lead& lead) {
  Minute m = kNoTime;
  for (std::uint32_t j = 0; j < lead.journeys; ++j) m = std::max(m, records.journeys[lead.first_journey + j].mql);
  return m;
}

}  // namespace

std::vector<UnknownSource> unknown_sources(const CrmRecords& records, CrmFormat format) {
  std::set<std::pair<std::string, std::string>> used;
  for (const std::string& s : records.sources)
    used.insert(format == CrmFormat::hubspot ? std::pair{std::string(hubspot_source_category(s)), s}
                                             : std::pair{salesforce_source_value(s), std::string()});
  // Filled branch by branch: g++ 12 -O3 warns (maybe-uninitialized, a false positive) about the
  // strings of two initializer lists in one conditional expression.
  std::vector<UnknownSource> candidates;
  if (format == CrmFormat::hubspot)
    candidates = {{"Offline sources", "IMPORT"},
                  {"Offline sources", "CRM_UI"},
                  {"Other campaigns", "spring-promo"},
                  {"Offline sources", "INTEGRATION"}};
  else
    candidates = {{"Trade Show", ""}, {"Purchased List", ""}, {"Partner", ""}, {"Other", ""}};
  std::vector<UnknownSource> out;
  for (const UnknownSource& c : candidates)
    if (!used.count({c.source, c.detail})) out.push_back(c);
  return out;
}

MessyPlan plan_messy(const CrmRecords& records, CrmFormat format, std::uint64_t seed, std::uint64_t replication) {
  MessyPlan plan;
  plan.leads.resize(records.leads.size());
  const std::size_t unknowns = unknown_sources(records, format).size();
  const bool hubspot = format == CrmFormat::hubspot;
  for (std::size_t i = 0; i < records.leads.size(); ++i) {
    const Lead& lead = records.leads[i];
    RandomStream stream(seed, replication, StreamId{lead.key, 0, purpose::CRM_MESSY});
    const Defect d = band(stream.uniform());
    // Only plain leads: not the backlog, not recycled (one journey), so each defect is what it
    // says and nothing else.
    if (d == Defect::none || lead.backlog || lead.journeys != 1) continue;
    const Minute mql = latest_mql(records, lead);
    const bool has_sql = lead.sql != kNoTime;
    LeadDefect& out = plan.leads[i];
    switch (d) {
      case Defect::missing_stage_date:
        // HubSpot: the date of its lifecycle stage (MQL or later); Salesforce: a converted lead's Converted Date.
        if (hubspot ? mql == kNoTime : !has_sql) continue;
        ++plan.counts.missing_stage_date;
        break;
      case Defect::skipped_stage:
        if (!has_sql || mql == kNoTime) continue;
        ++plan.counts.skipped_stage;
        break;
      case Defect::date_before_creation:
        if (mql == kNoTime) continue;
        out.shifted = lead.created - 1 - static_cast<Minute>(stream.uniform() * 30.0 * kMinutesPerDay);
        ++plan.counts.date_before_creation;
        break;
      case Defect::mixed_date_formats:
        out.offset_minutes = kOffsets[static_cast<std::size_t>(stream.uniform() * std::size(kOffsets))];
        ++plan.counts.mixed_date_formats;
        break;
      case Defect::duplicate_contact: {
        out.shifted = lead.created + kMinutesPerDay + static_cast<Minute>(stream.uniform() * 59.0 * kMinutesPerDay);
        if (out.shifted >= records.horizon_end) continue;
        ++plan.counts.duplicate_contacts;
        break;
      }
      case Defect::unknown_source:
        if (unknowns == 0) continue;
        out.unknown = static_cast<std::uint32_t>(stream.uniform() * static_cast<double>(unknowns));
        ++plan.counts.unknown_source;
        break;
      case Defect::none:
        break;
    }
    out.defect = d;
  }
  return plan;
}

}  // namespace funnelsim::crm
