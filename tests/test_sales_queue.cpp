// The sales queue against queueing theory (Erlang C, Erlang A, M/D/1, Little's law) and its
// mechanics (working hours, headcount 0, daily caps, retries, per-rep strictness, speed to
// lead, queue disciplines, SLAs, determinism).
//
// Every lead of the theory scenarios has a fit attribute worth more than the MQL threshold, so
// it is an MQL at its arrival instant and MQL arrivals are Poisson(lambda). With one attempt,
// reach probability 1 and speed to lead none, a team is then a textbook multi-server queue.
//
// Statistical checks compare the mean over replications of a per-replication team metric with
// theory, within test::kSigmas standard errors estimated across replications. Replications are
// few and long (730 days) so that the empty-start transient is negligible. For the Markov cases
// the expected deficit of the queue-length integral from an empty start,
// D = f . integral (p(t) - pi) dt with f(k) = max(k - c, 0), solved from D Q = pi - p0, D 1 = 0
// on the truncated birth-death chain, is -31 customer-hours for the M/M/3 below and -0.9 for
// the M/M/3+M: relative biases of -7e-4 and -1e-4 over 730 days, about 0.1 and 0.06 standard
// errors of the mean waits. M/M/1 at the same load, whose queue is twice as long and relaxes
// more slowly than M/D/1's, gives -1.7e-3, under a third of the M/D/1 standard error. So no
// bias allowance is used.
#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "engine/sales_process.hpp"
#include "funnelsim/model/speed_to_lead.hpp"
#include "funnelsim/core/statistics.hpp"
#include "test_support.hpp"

using namespace funnelsim;
using nlohmann::json;

namespace {

// ---------------------------------------------------------------------------------------------
// Scenario builders

/// One source whose every lead is an MQL at arrival: Poisson MQLs at `per_day`.
json poisson_mqls(double per_day, int horizon_days, const std::string& name = "inbound") {
  return json{{"horizon_days", horizon_days},
              {"start_weekday", "monday"},
              {"sources", json::array({json{{"name", name},
                                            {"leads_per_week", 7.0 * per_day},
                                            {"profile", {{"attributes", {{"fit", {{"probability", 1}}}}}}}}})},
              {"scoring", {{"attribute_points", {{"fit", 100}}}, {"mql_threshold", 50}}}};
}

/// A textbook team: always open, one attempt, always reached, no patience, fifo.
json queue_team(int headcount, const std::string& handle, double mean_minutes, const std::string& name = "team") {
  return json{{"name", name},
              {"headcount", headcount},
              {"calendar", {{"always_open", true}}},
              {"handle_time", {{"distribution", handle}, {"mean_minutes", mean_minutes}}},
              {"queue_discipline", "fifo"},
              {"contact",
               {{"max_attempts", 1},
                {"reach_probability", {{"initial", 1}, {"floor", 1}}},
                {"patience", {{"distribution", "none"}}}}}};
}

json with_sales(json doc, const json& teams) {
  doc["sales"] = {{"teams", teams}, {"speed_to_lead", {{"preset", "none"}}}};
  return doc;
}

/// Adds a source whose leads are instant MQLs (a demo request about a minute after arrival).
json add_demo_source(json doc, double per_day) {
  doc["sources"].push_back(json{
      {"name", "demo"},
      {"leads_per_week", 7.0 * per_day},
      {"profile", {{"events", {{"demo_request", {{"rate_at_readiness_0", 10000}, {"rate_at_readiness_1", 10000}}}}}}}});
  doc["scoring"]["instant_mql_events"] = {"demo_request"};
  return doc;
}

// ---------------------------------------------------------------------------------------------
// Reading results

std::size_t source_count(const RunResult& r) { return r.table.funnel_scopes() - 1; }
std::size_t team_scope(const RunResult& r, std::size_t team) { return source_count(r) + 1 + team; }
/// Rep scopes follow the team scopes; `teams` is the number of teams, `rep` counts from 0.
std::size_t rep_scope(const RunResult& r, std::size_t teams, std::size_t rep) {
  return source_count(r) + 1 + teams + rep;
}

std::vector<double> column(const RunResult& r, std::size_t scope, std::size_t metric) {
  std::vector<double> out;
  r.table.column(scope, metric, out);
  return out;
}
std::vector<double> column(const RunResult& r, std::size_t scope, Metric m) {
  return column(r, scope, static_cast<std::size_t>(m));
}
std::vector<double> column(const RunResult& r, std::size_t scope, TeamMetric m) {
  return column(r, scope, static_cast<std::size_t>(m));
}
std::vector<double> column(const RunResult& r, std::size_t scope, RepMetric m) {
  return column(r, scope, static_cast<std::size_t>(m));
}
using test::at;

double sum(const std::vector<double>& v) { return std::accumulate(v.begin(), v.end(), 0.0); }

struct Estimate {
  double mean, se;
};
Estimate estimate(const std::vector<double>& values) {
  const MeanVar mv = mean_variance(values);
  return {mv.mean, std::sqrt(mv.variance / static_cast<double>(mv.n))};
}

/// The mean over replications is within kSigmas standard errors of `theory`.
void check_theory(const std::string& what, const std::vector<double>& values, double theory) {
  const Estimate e = estimate(values);
  INFO(what << ": simulated " << e.mean << ", theory " << theory << ", se " << e.se << " (" << (e.mean - theory) / e.se
            << " se)");
  CHECK(e.se > 0.0);
  CHECK(std::abs(e.mean - theory) < test::kSigmas * e.se);
}

/// Little's law on every sample path: the queue-length area equals the sum of the waits, since
/// waits still open at the horizon are counted up to it.
void check_little_identity(const RunResult& r, std::size_t scope, double horizon_days) {
  const double horizon_hours = 24.0 * horizon_days;
  for (std::size_t rep = 0; rep < r.table.replications(); ++rep) {
    const double length = at(r, rep, scope, TeamMetric::queue_length_mean);
    const double entries = at(r, rep, scope, TeamMetric::queue_entries);
    const double wait = at(r, rep, scope, TeamMetric::queue_wait_hours);
    const double little = entries / horizon_hours * wait;
    INFO("replication " << rep << ": L " << length << ", (entries / T) W " << little);
    REQUIRE(std::abs(length - little) <= 1e-9 * std::max(1.0, length));
  }
}

// ---------------------------------------------------------------------------------------------
// Theory

/// Erlang C: P(wait > 0) in M/M/c with offered load a = lambda / mu < c, via the Erlang B
/// recursion B(k) = a B(k-1) / (k + a B(k-1)) and C = c B / (c - a (1 - B)).
double erlang_c(int c, double a) {
  double b = 1.0;
  for (int k = 1; k <= c; ++k) b = a * b / (k + a * b);
  return c * b / (c - a * (1.0 - b));
}

/// M/M/c+M (Erlang A): stationary law of the birth-death chain truncated at n states.
struct ErlangA {
  double queue_mean;  ///< E[Q], mean number waiting
  double wait_share;  ///< P(all reps busy) = P(an arrival waits) by PASTA
};
ErlangA erlang_a(double lambda, double mu, int c, double theta, int n) {
  std::vector<double> pi(static_cast<std::size_t>(n), 0.0);
  pi[0] = 1.0;
  for (int k = 1; k < n; ++k) {
    const double death = std::min(k, c) * mu + std::max(k - c, 0) * theta;
    pi[static_cast<std::size_t>(k)] = pi[static_cast<std::size_t>(k - 1)] * lambda / death;
  }
  const double total = sum(pi);
  ErlangA out{0.0, 0.0};
  for (int k = 0; k < n; ++k) {
    const double p = pi[static_cast<std::size_t>(k)] / total;
    out.queue_mean += std::max(k - c, 0) * p;
    if (k >= c) out.wait_share += p;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Direct runs of the sales simulator on hand-made MQLs (exact per-MQL outcomes)

struct DirectRun {
  std::vector<MqlOutcome> outcomes;
  std::vector<TeamCounts> teams;
  std::vector<RepCounts> reps;
};

DirectRun run_directly(const json& doc, const std::vector<MqlRecord>& mqls) {
  const CompiledModel model = compile_model(test::scenario_from(doc));
  SalesSimulator simulator(model);
  const ReplicationStreams streams(7, 0);
  DirectRun out;
  std::vector<MqlRecord> list = mqls;  // the simulator may append recycled MQLs
  simulator.run(streams, list, out.outcomes, out.teams, out.reps, nullptr);
  return out;
}

/// Engagement-path MQLs of source 0 at the given instants (sorted), all with score 100.
DirectRun run_directly(const json& doc, const std::vector<double>& mql_days) {
  std::vector<MqlRecord> mqls;
  for (std::size_t i = 0; i < mql_days.size(); ++i)
    mqls.push_back(MqlRecord{mql_days[i], 0.5, 0.5, 100.0, i, 0, 0, MqlPath::engagement, true});
  return run_directly(doc, mqls);
}

/// Monday = 0 (scenarios here start on a Monday).
int weekday_of(double day) { return static_cast<int>(std::floor(day)) % 7; }
double hour_of(double day) { return 24.0 * (day - std::floor(day)); }

/// With enough reps, the first attempt is the MQL instant or the next opening of a
/// Monday-Friday calendar [start, end) minus holidays, computed as the engine does.
double next_opening(double day, double start_hour, double end_hour, const std::vector<int>& holidays) {
  for (int d = static_cast<int>(std::floor(day));; ++d) {
    if (d % 7 >= 5 || std::find(holidays.begin(), holidays.end(), d) != holidays.end()) continue;
    const double open = d + start_hour / 24.0, close = d + end_hour / 24.0;
    if (day < open) return open;
    if (day < close) return day;
  }
}

bool same_table(const ReplicationTable& a, const ReplicationTable& b) {
  if (a.replications() != b.replications() || a.scopes() != b.scopes()) return false;
  for (std::size_t r = 0; r < a.replications(); ++r)
    for (std::size_t s = 0; s < a.scopes(); ++s) {
      auto x = a.row(r, s), y = b.row(r, s);
      for (std::size_t m = 0; m < x.size(); ++m)
        if (!(x[m] == y[m] || (std::isnan(x[m]) && std::isnan(y[m])))) return false;
      if (s >= a.funnel_scopes()) continue;
      for (std::size_t k = 0; k < kSeriesCount; ++k) {
        auto p = a.weekly(r, s, static_cast<Series>(k)), q = b.weekly(r, s, static_cast<Series>(k));
        if (!std::equal(p.begin(), p.end(), q.begin())) return false;
      }
    }
  return true;
}

}  // namespace

// =============================================================================================
// Queueing theory

TEST_CASE("sales queue: M/M/c matches Erlang C (mean wait, P(wait > 0), utilization)", "[sales][theory]") {
  // c = 3 reps, exponential handle time of 60 min (mu = 1/h), lambda = 2.4/h: a = 2.4, rho = 0.8.
  const int c = 3, horizon = 730;
  const double mu = 1.0, lambda = 2.4, a = lambda / mu;
  const json doc = with_sales(poisson_mqls(24.0 * lambda, horizon), json::array({queue_team(c, "exponential", 60)}));
  const RunResult r = test::run(doc, 120);
  const std::size_t team = team_scope(r, 0);

  const double wait_share = erlang_c(c, a);          // 0.6472
  const double wq = wait_share / (c * mu - lambda);  // 1.0787 h
  check_theory("Erlang C mean wait (h)", column(r, team, TeamMetric::queue_wait_hours), wq);
  check_theory("Erlang C P(wait > 0)", column(r, team, TeamMetric::queue_wait_share), wait_share);
  check_theory("utilization", column(r, team, TeamMetric::rep_utilization), a / c);
  check_theory("MQLs", column(r, team, TeamMetric::mqls), 24.0 * lambda * horizon);
  check_little_identity(r, team, horizon);
}

TEST_CASE("sales queue: M/M/c+M matches Erlang A (abandonment, mean wait of all arrivals)", "[sales][theory]") {
  // c = 3, mu = 1/h, lambda = 2.7/h (rho = 0.9), exponential patience with mean 1 h (theta = 1/h).
  const int c = 3, horizon = 730;
  const double mu = 1.0, lambda = 2.7, theta = 1.0;
  json team = queue_team(c, "exponential", 60);
  team["contact"]["patience"] = {{"distribution", "exponential"}, {"mean_days", 1.0 / (24.0 * theta)}};
  const json doc = with_sales(poisson_mqls(24.0 * lambda, horizon), json::array({team}));
  const RunResult r = test::run(doc, 100);
  const std::size_t t = team_scope(r, 0);

  const ErlangA theory = erlang_a(lambda, mu, c, theta, 200);
  std::vector<double> abandon_share;
  for (std::size_t rep = 0; rep < r.table.replications(); ++rep)
    abandon_share.push_back(at(r, rep, t, TeamMetric::cold_leads) / at(r, rep, t, TeamMetric::mqls));
  check_theory("Erlang A P(abandon)", abandon_share, theta * theory.queue_mean / lambda);
  check_theory("Erlang A mean wait of all arrivals (h)", column(r, t, TeamMetric::queue_wait_hours),
               theory.queue_mean / lambda);
  check_theory("Erlang A P(wait > 0)", column(r, t, TeamMetric::queue_wait_share), theory.wait_share);
  check_little_identity(r, t, horizon);
}

TEST_CASE("sales queue: M/D/1 matches Pollaczek-Khinchine", "[sales][theory]") {
  // One rep, fixed handle time of 60 min (mu = 1/h), lambda = 0.8/h.
  const int horizon = 730;
  const double mu = 1.0, lambda = 0.8, rho = lambda / mu;
  const json doc = with_sales(poisson_mqls(24.0 * lambda, horizon), json::array({queue_team(1, "fixed", 60)}));
  const RunResult r = test::run(doc, 120);
  const std::size_t t = team_scope(r, 0);
  check_theory("M/D/1 mean wait (h)", column(r, t, TeamMetric::queue_wait_hours), rho / (2.0 * mu * (1.0 - rho)));
  check_theory("M/D/1 P(wait > 0)", column(r, t, TeamMetric::queue_wait_share), rho);
  check_little_identity(r, t, horizon);
}

TEST_CASE("sales queue: Little's law holds on every path and against the MQL rate", "[sales][theory]") {
  // M/G/2 with a heavy-tailed handle time (lognormal, cv 1.5) and patience: Little's law needs
  // no distributional assumptions. Every MQL enters the queue once (one attempt), so the entry
  // rate is the MQL rate lambda.
  const int horizon = 730;
  const double lambda = 1.5;  // per hour; 2 reps with 60 min mean handle time: rho = 0.75
  json team = queue_team(2, "lognormal", 60);
  team["handle_time"]["cv"] = 1.5;
  team["contact"]["patience"] = {{"distribution", "fixed"}, {"mean_days", 0.25}};
  const json doc = with_sales(poisson_mqls(24.0 * lambda, horizon), json::array({team}));
  const RunResult r = test::run(doc, 100);
  const std::size_t t = team_scope(r, 0);

  // (a) The sample-path identity L = (entries / T) W, in every replication.
  check_little_identity(r, t, horizon);
  {
    // (b) L = lambda W with the theoretical lambda, within the CI. Per replication the gap is
    // W (N/T - lambda), whose mean is Cov(W, N/T): busier replications wait longer. It is
    // O(1/T) and measured at about 2e-4 here, a fifth of the standard error, so it is not
    // allowed for.
    std::vector<double> gap;  // L - lambda W per replication: mean zero by Little's law
    for (std::size_t rep = 0; rep < r.table.replications(); ++rep)
      gap.push_back(at(r, rep, t, TeamMetric::queue_length_mean) -
                    lambda * at(r, rep, t, TeamMetric::queue_wait_hours));
    const Estimate l = estimate(column(r, t, TeamMetric::queue_length_mean));
    const Estimate w = estimate(column(r, t, TeamMetric::queue_wait_hours));
    INFO("L " << l.mean << " (se " << l.se << "), lambda W " << lambda * w.mean << " (se " << lambda * w.se << ")");
    check_theory("L - lambda W", gap, 0.0);
  }
}

// =============================================================================================
// Mechanics

TEST_CASE("sales queue: no attempt starts outside working hours", "[sales][calendar]") {
  // 9-17 Monday-Friday, a holiday on Wednesday of week 1, starting on a Monday.
  json team = queue_team(3, "exponential", 30);
  team["calendar"] = {{"hours", {9, 17}}, {"holidays", {2}}};
  const json doc = with_sales(poisson_mqls(10, 28), json::array({team}));

  SECTION("an overloaded team works only inside its shifts") {
    std::vector<double> days;
    for (double d = 0.0; d < 28.0; d += 1.0 / 144.0) days.push_back(d);  // one MQL every 10 minutes
    const DirectRun run = run_directly(doc, days);
    std::vector<int> attempts_by_day(28, 0);
    for (std::size_t i = 0; i < days.size(); ++i) {
      const MqlOutcome& o = run.outcomes[i];
      if (o.attempts == 0) continue;
      const double first = o.first_attempt_day;
      INFO("MQL at day " << days[i] << " first attempt at day " << first << " (weekday " << weekday_of(first)
                         << ", hour " << hour_of(first) << ")");
      REQUIRE(first >= days[i]);
      REQUIRE(weekday_of(first) < 5);
      REQUIRE(static_cast<int>(std::floor(first)) != 2);
      REQUIRE(hour_of(first) >= 9.0);
      REQUIRE(hour_of(first) < 17.0);
      ++attempts_by_day[static_cast<std::size_t>(std::floor(first))];
    }
    for (int d = 0; d < 28; ++d) {
      INFO("day " << d);
      if (d % 7 < 5 && d != 2)
        CHECK(attempts_by_day[static_cast<std::size_t>(d)] > 0);  // overloaded: works every shift
    }
  }

  SECTION("an ample team takes each MQL at once when open, else at the next opening") {
    json ample = doc;
    ample["sales"]["teams"][0]["headcount"] = 64;
    ample["sales"]["teams"][0]["handle_time"] = {{"distribution", "fixed"}, {"mean_minutes", 1}};
    std::vector<double> days;
    // About every 90 minutes until Thursday night of week 4 (the next opening is inside the horizon).
    for (double d = 0.0; d < 25.0; d += 1.0 / 16.0 + 1e-4) days.push_back(d);
    const DirectRun run = run_directly(ample, days);
    for (std::size_t i = 0; i < days.size(); ++i) {
      INFO("MQL at day " << days[i]);
      const double opening = next_opening(days[i], 9, 17, {2});
      if (opening >= 28.0) {  // after Friday's close of the last week: the next opening is past the horizon
        REQUIRE(run.outcomes[i].attempts == 0);
        continue;
      }
      REQUIRE(run.outcomes[i].attempts == 1);
      REQUIRE(run.outcomes[i].first_attempt_day == opening);
    }
  }

  SECTION("no attempt starts at the closing instant when a fixed handle time ends exactly there") {
    // 9-17 with 120-minute attempts, one rep, five MQLs waiting from Monday midnight. In binary
    // floating point 9/24 + 4 * (120/1440) == 17/24 exactly on day 0, so the fourth attempt
    // ends at the closing instant. Shifts are [open, close) and shift changes come before
    // assignments (event_order.hpp): the rep is released, but the fifth MQL must wait for
    // Tuesday 9:00. (Later days are left out: there the sums round to just below or above the
    // close, which is a question of floating-point rounding, not of the rule.)
    json exact = doc;
    exact["sales"]["teams"][0]["headcount"] = 1;
    exact["sales"]["teams"][0]["calendar"] = {{"hours", {9, 17}}};
    exact["sales"]["teams"][0]["handle_time"] = {{"distribution", "fixed"}, {"mean_minutes", 120}};
    const double handle = 120.0 / (24.0 * 60.0);
    REQUIRE(9.0 / 24.0 + handle + handle + handle + handle == 17.0 / 24.0);  // the premise
    const std::vector<double> days(5, 0.0);
    const DirectRun run = run_directly(exact, days);
    const double expected[] = {9.0 / 24.0, 11.0 / 24.0, 13.0 / 24.0, 15.0 / 24.0, 1.0 + 9.0 / 24.0};
    for (std::size_t i = 0; i < days.size(); ++i) {
      const MqlOutcome& o = run.outcomes[i];
      INFO("MQL " << i << ": first attempt at day " << o.first_attempt_day << " (hour " << hour_of(o.first_attempt_day)
                  << "), expected day " << expected[i]);
      REQUIRE(o.attempts == 1);
      CHECK(hour_of(o.first_attempt_day) < 17.0);
      CHECK(o.first_attempt_day == Approx(expected[i]).margin(1e-12));
    }
  }
}

TEST_CASE("sales queue: a team with no reps contacts nobody and its MQLs go cold on their deadline",
          "[sales][calendar]") {
  // Patience fixed at 7 days over 28 days: MQLs of weeks 1-3 go cold inside the horizon, MQLs
  // of week 4 have deadlines at or past it and stay open.
  json team = queue_team(0, "exponential", 30);
  team["contact"]["patience"] = {{"distribution", "fixed"}, {"mean_days", 7}};
  const json doc = with_sales(poisson_mqls(10, 28), json::array({team}));
  const RunResult r = test::run(doc, 20);
  const std::size_t t = team_scope(r, 0);
  for (std::size_t rep = 0; rep < r.table.replications(); ++rep) {
    const auto weekly = r.table.weekly(rep, 0, Series::mqls);
    const auto backlog = r.table.weekly(rep, 0, Series::in_sales_backlog);
    INFO("replication " << rep);
    REQUIRE(at(r, rep, t, TeamMetric::mqls) > 0);
    CHECK(at(r, rep, t, TeamMetric::attempts) == 0);
    CHECK(at(r, rep, t, TeamMetric::sqls) == 0);
    CHECK(at(r, rep, t, TeamMetric::cold_leads) == weekly[0] + weekly[1] + weekly[2]);
    CHECK(at(r, rep, 0, Metric::cold_leads) == weekly[0] + weekly[1] + weekly[2]);
    CHECK(backlog[3] == weekly[3]);
    CHECK(std::isnan(at(r, rep, t, TeamMetric::response_time_hours)));
  }
  check_little_identity(r, t, 28);
}

TEST_CASE("sales queue: daily caps bound the attempts per rep and day", "[sales][capacity]") {
  // 2 reps capped at 5 attempts a day, 100 MQLs a day: always a queue, so every rep uses its
  // whole cap every day (10-minute attempts fit easily), and never more.
  const int horizon = 30, cap = 5, reps = 2;
  json team = queue_team(reps, "fixed", 10);
  team["daily_cap_per_rep"] = cap;
  const json doc = with_sales(poisson_mqls(100, horizon), json::array({team}));
  const RunResult r = test::run(doc, 10);
  const std::size_t t = team_scope(r, 0);
  for (std::size_t rep = 0; rep < r.table.replications(); ++rep) {
    INFO("replication " << rep);
    CHECK(at(r, rep, t, TeamMetric::attempts) <= cap * reps * horizon);
    CHECK(at(r, rep, t, TeamMetric::attempts) == cap * reps * horizon);
    for (std::size_t k = 0; k < static_cast<std::size_t>(reps); ++k)
      CHECK(r.table.row(rep, rep_scope(r, 1, k))[static_cast<std::size_t>(RepMetric::attempts)] == cap * horizon);
  }

  {
    // With a working-hours calendar and random handle times the bound still holds.
    json doc2 = doc;
    doc2["sales"]["teams"][0]["calendar"] = {{"hours", {8, 18}}};
    doc2["sales"]["teams"][0]["handle_time"] = {{"distribution", "exponential"}, {"mean_minutes", 40}};
    doc2["sales"]["teams"][0]["daily_cap_per_rep"] = 12;
    const RunResult r2 = test::run(doc2, 10);
    // 30 days from a Monday hold 22 working days.
    for (std::size_t rep = 0; rep < r2.table.replications(); ++rep) {
      INFO("replication " << rep);
      CHECK(at(r2, rep, t, TeamMetric::attempts) <= 12 * reps * 22);
      CHECK(at(r2, rep, t, TeamMetric::attempts) > 0);
    }
  }
}

TEST_CASE("sales queue: retries make (1-p)^K of MQLs unreachable after (1-(1-p)^K)/p attempts on average",
          "[sales][contact]") {
  // Reach probability constant p, K attempts, no patience, ample capacity, short retry waits
  // (so MQLs left open at the horizon are a negligible 1e-4 of the total).
  const int horizon = 60, attempts = 4;
  const double p = 0.3;
  json team = queue_team(10, "fixed", 1);
  team["contact"]["max_attempts"] = attempts;
  team["contact"]["retry_hours"] = {0.05};
  team["contact"]["reach_probability"] = {{"initial", p}, {"floor", p}};
  const json doc = with_sales(poisson_mqls(200, horizon), json::array({team}));
  const RunResult r = test::run(doc, 20);
  const std::size_t t = team_scope(r, 0);

  const double mqls = sum(column(r, t, TeamMetric::mqls));
  const double unreachable = sum(column(r, t, TeamMetric::rejections_unreachable));
  const double tries = sum(column(r, t, TeamMetric::attempts));
  const double q = std::pow(1.0 - p, attempts);
  // Attempts per MQL X = min(Geometric(p), K): P(X >= j) = (1-p)^(j-1), E X^2 = sum (2j-1) P(X >= j).
  double ex = 0.0, ex2 = 0.0;
  for (int j = 1; j <= attempts; ++j) {
    ex += std::pow(1.0 - p, j - 1);
    ex2 += (2.0 * j - 1.0) * std::pow(1.0 - p, j - 1);
  }
  REQUIRE(std::abs(ex - (1.0 - q) / p) < 1e-12);
  const double share_se = std::sqrt(q * (1.0 - q) / mqls), attempts_se = std::sqrt((ex2 - ex * ex) / mqls);
  INFO("unreachable share " << unreachable / mqls << ", theory " << q << ", se " << share_se);
  INFO("attempts per MQL " << tries / mqls << ", theory " << ex << ", se " << attempts_se);
  CHECK(std::abs(unreachable / mqls - q) < test::kSigmas * share_se);
  CHECK(std::abs(tries / mqls - ex) < test::kSigmas * attempts_se);
  // Every reached MQL is decided; none goes cold without patience.
  CHECK(sum(column(r, t, TeamMetric::contacts)) == sum(column(r, t, TeamMetric::sqls)) +
                                                       sum(column(r, t, TeamMetric::rejections_bad_fit)) +
                                                       sum(column(r, t, TeamMetric::rejections_not_ready)));
  CHECK(sum(column(r, t, TeamMetric::cold_leads)) == 0);
  check_little_identity(r, t, horizon);
}

TEST_CASE("sales queue: retry waits follow retry_hours, the last value repeating, and patience ends them",
          "[sales][contact]") {
  // Never reached (reach probability 0), 4 attempts of 30 minutes, retry waits [1 h, 4 h]: an
  // MQL at day 1 is tried at +0, +1.5 h, +6 h and +10.5 h, and rejected as unreachable at +11 h.
  json team = queue_team(2, "fixed", 30);
  team["contact"]["max_attempts"] = 4;
  team["contact"]["retry_hours"] = {1, 4};
  team["contact"]["reach_probability"] = {{"initial", 0}, {"floor", 0}};
  const json doc = with_sales(poisson_mqls(10, 7), json::array({team}));
  {
    const DirectRun run = run_directly(doc, std::vector<double>{1.0});
    const MqlOutcome& o = run.outcomes[0];
    CHECK(o.resolution == Resolution::unreachable);
    CHECK(o.attempts == 4);
    CHECK(o.entries == 4);
    CHECK(o.wait_days == 0.0);
    CHECK(o.first_attempt_day == 1.0);
    CHECK(24.0 * (o.resolution_day - 1.0) == Approx(11.0).margin(1e-9));
    CHECK(run.teams[0].attempts == 4);
    CHECK(run.teams[0].contacts == 0);
    CHECK(run.teams[0].busy_hours == Approx(2.0).margin(1e-9));
  }
  {
    // Fixed patience of 2.4 h: the second attempt ends at +2 h, the lead then waits for its
    // retry at +6 h and goes cold at +2.4 h, during the retry wait.
    json cold = doc;
    cold["sales"]["teams"][0]["contact"]["patience"] = {{"distribution", "fixed"}, {"mean_days", 0.1}};
    const DirectRun run = run_directly(cold, std::vector<double>{1.0});
    const MqlOutcome& o = run.outcomes[0];
    CHECK(o.resolution == Resolution::cold);
    CHECK(o.attempts == 2);
    CHECK(o.resolution_day == Approx(1.1).margin(1e-12));
  }
}

TEST_CASE("sales queue: queue disciplines pick the next MQL by score, path, then waiting time", "[sales][discipline]") {
  // One rep opening at 9:00 Monday; six MQLs queued overnight with scores and paths mixed.
  // 60-minute attempts: the k-th MQL taken starts at 9 + k hours.
  json team = queue_team(1, "fixed", 60);
  team["calendar"] = {{"hours", {9, 17}}};
  const json base = with_sales(poisson_mqls(10, 7), json::array({team}));
  const double scores[] = {70, 90, 80, 90, 60, 75};
  const MqlPath paths[] = {MqlPath::engagement, MqlPath::engagement, MqlPath::instant,
                           MqlPath::engagement, MqlPath::instant,    MqlPath::engagement};
  std::vector<MqlRecord> mqls;
  for (std::size_t i = 0; i < 6; ++i)
    mqls.push_back(MqlRecord{0.01 * static_cast<double>(i + 1), 0.5, 0.5, scores[i], i, 0, 0, paths[i], true});
  auto order_of = [&](const std::string& discipline) {
    json doc = base;
    doc["sales"]["teams"][0]["queue_discipline"] = discipline;
    const DirectRun run = run_directly(doc, mqls);
    std::vector<std::size_t> order(mqls.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
      return run.outcomes[a].first_attempt_day < run.outcomes[b].first_attempt_day;
    });
    for (std::size_t k = 0; k < order.size(); ++k)
      CHECK(run.outcomes[order[k]].first_attempt_day == Approx((9.0 + static_cast<double>(k)) / 24.0).margin(1e-12));
    return order;
  };
  CHECK(order_of("fifo") == std::vector<std::size_t>{0, 1, 2, 3, 4, 5});
  // Ties in score (MQLs 1 and 3) go to the longest waiting.
  CHECK(order_of("highest_score") == std::vector<std::size_t>{1, 3, 2, 5, 0, 4});
  CHECK(order_of("instant_first") == std::vector<std::size_t>{2, 4, 0, 1, 3, 5});
}

TEST_CASE("sales queue: per-rep strictness scales each rep's acceptance rate", "[sales][contact]") {
  // Readiness fixed at 0.4 and linear acceptance p(r) = r: rep 1 (strictness 0.5) accepts with
  // probability 0.2, rep 2 (strictness 1) with 0.4; both stay below 1, so the ratio is 2.
  const int horizon = 180;
  json team = queue_team(2, "exponential", 30);
  team["strictness"] = {0.5, 1.0};
  json doc = with_sales(poisson_mqls(40, horizon), json::array({team}));
  doc["sources"][0]["profile"]["readiness"] = {{"distribution", "fixed"}, {"value", 0.4}};
  const RunResult r = test::run(doc, 20);

  const std::size_t rep1 = rep_scope(r, 1, 0), rep2 = rep_scope(r, 1, 1);
  const auto rate1 = column(r, rep1, RepMetric::acceptance_rate), rate2 = column(r, rep2, RepMetric::acceptance_rate);
  check_theory("rep 1 acceptance rate", rate1, 0.2);
  check_theory("rep 2 acceptance rate", rate2, 0.4);
  for (std::size_t rep = 0; rep < rate1.size(); ++rep) CHECK(rate2[rep] > rate1[rep]);
  const Estimate e1 = estimate(rate1), e2 = estimate(rate2);
  const double ratio = e2.mean / e1.mean;
  const double ratio_se = ratio * std::hypot(e1.se / e1.mean, e2.se / e2.mean);
  INFO("acceptance ratio " << ratio << ", se " << ratio_se);
  CHECK(std::abs(ratio - 2.0) < test::kSigmas * ratio_se);
  // The same load: the longest-idle rep takes the next MQL.
  const double load1 = sum(column(r, rep1, RepMetric::attempts)), load2 = sum(column(r, rep2, RepMetric::attempts));
  CHECK(std::abs(load1 - load2) < 0.05 * (load1 + load2));
}

TEST_CASE("sales queue: headcount is a lever: a per-rep list repeats for more reps, keeps its first entries for fewer",
          "[sales][contact][headcount]") {
  json team = queue_team(2, "exponential", 30);
  team["strictness"] = {0.5, 1.0};
  const json doc = with_sales(poisson_mqls(40, 56), json::array({team}));
  auto with_headcount = [&](int headcount) {
    json d = doc;
    d["sales"]["teams"][0]["headcount"] = headcount;
    return d;
  };
  auto strictness = [&](const json& d) { return test::scenario_from(d).sales->teams.at(0).strictness; };
  using List = std::vector<double>;
  CHECK(strictness(with_headcount(2)) == List{0.5, 1.0});                 // as long as the team: as written
  CHECK(strictness(with_headcount(5)) == List{0.5, 1.0, 0.5, 1.0, 0.5});  // rep k takes entry k mod 2
  CHECK(strictness(with_headcount(1)) == List{0.5});                      // the first rep listed stays
  CHECK(strictness(with_headcount(0)).empty());
  json one_number = with_headcount(3);
  one_number["sales"]["teams"][0]["strictness"] = 0.8;
  CHECK(strictness(one_number) == List{0.8, 0.8, 0.8});

  // The rule is the list written out: a team of 4 on [0.5, 1] runs exactly as one on [0.5, 1, 0.5, 1].
  json written_out = with_headcount(4);
  written_out["sales"]["teams"][0]["strictness"] = {0.5, 1.0, 0.5, 1.0};
  const RunResult repeated = test::run(with_headcount(4), 6), explicit_list = test::run(written_out, 6);
  REQUIRE(repeated.table.scope_list() == explicit_list.table.scope_list());
  for (std::size_t r = 0; r < 6; ++r)
    for (std::size_t scope = 0; scope < repeated.table.scopes(); ++scope) {
      const auto a = repeated.table.row(r, scope), b = explicit_list.table.row(r, scope);
      CHECK(std::equal(a.begin(), a.end(), b.begin(), b.end(),
                       [](double x, double y) { return x == y || (std::isnan(x) && std::isnan(y)); }));
    }
  // The reps the list repeated for do work: the fourth takes MQLs.
  CHECK(sum(column(repeated, rep_scope(repeated, 1, 3), RepMetric::attempts)) > 0.0);

  // An empty list has nothing to repeat: an error unless the team has no reps.
  json empty = with_headcount(2);
  empty["sales"]["teams"][0]["strictness"] = json::array();
  try {
    (void)test::scenario_from(empty);
    FAIL("an empty strictness list was accepted");
  } catch (const ScenarioError& e) {
    REQUIRE(e.issues().size() == 1);
    CHECK(e.issues()[0].path == "/sales/teams/0/strictness");
    CHECK(e.issues()[0].found == "an empty array");
  }
  json no_reps = with_headcount(0);
  no_reps["sales"]["teams"][0]["strictness"] = json::array();
  CHECK_NOTHROW(test::scenario_from(no_reps));
}

TEST_CASE("sales queue: speed to lead", "[sales][speed]") {
  SECTION("a table interpolates linearly and is flat beyond its ends") {
    SpeedToLeadSpec spec;
    spec.preset = SpeedToLeadSpec::Preset::table;
    spec.table = {{0.0, 1.0}, {10.0, 0.5}};
    const SpeedToLeadCurve curve(spec);
    CHECK(curve(0.0) == 1.0);
    CHECK(curve(5.0) == Approx(0.75));
    CHECK(curve(10.0) == 0.5);
    CHECK(curve(1000.0) == 0.5);
    spec.table = {{1.0, 0.8}, {2.0, 0.4}, {4.0, 0.2}};
    const SpeedToLeadCurve three(spec);
    CHECK(three(0.0) == 0.8);
    CHECK(three(1.5) == Approx(0.6));
    CHECK(three(3.0) == Approx(0.3));
    CHECK(three(9.0) == 0.2);
  }

  SECTION("lower multipliers never add SQLs in any replication (common random numbers)") {
    // A loaded team with working hours, so response times spread over 0 to days. The queue
    // does not depend on the decisions, so the same leads are reached at the same times, and
    // m(t) <= 1 for both tables: SQLs(none) >= SQLs([[0,1],[10,0.5]]) >= SQLs(0.5 everywhere).
    json team = queue_team(2, "exponential", 30);
    team["calendar"] = {{"hours", {9, 17}}};
    json none = with_sales(poisson_mqls(20, 56), json::array({team}));
    json table = none, half = none;
    table["sales"]["speed_to_lead"] = {{"preset", "table"}, {"table", {{0, 1}, {10, 0.5}}}};
    half["sales"]["speed_to_lead"] = {{"preset", "table"}, {"table", {{0, 0.5}, {1000, 0.5}}}};
    const RunResult a = test::run(none, 20), b = test::run(table, 20), c = test::run(half, 20);
    const auto sql_a = column(a, 0, Metric::sqls), sql_b = column(b, 0, Metric::sqls),
               sql_c = column(c, 0, Metric::sqls);
    const auto contacts_a = column(a, team_scope(a, 0), TeamMetric::contacts);
    const auto contacts_c = column(c, team_scope(c, 0), TeamMetric::contacts);
    bool some_fewer = false;
    for (std::size_t rep = 0; rep < sql_a.size(); ++rep) {
      INFO("replication " << rep << ": SQLs " << sql_a[rep] << " / " << sql_b[rep] << " / " << sql_c[rep]);
      REQUIRE(contacts_a[rep] == contacts_c[rep]);  // the very same contacts
      CHECK(sql_b[rep] <= sql_a[rep]);
      CHECK(sql_c[rep] <= sql_b[rep]);
      some_fewer = some_fewer || sql_c[rep] < sql_a[rep];
    }
    CHECK(some_fewer);
    // Each lead's coin is uniform, so halving every acceptance probability halves SQLs on average.
    const double ratio = sum(sql_c) / sum(sql_a);
    CHECK(ratio == Approx(0.5).margin(0.05));
  }
}

TEST_CASE("sales queue: instant_first answers instant MQLs sooner than fifo", "[sales][discipline]") {
  // Overloaded: 2 reps with 30-minute attempts (96 a day) for 100 inbound + 10 demo MQLs a day.
  json doc = add_demo_source(poisson_mqls(100, 28), 10);
  json fifo = with_sales(doc, json::array({queue_team(2, "exponential", 30)}));
  json instant = fifo;
  instant["sales"]["teams"][0]["queue_discipline"] = "instant_first";
  const RunResult a = test::run(fifo, 10), b = test::run(instant, 10);
  const std::size_t inbound = 1, demo = 2;
  for (std::size_t rep = 0; rep < a.table.replications(); ++rep) {
    INFO("replication " << rep);
    REQUIRE(at(a, rep, demo, Metric::mqls) > 0);
    REQUIRE(at(a, rep, demo, Metric::mqls_instant) == at(a, rep, demo, Metric::mqls));
    REQUIRE(at(a, rep, inbound, Metric::mqls_engagement) == at(a, rep, inbound, Metric::mqls));
    const double demo_fifo = at(a, rep, demo, Metric::response_time_hours);
    const double demo_first = at(b, rep, demo, Metric::response_time_hours);
    const double inbound_first = at(b, rep, inbound, Metric::response_time_hours);
    INFO("demo response: fifo " << demo_fifo << " h, instant_first " << demo_first << " h; inbound " << inbound_first
                                << " h");
    CHECK(demo_first < demo_fifo);
    CHECK(demo_first < inbound_first);
  }
}

TEST_CASE("sales queue: an idle round-the-clock team meets every SLA", "[sales][sla]") {
  // 64 reps for 30 MQLs a day with 5-minute attempts: a rep is always free at the MQL instant,
  // so the first attempt is immediate, within even the 5-minute instant SLA.
  json doc = add_demo_source(poisson_mqls(20, 28), 10);
  doc = with_sales(doc, json::array({queue_team(64, "exponential", 5)}));
  const RunResult r = test::run(doc, 10);
  const std::size_t t = team_scope(r, 0);
  for (std::size_t rep = 0; rep < r.table.replications(); ++rep) {
    INFO("replication " << rep);
    CHECK(at(r, rep, t, TeamMetric::sla_attainment) == 1.0);
    CHECK(at(r, rep, 0, Metric::sla_attainment_instant) == 1.0);
    CHECK(at(r, rep, 0, Metric::sla_attainment_engagement) == 1.0);
    CHECK(at(r, rep, t, TeamMetric::response_time_hours) == 0.0);
    CHECK(at(r, rep, t, TeamMetric::queue_wait_share) == 0.0);
  }
}

TEST_CASE("sales queue: results do not depend on the thread count", "[sales][determinism]") {
  // Two teams routed by source, working hours, caps, retries, patience, strictness per rep,
  // mixed disciplines and speed to lead: everything stateful in the sales simulator.
  json doc = add_demo_source(poisson_mqls(30, 56), 8);
  json sdr = queue_team(3, "lognormal", 25, "sdr");
  sdr["calendar"] = {{"hours", {8.5, 17.5}}, {"holidays", {10}}};
  sdr["daily_cap_per_rep"] = 12;
  sdr["strictness"] = {1.0, 0.8, 0.6};
  sdr["queue_discipline"] = "highest_score";
  sdr["contact"] = {{"max_attempts", 4},
                    {"retry_hours", {2, 24}},
                    {"reach_probability", {{"initial", 0.6}, {"floor", 0.2}}},
                    {"patience", {{"distribution", "exponential"}, {"mean_days", 5}}}};
  json demo_team = queue_team(1, "gamma", 20, "demo_desk");
  demo_team["queue_discipline"] = "instant_first";
  demo_team["contact"]["patience"] = {{"distribution", "fixed"}, {"mean_days", 2}};
  doc = with_sales(doc, json::array({sdr, demo_team}));
  doc["sales"]["routing"] = json::array({json{{"source", "demo"}, {"team", "demo_desk"}}});
  doc["sales"]["speed_to_lead"] = {{"preset", "mild"}};
  const RunResult one = test::run(doc, 16, 1);
  const RunResult two = test::run(doc, 16, 2);
  REQUIRE(same_table(one.table, two.table));
  REQUIRE(at(one, 0, team_scope(one, 1), TeamMetric::mqls) > 0);  // the routing rule is used
  for (std::size_t team = 0; team < 2; ++team) check_little_identity(one, team_scope(one, team), 56);
}
