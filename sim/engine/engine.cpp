#include "funnelsim/engine/engine.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <exception>
#include <memory>
#include <stdexcept>
#include <optional>
#include <tuple>

#include <boost/random/exponential_distribution.hpp>
#include <boost/random/gamma_distribution.hpp>
#include <boost/random/lognormal_distribution.hpp>
#include <tbb/blocked_range.h>
#include <tbb/enumerable_thread_specific.h>
#include <tbb/global_control.h>
#include <tbb/parallel_for.h>

#include "engine/lead_process.hpp"
#include "engine/pipeline_process.hpp"
#include "engine/sales_process.hpp"
#include "core/stream_purposes.hpp"
#include "core/tsan_annotations.hpp"

namespace funnelsim {
namespace {

/// Ids of backlog entities: above every arrival id (day << 32 | order, day < 2^16).
std::uint64_t backlog_id(std::uint64_t kind, std::uint64_t k) { return (std::uint64_t{0xFFFF} << 48) | (kind << 40) | k; }

/// One thread's reusable state: everything a replication needs besides its output slots.
/// Time runs over [0, end); metrics count the window [window_start, end).
class ReplicationRunner final : public MqlRecycler {
 public:
  ReplicationRunner(const CompiledModel& model, const std::atomic<bool>* cancel)
      : model_(model), cancel_(cancel), leads_(model), tallies_(model.sources.size()) {
    if (model.sales) {
      sales_.emplace(model);
      team_tallies_.resize(model.sales->teams.size());
    }
  }

  RunWork run(std::uint64_t seed, std::uint64_t replication, std::size_t slot, ReplicationTable& table) {
    streams_.emplace(seed, replication);
    table_ = &table;
    slot_ = slot;
    work_ = RunWork{};
    mqls_.clear();
    sqls_.clear();
    for (std::size_t s = 0; s < model_.sources.size(); ++s) {
      tallies_[s].clear();
      tallies_[s].counts.has_sales = model_.sales.has_value();
      tallies_[s].counts.has_pipeline = model_.pipeline.has_value();
      for (std::size_t k = 0; k < kSeriesCount; ++k) {
        auto series = table.weekly(slot, s + 1, static_cast<Series>(k));
        std::fill(series.begin(), series.end(), 0.0);
      }
    }
    seed_backlog();
    for (std::size_t s = 0; s < model_.sources.size(); ++s) simulate_arrivals(s);
    if (cancelled()) return work_;  // the slot stays incomplete; the run reports cancelled
    if (sales_) run_sales();
    if (model_.pipeline) run_pipeline();
    finalize();
    return work_;
  }

  /// Called by the sales simulation when an MQL is rejected as not ready or goes cold.
  Result recycle(const MqlRecord& mql, Resolution why, double day) override {
    const JourneyReason reason = why == Resolution::cold ? JourneyReason::cold : JourneyReason::not_ready;
    if (!can_recycle(mql.source, mql.segment, mql.fit, mql.cycle, reason, day)) return {};
    if (in_window(day)) tallies_[mql.source].counts.recycled += 1;
    Result result;
    result.recycled = true;
    const LeadOutcome o =
        start_journey(mql.source, mql.lead_id, {day + model_.nurture->cooldown_days, mql.cycle + 1, reason, 0.0, false});
    if (o.path == MqlPath::none) return result;
    result.has_next = true;
    result.next = mql_record(mql.source, mql.lead_id, o, mql.cycle + 1);
    ledger_move(mql.source, pre_mql_state(o), Series::backlog, o.mql_day);
    return result;
  }

  bool cancelled() const noexcept { return cancel_ && cancel_->load(std::memory_order_relaxed); }

 private:
  // ---- time -------------------------------------------------------------------------------
  bool in_window(double day) const noexcept { return day >= model_.window_start && day < model_.end_day; }
  std::size_t week_of(double day) const noexcept {
    const double d = std::max(0.0, day - model_.window_start);
    return std::min(static_cast<std::size_t>(d / 7.0), static_cast<std::size_t>(model_.weeks - 1));
  }
  std::span<double> weekly(std::size_t source, Series series) { return table_->weekly(slot_, source + 1, series); }

  // ---- the state ledger: lifecycle snapshots at each week's end ---------------------------
  // A transition at day t changes every snapshot taken at or after t (week ends W + 7(w+1),
  // the last one at the horizon end); the series hold deltas until finalize() sums them.
  std::optional<std::size_t> first_snapshot_after(double day) const noexcept {
    if (!(day < model_.end_day)) return std::nullopt;
    const double d = day - model_.window_start;
    const auto week = d <= 0.0 ? std::size_t{0} : static_cast<std::size_t>(std::max(0.0, std::ceil(d / 7.0) - 1.0));
    return std::min(week, static_cast<std::size_t>(model_.weeks - 1));
  }
  void ledger_create(std::size_t source, Series state, double day) {
    if (auto w = first_snapshot_after(day)) {
      weekly(source, Series::created)[*w] += 1;
      weekly(source, state)[*w] += 1;
    }
  }
  void ledger_move(std::size_t source, Series from, Series to, double day) {
    if (auto w = first_snapshot_after(day)) {
      weekly(source, from)[*w] -= 1;
      weekly(source, to)[*w] += 1;
    }
  }
  static Series pre_mql_state(const LeadOutcome& o) {
    if (o.track < 0) return Series::active;
    return o.mql_day >= o.track_end_day ? Series::dormant : Series::nurture;
  }

  // ---- journeys ---------------------------------------------------------------------------
  bool can_recycle(std::size_t source, std::uint32_t segment, double fit, int cycle, JourneyReason reason,
                   double day) const {
    if (!model_.nurture || !model_.nurture->recycling) return false;
    const CompiledNurture& n = *model_.nurture;
    if (reason == JourneyReason::not_ready ? !n.recycle_not_ready : !n.recycle_cold) return false;
    if (cycle >= n.max_recycles || !(day + n.cooldown_days < model_.end_day)) return false;
    return leads_.choose_track(source, static_cast<int>(segment), fit, reason) >= 0;
  }

  /// Runs one journey of a lead and books what happens before its MQL: its states, nurture
  /// spend and, for an MQL in the window, the MQL counts. The MQL's own state change is left
  /// to the caller (sales queue or immediate decision).
  LeadOutcome start_journey(std::size_t s, std::uint64_t lead_id, const JourneyStart& start) {
    const CompiledSource& source = model_.sources[s];
    const LeadOutcome o = leads_.simulate(source, s, *streams_, lead_id, start);
    work_.events += 1 + o.events + (o.path != MqlPath::none ? 1 : 0);
    const Series initial = o.disqualified ? Series::disqualified : o.track >= 0 ? Series::nurture : Series::active;
    if (start.cycle == 0) ledger_create(s, initial, start.start_day);
    else ledger_move(s, Series::recycle_wait, initial, start.start_day);
    const double exit = o.path == MqlPath::none ? model_.end_day : o.mql_day;
    if (o.track >= 0 && o.track_end_day < exit) ledger_move(s, Series::nurture, Series::dormant, o.track_end_day);
    FunnelTally& tally = tallies_[s];
    if (o.track >= 0) tally.counts.nurture_spend += o.touches * model_.nurture->tracks[o.track].cost_per_touch;
    if (o.path != MqlPath::none && in_window(o.mql_day)) {
      FunnelCounts& c = tally.counts;
      c.mqls += 1;
      c.mqls_by_path[path_index(o.path)] += 1;
      if (start.cycle > 0) c.mqls_recycled += 1;
      if (o.ready) c.ready_mqls += 1;
      const double days = o.mql_day - o.arrival_day;
      c.time_to_mql_sum += days;
      tally.time_to_mql_days.push_back(days);
      tally.time_to_mql_by_path[path_index(o.path)].push_back(days);
      weekly(s, Series::mqls)[week_of(o.mql_day)] += 1;
    }
    return o;
  }

  MqlRecord mql_record(std::size_t s, std::uint64_t lead_id, const LeadOutcome& o, int cycle) const {
    return MqlRecord{o.mql_day, o.readiness, o.accept_draw, o.score, lead_id, static_cast<std::uint32_t>(s),
                     static_cast<std::uint32_t>(o.segment), o.path, o.ready, static_cast<std::uint8_t>(cycle), false,
                     o.fit};
  }

  /// A lead's journeys: hands its MQL to sales, or, without sales teams, decides at once (and
  /// recycles a lead rejected as not ready into its next journey).
  void follow_lead(std::size_t s, std::uint64_t lead_id, JourneyStart start) {
    for (;;) {
      const LeadOutcome o = start_journey(s, lead_id, start);
      if (start.cycle == 0 && !start.backlog && in_window(start.start_day)) count_arrival(s, o);
      if (o.path == MqlPath::none) return;
      const MqlRecord mql = mql_record(s, lead_id, o, start.cycle);
      if (sales_) {
        ledger_move(s, pre_mql_state(o), Series::backlog, o.mql_day);
        mqls_.push_back(mql);
        return;
      }
      const std::optional<JourneyStart> next = decide_at_mql(mql, pre_mql_state(o));
      if (!next) return;
      start = *next;
    }
  }

  void count_arrival(std::size_t s, const LeadOutcome& lead) {
    FunnelCounts& c = tallies_[s].counts;
    c.leads += 1;
    weekly(s, Series::leads)[week_of(lead.arrival_day)] += 1;
    if (lead.disqualified) c.disqualified += 1;
    if (lead.ready) c.ready_leads += 1;
    // Recall follows the lead: did this ready arrival become an MQL within the horizon?
    if (lead.ready && lead.path != MqlPath::none) c.ready_leads_mql += 1;
    ++work_.leads;
  }

  /// Without rep capacity, sales decides at MQL time and accepts exactly the ready leads.
  /// Returns the next journey when the lead is recycled.
  std::optional<JourneyStart> decide_at_mql(const MqlRecord& mql, Series from) {
    FunnelCounts& c = tallies_[mql.source].counts;
    const bool counted = in_window(mql.mql_day);
    if (mql.ready) {
      ledger_move(mql.source, from, Series::sql, mql.mql_day);
      if (counted) {
        c.sqls += 1;
        if (mql.cycle > 0) c.sqls_from_recycled += 1;
        weekly(mql.source, Series::sqls)[week_of(mql.mql_day)] += 1;
      }
      sqls_.push_back(SqlRecord{mql.mql_day, mql.readiness, mql.lead_id, mql.source, mql.segment});
      return std::nullopt;
    }
    const bool bad_fit = mql.readiness < model_.acceptance.bad_fit_below_readiness;
    if (counted) (bad_fit ? c.rejected_bad_fit : c.rejected_not_ready) += 1;
    if (!bad_fit && can_recycle(mql.source, mql.segment, mql.fit, mql.cycle, JourneyReason::not_ready, mql.mql_day)) {
      ledger_move(mql.source, from, Series::recycle_wait, mql.mql_day);
      if (counted) c.recycled += 1;
      return JourneyStart{mql.mql_day + model_.nurture->cooldown_days, mql.cycle + 1, JourneyReason::not_ready, 0.0, false};
    }
    ledger_move(mql.source, from, Series::rejected, mql.mql_day);
    return std::nullopt;
  }

  // ---- arrivals and the starting state ----------------------------------------------------
  /// Arrivals are a Poisson process with a rate constant within each day; each day has its own
  /// stream, and a lead is identified by (day, order within the day), so changing one day's
  /// rate leaves every other day's leads untouched.
  void simulate_arrivals(std::size_t s) {
    const CompiledSource& source = model_.sources[s];
    double week_factor = 1.0;
    for (int day = 0; day < model_.end_day; ++day) {
      if (day % 7 == 0 && source.overdispersion > 0.0) {
        RandomStream stream = streams_->stream(source.tag, static_cast<std::uint64_t>(day / 7), purpose::OVERDISPERSION);
        const double k = source.overdispersion;
        week_factor = boost::random::gamma_distribution<double>(1.0 / k, k)(stream);
      }
      const double rate = source.daily_rate[day] * week_factor;
      if (!(rate > 0.0)) continue;
      RandomStream arrivals = streams_->stream(source.tag, static_cast<std::uint64_t>(day), purpose::ARRIVALS);
      boost::random::exponential_distribution<double> gap(rate);
      std::uint64_t order = 0;
      for (double t = gap(arrivals); t < 1.0; t += gap(arrivals), ++order) {
        if (cancelled()) return;  // one relaxed load per lead: about 1 ns against 100s of ns
        follow_lead(s, (static_cast<std::uint64_t>(day) << 32) | order,
                    JourneyStart{day + t, 0, JourneyReason::new_lead, 0.0, false});
      }
    }
    FunnelCounts& c = tallies_[s].counts;
    c.channel_spend = source.fixed_spend > 0.0 ? source.fixed_spend : c.leads * source.cost_per_lead;
  }

  std::size_t source_index(const std::string& name) const {
    for (std::size_t s = 0; s < model_.sources.size(); ++s)
      if (model_.sources[s].name == name) return s;
    return 0;  // unreachable: the loader checked backlog source names
  }

  /// The explicit starting state at the window's start: leads in nurture, MQLs waiting, open
  /// opportunities (see the schema's Backlog).
  void seed_backlog() {
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
        const LeadOutcome o = leads_.simulate(source, s, *streams_, id, JourneyStart{start, 0, JourneyReason::new_lead, 0.0, true});
        MqlRecord mql = mql_record(s, id, o, 0);
        mql.mql_day = start;
        mql.path = MqlPath::engagement;
        mql.score = o.fit;
        mql.carried_over = true;
        ledger_create(s, Series::backlog, start);
        if (sales_) mqls_.push_back(mql);
        else decide_at_mql(mql, Series::backlog);
      }
      for (int k = 0; k < b.open_opportunities; ++k) seed_open_opportunity(s, backlog_id(3, static_cast<std::uint64_t>(k)));
    }
  }

  /// An opportunity already open at the window's start: its remaining cycle is uniform over a
  /// full cycle. It counts when it closes; it does not occupy account-executive capacity.
  void seed_open_opportunity(std::size_t s, std::uint64_t id) {
    const CompiledSource& source = model_.sources[s];
    const CompiledPipeline& pipeline = *model_.pipeline;
    RandomStream stream = streams_->stream(source.tag, id, purpose::BACKLOG);
    const double u_segment = stream.uniform(), readiness = source.readiness(stream.uniform());
    const double u_win = stream.uniform(), u_remaining = stream.uniform();
    std::size_t segment = 0;
    while (segment + 1 < source.segments.size() && u_segment >= source.segments[segment].cumulative_weight) ++segment;
    const auto& amount = pipeline.amount[s][segment];
    const auto& cycle = pipeline.cycle[s][segment];
    const double value = boost::random::lognormal_distribution<double>(amount.mu, amount.sigma)(stream);
    const double close = model_.window_start + u_remaining * boost::random::gamma_distribution<double>(cycle.shape, cycle.scale)(stream);
    FunnelCounts& c = tallies_[s].counts;
    if (!(close < model_.end_day)) {
      c.open_opportunities += 1;
      return;
    }
    if (u_win < std::clamp(pipeline.win_rate.at(readiness), 0.0, 1.0)) {
      c.won_deals += 1;
      c.revenue += value;
    }
  }

  // ---- sales --------------------------------------------------------------------------------
  /// MQLs from every source meet in the sales queues, in time order.
  void run_sales() {
    std::sort(mqls_.begin(), mqls_.end(), [](const MqlRecord& a, const MqlRecord& b) {
      return std::tie(a.mql_day, a.source, a.lead_id) < std::tie(b.mql_day, b.source, b.lead_id);
    });
    const auto start = std::chrono::steady_clock::now();
    const std::uint64_t events = sales_->run(*streams_, mqls_, outcomes_, team_counts_, rep_counts_, this);
    work_.sales_seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    work_.sales_events += events;
    work_.events += events;
    for (std::size_t t = 0; t < team_tallies_.size(); ++t) {
      team_tallies_[t].clear();
      team_tallies_[t].counts = team_counts_[t];
    }
    const std::size_t sources = model_.sources.size();
    team_source_busy_.assign(team_tallies_.size() * sources, 0.0);
    team_source_mqls_.assign(team_tallies_.size() * sources, 0.0);
    for (std::size_t i = 0; i < mqls_.size(); ++i) {
      account_sales(mqls_[i], outcomes_[i]);
      team_source_busy_[outcomes_[i].team * sources + mqls_[i].source] += outcomes_[i].busy_days;
      team_source_mqls_[outcomes_[i].team * sources + mqls_[i].source] += 1;
    }
    allocate_rep_cost();
  }

  static Series state_after(const MqlOutcome& o) {
    if (o.recycled) return Series::recycle_wait;
    switch (o.resolution) {
      case Resolution::sql: return Series::sql;
      case Resolution::cold: return Series::cold;
      case Resolution::open: return Series::backlog;
      default: return Series::rejected;
    }
  }

  void account_sales(const MqlRecord& mql, const MqlOutcome& o) {
    FunnelTally& tally = tallies_[mql.source];
    FunnelCounts& c = tally.counts;
    TeamTally& team_tally = team_tallies_[o.team];
    TeamCounts& t = team_tally.counts;
    const CompiledTeam& team = model_.sales->teams[o.team];
    if (o.resolution != Resolution::open) ledger_move(mql.source, Series::backlog, state_after(o), o.resolution_day);
    if (in_window(mql.mql_day)) {
      if (!mql.carried_over) t.mqls += 1;
      c.queue_entries += o.entries;
      c.queue_wait_hours_sum += 24.0 * o.wait_days;
      c.attempts += o.attempts;
      if (o.attempts > 0) {
        const double hours = 24.0 * (o.first_attempt_day - mql.mql_day);
        c.responded += 1;
        c.response_hours_sum += hours;
        tally.response_hours.push_back(hours);
        t.responded += 1;
        t.response_hours_sum += hours;
        team_tally.response_hours.push_back(hours);
      }
      // An SLA is due once it was met or its deadline passed within the horizon.
      const std::size_t path = mql.path == MqlPath::instant ? 0 : 1;
      const double deadline = mql.mql_day + team.sla_days[path];
      if (o.attempts > 0 || deadline < model_.end_day) {
        const bool met = o.attempts > 0 && o.first_attempt_day <= deadline;
        c.sla_due[path] += 1;
        t.sla_due += 1;
        c.sla_met[path] += met;
        t.sla_met += met;
      }
    }
    if (o.resolution == Resolution::sql)
      sqls_.push_back(SqlRecord{o.resolution_day, mql.readiness, mql.lead_id, mql.source, mql.segment});
    if (o.resolution == Resolution::open || !in_window(o.resolution_day)) return;
    switch (o.resolution) {
      case Resolution::sql:
        c.sqls += 1;
        t.sqls += 1;
        if (mql.cycle > 0) c.sqls_from_recycled += 1;
        weekly(mql.source, Series::sqls)[week_of(o.resolution_day)] += 1;
        break;
      case Resolution::bad_fit: c.rejected_bad_fit += 1, t.rejected_bad_fit += 1; break;
      case Resolution::not_ready: c.rejected_not_ready += 1, t.rejected_not_ready += 1; break;
      case Resolution::unreachable: c.rejected_unreachable += 1, t.rejected_unreachable += 1; break;
      case Resolution::cold: c.cold += 1, t.cold += 1; break;
      case Resolution::open: break;
    }
  }

  /// A team's cost is shared among sources by the rep time their leads used (by MQLs routed
  /// when the team made no attempt); a team that got no MQLs is charged to the whole funnel only.
  void allocate_rep_cost() {
    const std::size_t sources = model_.sources.size();
    for (std::size_t t = 0; t < team_tallies_.size(); ++t) {
      const double cost = model_.sales->teams[t].rep_cost;
      rep_cost_total_ += cost;
      if (cost == 0.0) continue;
      double busy = 0.0, mqls = 0.0;
      for (std::size_t s = 0; s < sources; ++s) busy += team_source_busy_[t * sources + s], mqls += team_source_mqls_[t * sources + s];
      const std::vector<double>& weights = busy > 0.0 ? team_source_busy_ : team_source_mqls_;
      const double total = busy > 0.0 ? busy : mqls;
      if (total == 0.0) continue;
      for (std::size_t s = 0; s < sources; ++s) tallies_[s].counts.rep_cost += cost * weights[t * sources + s] / total;
    }
  }

  // ---- pipeline -------------------------------------------------------------------------------
  /// Opportunities and deals from this replication's SQLs, in time order.
  void run_pipeline() {
    std::sort(sqls_.begin(), sqls_.end(), [](const SqlRecord& a, const SqlRecord& b) {
      return std::tie(a.sql_day, a.source, a.lead_id) < std::tie(b.sql_day, b.source, b.lead_id);
    });
    const CompiledPipeline& pipeline = *model_.pipeline;
    pipeline_.run(pipeline, model_.source_tags, model_.end_day, *streams_, sqls_, opportunities_);
    double opportunities = 0.0;
    for (std::size_t i = 0; i < sqls_.size(); ++i) {
      const OpportunityOutcome& o = opportunities_[i];
      FunnelCounts& c = tallies_[sqls_[i].source].counts;
      if (o.lost_no_capacity && in_window(sqls_[i].sql_day)) c.lost_capacity += 1;
      if (!o.created) continue;
      if (!o.closed) c.open_opportunities += 1;
      if (o.won && o.close_day >= model_.window_start) {
        c.won_deals += 1;
        c.revenue += o.amount;
      }
      if (!in_window(o.created_day)) continue;
      opportunities += 1;
      c.opportunities += 1;
      c.pipeline_value += o.amount;
      c.weighted_pipeline += o.amount * o.win_probability;
    }
    // AE cost follows the opportunities each source brought.
    rep_cost_total_ += pipeline.ae_cost;
    if (pipeline.ae_cost > 0.0 && opportunities > 0.0)
      for (auto& tally : tallies_) tally.counts.rep_cost += pipeline.ae_cost * tally.counts.opportunities / opportunities;
  }

  // ---- the row --------------------------------------------------------------------------------
  void finalize() {
    const double coverage_target = model_.pipeline ? model_.pipeline->coverage_target : 0.0;
    // Snapshot series: turn transition deltas into end-of-week counts.
    for (std::size_t s = 0; s < model_.sources.size(); ++s) {
      for (std::size_t k = static_cast<std::size_t>(Series::created); k < kSeriesCount; ++k) {
        auto series = weekly(s, static_cast<Series>(k));
        for (std::size_t w = 1; w < series.size(); ++w) series[w] += series[w - 1];
      }
      tallies_[s].counts.in_nurture_end = weekly(s, Series::nurture).back();
    }
    total_.clear();
    for (std::size_t s = 0; s < model_.sources.size(); ++s) {
      total_.counts.add(tallies_[s].counts);
      const FunnelTally& t = tallies_[s];
      total_.time_to_mql_days.insert(total_.time_to_mql_days.end(), t.time_to_mql_days.begin(), t.time_to_mql_days.end());
      for (std::size_t p = 0; p < kMqlPathCount; ++p)
        total_.time_to_mql_by_path[p].insert(total_.time_to_mql_by_path[p].end(), t.time_to_mql_by_path[p].begin(),
                                             t.time_to_mql_by_path[p].end());
      total_.response_hours.insert(total_.response_hours.end(), t.response_hours.begin(), t.response_hours.end());
      compute_metrics(tallies_[s], coverage_target, table_->row(slot_, s + 1));
    }
    // The whole funnel carries the known total, not a sum of rounded shares (which would also
    // leave out costs no source caused).
    total_.counts.rep_cost = rep_cost_total_;
    rep_cost_total_ = 0.0;
    compute_metrics(total_, coverage_target, table_->row(slot_, 0));
    if (sales_) {
      const std::size_t first_team = model_.sources.size() + 1;
      const std::size_t first_rep = first_team + team_tallies_.size();
      for (std::size_t t = 0; t < team_tallies_.size(); ++t)
        compute_team_metrics(team_tallies_[t], 24.0 * model_.horizon_days, table_->row(slot_, first_team + t));
      for (std::size_t r = 0; r < rep_counts_.size(); ++r) compute_rep_metrics(rep_counts_[r], table_->row(slot_, first_rep + r));
    }
    for (std::size_t k = 0; k < kSeriesCount; ++k) {
      const auto series = static_cast<Series>(k);
      auto all = table_->weekly(slot_, 0, series);
      std::fill(all.begin(), all.end(), 0.0);
      for (std::size_t s = 0; s < model_.sources.size(); ++s) {
        auto part = weekly(s, series);
        for (std::size_t w = 0; w < all.size(); ++w) all[w] += part[w];
      }
    }
  }

  const CompiledModel& model_;
  const std::atomic<bool>* cancel_;
  LeadSimulator leads_;
  std::vector<FunnelTally> tallies_;
  FunnelTally total_;
  std::optional<ReplicationStreams> streams_;
  ReplicationTable* table_ = nullptr;
  std::size_t slot_ = 0;
  RunWork work_;
  std::optional<SalesSimulator> sales_;
  std::vector<MqlRecord> mqls_;
  std::vector<MqlOutcome> outcomes_;
  std::vector<TeamCounts> team_counts_;
  std::vector<RepCounts> rep_counts_;
  std::vector<TeamTally> team_tallies_;
  std::vector<double> team_source_busy_, team_source_mqls_;  // [team][source]
  double rep_cost_total_ = 0.0;  // teams' and AEs' cost over the horizon
  std::vector<SqlRecord> sqls_;
  PipelineSimulator pipeline_;
  std::vector<OpportunityOutcome> opportunities_;
};

std::vector<Scope> scopes_of(const CompiledModel& model) {
  std::vector<Scope> scopes{{"all", ScopeKind::funnel}};
  for (const auto& s : model.sources) scopes.push_back({s.name, ScopeKind::funnel});
  if (model.sales) {
    for (const auto& t : model.sales->teams) scopes.push_back({t.name, ScopeKind::team});
    for (const auto& t : model.sales->teams)
      for (int r = 1; r <= t.headcount; ++r) scopes.push_back({t.name + "." + std::to_string(r), ScopeKind::rep});
  }
  return scopes;
}

std::unique_ptr<tbb::global_control> thread_limit(const RunOptions& options) {
  if (options.threads <= 0) return nullptr;
  return std::make_unique<tbb::global_control>(tbb::global_control::max_allowed_parallelism,
                                               static_cast<std::size_t>(options.threads));
}

void add_work(RunResult& result, const std::vector<RunWork>& work) {
  for (const RunWork& w : work) {
    result.work.leads += w.leads;
    result.work.events += w.events;
    result.work.sales_events += w.sales_events;
    result.work.sales_seconds += w.sales_seconds;
  }
}

/// Runs `replicate(slot)` for every slot of the run on the worker threads, skipping what is left
/// once the cancel flag is up, then sums the work and says whether the run was cancelled.
template <class Replicate>
void run_slots(const RunOptions& options, RunResult& result, Replicate&& replicate) {
  std::vector<RunWork> work(options.replications);
  const auto limit = thread_limit(options);
  std::atomic<std::uint64_t> done{0};
  detail::ForkJoinAnnotations annotations;
  annotations.fork();
  tbb::parallel_for(tbb::blocked_range<std::size_t>(0, options.replications, 1),
                    [&](const tbb::blocked_range<std::size_t>& range) {
                      annotations.enter();
                      for (std::size_t slot = range.begin(); slot != range.end(); ++slot) {
                        if (options.cancel && options.cancel->load(std::memory_order_relaxed)) break;
                        work[slot] = replicate(slot);
                        const auto finished = done.fetch_add(1, std::memory_order_relaxed) + 1;
                        if (options.progress) options.progress(finished, options.replications);
                      }
                      annotations.leave();
                    });
  annotations.join();
  // Conservative: a flag raised just after the last replication still discards the run.
  result.cancelled = options.cancel && options.cancel->load();
  add_work(result, work);
}

}  // namespace

void append_run(std::optional<RunResult>& into, RunResult next) {
  if (!into) {
    into = std::move(next);
    return;
  }
  into->table.append(next.table);
  add_work(*into, {next.work});
  into->cancelled = into->cancelled || next.cancelled;
}

RunResult run_replications(const CompiledModel& model, const RunOptions& options) {
  RunResult result{ReplicationTable(options.replications, scopes_of(model), static_cast<std::size_t>(model.weeks)),
                   RunWork{}};
  // Scratch is per thread and reused across that thread's replications.
  tbb::enumerable_thread_specific<ReplicationRunner> runners([&] { return ReplicationRunner(model, options.cancel); });
  run_slots(options, result, [&](std::size_t slot) {
    return runners.local().run(options.seed, options.first_replication + slot, slot, result.table);
  });
  return result;
}

RunResult run_replications(const CompiledModel& layout, const ReplicationModel& model_for, const RunOptions& options) {
  const std::vector<Scope> scopes = scopes_of(layout);
  RunResult result{ReplicationTable(options.replications, scopes, static_cast<std::size_t>(layout.weeks)), RunWork{}};
  std::vector<std::exception_ptr> errors(options.replications);
  run_slots(options, result, [&](std::size_t slot) {
    try {
      // Each replication draws its own uncertain inputs, so it compiles its own model.
      const std::uint64_t replication = options.first_replication + slot;
      const CompiledModel model = model_for(replication);
      if (model.weeks != layout.weeks || scopes_of(model) != scopes)
        throw std::logic_error("run_replications: a replication's model has another layout");
      ReplicationRunner runner(model, options.cancel);
      return runner.run(options.seed, replication, slot, result.table);
    } catch (...) {
      errors[slot] = std::current_exception();
      return RunWork{};
    }
  });
  if (!result.cancelled)
    for (const std::exception_ptr& error : errors)
      if (error) std::rethrow_exception(error);
  return result;
}

}  // namespace funnelsim
