// measure: CRM records -> the funnel they record in a window, with 95% intervals (observe.hpp).
#include <algorithm>
#include <cmath>
#include <map>

#include "core/random.hpp"
#include "core/stream_purposes.hpp"
#include "funnelsim/core/statistics.hpp"
#include "funnelsim/crm/observe.hpp"

namespace funnelsim::crm {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr Minute kWeek = 7 * kMinutesPerDay;
/// Below this many values a mean's interval is bootstrapped; above, the t interval is as good.
constexpr std::size_t kBootstrapLimit = 20000;
constexpr int kResamples = 1000;

constexpr Metric kObservable[] = {
    Metric::leads,
    Metric::mqls,
    Metric::mqls_instant,
    Metric::mqls_engagement,
    Metric::mqls_sdr_qualified,
    Metric::mqls_signal,
    Metric::mqls_recycled,
    Metric::sqls,
    Metric::sqls_from_recycled,
    Metric::opportunities,
    Metric::won_deals,
    Metric::lead_to_mql_rate,
    Metric::mql_to_sql_rate,
    Metric::lead_to_sql_rate,
    Metric::sql_to_opportunity_rate,
    Metric::pipeline_value,
    Metric::revenue,
    Metric::open_opportunities,
    Metric::opportunities_closed_share,
    Metric::time_to_mql_days,
    Metric::time_to_mql_days_p50,
    Metric::time_to_mql_days_p90,
    Metric::time_to_mql_days_p50_instant,
    Metric::time_to_mql_days_p90_instant,
    Metric::time_to_mql_days_p50_engagement,
    Metric::time_to_mql_days_p90_engagement,
    Metric::time_to_mql_days_p50_sdr_qualified,
    Metric::time_to_mql_days_p90_sdr_qualified,
    Metric::time_to_mql_days_p50_signal,
    Metric::time_to_mql_days_p90_signal,
    Metric::response_time_hours,
    Metric::response_time_hours_p50,
    Metric::response_time_hours_p90,
};

bool in(const Window& w, Minute m) { return m != kNoTime && m >= w.from && m < w.end; }

/// The journey (index within the lead) whose MQL an SQL at `sql` accepted: the last MQL at or
/// before it.
std::size_t sql_journey(const CrmRecords& r, const Lead& lead) {
  std::size_t k = 0;
  for (std::uint32_t j = 0; j < lead.journeys; ++j) {
    const Journey& journey = r.journeys[lead.first_journey + j];
    if (journey.mql != kNoTime && journey.mql <= lead.sql) k = j;
  }
  return k;
}

// ---- intervals ------------------------------------------------------------------------------

std::uint32_t scope_tag(const std::string& name) { return stream_tag(name); }

MetricInterval mean_interval(const std::vector<double>& values, RandomStream stream) {
  const std::size_t n = values.size();
  if (n == 0) return {};
  if (n > kBootstrapLimit) {
    const MeanVar mv = mean_variance(values);
    const double half =
        student_t_critical(0.05, static_cast<double>(n - 1)) * std::sqrt(mv.variance / static_cast<double>(n));
    return {mv.mean - half, mv.mean + half, "t_interval"};
  }
  std::vector<double> means(kResamples);
  for (double& m : means) {
    double sum = 0.0;
    for (std::size_t i = 0; i < n; ++i)
      sum += values[static_cast<std::size_t>(stream.uniform() * static_cast<double>(n))];
    m = sum / static_cast<double>(n);
  }
  std::sort(means.begin(), means.end());
  return {percentile_sorted(means, 0.025), percentile_sorted(means, 0.975), "bootstrap_percentile"};
}

/// A Poisson(1) draw by inversion: each deal's weight in a Poisson bootstrap.
int poisson_one(RandomStream& stream) {
  double u = stream.uniform(), p = std::exp(-1.0), cdf = p;
  int k = 0;
  while (u > cdf && k < 30) {
    ++k;
    p /= k;
    cdf += p;
  }
  return k;
}

/// A sum over a random number of deals (pipeline, revenue): each deal's weight Poisson(1) in every
/// resample, so the interval carries the uncertainty of how many deals there are and of their sizes.
MetricInterval sum_interval(const std::vector<double>& amounts, RandomStream stream) {
  const std::size_t n = amounts.size();
  if (n > kBootstrapLimit) {
    double sum = 0.0, squares = 0.0;
    for (double a : amounts) sum += a, squares += a * a;
    const double half = 1.959963984540054 * std::sqrt(squares);
    return {std::max(0.0, sum - half), sum + half, "compound_poisson_normal"};
  }
  std::vector<double> sums(kResamples);
  for (double& s : sums) {
    s = 0.0;
    for (double a : amounts) s += poisson_one(stream) * a;
  }
  std::sort(sums.begin(), sums.end());
  return {percentile_sorted(sums, 0.025), percentile_sorted(sums, 0.975), "poisson_bootstrap"};
}

MetricInterval count_interval(double k) {
  const Interval i = poisson_interval(k);
  return {i.low, i.high, "poisson_exact"};
}

MetricInterval rate_interval(double k, double n) {
  if (!(n > 0.0) || k > n) return {};
  const Interval i = wilson_interval(k, n);
  return {i.low, i.high, "wilson"};
}

MetricInterval quantile_metric_interval(const std::vector<double>& sorted, double q) {
  if (sorted.empty()) return {};
  const Interval i = quantile_interval(sorted, q);
  return {i.low, i.high, "order_statistics"};
}

/// What one scope collects before its metrics are computed.
struct Collector {
  FunnelTally tally;
  std::vector<double> pipeline_amounts, revenue_amounts, mql_to_sql_days;
  std::vector<CohortWeek> weeks;
};

/// Each observable metric's 95% interval, and how it was made.
void set_observed_intervals(ObservedScope& scope, const Collector& col, std::uint64_t bootstrap_seed) {
  const FunnelCounts& n = col.tally.counts;
  const FunnelTally& t = col.tally;
  auto stream = [&](Metric m) {
    return RandomStream(bootstrap_seed, 0,
                        StreamId{static_cast<std::uint64_t>(m), scope_tag(scope.name), purpose::OBSERVE_BOOTSTRAP});
  };
  auto set = [&](Metric m, MetricInterval i) {
    if (!std::isnan(scope.metrics[static_cast<std::size_t>(m)])) scope.intervals[static_cast<std::size_t>(m)] = i;
  };
  for (Metric m : {Metric::leads, Metric::mqls, Metric::mqls_instant, Metric::mqls_engagement,
                   Metric::mqls_sdr_qualified, Metric::mqls_signal, Metric::mqls_recycled, Metric::sqls,
                   Metric::sqls_from_recycled, Metric::opportunities, Metric::won_deals, Metric::open_opportunities})
    set(m, count_interval(scope.metrics[static_cast<std::size_t>(m)]));
  set(Metric::lead_to_mql_rate, rate_interval(n.mqls, n.leads));
  set(Metric::mql_to_sql_rate, rate_interval(n.sqls, n.mqls));
  set(Metric::lead_to_sql_rate, rate_interval(n.sqls, n.leads));
  set(Metric::sql_to_opportunity_rate, rate_interval(n.opportunities, n.sqls));
  set(Metric::opportunities_closed_share, rate_interval(n.opportunities_closed, n.opportunities));
  set(Metric::time_to_mql_days, mean_interval(t.time_to_mql_days, stream(Metric::time_to_mql_days)));
  set(Metric::response_time_hours, mean_interval(t.response_hours, stream(Metric::response_time_hours)));
  set(Metric::pipeline_value, sum_interval(col.pipeline_amounts, stream(Metric::pipeline_value)));
  set(Metric::revenue, sum_interval(col.revenue_amounts, stream(Metric::revenue)));
  set(Metric::time_to_mql_days_p50, quantile_metric_interval(t.time_to_mql_days, 0.5));
  set(Metric::time_to_mql_days_p90, quantile_metric_interval(t.time_to_mql_days, 0.9));
  set(Metric::response_time_hours_p50, quantile_metric_interval(t.response_hours, 0.5));
  set(Metric::response_time_hours_p90, quantile_metric_interval(t.response_hours, 0.9));
  const Metric by_path[4][2] = {
      {Metric::time_to_mql_days_p50_instant, Metric::time_to_mql_days_p90_instant},
      {Metric::time_to_mql_days_p50_engagement, Metric::time_to_mql_days_p90_engagement},
      {Metric::time_to_mql_days_p50_sdr_qualified, Metric::time_to_mql_days_p90_sdr_qualified},
      {Metric::time_to_mql_days_p50_signal, Metric::time_to_mql_days_p90_signal}};
  for (std::size_t p = 0; p < 4; ++p) {
    set(by_path[p][0], quantile_metric_interval(t.time_to_mql_by_path[p], 0.5));
    set(by_path[p][1], quantile_metric_interval(t.time_to_mql_by_path[p], 0.9));
  }
}

}  // namespace

std::span<const Metric> observable_metrics() { return kObservable; }

Window window_of(const CrmRecords& r, Minute first_day, Minute last_day) {
  Minute first = kNoTime, last = kNoTime;
  auto see = [&](Minute m) {
    if (m == kNoTime) return;
    first = first == kNoTime ? m : std::min(first, m);
    last = last == kNoTime ? m : std::max(last, m);
  };
  for (const Lead& l : r.leads) see(l.created), see(l.sql);
  Minute earliest_created = kNoTime;
  for (const Lead& l : r.leads)
    if (l.created != kNoTime)
      earliest_created = earliest_created == kNoTime ? l.created : std::min(earliest_created, l.created);
  for (const Journey& j : r.journeys) see(j.mql), see(j.owner_assigned);
  for (const Deal& d : r.deals) {
    see(d.created);
    if (d.state != DealState::open) see(d.close);
  }
  const auto day = [](Minute m) {
    return m >= 0 ? m / kMinutesPerDay * kMinutesPerDay
                  : -((-m + kMinutesPerDay - 1) / kMinutesPerDay) * kMinutesPerDay;
  };
  Window w;
  w.from = first_day != kNoTime ? first_day : earliest_created != kNoTime ? day(earliest_created) : 0;
  w.end = last_day != kNoTime ? last_day + kMinutesPerDay
          : last != kNoTime   ? day(last) + kMinutesPerDay
                              : w.from + kMinutesPerDay;
  return w;
}

ReplicationTable ObservedFunnel::table() const {
  std::vector<Scope> list;
  for (const ObservedScope& s : scopes) list.push_back({s.name, ScopeKind::funnel});
  const std::size_t weeks = scopes.empty() ? 1 : std::max<std::size_t>(1, scopes.front().weeks.size());
  ReplicationTable t(1, list, weeks);
  for (std::size_t s = 0; s < scopes.size(); ++s) {
    std::copy(scopes[s].metrics.begin(), scopes[s].metrics.end(), t.row(0, s).begin());
    std::copy(scopes[s].components.begin(), scopes[s].components.end(), t.components(0, s).begin());
    // The weekly series a CRM records: leads, MQLs and SQLs by the week they happened; the
    // lifecycle snapshots are unknown.
    for (std::size_t k = 0; k < kSeriesCount; ++k) {
      auto series = t.weekly(0, s, static_cast<Series>(k));
      for (std::size_t w = 0; w < weeks; ++w) {
        const CohortWeek* c = w < scopes[s].weeks.size() ? &scopes[s].weeks[w] : nullptr;
        const auto which = static_cast<Series>(k);
        series[w] = !c                       ? kNaN
                    : which == Series::leads ? c->leads_in_week
                    : which == Series::mqls  ? c->mqls_in_week
                    : which == Series::sqls  ? c->sqls_in_week
                                             : kNaN;
      }
    }
  }
  return t;
}

namespace {

ObservedFunnel measure_records(const CrmRecords& r, const Window& window, std::uint64_t bootstrap_seed,
                               bool intervals) {
  ObservedFunnel out;
  out.window = window;
  const std::size_t weeks =
      static_cast<std::size_t>(std::max<Minute>(1, (window.end - window.from + kWeek - 1) / kWeek));
  // Scope 0 is the whole funnel, scope s + 1 source s.
  std::vector<Collector> c(r.sources.size() + 1);
  for (Collector& col : c) {
    col.tally.counts.has_pipeline = r.deals_recorded;
    col.weeks.resize(weeks);
    for (std::size_t w = 0; w < weeks; ++w) {
      col.weeks[w].week = w;
      col.weeks[w].first_day = window.from + static_cast<Minute>(w) * kWeek;
    }
  }
  auto both = [&](std::uint32_t source, auto&& f) {
    f(c[0]);
    f(c[source + 1]);
  };
  auto week_of = [&](Minute m) { return static_cast<std::size_t>((m - window.from) / kWeek); };

  for (const Lead& lead : r.leads) {
    const bool created_in = in(window, lead.created);
    if (created_in)
      both(lead.source, [&](Collector& col) {
        col.tally.counts.leads += 1;
        CohortWeek& w = col.weeks[week_of(lead.created)];
        w.leads += 1;
        w.leads_in_week += 1;
      });
    bool reached_mql = false;
    Minute last_mql_before_sql = kNoTime;
    for (std::uint32_t k = 0; k < lead.journeys; ++k) {
      const Journey& j = r.journeys[lead.first_journey + k];
      if (j.mql == kNoTime) continue;
      reached_mql = reached_mql || j.mql < window.end;
      if (lead.sql != kNoTime && j.mql <= lead.sql) last_mql_before_sql = j.mql;
      if (!in(window, j.mql)) continue;
      const double days = static_cast<double>(j.mql - j.start) / kMinutesPerDay;
      both(lead.source, [&](Collector& col) {
        FunnelCounts& n = col.tally.counts;
        n.mqls += 1;
        if (k > 0) n.mqls_recycled += 1;
        n.time_to_mql_sum += days;
        col.tally.time_to_mql_days.push_back(days);
        if (j.reason != MqlReason::unknown) {
          const auto p = static_cast<std::size_t>(j.reason);
          n.mqls_by_path[p] += 1;
          col.tally.time_to_mql_by_path[p].push_back(days);
        }
        if (j.owner_assigned != kNoTime) {
          const double hours = static_cast<double>(j.owner_assigned - j.mql) / 60.0;
          n.responded += 1;
          n.response_hours_sum += hours;
          col.tally.response_hours.push_back(hours);
        }
        col.weeks[week_of(j.mql)].mqls_in_week += 1;
      });
    }
    if (in(window, lead.sql)) {
      const bool recycled = sql_journey(r, lead) > 0;
      both(lead.source, [&](Collector& col) {
        col.tally.counts.sqls += 1;
        if (recycled) col.tally.counts.sqls_from_recycled += 1;
        col.weeks[week_of(lead.sql)].sqls_in_week += 1;
        if (last_mql_before_sql != kNoTime)
          col.mql_to_sql_days.push_back(static_cast<double>(lead.sql - last_mql_before_sql) / kMinutesPerDay);
      });
    }
    if (created_in) {
      const Deal* deal = lead.deal >= 0 ? &r.deals[static_cast<std::size_t>(lead.deal)] : nullptr;
      both(lead.source, [&](Collector& col) {
        CohortWeek& w = col.weeks[week_of(lead.created)];
        w.mqls += reached_mql;
        w.sqls += lead.sql != kNoTime && lead.sql < window.end;
        w.opportunities += deal && deal->created < window.end;
        w.won_deals += deal && deal->state == DealState::won && deal->close < window.end;
      });
    }
  }
  for (const Deal& d : r.deals) {
    both(d.source, [&](Collector& col) {
      FunnelCounts& n = col.tally.counts;
      if (in(window, d.created)) {
        n.opportunities += 1;
        n.pipeline_value += d.amount;
        col.pipeline_amounts.push_back(d.amount);
        // Closed inside the window it was created in: what the deal cycle shows (calibrate).
        if (d.state != DealState::open && in(window, d.close)) n.opportunities_closed += 1;
      }
      if (d.state == DealState::won && in(window, d.close)) {
        n.won_deals += 1;
        n.revenue += d.amount;
        col.revenue_amounts.push_back(d.amount);
      }
      if (d.state == DealState::open && d.created < window.end) n.open_opportunities += 1;
    });
  }

  // Metrics through the simulator's own formulas; what a CRM cannot know is undefined.
  const auto defs = metric_defs(ScopeKind::funnel);
  std::vector<char> observable(defs.size(), 0);
  for (Metric m : kObservable) observable[static_cast<std::size_t>(m)] = 1;
  // A component is known when every ratio that divides by it (or divides it) is.
  std::vector<char> observable_component(component_defs(ScopeKind::funnel).size(), 0),
      unknown_component(observable_component);
  for (std::size_t m = 0; m < defs.size(); ++m)
    if (const auto columns = ratio_columns(ScopeKind::funnel, m))
      for (const RecordColumn& part : {columns->numerator, columns->denominator})
        if (part.component) (observable[m] ? observable_component : unknown_component)[part.index] = 1;
  for (std::size_t k = 0; k < observable_component.size(); ++k)
    if (unknown_component[k]) observable_component[k] = 0;
  std::vector<std::string> names{"all"};
  for (const std::string& s : r.sources) names.push_back(s);
  for (std::size_t s = 0; s < c.size(); ++s) {
    ObservedScope scope;
    scope.name = names[s];
    scope.metrics.assign(defs.size(), kNaN);
    scope.components.assign(component_defs(ScopeKind::funnel).size(), kNaN);
    if (intervals) {
      compute_metrics(c[s].tally, 0.0, scope.metrics, scope.components);  // sorts the samples
    } else {
      // The percentiles are what needs the samples sorted, and no moment reads one: the counts
      // alone give every other metric (a mean is a sum over a count), the percentiles undefined.
      FunnelTally counts;
      counts.counts = c[s].tally.counts;
      compute_metrics(counts, 0.0, scope.metrics, scope.components);
    }
    for (std::size_t m = 0; m < defs.size(); ++m)
      if (!observable[m]) scope.metrics[m] = kNaN;
    for (std::size_t k = 0; k < scope.components.size(); ++k)
      if (!observable_component[k]) scope.components[k] = kNaN;
    scope.intervals.resize(defs.size());
    // The intervals' bootstraps (1,000 resamples of every MQL's time, per scope) are most of the
    // cost of measuring: a simulated replication's moments need none of them.
    if (intervals) set_observed_intervals(scope, c[s], bootstrap_seed);
    scope.time_to_mql_days = std::move(c[s].tally.time_to_mql_days);
    scope.response_hours = std::move(c[s].tally.response_hours);
    scope.weeks = std::move(c[s].weeks);
    out.scopes.push_back(std::move(scope));
  }
  if (!intervals) return out;  // the weeks' maturity is observe's (its report), not a moment

  // Maturity: the time most leads take to reach an SQL; younger cohorts have not had it yet.
  std::vector<double> to_sql = c[0].mql_to_sql_days;
  std::sort(to_sql.begin(), to_sql.end());
  const std::vector<double>& to_mql = out.scopes.front().time_to_mql_days;
  const double p90_mql = to_mql.empty() ? 0.0 : percentile_sorted(to_mql, 0.9);
  const double p90_sql = to_sql.empty() ? 0.0 : percentile_sorted(to_sql, 0.9);
  out.maturity_days = p90_mql + p90_sql;
  for (ObservedScope& scope : out.scopes)
    for (CohortWeek& w : scope.weeks) {
      const Minute last = std::min(w.first_day + kWeek, window.end);
      w.age_days = static_cast<double>(window.end - last) / kMinutesPerDay;
      w.maturing = w.age_days < out.maturity_days;
    }
  return out;
}

}  // namespace

ObservedFunnel measure(const CrmRecords& records, const Window& window, std::uint64_t bootstrap_seed) {
  return measure_records(records, window, bootstrap_seed, true);
}

ObservedFunnel measure_moments(const CrmRecords& records, const Window& window) {
  return measure_records(records, window, 1, false);
}

}  // namespace funnelsim::crm
