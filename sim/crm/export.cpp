#include "funnelsim/crm/export.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "crm/crm_ids.hpp"
#include "crm/csv_writer.hpp"
#include "crm/date_text.hpp"
#include "crm/layout.hpp"
#include "crm/messy.hpp"
#include "crm/people.hpp"
#include "crm/trace_records.hpp"
#include "funnelsim/core/usage_error.hpp"

namespace funnelsim::crm {
namespace {

using ordered_json = nlohmann::ordered_json;

constexpr std::string_view kWeekdays[] = {"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"};

/// What a lead shows in the main file: its latest values (a CRM field holds the last one set).
struct LeadView {
  const Journey* latest = nullptr;      // the last journey
  const Journey* latest_mql = nullptr;  // the last journey that became an MQL
  const Journey* latest_owner = nullptr;
  Stage stage = Stage::lead;
};

LeadView view_of(const CrmRecords& r, const Lead& lead) {
  LeadView v;
  for (std::uint32_t k = 0; k < lead.journeys; ++k) {
    const Journey& j = r.journeys[lead.first_journey + k];
    v.latest = &j;
    if (j.mql != kNoTime) v.latest_mql = &j;
    if (j.owner >= 0) v.latest_owner = &j;
  }
  const Deal* deal = lead.deal >= 0 ? &r.deals[static_cast<std::size_t>(lead.deal)] : nullptr;
  v.stage = deal && deal->state == DealState::won  ? Stage::customer
            : deal                                 ? Stage::opportunity
            : lead.sql != kNoTime                  ? Stage::sql
            : v.latest && v.latest->mql != kNoTime ? Stage::mql
                                                   : Stage::lead;
  return v;
}

std::string score_text(double score) { return fmt::format("{}", static_cast<long long>(std::llround(score))); }
std::string amount_text(double amount) { return fmt::format("{:.2f}", amount); }

/// The renderer of one export: ids, people and the messy plan shared by its files.
class Renderer {
 public:
  Renderer(const CrmRecords& records, const ExportOptions& options, std::uint64_t seed, std::uint64_t replication)
      : r_(records),
        format_(options.format),
        hubspot_(options.format == CrmFormat::hubspot),
        contact_ids_(seed, replication, 1),
        deal_ids_(seed, replication, 2),
        duplicate_ids_(seed, replication, 3),
        lead_ids_(seed, replication, "00Q"),
        opportunity_ids_(seed, replication, "006"),
        duplicate_lead_ids_(seed, replication, "00Q", 3) {
    if (options.messy) plan_ = plan_messy(records, format_, seed, replication);
    unknown_ = unknown_sources(records, format_);
  }

  ResultSetFiles render() {
    ResultSetFiles files;
    const FileLayout& leads = layout(format_, FileKind::leads);
    const FileLayout& deals = layout(format_, FileKind::deals);
    const FileLayout& history = layout(format_, FileKind::history);
    CsvWriter lead_rows(leads), history_rows(history);
    for (std::size_t i = 0; i < r_.leads.size(); ++i) {
      write_lead(lead_rows, i);
      if (r_.leads[i].journeys > 1) write_history(history_rows, i);
    }
    write_duplicates(lead_rows);
    CsvWriter deal_rows(deals);
    for (std::size_t d = 0; d < r_.deals.size(); ++d) write_deal(deal_rows, d);
    files.emplace_back(std::string(leads.file_name), std::move(lead_rows.out()));
    // A CRM without deals (the scenario has no pipeline) has no deals to export.
    if (r_.deals_recorded) files.emplace_back(std::string(deals.file_name), std::move(deal_rows.out()));
    files.emplace_back(std::string(history.file_name), std::move(history_rows.out()));
    return files;
  }

  const MessyPlan& plan() const { return plan_; }

  std::string lead_id(std::size_t i) const {
    const std::uint64_t key = r_.leads[i].key;
    return hubspot_ ? fmt::format("{}", contact_ids_.id(i, key)) : lead_ids_.id(i, key);
  }
  std::string deal_id(std::size_t d) const {
    const std::uint64_t key = r_.deals[d].key;
    return hubspot_ ? fmt::format("{}", deal_ids_.id(d, key)) : opportunity_ids_.id(d, key);
  }

 private:
  /// A time as the file writes it: HubSpot "YYYY-MM-DD HH:MM", Salesforce ISO 8601 with Z; in a
  /// messy row with mixed formats, ISO 8601 in another zone with its offset.
  std::string when(Minute m, int offset) const {
    if (m == kNoTime) return {};
    if (offset != 0) return format_iso_offset(m, offset);
    return hubspot_ ? format_minute(m) : format_iso_utc(m);
  }
  std::string day(Minute m) const { return m == kNoTime ? std::string() : format_date(m); }

  void write_source(CsvWriter& w, std::uint32_t source, const LeadDefect* defect) const {
    const std::string& name = r_.sources[source];
    if (defect && defect->defect == Defect::unknown_source) {
      const UnknownSource& u = unknown_[defect->unknown];
      w.text(Role::source, u.source);
      w.text(Role::source_detail, u.detail);
      return;
    }
    if (hubspot_) {
      w.text(Role::source, hubspot_source_category(name));
      w.text(Role::source_detail, name);
    } else {
      w.text(Role::source, salesforce_source_value(name));
    }
  }

  void write_lead(CsvWriter& w, std::size_t i) const {
    const Lead& lead = r_.leads[i];
    const LeadDefect* defect = plan_.leads.empty() ? nullptr : &plan_.leads[i];
    const Defect kind = defect ? defect->defect : Defect::none;
    const int offset = kind == Defect::mixed_date_formats ? defect->offset_minutes : 0;
    const LeadView v = view_of(r_, lead);
    const Deal* deal = lead.deal >= 0 ? &r_.deals[static_cast<std::size_t>(lead.deal)] : nullptr;
    const Person person = person_of(lead.key);
    w.text(Role::id, lead_id(i));
    w.text(Role::first_name, person.first);
    w.text(Role::last_name, person.last);
    w.text(Role::email, email_of(person, i));
    w.raw(Role::created, when(lead.created, offset));
    write_source(w, lead.source, defect);
    w.text(Role::segment, r_.segments[lead.segment]);
    w.text(Role::status, status_value(format_, lead.status));
    w.raw(Role::lead_date, when(v.latest->start, offset));
    Minute mql = v.latest_mql ? v.latest_mql->mql : kNoTime;
    if (kind == Defect::date_before_creation) mql = defect->shifted;
    if (kind == Defect::skipped_stage) mql = kNoTime;
    if (v.latest_mql) {
      w.text(Role::mql_reason, reason_value(v.latest_mql->reason));
      w.raw(Role::score, score_text(v.latest_mql->score));
    } else {
      w.raw(Role::score, score_text(lead.fit));
    }
    const Journey* o = v.latest_owner;
    if (o) {
      w.text(Role::owner, owner_name(static_cast<std::size_t>(o->owner)));
      w.text(Role::team, r_.owners[static_cast<std::size_t>(o->owner)].team);
      w.raw(Role::owner_assigned, when(o->owner_assigned, offset));
    }
    if (hubspot_) {
      w.raw(Role::stage, stage_value(v.stage));
      // The date of the stage the contact is at, left out: the missing-date defect.
      const Stage blank = kind == Defect::missing_stage_date ? v.stage : Stage::other;
      w.raw(Role::mql_date, blank == Stage::mql ? std::string() : when(mql, offset));
      w.raw(Role::sql_date, blank == Stage::sql ? std::string() : when(lead.sql, offset));
      if (deal) {
        w.raw(Role::opportunity_date, blank == Stage::opportunity ? std::string() : when(deal->created, offset));
        if (deal->state == DealState::won)
          w.raw(Role::customer_date, blank == Stage::customer ? std::string() : when(deal->close, offset));
        w.raw(Role::deal_ids, deal_id(static_cast<std::size_t>(lead.deal)));
      }
      if (o) w.raw(Role::last_contacted, when(o->last_contacted, offset));
    } else {
      w.raw(Role::mql_date, when(mql, offset));
      w.text(Role::rating, !v.latest_mql ? "Cold" : v.latest_mql->reason == MqlReason::demo_request ? "Hot" : "Warm");
      const bool converted = lead.sql != kNoTime;
      w.raw(Role::converted, converted ? "true" : "false");
      if (converted && kind != Defect::missing_stage_date) w.raw(Role::sql_date, day(lead.sql));
      if (deal) w.text(Role::converted_opportunity, deal_id(static_cast<std::size_t>(lead.deal)));
      if (o) w.raw(Role::last_contacted, day(o->last_contacted));  // Last Activity is a date
    }
    w.end_row();
  }

  /// Every value the history-tracked fields took, journey by journey.
  void write_history(CsvWriter& w, std::size_t i) const {
    const Lead& lead = r_.leads[i];
    const std::string id = lead_id(i);
    struct Change {
      Minute at;
      Role role;
      std::string value;
    };
    std::vector<Change> changes;
    for (std::uint32_t k = 0; k < lead.journeys; ++k) {
      const Journey& j = r_.journeys[lead.first_journey + k];
      changes.push_back({j.start, Role::lead_date, when(j.start, 0)});
      if (j.mql != kNoTime) {
        changes.push_back({j.mql, Role::mql_date, when(j.mql, 0)});
        changes.push_back({j.mql, Role::mql_reason, std::string(reason_value(j.reason))});
      }
      if (j.owner_assigned != kNoTime)
        changes.push_back({j.owner_assigned, Role::owner_assigned, when(j.owner_assigned, 0)});
    }
    std::stable_sort(changes.begin(), changes.end(), [](const Change& a, const Change& b) { return a.at < b.at; });
    std::string previous[4];  // the value each field held before (Salesforce's Old Value)
    bool first_start = true;
    for (const Change& c : changes) {
      const std::size_t f = c.role == Role::lead_date    ? 0
                            : c.role == Role::mql_date   ? 1
                            : c.role == Role::mql_reason ? 2
                                                         : 3;
      if (hubspot_) {
        w.text(Role::id, id);
        w.text(Role::property, history_property(format_, c.role));
        w.text(Role::value, c.value);
        w.raw(Role::timestamp, when(c.at, 0));
        w.text(Role::change_source, "WORKFLOW");
        w.end_row();
      } else if (!(f == 0 && first_start)) {  // the Inquiry Date set at creation is not a change
        w.text(Role::id, id);
        w.raw(Role::timestamp, when(c.at, 0));
        w.text(Role::property, history_property(format_, c.role));
        w.text(Role::old_value, previous[f]);
        w.text(Role::new_value, c.value);
        w.end_row();
      }
      if (f == 0) first_start = false;
      previous[f] = c.value;
    }
  }

  /// A second record of the same person (same name and e-mail), created later by a form or an
  /// import: a new lead that went nowhere.
  void write_duplicates(CsvWriter& w) const {
    std::uint64_t n = 0;
    for (std::size_t i = 0; i < plan_.leads.size(); ++i) {
      if (plan_.leads[i].defect != Defect::duplicate_contact) continue;
      const Lead& lead = r_.leads[i];
      const Person person = person_of(lead.key);
      const std::uint64_t key = mix64(lead.key ^ 0xd0b1e5ull);
      w.text(Role::id, hubspot_ ? fmt::format("{}", duplicate_ids_.id(n, key)) : duplicate_lead_ids_.id(n, key));
      ++n;
      w.text(Role::first_name, person.first);
      w.text(Role::last_name, person.last);
      w.text(Role::email, email_of(person, i));
      const Minute created = plan_.leads[i].shifted;
      w.raw(Role::created, when(created, 0));
      write_source(w, lead.source, nullptr);
      w.text(Role::segment, r_.segments[lead.segment]);
      w.text(Role::status, status_value(format_, LeadStatus::new_lead));
      w.raw(Role::lead_date, when(created, 0));
      w.raw(Role::score, score_text(lead.fit));
      if (hubspot_) {
        w.raw(Role::stage, stage_value(Stage::lead));
      } else {
        w.text(Role::rating, "Cold");
        w.raw(Role::converted, "false");
      }
      w.end_row();
    }
  }

  void write_deal(CsvWriter& w, std::size_t d) const {
    const Deal& deal = r_.deals[d];
    const std::string id = deal_id(d);
    w.text(Role::id, id);
    w.text(Role::deal_name, hubspot_ ? fmt::format("New business {}", d + 1) : fmt::format("Opportunity {}", d + 1));
    w.text(Role::pipeline, "default");
    w.text(Role::deal_stage, deal_stage_value(format_, deal.state, deal.progress));
    w.raw(Role::amount, amount_text(deal.amount));
    w.raw(Role::created, when(deal.created, 0));
    w.raw(Role::close_date, hubspot_ ? when(deal.close, 0) : day(deal.close));
    w.raw(Role::won, deal.state == DealState::won ? "true" : "false");
    w.raw(Role::closed, deal.state == DealState::open ? "false" : "true");
    write_source(w, deal.source, nullptr);
    w.text(Role::segment, r_.segments[deal.segment]);
    w.end_row();
  }

  const CrmRecords& r_;
  CrmFormat format_;
  bool hubspot_;
  HubSpotIds contact_ids_, deal_ids_, duplicate_ids_;
  SalesforceIds lead_ids_, opportunity_ids_, duplicate_lead_ids_;
  MessyPlan plan_;
  std::vector<UnknownSource> unknown_;
};

/// mapping.json: observe --mapping reads the export's source values back as the scenario's names.
std::string mapping_json(const CrmRecords& r, CrmFormat format) {
  // No "format": observe recognises the layout from the headers, as it would a real export.
  const FileLayout& leads = layout(format, FileKind::leads);
  ordered_json sources = ordered_json::array();
  for (const std::string& s : r.sources) {
    ordered_json when = ordered_json::object();
    if (format == CrmFormat::hubspot) {
      when[std::string(label_of(leads, Role::source))] = hubspot_source_category(s);
      when[std::string(label_of(leads, Role::source_detail))] = s;
    } else {
      when[std::string(label_of(leads, Role::source))] = salesforce_source_value(s);
    }
    sources.push_back({{"source", s}, {"when", when}});
  }
  ordered_json j = {{"sources", sources}};
  return j.dump(2) + "\n";
}

std::string export_json(const CrmRecords& r, const RunnableScenario& scenario, std::uint64_t seed,
                        std::uint64_t replication, const ExportOptions& options, const ResultSetFiles& files) {
  ordered_json file_list = ordered_json::array();
  for (const auto& [name, content] : files) {
    const auto rows = static_cast<std::int64_t>(std::count(content.begin(), content.end(), '\n'));
    file_list.push_back({{"file", name}, {"records", rows - 1}});
  }
  ordered_json j;
  j["funnelsim_version"] = FUNNELSIM_VERSION;
  j["format"] = format_name(options.format);
  j["scenario"] = scenario.scenario().name;
  j["seed"] = seed;
  j["replication"] = replication;
  j["time_zone"] = "UTC";
  j["time_resolution"] = "minute (floored)";
  j["start_date"] = format_date(r.horizon_start);
  j["horizon"] = {{"from", format_date(r.horizon_start)},
                  {"to", format_date(r.horizon_end - 1)},
                  {"days", scenario.scenario().horizon_days}};
  j["warmup_days"] = scenario.scenario().warmup_days;
  j["history_from"] = r.leads.empty() ? ordered_json(nullptr) : ordered_json(format_date(r.leads.front().created));
  j["messy"] = options.messy;
  j["files"] = file_list;
  j["mapping"] = "mapping.json";
  return j.dump(2) + "\n";
}

std::string messy_json(const MessyCounts& c) {
  ordered_json rates = {{"missing_stage_date", MessyRates::missing_stage_date},
                        {"skipped_stage", MessyRates::skipped_stage},
                        {"date_before_creation", MessyRates::date_before_creation},
                        {"mixed_date_formats", MessyRates::mixed_date_formats},
                        {"duplicate_contacts", MessyRates::duplicate_contacts},
                        {"unknown_source", MessyRates::unknown_source}};
  ordered_json planted = {
      {"missing_stage_date", c.missing_stage_date},     {"skipped_stage", c.skipped_stage},
      {"date_before_creation", c.date_before_creation}, {"mixed_date_formats", c.mixed_date_formats},
      {"duplicate_contacts", c.duplicate_contacts},     {"unknown_source", c.unknown_source}};
  ordered_json j = {
      {"stream", "crm:messy (one stream per lead, keyed by seed, replication and the lead)"},
      {"rule",
       "each lead draws one uniform number; the bands of the rates below, in this order, pick its defect; a lead "
       "the defect cannot apply to (recycled, part of the backlog, or without the stage it needs) gets none"},
      {"rates", rates},
      {"planted", planted}};
  return j.dump(2) + "\n";
}

}  // namespace

std::string_view format_name(CrmFormat format) { return format == CrmFormat::hubspot ? "hubspot" : "salesforce"; }

CrmFormat parse_format(std::string_view text) {
  if (text == "hubspot") return CrmFormat::hubspot;
  if (text == "salesforce") return CrmFormat::salesforce;
  throw UsageError(fmt::format("expected hubspot or salesforce, found \"{}\"", text));
}

Minute parse_day(std::string_view text) {
  ParsedDate date;
  if (parse_date(text, DateOrder::unknown, date) != DateStatus::ok || date.layout != DateLayout::iso_date)
    throw UsageError(fmt::format("expected a date YYYY-MM-DD, found \"{}\"", text));
  return date.minute;
}

Minute default_start_date(const Scenario& scenario) {
  const Minute monday = minute_of_date(2025, 1, 6);
  return monday + static_cast<Minute>(scenario.start_weekday) * kMinutesPerDay;
}

Minute parse_start_date(std::string_view text, const Scenario& scenario) {
  const Minute day = parse_day(text);
  const int weekday = weekday_of_minute(day);
  if (weekday != scenario.start_weekday)
    throw UsageError(
        fmt::format("expected a {} (the scenario's start_weekday: day 0's weekday shapes arrivals and "
                    "working days), found {}, a {}",
                    kWeekdays[static_cast<std::size_t>(scenario.start_weekday)], text,
                    kWeekdays[static_cast<std::size_t>(weekday)]));
  return day;
}

MemoryEstimate estimate_export_memory(const RunnableScenario& scenario) {
  constexpr double kBytesPerLead = 1024.0;  // trace, records, rows and the text's growth
  MemoryEstimate e = estimate_memory(scenario.uncertain(), scenario.scenario().name, 1, 1, false);
  double backlog = 0.0;
  for (const BacklogSpec& b : scenario.scenario().backlog) backlog += b.leads_in_nurture + b.mqls_waiting;
  const double leads = e.leads_per_replication + 6.0 * std::sqrt(e.leads_per_replication + 1.0) + backlog;
  e.summary += static_cast<std::uint64_t>(leads * kBytesPerLead);
  return e;
}

TracedReplication trace_replication(const RunnableScenario& scenario, std::uint64_t seed, std::uint64_t replication,
                                    Minute start_date) {
  const CompiledModel model = scenario.model_for(seed, replication);
  TraceRecords trace(model, start_date == kNoTime ? default_start_date(scenario.scenario()) : start_date);
  RunResult run = run_traced_replication(model, seed, replication, trace);
  return {trace.finish(), std::move(run)};
}

std::optional<CrmExport> export_replication(const RunnableScenario& scenario, std::uint64_t seed,
                                            std::uint64_t replication, const ExportOptions& options,
                                            const std::atomic<bool>* cancel) {
  const CompiledModel model = scenario.model_for(seed, replication);
  const Minute start = options.start_date == kNoTime ? default_start_date(scenario.scenario()) : options.start_date;
  TraceRecords trace(model, start);
  RunResult run = run_traced_replication(model, seed, replication, trace, cancel);
  if (run.cancelled) return std::nullopt;
  CrmExport out{trace.finish(), {}, std::move(run), std::nullopt};
  Renderer renderer(out.records, options, seed, replication);
  ResultSetFiles crm_files = renderer.render();
  out.files.emplace_back("export.json", export_json(out.records, scenario, seed, replication, options, crm_files));
  for (auto& f : crm_files) out.files.push_back(std::move(f));
  out.files.emplace_back("mapping.json", mapping_json(out.records, options.format));
  if (options.messy) {
    out.messy = renderer.plan().counts;
    out.files.emplace_back("messy.json", messy_json(*out.messy));
  }
  return out;
}

}  // namespace funnelsim::crm
