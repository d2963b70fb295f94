#include "engine/replication_runner.hpp"

#include <algorithm>
#include <chrono>
#include <limits>
#include <tuple>

#include <boost/random/exponential_distribution.hpp>
#include <boost/random/gamma_distribution.hpp>
#include <boost/random/lognormal_distribution.hpp>

#include "engine/window.hpp"
#include "core/stream_purposes.hpp"

namespace funnelsim {
namespace {

// The trace's enums name the engine's values in the same order.
static_assert(static_cast<int>(TraceOutcome::cold) == static_cast<int>(Resolution::cold) &&
              static_cast<int>(TraceOutcome::sql) == static_cast<int>(Resolution::sql));
static_assert(static_cast<std::size_t>(TracePath::signal) == kMqlPathCount - 1);

/// Ids of backlog entities: above every arrival id (day key << 32 | order, day key < 2^16).
std::uint64_t backlog_id(std::uint64_t kind, std::uint64_t k) {
  return (std::uint64_t{0xFFFF} << 48) | (kind << 40) | k;
}

/// The stream key of a day (or a week) counted from the horizon's start: horizon days keep their
/// index, warm-up days count back from the start in their own range (both below 2^15 by the
/// schema's bounds). A lead of horizon day d is then the same lead whatever the warm-up, so
/// scenarios with different warm-ups see the same horizon (common random numbers), and a
/// scenario without a warm-up draws exactly what it drew when keys were internal days.
std::uint64_t horizon_key(long long day) {
  return day >= 0 ? static_cast<std::uint64_t>(day) : (std::uint64_t{1} << 15) | static_cast<std::uint64_t>(-day);
}

/// floor(a / 7) for any sign: the horizon-aligned week of a day.
long long week_of_day(long long day) { return day >= 0 ? day / 7 : -((-day + 6) / 7); }

/// The order MQLs and SQLs are handed downstream in: by day, then source, then lead, a total
/// order, so the unstable sort gives one result.
template <class Record, double Record::*day>
struct InTimeOrder {
  bool operator()(const Record& a, const Record& b) const noexcept {
    return std::tie(a.*day, a.source, a.lead_id) < std::tie(b.*day, b.source, b.lead_id);
  }
};

}  // namespace

ReplicationRunner::ReplicationRunner(const CompiledModel& model, const std::atomic<bool>* cancel)
    : model_(model), cancel_(cancel), leads_(model), ledger_(model), accounts_(model, ledger_) {
  if (model.sales) sales_.emplace(model);
  has_backlog_.assign(model.sources.size(), false);
  for (const BacklogSpec& b : model.scenario.backlog) has_backlog_[source_index(b.source)] = true;
}

RunWork ReplicationRunner::run(std::uint64_t seed, std::uint64_t replication, std::size_t slot,
                               ReplicationTable& table) {
  streams_.emplace(seed, replication);
  work_ = RunWork{};
  mqls_.clear();
  follow_ups_.clear();
  follow_up_journeys_.clear();
  backlog_open_closes_.clear();
  accounts_.start();
  ledger_.start(table, slot);
  seed_backlog();
  const bool shareable = !trace_ && !observer_;  // a trace or an observer must see every lead simulated
  for (std::size_t s = 0; s < model_.sources.size(); ++s) {
    const bool own_phase = shareable && !has_backlog_[s];  // a backlog books into the phase first
    const SourcePhase* recorded =
        own_phase && reuse_ && reuse_->phase(slot, s).recorded ? &reuse_->phase(slot, s) : nullptr;
    if (recorded && (*reuse_sources_)[s]) {
      reuse_phase(s, *recorded, table, slot);
      continue;
    }
    const PhaseMarks marks = phase_marks();
    recording_leads_ = own_phase && record_ && record_->with_leads;
    recorded_leads_.clear();
    const bool cached = recorded && reuse_->with_leads && !reuse_leads_->empty() && (*reuse_leads_)[s];
    cached_leads_ = cached ? &recorded->leads : nullptr;
    simulate_arrivals(s);
    recording_leads_ = false;
    cached_leads_ = nullptr;
    if (cancelled()) return work_;  // the slot stays incomplete; the run reports cancelled
    if (own_phase && record_) record_phase(s, marks, table, slot);
  }
  if (sales_) run_sales();
  if (model_.pipeline) run_pipeline();
  ledger_.finish_snapshots();
  accounts_.write_rows(table, slot, rep_counts_);
  ledger_.sum_sources();
  return work_;
}

MqlRecycler::Result ReplicationRunner::recycle(const MqlRecord& mql, Resolution why, double day) {
  const JourneyReason reason = why == Resolution::cold ? JourneyReason::cold : JourneyReason::not_ready;
  if (!can_recycle(mql.source, mql.segment, mql.fit, mql.cycle, reason, day)) return {};
  accounts_.count_recycled(mql.source, day);
  Result result;
  result.recycled = true;
  const LeadOutcome o =
      start_journey(mql.source, mql.lead_id,
                    {day + model_.nurture->cooldown_days, mql.cycle + 1, reason, 0.0, false, mql.first_arrival_day});
  if (o.path == MqlPath::none) return result;
  result.has_next = true;
  result.next = mql_record(mql.source, mql.lead_id, o, mql.cycle + 1, mql.first_arrival_day);
  ledger_.move(mql.source, WeeklyLedger::pre_mql_state(o), Series::in_sales_backlog, o.mql_day);
  return result;
}

// ---- a source's lead phase, recorded or reused ---------------------------------------------------
// Sources run one after another, each appending to the shared lists, so a reused phase appended in
// its place leaves every list in the order a simulated one would.

ReplicationRunner::PhaseMarks ReplicationRunner::phase_marks() noexcept {
  return {mqls_.size(), follow_ups_.size(), accounts_.sqls().size()};
}

void ReplicationRunner::record_phase(std::size_t s, const PhaseMarks& from, ReplicationTable& table, std::size_t slot) {
  SourcePhase& p = record_->phase(slot, s);
  const std::span<const double> weekly = table.weekly_scope(slot, s + 1);
  p.weekly.assign(weekly.begin(), weekly.end());
  p.tally = accounts_.source_tally(s);
  p.mqls.assign(mqls_.begin() + static_cast<std::ptrdiff_t>(from.mqls), mqls_.end());
  p.follow_ups.assign(follow_ups_.begin() + static_cast<std::ptrdiff_t>(from.follow_ups), follow_ups_.end());
  p.follow_up_journeys.assign(follow_up_journeys_.begin() + static_cast<std::ptrdiff_t>(from.follow_ups),
                              follow_up_journeys_.end());
  const std::vector<SqlRecord>& sqls = accounts_.sqls();
  p.sqls.assign(sqls.begin() + static_cast<std::ptrdiff_t>(from.sqls), sqls.end());
  if (record_->with_leads) p.leads.assign(recorded_leads_.begin(), recorded_leads_.end());
  p.recorded = true;
}

// Under the threshold rule a journey becomes an MQL by engagement at the first check where
// min(score, total cap) reaches the threshold; a quiet journey's checks all stayed below its peak.
bool ReplicationRunner::stays_quiet(const CompiledSource& source, const CachedLead& lead) const noexcept {
  return (lead.flags & CachedLead::kQuiet) && model_.scoring.rule == ScoringSpec::Rule::threshold &&
         std::min(lead.peak_score, model_.scoring.total_cap) < source.segments[lead.segment].thresholds.mql;
}

/// What follow_lead and start_journey book for a quiet first journey (no MQL, no follow-up).
void ReplicationRunner::book_quiet_lead(std::size_t s, const JourneyStart& start, const CachedLead& lead) {
  LeadOutcome o;
  o.arrival_day = start.start_day;
  o.disqualified = lead.flags & CachedLead::kDisqualified;
  o.ready = lead.flags & CachedLead::kReady;
  o.segment = lead.segment;
  o.track = lead.track;
  o.track_end_day = lead.track_end_day;
  o.touches = lead.touches;
  ledger_.create(s, WeeklyLedger::initial_state(o), start.start_day);
  book_journey(s, start, o);
  if (in_window(model_, start.start_day)) accounts_.count_arrival(s, o);
}

void ReplicationRunner::reuse_phase(std::size_t s, const SourcePhase& p, ReplicationTable& table, std::size_t slot) {
  const std::span<double> weekly = table.weekly_scope(slot, s + 1);
  std::copy(p.weekly.begin(), p.weekly.end(), weekly.begin());
  accounts_.restore_source_tally(s, p.tally);
  mqls_.insert(mqls_.end(), p.mqls.begin(), p.mqls.end());
  follow_ups_.insert(follow_ups_.end(), p.follow_ups.begin(), p.follow_ups.end());
  follow_up_journeys_.insert(follow_up_journeys_.end(), p.follow_up_journeys.begin(), p.follow_up_journeys.end());
  std::vector<SqlRecord>& sqls = accounts_.sqls();
  sqls.insert(sqls.end(), p.sqls.begin(), p.sqls.end());
}

// ---- arrivals and the starting state ----------------------------------------------------------

/// Arrivals are a Poisson process with a rate constant within each day; each day has its own
/// stream, and a lead is identified by (day, order within the day), so changing one day's
/// rate leaves every other day's leads untouched.
/// Days and overdispersion weeks are keyed from the horizon's start (horizon_key), so the
/// horizon's leads do not depend on the warm-up's length.
void ReplicationRunner::simulate_arrivals(std::size_t s) {
  const CompiledSource& source = model_.sources[s];
  double week_factor = 1.0;
  long long factor_week = 0;
  std::size_t next_cached = 0;  // the recorded first journeys run in arrival order
  for (int day = 0; day < model_.end_day; ++day) {
    const long long horizon_day = day - model_.window_start;
    const long long week = week_of_day(horizon_day);
    if (source.overdispersion > 0.0 && (day == 0 || week != factor_week)) {
      factor_week = week;
      RandomStream stream = streams_->stream(source.tag, horizon_key(week), purpose::OVERDISPERSION);
      const double k = source.overdispersion;
      week_factor = boost::random::gamma_distribution<double>(1.0 / k, k)(stream);
    }
    const double rate = source.daily_rate[day] * week_factor;
    if (!(rate > 0.0)) continue;
    const std::uint64_t key = horizon_key(horizon_day);
    RandomStream arrivals = streams_->stream(source.tag, key, purpose::ARRIVALS);
    boost::random::exponential_distribution<double> gap(rate);
    std::uint64_t order = 0;
    for (double t = gap(arrivals); t < 1.0; t += gap(arrivals), ++order) {
      if (cancelled()) return;  // one relaxed load per lead: about 1 ns against 100s of ns
      const JourneyStart start{day + t, 0, JourneyReason::new_lead, 0.0, false};
      if (cached_leads_ && next_cached < cached_leads_->size()) {
        const CachedLead& lead = (*cached_leads_)[next_cached++];
        if (stays_quiet(source, lead)) {
          book_quiet_lead(s, start, lead);
          continue;
        }
      }
      follow_lead(s, (key << 32) | order, start);
    }
  }
  accounts_.count_channel_spend(s);
}

std::size_t ReplicationRunner::source_index(const std::string& name) const {
  for (std::size_t s = 0; s < model_.sources.size(); ++s)
    if (model_.sources[s].name == name) return s;
  return 0;  // unreachable: the loader checked backlog source names
}

/// The explicit starting state at the window's start: leads in nurture, MQLs waiting, open
/// opportunities (see the schema's Backlog).
void ReplicationRunner::seed_backlog() {
  const double start = model_.window_start;
  for (const BacklogSpec& b : model_.scenario.backlog) {
    const std::size_t s = source_index(b.source);
    const CompiledSource& source = model_.sources[s];
    for (int k = 0; k < b.leads_in_nurture; ++k) {
      const std::uint64_t id = backlog_id(1, static_cast<std::uint64_t>(k));
      RandomStream stream = streams_->stream(source.tag, id, purpose::BACKLOG);
      const double points = b.nurture_score_min + stream.uniform() * (b.nurture_score_max - b.nurture_score_min);
      follow_lead(s, id, JourneyStart{start, 0, JourneyReason::new_lead, points, true});
    }
    for (int k = 0; k < b.mqls_waiting; ++k) {
      const std::uint64_t id = backlog_id(2, static_cast<std::uint64_t>(k));
      const LeadOutcome o =
          leads_.simulate(source, s, *streams_, id, JourneyStart{start, 0, JourneyReason::new_lead, 0.0, true});
      MqlRecord mql = mql_record(s, id, o, 0, start);
      mql.mql_day = start;
      mql.path = MqlPath::engagement;
      mql.score = o.fit;
      mql.carried_over = true;
      if (trace_) {
        trace_lead(s, id, TraceOrigin::backlog_mql, start, o);
        trace_->journey(
            TracedJourney{static_cast<std::uint32_t>(s), id, 0, start, true, start, TracePath::engagement, o.fit});
      }
      ledger_.create(s, Series::in_sales_backlog, start);
      if (sales_)
        mqls_.push_back(mql);
      else
        decide_at_mql(mql, Series::in_sales_backlog);
    }
    for (int k = 0; k < b.open_opportunities; ++k)
      seed_open_opportunity(s, backlog_id(3, static_cast<std::uint64_t>(k)));
  }
}

/// An opportunity already open at the window's start. Open at a random moment, it is more likely a
/// long one (length-biased: a gamma(k, theta) cycle becomes gamma(k + 1, theta)) and has a uniform
/// share of that cycle left. It counts when it closes and holds an account executive's slot until
/// then, like any other opportunity.
void ReplicationRunner::seed_open_opportunity(std::size_t s, std::uint64_t id) {
  const CompiledSource& source = model_.sources[s];
  const CompiledPipeline& pipeline = *model_.pipeline;
  RandomStream stream = streams_->stream(source.tag, id, purpose::BACKLOG);
  const double u_segment = stream.uniform(), readiness = source.readiness(stream.uniform());
  const double u_win = stream.uniform(), u_remaining = stream.uniform();
  const std::size_t segment = segment_of(source, u_segment);
  const auto& amount = pipeline.amount[s][segment];
  const auto& cycle = pipeline.cycle[s][segment];
  const double value = boost::random::lognormal_distribution<double>(amount.mu, amount.sigma)(stream);
  const double close = model_.window_start +
                       u_remaining * boost::random::gamma_distribution<double>(cycle.shape + 1.0, cycle.scale)(stream);
  const bool closed = close < model_.end_day;
  const bool won = closed && u_win < std::clamp(pipeline.win_rate.at(readiness), 0.0, 1.0);
  backlog_open_closes_.push_back(close);
  accounts_.count_backlog_opportunity(s, closed, won, value);
  if (trace_) {
    TracedOpportunity t;
    t.source = static_cast<std::uint32_t>(s);
    t.lead = id;
    t.backlog = t.created = true;
    t.segment = static_cast<std::uint32_t>(segment);
    t.created_day = model_.window_start;
    t.amount = value;
    t.close_day = close;
    t.closed = closed;
    t.won = won;
    trace_->opportunity(t);
  }
}

// ---- journeys -----------------------------------------------------------------------------------

/// A lead's journeys: hands its MQL to sales, or, without sales teams, decides at once (and
/// recycles a lead rejected as not ready into its next journey). A journey with an SDR follow-up
/// for the desk waits for it: the desk decides when (and whether) the lead becomes an MQL.
void ReplicationRunner::follow_lead(std::size_t s, std::uint64_t lead_id, JourneyStart start) {
  for (;;) {
    const LeadOutcome o = start_journey(s, lead_id, start);
    const bool arrival = start.cycle == 0 && !start.backlog && in_window(model_, start.start_day);
    if (start.cycle == 0) ++work_.leads;  // work done: every lead simulated, warm-up and backlog included
    if (o.has_follow_up()) {              // only with sales teams: the lead process defers the conversation then
      follow_up_journeys_.push_back(DeferredJourney{s, start, o});
      follow_ups_.push_back(FollowUpRecord{mql_record(s, lead_id, o, start.cycle, start.first_arrival()),
                                           o.follow_up_day, o.follow_up_score, o.follow_up_qualifies});
      return;
    }
    if (arrival) accounts_.count_arrival(s, o);
    if (o.path == MqlPath::none) return;
    const MqlRecord mql = mql_record(s, lead_id, o, start.cycle, start.first_arrival());
    if (sales_) {
      ledger_.move(s, WeeklyLedger::pre_mql_state(o), Series::in_sales_backlog, o.mql_day);
      mqls_.push_back(mql);
      return;
    }
    const std::optional<JourneyStart> next = decide_at_mql(mql, WeeklyLedger::pre_mql_state(o));
    if (!next) return;
    start = *next;
  }
}

/// Runs one journey of a lead and books what happens before its MQL: its states, nurture
/// spend and, for an MQL in the window, the MQL counts. The MQL's own state change is left
/// to the caller (sales queue or immediate decision).
LeadOutcome ReplicationRunner::start_journey(std::size_t s, std::uint64_t lead_id, const JourneyStart& start) {
  const CompiledSource& source = model_.sources[s];
  const LeadOutcome o = leads_.simulate(source, s, *streams_, lead_id, start);
  if (recording_leads_ && start.cycle == 0 && !start.backlog) {
    CachedLead lead;
    lead.track_end_day = o.track_end_day;
    lead.peak_score = o.peak_score;
    lead.touches = static_cast<std::uint32_t>(o.touches);
    lead.track = static_cast<std::int16_t>(o.track);
    lead.segment = static_cast<std::uint8_t>(o.segment);
    lead.flags = static_cast<std::uint8_t>((o.path == MqlPath::none && !o.has_follow_up() ? CachedLead::kQuiet : 0) |
                                           (o.disqualified ? CachedLead::kDisqualified : 0) |
                                           (o.ready ? CachedLead::kReady : 0));
    recorded_leads_.push_back(lead);
  }
  if (trace_) {
    if (start.cycle == 0)
      trace_lead(s, lead_id, start.backlog ? TraceOrigin::backlog_nurture : TraceOrigin::arrival, start.start_day, o);
    if (!o.has_follow_up()) trace_journey(s, lead_id, start.cycle, start.start_day, o);  // else once settled
  }
  work_.events += 1 + o.events + (o.path != MqlPath::none ? 1 : 0);
  const Series initial = WeeklyLedger::initial_state(o);
  if (start.cycle == 0)
    ledger_.create(s, initial, start.start_day);
  else
    ledger_.move(s, Series::in_recycle_wait, initial, start.start_day);
  if (!o.has_follow_up()) book_journey(s, start, o);  // a follow-up's journey once the desk decided it
  return o;
}

/// What a journey did before its MQL (or the horizon's end): a track left for the dormant pool,
/// nurture spend and, for an MQL in the window, the MQL counts.
void ReplicationRunner::book_journey(std::size_t s, const JourneyStart& start, const LeadOutcome& o) {
  const double exit = o.path == MqlPath::none ? model_.end_day : o.mql_day;
  if (o.track >= 0 && o.track_end_day < exit) ledger_.move(s, Series::in_nurture, Series::in_dormant, o.track_end_day);
  accounts_.count_journey(s, start, o);
}

MqlRecord ReplicationRunner::mql_record(std::size_t s, std::uint64_t lead_id, const LeadOutcome& o, int cycle,
                                        double first_arrival_day) const {
  return MqlRecord{o.mql_day,
                   o.readiness,
                   o.accept_draw,
                   o.score,
                   lead_id,
                   static_cast<std::uint32_t>(s),
                   static_cast<std::uint32_t>(o.segment),
                   o.path,
                   o.ready,
                   static_cast<std::uint8_t>(cycle),
                   false,
                   o.fit,
                   first_arrival_day};
}

/// Without rep capacity, sales decides at MQL time and accepts exactly the ready leads.
/// Returns the next journey when the lead is recycled.
std::optional<JourneyStart> ReplicationRunner::decide_at_mql(const MqlRecord& mql, Series from) {
  if (observer_) observer_->resolved(mql, mql.mql_day);
  if (mql.ready) {
    ledger_.move(mql.source, from, Series::in_sql, mql.mql_day);
    accounts_.count_sql(mql, mql.mql_day);
    if (trace_) trace_decision(mql, TraceOutcome::sql, false);
    return std::nullopt;
  }
  const bool bad_fit = mql.readiness < model_.acceptance.bad_fit_below_readiness;
  accounts_.count_rejection(mql.source, bad_fit, mql.mql_day);
  const bool recycle =
      !bad_fit && can_recycle(mql.source, mql.segment, mql.fit, mql.cycle, JourneyReason::not_ready, mql.mql_day);
  if (trace_) trace_decision(mql, bad_fit ? TraceOutcome::bad_fit : TraceOutcome::not_ready, recycle);
  if (recycle) {
    ledger_.move(mql.source, from, Series::in_recycle_wait, mql.mql_day);
    accounts_.count_recycled(mql.source, mql.mql_day);
    return JourneyStart{mql.mql_day + model_.nurture->cooldown_days,
                        mql.cycle + 1,
                        JourneyReason::not_ready,
                        0.0,
                        false,
                        mql.first_arrival_day};
  }
  ledger_.move(mql.source, from, Series::in_rejected, mql.mql_day);
  return std::nullopt;
}

bool ReplicationRunner::can_recycle(std::size_t source, std::uint32_t segment, double fit, int cycle,
                                    JourneyReason reason, double day) const {
  if (!model_.nurture || !model_.nurture->recycling) return false;
  const CompiledNurture& n = *model_.nurture;
  if (reason == JourneyReason::not_ready ? !n.recycle_not_ready : !n.recycle_cold) return false;
  if (cycle >= n.max_recycles || !(day + n.cooldown_days < model_.end_day)) return false;
  return leads_.choose_track(source, static_cast<int>(segment), fit, reason) >= 0;
}

// ---- downstream of the MQLs ---------------------------------------------------------------------

/// MQLs from every source meet in the sales queues, in time order, with the SDR follow-ups.
void ReplicationRunner::run_sales() {
  std::sort(mqls_.begin(), mqls_.end(), InTimeOrder<MqlRecord, &MqlRecord::mql_day>{});
  const auto start = std::chrono::steady_clock::now();
  const std::uint64_t events =
      sales_->run(*streams_, mqls_, outcomes_, team_counts_, rep_counts_, this, follow_ups_, &follow_up_outcomes_);
  work_.sales_seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  work_.sales_events += events;
  work_.events += events;
  for (std::size_t i = 0; i < mqls_.size(); ++i) {
    const bool open = outcomes_[i].resolution == Resolution::open;
    if (!open)
      ledger_.move(mqls_[i].source, Series::in_sales_backlog, WeeklyLedger::state_after(outcomes_[i]),
                   outcomes_[i].resolution_day);
    if (observer_)
      observer_->resolved(mqls_[i], open ? std::numeric_limits<double>::infinity() : outcomes_[i].resolution_day);
  }
  settle_follow_ups();
  accounts_.count_sales(mqls_, outcomes_, team_counts_, follow_ups_, follow_up_outcomes_);
  if (!trace_) return;
  for (std::size_t i = 0; i < mqls_.size(); ++i) {
    const MqlRecord& mql = mqls_[i];
    const MqlOutcome& o = outcomes_[i];
    trace_->sale(TracedSale{mql.source, mql.lead_id, mql.cycle, o.team, o.first_rep, o.attempts, o.first_attempt_day,
                            o.last_attempt_day, static_cast<TraceOutcome>(o.resolution), o.resolution_day, o.recycled});
  }
}

/// Books the journeys that waited for an SDR follow-up, now that the desk decided when each lead
/// became an MQL: by the conversation, on its own, or not in the horizon.
void ReplicationRunner::settle_follow_ups() {
  for (std::size_t k = 0; k < follow_up_journeys_.size(); ++k) {
    const DeferredJourney& journey = follow_up_journeys_[k];
    LeadOutcome o = journey.outcome;
    const FollowUpOutcome& f = follow_up_outcomes_[k];
    if (f.mql == FollowUpOutcome::kNoMql) {
      o.path = MqlPath::none;
    } else {
      const MqlRecord& mql = mqls_[f.mql];
      o.path = mql.path;
      o.mql_day = mql.mql_day;
      o.score = mql.score;
    }
    o.touches = journey_touches(model_, o.track, o.arrival_day, o.path == MqlPath::none ? model_.end_day : o.mql_day);
    if (trace_)
      trace_journey(journey.source, follow_ups_[k].lead.lead_id, journey.start.cycle, journey.start.start_day, o);
    book_journey(journey.source, journey.start, o);
    if (o.path != MqlPath::none)
      ledger_.move(journey.source, WeeklyLedger::pre_mql_state(o), Series::in_sales_backlog, o.mql_day);
    if (journey.start.cycle == 0 && !journey.start.backlog && in_window(model_, journey.start.start_day))
      accounts_.count_arrival(journey.source, o);
  }
}

/// Opportunities and deals from this replication's SQLs, in time order.
void ReplicationRunner::run_pipeline() {
  std::vector<SqlRecord>& sqls = accounts_.sqls();
  std::sort(sqls.begin(), sqls.end(), InTimeOrder<SqlRecord, &SqlRecord::sql_day>{});
  pipeline_.run(*model_.pipeline, model_.source_tags, model_.end_day, *streams_, sqls, opportunities_,
                backlog_open_closes_);
  accounts_.count_pipeline(*model_.pipeline, sqls, opportunities_);
  if (!trace_) return;
  for (std::size_t i = 0; i < sqls.size(); ++i) {
    const OpportunityOutcome& o = opportunities_[i];
    TracedOpportunity t;
    t.source = sqls[i].source;
    t.lead = sqls[i].lead_id;
    t.created = o.created;
    t.lost_capacity = o.lost_no_capacity;
    t.segment = sqls[i].segment;
    t.sql_day = sqls[i].sql_day;
    t.created_day = o.created_day;
    t.amount = o.amount;
    t.close_day = o.close_day;
    t.closed = o.closed;
    t.won = o.won;
    trace_->opportunity(t);
  }
}

// ---- the optional trace -------------------------------------------------------------------------

void ReplicationRunner::trace_lead(std::size_t s, std::uint64_t lead_id, TraceOrigin origin, double day,
                                   const LeadOutcome& o) const {
  trace_->lead(TracedLead{static_cast<std::uint32_t>(s), lead_id, origin, day, static_cast<std::uint32_t>(o.segment),
                          o.fit, o.disqualified});
}

void ReplicationRunner::trace_journey(std::size_t s, std::uint64_t lead_id, int cycle, double start_day,
                                      const LeadOutcome& o) const {
  TracedJourney j{static_cast<std::uint32_t>(s), lead_id, cycle, start_day};
  if (o.path != MqlPath::none) {
    j.mql = true;
    j.mql_day = o.mql_day;
    j.path = static_cast<TracePath>(path_index(o.path));
    j.score = o.score;
  }
  trace_->journey(j);
}

/// A decision at MQL time (no sales teams): accepted or rejected at once, nobody assigned.
void ReplicationRunner::trace_decision(const MqlRecord& mql, TraceOutcome outcome, bool recycled) const {
  TracedSale sale;
  sale.source = mql.source;
  sale.lead = mql.lead_id;
  sale.cycle = mql.cycle;
  sale.outcome = outcome;
  sale.outcome_day = mql.mql_day;
  sale.recycled = recycled;
  trace_->sale(sale);
}

}  // namespace funnelsim
