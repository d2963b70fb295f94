#include "funnelsim/engine.hpp"

#include <algorithm>
#include <atomic>
#include <memory>

#include <boost/random/exponential_distribution.hpp>
#include <boost/random/gamma_distribution.hpp>
#include <tbb/blocked_range.h>
#include <tbb/enumerable_thread_specific.h>
#include <tbb/global_control.h>
#include <tbb/parallel_for.h>

#include "funnelsim/lead_process.hpp"

namespace funnelsim {
namespace {

/// One thread's reusable state: everything a replication needs besides its output slots.
class ReplicationRunner {
 public:
  explicit ReplicationRunner(const CompiledModel& model)
      : model_(model), leads_(model), tallies_(model.sources.size()) {}

  RunWork run(std::uint64_t seed, std::uint64_t replication, std::size_t slot, ReplicationTable& table) {
    const ReplicationStreams streams(seed, replication);
    RunWork work;
    for (std::size_t s = 0; s < model_.sources.size(); ++s) {
      tallies_[s].clear();
      for (std::size_t k = 0; k < kSeriesCount; ++k) {
        auto series = table.weekly(slot, s + 1, static_cast<Series>(k));
        std::fill(series.begin(), series.end(), 0.0);
      }
      simulate_source(streams, s, slot, table, work);
    }
    finalize(slot, table);
    return work;
  }

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
        const std::uint64_t lead_id = (static_cast<std::uint64_t>(day) << 32) | order;
        const LeadOutcome outcome = leads_.simulate(source, streams, lead_id, day + t);
        account_lead(s, outcome, slot, table);
        work.events += 1 + outcome.events + (outcome.path != MqlPath::none ? 1 : 0);
        ++work.leads;
      }
    }
    FunnelCounts& c = tallies_[s].counts;
    c.spend = source.fixed_spend > 0.0 ? source.fixed_spend : c.leads * source.cost_per_lead;
  }

  void account_lead(std::size_t s, const LeadOutcome& lead, std::size_t slot, ReplicationTable& table) {
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
    decide_at_mql(s, lead, slot, table);
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
  LeadSimulator leads_;
  std::vector<FunnelTally> tallies_;
  FunnelTally total_;
};

std::vector<Scope> scopes_of(const CompiledModel& model) {
  std::vector<Scope> scopes{{"all", ScopeKind::funnel}};
  for (const auto& s : model.sources) scopes.push_back({s.name, ScopeKind::funnel});
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
  tbb::enumerable_thread_specific<ReplicationRunner> runners([&] { return ReplicationRunner(model); });
  std::atomic<std::uint64_t> done{0};
  tbb::parallel_for(tbb::blocked_range<std::size_t>(0, options.replications, 1),
                    [&](const tbb::blocked_range<std::size_t>& range) {
                      ReplicationRunner& runner = runners.local();
                      for (std::size_t slot = range.begin(); slot != range.end(); ++slot) {
                        work[slot] = runner.run(options.seed, options.first_replication + slot, slot, result.table);
                        const auto finished = done.fetch_add(1, std::memory_order_relaxed) + 1;
                        if (options.progress) options.progress(finished, options.replications);
                      }
                    });
  for (const RunWork& w : work) {
    result.work.leads += w.leads;
    result.work.events += w.events;
  }
  return result;
}

}  // namespace funnelsim
