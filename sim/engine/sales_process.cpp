#include "engine/sales_process.hpp"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <limits>

#include "core/stream_purposes.hpp"

namespace funnelsim {
namespace {

constexpr double kInfinity = std::numeric_limits<double>::infinity();

}  // namespace

SalesSimulator::SalesSimulator(const CompiledModel& model) : model_(model) {
  const CompiledSales& sales = *model.sales;
  teams_.resize(sales.teams.size());
  std::uint32_t first = 0;
  for (std::size_t t = 0; t < sales.teams.size(); ++t) {
    const int headcount = sales.teams[t].headcount;
    teams_[t].first_rep = first;
    teams_[t].free_reps.resize(static_cast<std::size_t>(headcount));
    for (int r = 0; r < headcount; ++r) rep_team_.push_back(static_cast<std::uint32_t>(t));
    first += static_cast<std::uint32_t>(headcount);
  }
  reps_.resize(first);
}

void SalesSimulator::schedule(double time, SalesEvent kind, std::uint32_t target, std::uint32_t token) {
  assert(!std::isnan(time));  // NaN breaks the heap order and stops the loop early
  events_.push_back(Event{time, event_order(kind, sequence_++), target, token, kind});
  std::push_heap(events_.begin(), events_.end(), EventLater{});
}

std::uint64_t SalesSimulator::run(const ReplicationStreams& streams, std::vector<MqlRecord>& mqls,
                                  std::vector<MqlOutcome>& outcomes, std::vector<TeamCounts>& teams,
                                  std::vector<RepCounts>& reps, MqlRecycler* recycler,
                                  std::span<const FollowUpRecord> follow_ups,
                                  std::vector<FollowUpOutcome>* follow_up_outcomes) {
  const CompiledSales& sales = *model_.sales;
  streams_ = &streams;
  mqls_ = &mqls;
  recycler_ = recycler;
  window_start_ = model_.window_start;
  outcomes_ = &outcomes;
  team_counts_ = &teams;
  rep_counts_ = &reps;
  horizon_ = model_.end_day;
  const std::size_t initial = mqls.size();  // later entries are recycled MQLs, scheduled on the heap
  sequence_ = 0;
  events_.clear();
  outcomes.assign(mqls.size(), MqlOutcome{});
  leads_.resize(mqls.size());
  teams.assign(sales.teams.size(), TeamCounts{});
  reps.assign(reps_.size(), RepCounts{});
  std::fill(reps_.begin(), reps_.end(), RepState{});

  for (std::uint32_t t = 0; t < teams_.size(); ++t) {
    const CompiledTeam& team = sales.teams[t];
    TeamState& state = teams_[t];
    state.queue.clear();
    state.waiting = 0;
    state.next_shift = 0;
    state.last_change = window_start_;
    state.open = false;
    state.free_head = 0;
    state.free_count = state.free_reps.size();
    for (std::size_t r = 0; r < state.free_reps.size(); ++r)
      state.free_reps[r] = state.first_rep + static_cast<std::uint32_t>(r);
    teams[t].scheduled_hours = team.headcount * team.scheduled_hours_per_rep;
    for (int r = 0; r < team.headcount; ++r) reps[state.first_rep + r].scheduled_hours = team.scheduled_hours_per_rep;
    if (!team.shifts.empty()) schedule(team.shifts.front().first, SalesEvent::shift_start, t, 0);
  }
  if (sales.any_daily_cap && horizon_ > 1.0) schedule(1.0, SalesEvent::day_start, 0, 0);
  follow_ups_ = follow_ups;
  follow_up_outcomes_ = follow_up_outcomes ? follow_up_outcomes : &own_follow_up_outcomes_;
  follow_up_outcomes_->assign(follow_ups.size(), FollowUpOutcome{});
  follow_up_states_.resize(follow_ups.size());
  for (std::uint32_t f = 0; f < follow_ups.size(); ++f) {
    const FollowUpRecord& record = follow_ups[f];
    follow_up_states_[f].phase = Phase::resolved;
    follow_up_states_[f].settled = false;
    follow_up_states_[f].token = 0;
    if (record.due_day < horizon_) schedule(record.due_day, SalesEvent::mql_arrival, f | kFollowUp, kDue);
    if (record.lead.path != MqlPath::none && record.lead.mql_day < horizon_)
      schedule(record.lead.mql_day, SalesEvent::mql_arrival, f | kFollowUp, kOwnMql);
  }

  std::uint64_t processed = 0;
  std::size_t next_mql = 0;
  for (;;) {
    // Heap events at the same time as the next MQL go first: mql_arrival has the last priority.
    const bool from_heap = !events_.empty() && (next_mql == initial || events_.front().time <= mqls[next_mql].mql_day);
    const double now = from_heap ? events_.front().time : next_mql < initial ? mqls[next_mql].mql_day : kInfinity;
    if (!(now < horizon_)) break;
    ++processed;
    if (!from_heap) {
      arrive(static_cast<std::uint32_t>(next_mql++), now);
      continue;
    }
    std::pop_heap(events_.begin(), events_.end(), EventLater{});
    const Event e = events_.back();
    events_.pop_back();
    switch (e.kind) {
      case SalesEvent::attempt_done:
        if (e.target & kFollowUp)
          finish_follow_up(e.token, e.target & ~kFollowUp, now);
        else
          finish_attempt(e.token, e.target, now);
        break;
      case SalesEvent::shift_end: {
        TeamState& team = teams_[e.target];
        team.open = false;
        const auto& shifts = sales.teams[e.target].shifts;
        if (++team.next_shift < shifts.size())
          schedule(shifts[team.next_shift].first, SalesEvent::shift_start, e.target, 0);
        break;
      }
      case SalesEvent::shift_start: {
        TeamState& team = teams_[e.target];
        team.open = true;
        const double close = sales.teams[e.target].shifts[team.next_shift].second;
        if (close < horizon_) schedule(close, SalesEvent::shift_end, e.target, 0);
        dispatch(e.target, now);
        break;
      }
      case SalesEvent::day_start:
        for (std::uint32_t t = 0; t < teams_.size(); ++t) {
          if (sales.teams[t].daily_cap == 0) continue;
          for (int r = 0; r < sales.teams[t].headcount; ++r) {
            const std::uint32_t rep = teams_[t].first_rep + static_cast<std::uint32_t>(r);
            reps_[rep].attempts_today = 0;
            if (reps_[rep].capped) {
              reps_[rep].capped = false;
              if (!reps_[rep].busy) release_rep(t, rep);
            }
          }
          dispatch(t, now);
        }
        if (now + 1.0 < horizon_) schedule(now + 1.0, SalesEvent::day_start, 0, 0);
        break;
      case SalesEvent::patience: {
        LeadState& lead = leads_[e.target];
        if (lead.phase == Phase::waiting) {
          leave_queue(e.target, now);  // its heap item goes stale: the token no longer matches
          ++lead.token;
          go_cold(e.target, now);
        } else if (lead.phase == Phase::retry_wait) {
          go_cold(e.target, now);
        }
        break;
      }
      case SalesEvent::retry_ready: {
        LeadState& lead = leads_[e.target];
        if (lead.phase == Phase::retry_wait && lead.token == e.token) {
          enqueue(e.target, now);
          dispatch(outcomes[e.target].team, now);
        }
        break;
      }
      case SalesEvent::mql_arrival:  // a recycled lead's or a follow-up's MQL, or a follow-up's own events
        if (!(e.target & kFollowUp))
          arrive(e.target, now);
        else if (e.token == kDue)
          follow_up_due(e.target & ~kFollowUp, now);
        else
          follow_up_lead_mql(e.target & ~kFollowUp, now);
        break;
    }
  }
  finish_horizon();
  return processed;
}

void SalesSimulator::arrive(std::uint32_t i, double now) {
  const MqlRecord& mql = (*mqls_)[i];
  const CompiledSales& sales = *model_.sales;
  const std::uint32_t t = static_cast<std::uint32_t>(sales.route[mql.source][mql.segment]);
  (*outcomes_)[i].team = t;
  const std::uint32_t source_tag = model_.sources[mql.source].tag;
  // Each journey of a lead gets its own sales streams.
  RandomStream patience = streams_->stream(source_tag, mql.lead_id, journey_tag(purpose::SALES_PATIENCE, mql.cycle));
  LeadState& lead = leads_[i];
  lead.handle_stream = streams_->stream(source_tag, mql.lead_id, journey_tag(purpose::SALES_HANDLE, mql.cycle));
  lead.reach_stream = streams_->stream(source_tag, mql.lead_id, journey_tag(purpose::SALES_REACH, mql.cycle));
  lead.deadline = now + sales.teams[t].sample_patience_days(patience);
  lead.token = 0;
  lead.phase = Phase::resolved;
  if (lead.deadline < horizon_) schedule(lead.deadline, SalesEvent::patience, i, 0);
  enqueue(i, now);
  dispatch(t, now);
}

void SalesSimulator::touch_queue(std::uint32_t t, double now) {
  TeamState& team = teams_[t];
  if (now <= window_start_) return;  // the warm-up's queue is not measured
  (*team_counts_)[t].queue_area_hours += 24.0 * static_cast<double>(team.waiting) * (now - team.last_change);
  team.last_change = now;
}

/// A lead leaves its team's queue: for a rep, or when its patience runs out.
inline void SalesSimulator::leave_queue(std::uint32_t i, double now) {
  const std::uint32_t t = (*outcomes_)[i].team;
  touch_queue(t, now);
  --teams_[t].waiting;
  end_wait(i, now);
}

/// Books a queue entry's wait, which ends at `now`: in the lead's outcome, and in its team's
/// counts when the entry is measured.
inline void SalesSimulator::end_wait(std::uint32_t i, double now) {
  const LeadState& lead = leads_[i];
  MqlOutcome& outcome = (*outcomes_)[i];
  const double wait = now - lead.enqueued_day;
  outcome.wait_days += wait;
  if (lead.measured) book_wait(outcome.team, wait);
}

inline void SalesSimulator::book_wait(std::uint32_t t, double wait_days) {
  TeamCounts& counts = (*team_counts_)[t];
  counts.queue_wait_hours_sum += 24.0 * wait_days;
  if (wait_days > 0.0) counts.waited_entries += 1;
}

namespace {

/// The queue key of an item with this score and path: smaller is served first.
double queue_key(TeamSpec::Discipline discipline, double score, MqlPath path) {
  switch (discipline) {
    case TeamSpec::Discipline::highest_score:
      return -score;
    case TeamSpec::Discipline::instant_first:
      return path == MqlPath::instant ? 0.0 : 1.0;
    case TeamSpec::Discipline::fifo:
      break;
  }
  return 0.0;
}

}  // namespace

void SalesSimulator::push_queue(std::uint32_t t, double key, double now, std::uint32_t item, std::uint32_t token,
                                bool measured) {
  TeamState& team = teams_[t];
  touch_queue(t, now);
  team.queue.push_back(QueueItem{key, now, sequence_++, item, token});
  std::push_heap(team.queue.begin(), team.queue.end(), ServedLater{});
  ++team.waiting;
  TeamCounts& counts = (*team_counts_)[t];
  if (measured) counts.queue_entries += 1;
  if (now >= window_start_) counts.queue_max = std::max(counts.queue_max, static_cast<double>(team.waiting));
}

void SalesSimulator::enqueue(std::uint32_t i, double now) {
  const std::uint32_t t = (*outcomes_)[i].team;
  LeadState& lead = leads_[i];
  lead.phase = Phase::waiting;
  lead.enqueued_day = now;
  ++lead.token;
  lead.measured = now >= window_start_;
  const MqlRecord& mql = (*mqls_)[i];
  push_queue(t, queue_key(model_.sales->teams[t].discipline, mql.score, mql.path), now, i, lead.token, lead.measured);
  (*outcomes_)[i].entries += 1;
}

void SalesSimulator::release_rep(std::uint32_t t, std::uint32_t rep) {
  TeamState& team = teams_[t];
  team.free_reps[(team.free_head + team.free_count) % team.free_reps.size()] = rep;
  ++team.free_count;
}

void SalesSimulator::dispatch(std::uint32_t t, double now) {
  TeamState& team = teams_[t];
  // A shift is [open, close): shift_end sorts before every other event at its instant
  // (event_order.hpp), so an open team is always before its closing time here.
  assert(!team.open || now < model_.sales->teams[t].shifts[team.next_shift].second);
  while (team.open && team.free_count > 0 && team.waiting > 0) {
    assert(!team.queue.empty());
    std::pop_heap(team.queue.begin(), team.queue.end(), ServedLater{});
    const QueueItem item = team.queue.back();
    team.queue.pop_back();
    const bool follow_up = (item.lead & kFollowUp) != 0;
    const std::uint32_t index = item.lead & ~kFollowUp;
    const Phase phase = follow_up ? follow_up_states_[index].phase : leads_[index].phase;
    const std::uint32_t token = follow_up ? follow_up_states_[index].token : leads_[index].token;
    if (phase != Phase::waiting || token != item.token) continue;  // left the queue already
    const std::uint32_t rep = team.free_reps[team.free_head];
    team.free_head = (team.free_head + 1) % team.free_reps.size();
    --team.free_count;
    if (follow_up)
      start_follow_up(index, rep, now);
    else
      start_attempt(index, rep, now);
  }
}

void SalesSimulator::start_attempt(std::uint32_t i, std::uint32_t rep, double now) {
  const std::uint32_t t = (*outcomes_)[i].team;
  TeamCounts& counts = (*team_counts_)[t];
  MqlOutcome& outcome = (*outcomes_)[i];
  LeadState& lead = leads_[i];
  leave_queue(i, now);
  lead.phase = Phase::in_service;
  lead.rep = rep;
  lead.attempt_start = now;
  if (outcome.attempts == 0) {
    outcome.first_attempt_day = now;
    outcome.first_rep = rep - teams_[t].first_rep;
  }
  outcome.last_attempt_day = now;
  outcome.attempts += 1;
  const bool measured = now >= window_start_;
  if (measured) {
    counts.attempts += 1;
    (*rep_counts_)[rep].attempts += 1;
  }
  double busy_days = 0.0;
  const double done = occupy_rep(t, rep, lead.handle_stream, now, busy_days);
  outcome.busy_days += busy_days;
  schedule(done, SalesEvent::attempt_done, i, rep);
}

double SalesSimulator::occupy_rep(std::uint32_t t, std::uint32_t rep, RandomStream& handle, double now,
                                  double& busy_days) {
  reps_[rep].busy = true;
  reps_[rep].attempts_today += 1;  // a follow-up conversation is a call too: it counts against the daily cap
  const double done = now + model_.sales->teams[t].sample_handle_days(handle);
  const double busy_hours = 24.0 * std::max(0.0, std::min(done, horizon_) - std::max(now, window_start_));
  busy_days = busy_hours / 24.0;
  (*team_counts_)[t].busy_hours += busy_hours;
  (*rep_counts_)[rep].busy_hours += busy_hours;
  return done;
}

void SalesSimulator::free_rep(std::uint32_t t, std::uint32_t rep) {
  RepState& rep_state = reps_[rep];
  rep_state.busy = false;
  const int cap = model_.sales->teams[t].daily_cap;
  if (cap > 0 && rep_state.attempts_today >= cap)
    rep_state.capped = true;
  else
    release_rep(t, rep);
}

void SalesSimulator::finish_attempt(std::uint32_t rep, std::uint32_t i, double now) {
  const std::uint32_t t = (*outcomes_)[i].team;
  const CompiledTeam& team = model_.sales->teams[t];
  free_rep(t, rep);

  const MqlRecord& mql = (*mqls_)[i];
  LeadState& lead = leads_[i];
  const double hours_since_mql = 24.0 * (lead.attempt_start - mql.mql_day);
  const bool reached = lead.reach_stream.uniform() < team.reach_probability(hours_since_mql);
  const bool measured = now >= window_start_;
  if (reached) {
    if (measured) {
      (*team_counts_)[t].contacts += 1;
      (*rep_counts_)[rep].contacts += 1;
    }
    const double p = model_.acceptance.probability(mql.readiness) * model_.sales->speed_to_lead(hours_since_mql) *
                     team.strictness[rep - teams_[t].first_rep];
    if (mql.accept_draw < p) {
      if (measured) (*rep_counts_)[rep].sqls += 1;
      resolve(i, Resolution::sql, now);
    } else {
      resolve(i,
              mql.readiness < model_.acceptance.bad_fit_below_readiness ? Resolution::bad_fit : Resolution::not_ready,
              now);
    }
  } else if (now >= lead.deadline) {
    go_cold(i, now);
  } else if ((*outcomes_)[i].attempts < static_cast<std::uint32_t>(team.max_attempts)) {
    lead.phase = Phase::retry_wait;
    ++lead.token;
    const std::size_t k = std::min<std::size_t>((*outcomes_)[i].attempts - 1, team.retry_days.size() - 1);
    schedule(now + team.retry_days[k], SalesEvent::retry_ready, i, lead.token);
  } else {
    resolve(i, Resolution::unreachable, now);
  }
  dispatch(t, now);
}

void SalesSimulator::go_cold(std::uint32_t i, double now) { resolve(i, Resolution::cold, now); }

void SalesSimulator::resolve(std::uint32_t i, Resolution r, double now) {
  leads_[i].phase = Phase::resolved;
  (*outcomes_)[i].resolution = r;
  (*outcomes_)[i].resolution_day = now;
  if (!recycler_ || (r != Resolution::not_ready && r != Resolution::cold)) return;
  // The recycler may append to the MQL list, which can move it: copy the record first.
  const MqlRecord mql = (*mqls_)[i];
  const MqlRecycler::Result next = recycler_->recycle(mql, r, now);
  (*outcomes_)[i].recycled = next.recycled;
  if (next.has_next) add_mql(next.next, next.next.mql_day);
}

std::uint32_t SalesSimulator::add_mql(const MqlRecord& mql, double day) {
  const auto index = static_cast<std::uint32_t>(mqls_->size());
  mqls_->push_back(mql);
  outcomes_->push_back(MqlOutcome{});
  leads_.emplace_back();
  schedule(day, SalesEvent::mql_arrival, index, 0);
  return index;
}

// ---- SDR follow-ups ------------------------------------------------------------------------------

void SalesSimulator::follow_up_due(std::uint32_t f, double now) {
  const FollowUpRecord& record = follow_ups_[f];
  FollowUpState& state = follow_up_states_[f];
  if (state.settled) return;
  const std::uint32_t t = static_cast<std::uint32_t>(model_.sales->route[record.lead.source][record.lead.segment]);
  (*follow_up_outcomes_)[f].team = t;
  state.handle_stream =
      streams_->stream(model_.sources[record.lead.source].tag, record.lead.lead_id, purpose::SALES_FOLLOW_UP);
  state.phase = Phase::waiting;
  state.enqueued_day = now;
  state.measured = now >= window_start_;
  ++state.token;
  const double key = queue_key(model_.sales->teams[t].discipline, record.score, MqlPath::sdr_qualified);
  push_queue(t, key, now, f | kFollowUp, state.token, state.measured);
  dispatch(t, now);
}

/// The lead became an MQL on its own before a conversation qualified it: the follow-up is moot
/// (it leaves the queue; a conversation in progress ends as planned).
void SalesSimulator::follow_up_lead_mql(std::uint32_t f, double now) {
  FollowUpState& state = follow_up_states_[f];
  if (state.settled) return;
  state.settled = true;
  if (state.phase == Phase::waiting) {
    leave_queue_follow_up(f, now);
    ++state.token;  // its queue item goes stale
    state.phase = Phase::resolved;
  }
  const std::uint32_t mql = add_mql(follow_ups_[f].lead, now);
  (*follow_up_outcomes_)[f].mql = mql;
}

void SalesSimulator::leave_queue_follow_up(std::uint32_t f, double now) {
  const FollowUpState& state = follow_up_states_[f];
  const std::uint32_t t = (*follow_up_outcomes_)[f].team;
  touch_queue(t, now);
  --teams_[t].waiting;
  if (state.measured) book_wait(t, now - state.enqueued_day);
}

void SalesSimulator::start_follow_up(std::uint32_t f, std::uint32_t rep, double now) {
  FollowUpState& state = follow_up_states_[f];
  FollowUpOutcome& outcome = (*follow_up_outcomes_)[f];
  leave_queue_follow_up(f, now);
  state.phase = Phase::in_service;
  outcome.held = true;
  outcome.start_day = now;
  double busy_days = 0.0;
  const double done = occupy_rep(outcome.team, rep, state.handle_stream, now, busy_days);
  outcome.busy_days = busy_days;
  if (now >= window_start_) {
    TeamCounts& counts = (*team_counts_)[outcome.team];
    counts.follow_ups += 1;
    counts.follow_up_hours += 24.0 * busy_days;
  }
  schedule(done, SalesEvent::attempt_done, f | kFollowUp, rep);
}

void SalesSimulator::finish_follow_up(std::uint32_t rep, std::uint32_t f, double now) {
  FollowUpState& state = follow_up_states_[f];
  const std::uint32_t t = (*follow_up_outcomes_)[f].team;
  free_rep(t, rep);
  state.phase = Phase::resolved;
  if (!state.settled && follow_ups_[f].qualifies) {
    state.settled = true;
    MqlRecord mql = follow_ups_[f].lead;
    mql.path = MqlPath::sdr_qualified;
    mql.mql_day = now;
    mql.score = follow_ups_[f].score;
    (*follow_up_outcomes_)[f].mql = add_mql(mql, now);
  }
  dispatch(t, now);
}

/// Waits still open at the horizon count up to it, so the queue-length area equals the sum of
/// waits exactly (Little's law holds on every sample path).
void SalesSimulator::finish_horizon() {
  for (std::uint32_t t = 0; t < teams_.size(); ++t) touch_queue(t, horizon_);
  for (std::uint32_t i = 0; i < leads_.size() && i < mqls_->size(); ++i)
    if (leads_[i].phase == Phase::waiting) end_wait(i, horizon_);
  for (std::uint32_t f = 0; f < follow_up_states_.size(); ++f) {
    const FollowUpState& state = follow_up_states_[f];
    if (state.phase == Phase::waiting && state.measured)
      book_wait((*follow_up_outcomes_)[f].team, horizon_ - state.enqueued_day);
  }
}

}  // namespace funnelsim
