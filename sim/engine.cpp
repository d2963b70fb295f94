#include "funnelsim/engine.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <tuple>

#include <boost/random/exponential_distribution.hpp>
#include <boost/random/gamma_distribution.hpp>
#include <tbb/blocked_range.h>
#include <tbb/enumerable_thread_specific.h>
#include <tbb/global_control.h>
#include <tbb/parallel_for.h>

#include "funnelsim/lead_process.hpp"
#include "funnelsim/sales_process.hpp"
#include "tsan_annotations.hpp"

namespace funnelsim {
namespace {

/// One thread's reusable state: everything a replication needs besides its output slots.
class ReplicationRunner {
 public:
  ReplicationRunner(const CompiledModel& model, const std::atomic<bool>* cancel)
      : model_(model), cancel_(cancel), leads_(model), tallies_(model.sources.size()) {
    if (model.sales) {
      sales_.emplace(model);
      team_tallies_.resize(model.sales->teams.size());
    }
  }

  RunWork run(std::uint64_t seed, std::uint64_t replication, std::size_t slot, ReplicationTable& table) {
    const ReplicationStreams streams(seed, replication);
    RunWork work;
    mqls_.clear();
    for (std::size_t s = 0; s < model_.sources.size(); ++s) {
      tallies_[s].clear();
      tallies_[s].counts.has_sales = model_.sales.has_value();
      for (std::size_t k = 0; k < kSeriesCount; ++k) {
        auto series = table.weekly(slot, s + 1, static_cast<Series>(k));
        std::fill(series.begin(), series.end(), 0.0);
      }
      simulate_source(streams, s, slot, table, work);
    }
    if (cancelled()) return work;  // the slot stays incomplete; the run reports cancelled
    if (sales_) run_sales(streams, slot, table, work);
    finalize(slot, table);
    return work;
  }

  bool cancelled() const noexcept { return cancel_ && cancel_->load(std::memory_order_relaxed); }

 private:
  std::size_t week_of(double day) const noexcept {
    return std::min(static_cast<std::size_t>(day / 7.0), static_cast<std::size_t>(model_.weeks - 1));
  }

  /// Arrivals are a Poisson process with a rate constant within each day; each day has its own
  /// stream, and a lead is identified by (day, order within the day), so changing one day's
  /// rate leaves every other day's leads untouched.
  void simulate_source(const ReplicationStreams& streams, std::size_t s, std::size_t slot, ReplicationTable& table,
                       RunWork& work) {
    const CompiledSource& source = model_.sources[s];
    double week_factor = 1.0;
    for (int day = 0; day < model_.horizon_days; ++day) {
      if (day % 7 == 0 && source.overdispersion > 0.0) {
        RandomStream stream = streams.stream(source.tag, static_cast<std::uint64_t>(day / 7), purpose::OVERDISPERSION);
        const double k = source.overdispersion;
        week_factor = boost::random::gamma_distribution<double>(1.0 / k, k)(stream);
      }
      const double rate = source.daily_rate[day] * week_factor;
      if (!(rate > 0.0)) continue;
      RandomStream arrivals = streams.stream(source.tag, static_cast<std::uint64_t>(day), purpose::ARRIVALS);
      boost::random::exponential_distribution<double> gap(rate);
      std::uint64_t order = 0;
      for (double t = gap(arrivals); t < 1.0; t += gap(arrivals), ++order) {
        if (cancelled()) return;  // one relaxed load per lead: about 1 ns against 100s of ns
        const std::uint64_t lead_id = (static_cast<std::uint64_t>(day) << 32) | order;
        const LeadOutcome outcome = leads_.simulate(source, streams, lead_id, day + t);
        account_lead(s, outcome, lead_id, slot, table);
        work.events += 1 + outcome.events + (outcome.path != MqlPath::none ? 1 : 0);
        ++work.leads;
      }
    }
    FunnelCounts& c = tallies_[s].counts;
    c.spend = source.fixed_spend > 0.0 ? source.fixed_spend : c.leads * source.cost_per_lead;
  }

  void account_lead(std::size_t s, const LeadOutcome& lead, std::uint64_t lead_id, std::size_t slot,
                    ReplicationTable& table) {
    FunnelTally& tally = tallies_[s];
    FunnelCounts& c = tally.counts;
    c.leads += 1;
    table.weekly(slot, s + 1, Series::leads)[week_of(lead.arrival_day)] += 1;
    if (lead.disqualified) c.disqualified += 1;
    if (lead.ready) c.ready_leads += 1;
    if (lead.path == MqlPath::none) return;
    c.mqls += 1;
    (lead.path == MqlPath::instant ? c.mqls_instant : c.mqls_engagement) += 1;
    const double days_to_mql = lead.mql_day - lead.arrival_day;
    c.time_to_mql_sum += days_to_mql;
    tally.time_to_mql_days.push_back(days_to_mql);
    table.weekly(slot, s + 1, Series::mqls)[week_of(lead.mql_day)] += 1;
    if (lead.ready) c.ready_mqls += 1;
    if (sales_) {
      mqls_.push_back(MqlRecord{lead.mql_day, lead.readiness, lead.accept_draw, lead.score, lead_id,
                                static_cast<std::uint32_t>(s), static_cast<std::uint32_t>(lead.segment), lead.path,
                                lead.ready});
    } else {
      decide_at_mql(s, lead, slot, table);
    }
  }

  /// MQLs from every source meet in the sales queues, in time order.
  void run_sales(const ReplicationStreams& streams, std::size_t slot, ReplicationTable& table, RunWork& work) {
    std::sort(mqls_.begin(), mqls_.end(), [](const MqlRecord& a, const MqlRecord& b) {
      return std::tie(a.mql_day, a.source, a.lead_id) < std::tie(b.mql_day, b.source, b.lead_id);
    });
    const auto start = std::chrono::steady_clock::now();
    const std::uint64_t events = sales_->run(streams, mqls_, outcomes_, team_counts_, rep_counts_);
    work.sales_seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    work.sales_events += events;
    work.events += events;
    for (std::size_t t = 0; t < team_tallies_.size(); ++t) {
      team_tallies_[t].clear();
      team_tallies_[t].counts = team_counts_[t];
    }
    for (std::size_t i = 0; i < mqls_.size(); ++i) account_sales(mqls_[i], outcomes_[i], slot, table);
  }

  void account_sales(const MqlRecord& mql, const MqlOutcome& o, std::size_t slot, ReplicationTable& table) {
    FunnelTally& tally = tallies_[mql.source];
    FunnelCounts& c = tally.counts;
    TeamTally& team_tally = team_tallies_[o.team];
    TeamCounts& t = team_tally.counts;
    const CompiledTeam& team = model_.sales->teams[o.team];
    const std::size_t scope = mql.source + 1;
    t.mqls += 1;
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
    if (o.attempts > 0 || deadline < model_.horizon_days) {
      const bool met = o.attempts > 0 && o.first_attempt_day <= deadline;
      c.sla_due[path] += 1;
      t.sla_due += 1;
      c.sla_met[path] += met;
      t.sla_met += met;
    }
    switch (o.resolution) {
      case Resolution::sql:
        c.sqls += 1;
        t.sqls += 1;
        table.weekly(slot, scope, Series::sqls)[week_of(o.resolution_day)] += 1;
        break;
      case Resolution::bad_fit: c.rejected_bad_fit += 1, t.rejected_bad_fit += 1; break;
      case Resolution::not_ready: c.rejected_not_ready += 1, t.rejected_not_ready += 1; break;
      case Resolution::unreachable: c.rejected_unreachable += 1, t.rejected_unreachable += 1; break;
      case Resolution::cold: c.cold += 1, t.cold += 1; break;
      case Resolution::open: break;
    }
    // Backlog: routed and unresolved at the end of each week.
    auto backlog = table.weekly(slot, scope, Series::backlog);
    for (std::size_t w = week_of(mql.mql_day); w < backlog.size(); ++w) {
      const double week_end = std::min(7.0 * static_cast<double>(w + 1), static_cast<double>(model_.horizon_days));
      if (o.resolution == Resolution::open || o.resolution_day > week_end) backlog[w] += 1;
      else break;
    }
  }

  /// Without rep capacity, sales decides at MQL time and accepts exactly the ready leads.
  void decide_at_mql(std::size_t s, const LeadOutcome& lead, std::size_t slot, ReplicationTable& table) {
    FunnelCounts& c = tallies_[s].counts;
    if (lead.ready) {
      c.sqls += 1;
      table.weekly(slot, s + 1, Series::sqls)[week_of(lead.mql_day)] += 1;
    } else if (lead.readiness < model_.acceptance.bad_fit_below_readiness) {
      c.rejected_bad_fit += 1;
    } else {
      c.rejected_not_ready += 1;
    }
  }

  void finalize(std::size_t slot, ReplicationTable& table) {
    total_.clear();
    for (std::size_t s = 0; s < model_.sources.size(); ++s) {
      total_.counts.add(tallies_[s].counts);
      const FunnelTally& t = tallies_[s];
      total_.time_to_mql_days.insert(total_.time_to_mql_days.end(), t.time_to_mql_days.begin(), t.time_to_mql_days.end());
      total_.response_hours.insert(total_.response_hours.end(), t.response_hours.begin(), t.response_hours.end());
      compute_metrics(tallies_[s], table.row(slot, s + 1));
    }
    compute_metrics(total_, table.row(slot, 0));
    if (sales_) {
      const std::size_t first_team = model_.sources.size() + 1;
      const std::size_t first_rep = first_team + team_tallies_.size();
      for (std::size_t t = 0; t < team_tallies_.size(); ++t)
        compute_team_metrics(team_tallies_[t], 24.0 * model_.horizon_days, table.row(slot, first_team + t));
      for (std::size_t r = 0; r < rep_counts_.size(); ++r) compute_rep_metrics(rep_counts_[r], table.row(slot, first_rep + r));
    }
    for (std::size_t k = 0; k < kSeriesCount; ++k) {
      const auto series = static_cast<Series>(k);
      auto all = table.weekly(slot, 0, series);
      std::fill(all.begin(), all.end(), 0.0);
      for (std::size_t s = 0; s < model_.sources.size(); ++s) {
        auto part = table.weekly(slot, s + 1, series);
        for (std::size_t w = 0; w < all.size(); ++w) all[w] += part[w];
      }
    }
  }

  const CompiledModel& model_;
  const std::atomic<bool>* cancel_;
  LeadSimulator leads_;
  std::vector<FunnelTally> tallies_;
  FunnelTally total_;
  std::optional<SalesSimulator> sales_;
  std::vector<MqlRecord> mqls_;
  std::vector<MqlOutcome> outcomes_;
  std::vector<TeamCounts> team_counts_;
  std::vector<RepCounts> rep_counts_;
  std::vector<TeamTally> team_tallies_;
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

}  // namespace

RunResult run_replications(const CompiledModel& model, const RunOptions& options) {
  RunResult result{ReplicationTable(options.replications, scopes_of(model), static_cast<std::size_t>(model.weeks)),
                   RunWork{}};
  std::vector<RunWork> work(options.replications);
  std::unique_ptr<tbb::global_control> limit;
  if (options.threads > 0)
    limit = std::make_unique<tbb::global_control>(tbb::global_control::max_allowed_parallelism,
                                                  static_cast<std::size_t>(options.threads));
  tbb::enumerable_thread_specific<ReplicationRunner> runners([&] { return ReplicationRunner(model, options.cancel); });
  std::atomic<std::uint64_t> done{0};
  detail::ForkJoinAnnotations annotations;
  annotations.fork();
  tbb::parallel_for(tbb::blocked_range<std::size_t>(0, options.replications, 1),
                    [&](const tbb::blocked_range<std::size_t>& range) {
                      annotations.enter();
                      ReplicationRunner& runner = runners.local();
                      for (std::size_t slot = range.begin(); slot != range.end(); ++slot) {
                        if (runner.cancelled()) break;  // the rest of the range is skipped
                        work[slot] = runner.run(options.seed, options.first_replication + slot, slot, result.table);
                        const auto finished = done.fetch_add(1, std::memory_order_relaxed) + 1;
                        if (options.progress) options.progress(finished, options.replications);
                      }
                      annotations.leave();
                    });
  annotations.join();
  // Conservative: a flag raised just after the last replication still discards the run.
  result.cancelled = options.cancel && options.cancel->load();
  for (const RunWork& w : work) {
    result.work.leads += w.leads;
    result.work.events += w.events;
    result.work.sales_events += w.sales_events;
    result.work.sales_seconds += w.sales_seconds;
  }
  return result;
}

}  // namespace funnelsim
