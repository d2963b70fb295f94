#include "crm/trace_records.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>
#include <tuple>

#include "crm/crm_ids.hpp"

namespace funnelsim::crm {
namespace {

MqlReason reason_of(TracePath path) {
  switch (path) {
    case TracePath::instant:
      return MqlReason::demo_request;
    case TracePath::engagement:
      return MqlReason::lead_score;
    case TracePath::sdr_qualified:
      return MqlReason::sdr_qualified;
    case TracePath::signal:
      return MqlReason::intent_signal;
  }
  return MqlReason::unknown;
}

LeadStatus status_of(const TracedSale& sale) {
  switch (sale.outcome) {
    case TraceOutcome::open:
      return sale.attempts > 0 ? LeadStatus::attempted : LeadStatus::open;
    case TraceOutcome::sql:
      return LeadStatus::connected;
    case TraceOutcome::bad_fit:
      return LeadStatus::bad_fit;
    case TraceOutcome::not_ready:
      return LeadStatus::not_ready;
    case TraceOutcome::unreachable:
      return LeadStatus::unreachable;
    case TraceOutcome::cold:
      return LeadStatus::unresponsive;
  }
  return LeadStatus::other;
}

/// Sorts `v` by `less`, a strict total order, by merging its ascending runs: the trace's leads
/// come source by source in arrival order (one run each for their creation times; one per
/// warm-up day for their ids, whose keys count back from the horizon), so merging costs
/// n log(runs) instead of a sort's n log n (calibrate traces every replication it simulates).
/// Short runs (under 16 on average): std::sort.
template <class T, class Less>
void sort_by_runs(std::vector<T>& v, Less less) {
  std::vector<std::size_t> bounds{0};  // run k is [bounds[k], bounds[k + 1])
  for (std::size_t i = 1; i < v.size(); ++i)
    if (less(v[i], v[i - 1])) bounds.push_back(i);
  bounds.push_back(v.size());
  if (16 * (bounds.size() - 1) > v.size()) {
    std::sort(v.begin(), v.end(), less);
    return;
  }
  const auto at = [&](std::size_t k) { return v.begin() + static_cast<std::ptrdiff_t>(bounds[k]); };
  while (bounds.size() > 2) {
    std::vector<std::size_t> merged{0};
    for (std::size_t k = 2; k < bounds.size(); k += 2) {
      std::inplace_merge(at(k - 2), at(k - 1), at(k), less);
      merged.push_back(bounds[k]);
    }
    if (bounds.size() % 2 == 0) merged.push_back(bounds.back());  // an odd run out, carried
    bounds = std::move(merged);
  }
}

}  // namespace

TraceRecords::TraceRecords(const CompiledModel& model, Minute horizon_start)
    : model_(model), horizon_start_(horizon_start) {}

std::uint64_t TraceRecords::key(std::uint32_t source_tag, std::uint64_t lead) noexcept {
  return mix64(mix64(source_tag) ^ lead);
}

/// floor(day * 1440) keeps [W, W + H) inside [W, W + H) in minutes (1440 > 1: the product's
/// rounding cannot cross an integer boundary the exact value is a full ulp below).
Minute TraceRecords::minute(double day) const noexcept {
  return horizon_start_ + static_cast<Minute>(std::floor(day * static_cast<double>(kMinutesPerDay))) -
         static_cast<Minute>(model_.window_start) * kMinutesPerDay;
}

void TraceRecords::lead(const TracedLead& lead) { leads_.push_back({lead, -1}); }

std::uint32_t TraceRecords::find(std::uint32_t source, std::uint64_t lead) {
  // Decisions at MQL time follow their lead at once; the sales desk and the pipeline come after
  // every arrival, so the sorted index is built once for them.
  if (!leads_.empty() && leads_.back().lead.source == source && leads_.back().lead.lead == lead)
    return static_cast<std::uint32_t>(leads_.size() - 1);
  const auto by_lead = [](const IndexEntry& a, const IndexEntry& b) {
    return std::tie(a.source, a.lead) < std::tie(b.source, b.lead);
  };
  if (index_.size() != leads_.size()) {
    index_.resize(leads_.size());
    for (std::uint32_t i = 0; i < leads_.size(); ++i) index_[i] = {leads_[i].lead.source, leads_[i].lead.lead, i};
    sort_by_runs(index_, by_lead);
  }
  const auto it = std::lower_bound(index_.begin(), index_.end(), IndexEntry{source, lead, 0}, by_lead);
  if (it == index_.end() || it->source != source || it->lead != lead)
    throw std::logic_error("lead trace: a record for a lead never traced");
  return it->index;
}

void TraceRecords::journey(const TracedJourney& journey) {
  if (!journey.mql && journey.cycle == 0) return;  // nothing a CRM would show beyond the lead itself
  const std::uint32_t l = find(journey.source, journey.lead);
  const auto j = static_cast<std::int32_t>(journeys_.size());
  journeys_.push_back({journey, {}, false, -1});
  // In cycle order: a journey that waited for an SDR follow-up is traced once the sales desk ran,
  // after any re-entry the desk's recycle started.
  std::int32_t* link = &leads_[l].journey;
  while (*link >= 0 && journeys_[static_cast<std::size_t>(*link)].journey.cycle < journey.cycle)
    link = &journeys_[static_cast<std::size_t>(*link)].next;
  journeys_[static_cast<std::size_t>(j)].next = *link;
  *link = j;
}

std::uint32_t TraceRecords::find_journey(std::uint32_t source, std::uint64_t lead, int cycle) {
  for (std::int32_t j = leads_[find(source, lead)].journey; j >= 0; j = journeys_[static_cast<std::size_t>(j)].next)
    if (journeys_[static_cast<std::size_t>(j)].journey.cycle == cycle) return static_cast<std::uint32_t>(j);
  throw std::logic_error("lead trace: a sale of a journey never traced");
}

void TraceRecords::sale(const TracedSale& sale) {
  RawJourney& j = journeys_[find_journey(sale.source, sale.lead, sale.cycle)];
  j.sale = sale;
  j.has_sale = true;
}

void TraceRecords::opportunity(const TracedOpportunity& opportunity) { opportunities_.push_back(opportunity); }

CrmRecords TraceRecords::finish() {
  CrmRecords out;
  for (const CompiledSource& s : model_.sources) out.sources.push_back(s.name);
  // Segments by name across sources (a source numbers only its own).
  std::vector<std::vector<std::uint32_t>> segment_index(model_.sources.size());
  for (std::size_t s = 0; s < model_.sources.size(); ++s)
    for (const CompiledSegment& seg : model_.sources[s].segments) {
      auto it = std::find(out.segments.begin(), out.segments.end(), seg.name);
      if (it == out.segments.end()) it = out.segments.insert(out.segments.end(), seg.name);
      segment_index[s].push_back(static_cast<std::uint32_t>(it - out.segments.begin()));
    }
  std::vector<std::uint32_t> first_owner;
  if (model_.sales)
    for (const CompiledTeam& t : model_.sales->teams) {
      first_owner.push_back(static_cast<std::uint32_t>(out.owners.size()));
      for (int r = 0; r < t.headcount; ++r) out.owners.push_back({t.name, static_cast<std::uint32_t>(r)});
    }
  const Minute before_horizon = horizon_start_ - 1;
  out.horizon_start = horizon_start_;
  out.horizon_end = minute(model_.end_day);
  out.deals_recorded = model_.pipeline.has_value();

  auto created_of = [&](const TracedLead& l) {
    return l.origin == TraceOrigin::arrival ? minute(l.created_day) : before_horizon;
  };
  // Creation order: by time (exact days, not minutes), then source and lead.
  std::vector<std::uint32_t> order(leads_.size());
  std::iota(order.begin(), order.end(), 0u);
  sort_by_runs(order, [&](std::uint32_t a, std::uint32_t b) {
    const TracedLead& x = leads_[a].lead;
    const TracedLead& y = leads_[b].lead;
    const double dx = x.origin == TraceOrigin::arrival ? x.created_day : -1.0;
    const double dy = y.origin == TraceOrigin::arrival ? y.created_day : -1.0;
    return std::tie(dx, x.source, x.lead) < std::tie(dy, y.source, y.lead);
  });
  std::vector<std::int64_t> position(leads_.size());
  out.leads.reserve(leads_.size());
  for (std::uint32_t i : order) {
    const RawLead& raw = leads_[i];
    const TracedLead& t = raw.lead;
    position[i] = static_cast<std::int64_t>(out.leads.size());
    Lead lead;
    lead.source = t.source;
    lead.segment = segment_index[t.source][t.segment];
    lead.created = created_of(t);
    lead.fit = t.fit;
    lead.backlog = t.origin != TraceOrigin::arrival;
    lead.first_journey = static_cast<std::uint32_t>(out.journeys.size());
    const auto lead_index = static_cast<std::uint32_t>(out.leads.size());
    if (raw.journey < 0 || journeys_[static_cast<std::size_t>(raw.journey)].journey.cycle != 0) {
      // The first journey never qualified: it starts at creation (the quarter's start for the backlog).
      Journey j;
      j.lead = lead_index;
      j.start = t.origin == TraceOrigin::backlog_nurture ? horizon_start_ : lead.created;
      out.journeys.push_back(j);
    }
    for (std::int32_t k = raw.journey; k >= 0; k = journeys_[static_cast<std::size_t>(k)].next) {
      const RawJourney& rj = journeys_[static_cast<std::size_t>(k)];
      Journey j;
      j.lead = lead_index;
      const bool carried = t.origin == TraceOrigin::backlog_mql;
      j.start = carried                                                             ? before_horizon
                : rj.journey.cycle == 0 && t.origin == TraceOrigin::backlog_nurture ? horizon_start_
                : rj.journey.cycle == 0                                             ? lead.created
                                                                                    : minute(rj.journey.start_day);
      if (rj.journey.mql) {
        j.mql = carried ? before_horizon : minute(rj.journey.mql_day);
        j.reason = reason_of(rj.journey.path);
        j.score = rj.journey.score;
      }
      if (rj.has_sale) {
        const TracedSale& s = rj.sale;
        if (s.attempts > 0) {
          j.owner_assigned = minute(s.first_attempt_day);
          j.last_contacted = minute(s.last_attempt_day);
          j.owner = static_cast<std::int32_t>(first_owner[s.team] + s.first_rep);
        }
        if (s.outcome == TraceOutcome::sql) lead.sql = minute(s.outcome_day);
        lead.status = status_of(s);
      } else {
        lead.status = rj.journey.mql ? LeadStatus::open : LeadStatus::new_lead;
      }
      out.journeys.push_back(j);
    }
    lead.journeys = static_cast<std::uint32_t>(out.journeys.size()) - lead.first_journey;
    lead.key = key(model_.sources[t.source].tag, t.lead);
    out.leads.push_back(lead);
  }

  // Deals: every opportunity opened, in creation order.
  std::vector<const TracedOpportunity*> opened;
  for (const TracedOpportunity& o : opportunities_)
    if (o.created) opened.push_back(&o);
  std::sort(opened.begin(), opened.end(), [](const TracedOpportunity* a, const TracedOpportunity* b) {
    const double da = a->backlog ? -1.0 : a->created_day, db = b->backlog ? -1.0 : b->created_day;
    return std::tie(da, a->source, a->lead) < std::tie(db, b->source, b->lead);
  });
  for (const TracedOpportunity* o : opened) {
    Deal d;
    d.source = o->source;
    d.segment = segment_index[o->source][o->segment];
    d.created = o->backlog ? before_horizon : minute(o->created_day);
    d.close = minute(o->close_day);
    d.amount = o->amount;
    d.state = o->won ? DealState::won : o->closed ? DealState::lost : DealState::open;
    if (d.state == DealState::open && o->close_day > o->created_day)
      d.progress = std::clamp((model_.end_day - o->created_day) / (o->close_day - o->created_day), 0.0, 1.0);
    if (!o->backlog) {
      d.lead = position[find(o->source, o->lead)];
      out.leads[static_cast<std::size_t>(d.lead)].deal = static_cast<std::int64_t>(out.deals.size());
    }
    d.key = key(model_.sources[o->source].tag, o->lead) ^ (o->backlog ? 0x5bd1e995ull : 0);
    out.deals.push_back(d);
  }
  return out;
}

}  // namespace funnelsim::crm
