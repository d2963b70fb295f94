// Replication-level checks: arrival processes against Poisson theory, thinning, determinism
// across thread counts and machine splits, and common random numbers across variants.
#include <algorithm>
#include <cmath>
#include <fstream>

#include <catch2/catch.hpp>

#include "funnelsim/core/statistics.hpp"
#include "funnelsim/whatif/lead_phase_sharing.hpp"
#include "test_support.hpp"

using namespace funnelsim;
using nlohmann::json;

namespace {

std::vector<double> column(const RunResult& r, std::size_t scope, Metric m) {
  std::vector<double> out;
  r.table.column(scope, m, out);
  return out;
}

/// Checks the sample mean and variance of counts against a Poisson(lambda) law. The se of a
/// sample variance is sqrt((2/(n-1) + kurtosis/n)) * var, with excess kurtosis 1/lambda.
void check_poisson(const std::vector<double>& counts, double lambda) {
  const MeanVar mv = mean_variance(counts);
  const double n = static_cast<double>(mv.n);
  INFO("mean " << mv.mean << " variance " << mv.variance << " lambda " << lambda);
  CHECK(std::abs(mv.mean - lambda) < test::kSigmas * std::sqrt(lambda / n));
  const double se_var = lambda * std::sqrt(2.0 / (n - 1) + 1.0 / (lambda * n));
  CHECK(std::abs(mv.variance - lambda) < test::kSigmas * se_var);
}

json thinning_scenario() {
  // 10 leads a day for 28 days; each lead has the attribute with probability 0.25 and then
  // MQLs at arrival, so MQLs are Poisson arrivals thinned by 0.25.
  return json{{"horizon_days", 28},
              {"sources", json::array({json{{"name", "s"},
                                            {"leads_per_week", 70},
                                            {"profile", {{"attributes", {{"fit", {{"probability", 0.25}}}}}}}}})},
              {"scoring", {{"attribute_points", {{"fit", 100}}}, {"mql_threshold", 50}}}};
}

json baseline() {
  static const json doc = test::shipped_scenario("saas_baseline");
  return doc;
}

bool same_table(const ReplicationTable& a, const ReplicationTable& b) {
  for (std::size_t r = 0; r < a.replications(); ++r)
    for (std::size_t s = 0; s < a.scopes(); ++s) {
      auto x = a.row(r, s), y = b.row(r, s);
      for (std::size_t m = 0; m < x.size(); ++m)
        if (!(x[m] == y[m] || (std::isnan(x[m]) && std::isnan(y[m])))) return false;
      auto cx = a.components(r, s), cy = b.components(r, s);  // a ratio's numerator and denominator too
      for (std::size_t c = 0; c < cx.size(); ++c)
        if (!(cx[c] == cy[c] || (std::isnan(cx[c]) && std::isnan(cy[c])))) return false;
      for (std::size_t k = 0; s < a.funnel_scopes() && k < kSeriesCount; ++k) {
        auto p = a.weekly(r, s, static_cast<Series>(k)), q = b.weekly(r, s, static_cast<Series>(k));
        if (!std::equal(p.begin(), p.end(), q.begin())) return false;
      }
    }
  return true;
}

}  // namespace

TEST_CASE("engine: lead arrivals are Poisson with the configured mean", "[engine][theory]") {
  const RunResult r = test::run(thinning_scenario(), 4000);
  check_poisson(column(r, 0, Metric::leads), 280.0);
}

TEST_CASE("engine: Poisson arrivals thinned by a fixed probability give Poisson MQLs", "[engine][theory]") {
  const RunResult r = test::run(thinning_scenario(), 4000);
  check_poisson(column(r, 0, Metric::mqls), 280.0 * 0.25);
}

TEST_CASE("engine: week multipliers and day-of-week weights shape the expected arrivals", "[engine][theory]") {
  json doc = thinning_scenario();
  doc["horizon_days"] = 14;
  doc["start_weekday"] = "wednesday";
  doc["sources"][0]["week_multipliers"] = {2.0};
  doc["sources"][0]["day_of_week_weights"] = {1, 1, 1, 1, 1, 0, 0};
  // Weights rescale to 7/5 on weekdays. Week 1 (x2) from Wednesday holds 5 weekdays, week 2 too.
  const double expected = 70.0 / 7 * 1.4 * (5 * 2.0 + 5 * 1.0);
  const RunResult r = test::run(doc, 4000);
  check_poisson(column(r, 0, Metric::leads), expected);
  double week1 = 0;
  for (std::size_t i = 0; i < r.table.replications(); ++i) week1 += r.table.weekly(i, 0, Series::leads)[0];
  const double mean_week1 = week1 / static_cast<double>(r.table.replications());
  CHECK(std::abs(mean_week1 - 140.0) < test::kSigmas * std::sqrt(140.0 / 4000));
}

TEST_CASE("engine: overdispersion makes weekly counts negative binomial (variance m + k m^2)", "[engine][theory]") {
  json doc = thinning_scenario();
  doc["horizon_days"] = 7;
  doc["sources"][0]["overdispersion"] = 0.1;
  const RunResult r = test::run(doc, 6000);
  const std::vector<double> leads = column(r, 0, Metric::leads);
  const MeanVar mv = mean_variance(leads);
  const double m = 70, expected_var = m + 0.1 * m * m;
  // se of the sample variance from the sample's own fourth central moment.
  double m4 = 0;
  for (double x : leads) m4 += std::pow(x - mv.mean, 4);
  const double n = static_cast<double>(leads.size());
  m4 /= n;
  const double se_var = std::sqrt((m4 - mv.variance * mv.variance * (n - 3) / (n - 1)) / n);
  INFO("variance " << mv.variance << " expected " << expected_var << " se " << se_var);
  CHECK(std::abs(mv.mean - m) < test::kSigmas * std::sqrt(expected_var / n));
  CHECK(std::abs(mv.variance - expected_var) < test::kSigmas * se_var);
}

TEST_CASE("engine: results do not depend on the thread count", "[engine][determinism]") {
  const json doc = baseline();
  const RunResult one = test::run(doc, 24, 1);
  const RunResult two = test::run(doc, 24, 2);
  REQUIRE(same_table(one.table, two.table));
}

TEST_CASE("engine: a run split across machines gives the same replications", "[engine][determinism]") {
  const CompiledModel model = compile_model(test::scenario_from(baseline()));
  RunOptions whole;
  whole.seed = 7;
  whole.replications = 12;
  RunOptions second_half = whole;
  second_half.replications = 6;
  second_half.first_replication = 6;
  const RunResult all = run_replications(model, whole);
  const RunResult part = run_replications(model, second_half);
  for (std::size_t r = 0; r < 6; ++r)
    for (std::size_t s = 0; s < all.table.scopes(); ++s) {
      auto x = all.table.row(r + 6, s), y = part.table.row(r, s);
      for (std::size_t m = 0; m < x.size(); ++m) REQUIRE((x[m] == y[m] || (std::isnan(x[m]) && std::isnan(y[m]))));
    }
}

TEST_CASE("engine: raising the threshold never raises MQLs in any replication (common random numbers)",
          "[engine][crn]") {
  json low = baseline(), high = baseline();
  high["scoring"]["mql_threshold"] = 75;
  const RunResult a = test::run(low, 60), b = test::run(high, 60);
  const auto leads_a = column(a, 0, Metric::leads), leads_b = column(b, 0, Metric::leads);
  const auto mqls_a = column(a, 0, Metric::mqls), mqls_b = column(b, 0, Metric::mqls);
  const auto instant_a = column(a, 0, Metric::mqls_instant), instant_b = column(b, 0, Metric::mqls_instant);
  const auto ready_a = column(a, 0, Metric::ready_leads), ready_b = column(b, 0, Metric::ready_leads);
  bool some_fewer = false;
  for (std::size_t r = 0; r < leads_a.size(); ++r) {
    REQUIRE(leads_a[r] == leads_b[r]);  // the very same leads...
    REQUIRE(ready_a[r] == ready_b[r]);  // ...with the same latent readiness and acceptance coins
    REQUIRE(mqls_b[r] <= mqls_a[r]);
    some_fewer = some_fewer || mqls_b[r] < mqls_a[r];
    // Instant MQLs can only grow: leads that no longer MQL by score may still request a demo later.
    REQUIRE(instant_b[r] >= instant_a[r]);
  }
  CHECK(some_fewer);
}

TEST_CASE("engine: weekly series add up to the replication totals", "[engine]") {
  const RunResult r = test::run(baseline(), 8);
  for (std::size_t rep = 0; rep < r.table.replications(); ++rep)
    for (std::size_t s = 0; s < r.table.funnel_scopes(); ++s) {
      const auto row = r.table.row(rep, s);
      const std::pair<Series, Metric> pairs[] = {
          {Series::leads, Metric::leads}, {Series::mqls, Metric::mqls}, {Series::sqls, Metric::sqls}};
      for (auto [series, metric] : pairs) {
        double sum = 0;
        for (double v : r.table.weekly(rep, s, series)) sum += v;
        REQUIRE(sum == row[static_cast<std::size_t>(metric)]);
      }
      REQUIRE(row[static_cast<std::size_t>(Metric::mqls)] ==
              row[static_cast<std::size_t>(Metric::mqls_instant)] +
                  row[static_cast<std::size_t>(Metric::mqls_engagement)]);
    }
}

TEST_CASE("engine: undefined ratios are NaN in the row and counted out of n_defined", "[engine]") {
  json doc = thinning_scenario();
  doc["scoring"]["mql_threshold"] = 1000;  // nobody qualifies
  doc["sources"][0]["cost_per_lead"] = 10;
  const RunResult r = test::run(doc, 5);
  for (std::size_t rep = 0; rep < 5; ++rep) {
    CHECK(std::isnan(r.table.row(rep, 0)[static_cast<std::size_t>(Metric::cost_per_sql_marketing)]));
    CHECK(std::isnan(r.table.row(rep, 0)[static_cast<std::size_t>(Metric::time_to_mql_days)]));
  }
  const SummaryStats s = summarize(column(r, 0, Metric::cost_per_sql_marketing));
  CHECK(s.n_defined == 0);
  CHECK(std::isnan(s.mean));
}

TEST_CASE("engine: spend follows cost per lead or a fixed weekly budget", "[engine]") {
  json doc = thinning_scenario();
  doc["sources"][0]["cost_per_lead"] = 12.5;
  RunResult r = test::run(doc, 3);
  for (std::size_t rep = 0; rep < 3; ++rep)
    CHECK(r.table.row(rep, 0)[static_cast<std::size_t>(Metric::spend)] ==
          12.5 * r.table.row(rep, 0)[static_cast<std::size_t>(Metric::leads)]);
  doc["sources"][0].erase("cost_per_lead");
  doc["sources"][0]["spend_per_week"] = 700;
  r = test::run(doc, 3);
  for (std::size_t rep = 0; rep < 3; ++rep)
    CHECK(r.table.row(rep, 0)[static_cast<std::size_t>(Metric::spend)] == 2800.0);
}

TEST_CASE("engine: the backlog at the horizon's end is the weekly backlog's last snapshot, and the teams' sum",
          "[engine]") {
  const RunResult r = test::run(baseline(), 8, 2);
  const ReplicationTable& t = r.table;
  std::size_t teams = 0;
  for (std::size_t rep = 0; rep < t.replications(); ++rep) {
    double funnel = 0.0, by_team = 0.0;
    for (std::size_t s = 0; s < t.funnel_scopes(); ++s) {
      const double end = t.row(rep, s)[static_cast<std::size_t>(Metric::backlog_at_end)];
      CHECK(end == t.weekly(rep, s, Series::in_sales_backlog).back());
      if (s > 0) funnel += end;
    }
    CHECK(funnel == t.row(rep, 0)[static_cast<std::size_t>(Metric::backlog_at_end)]);
    teams = 0;
    for (std::size_t s = t.funnel_scopes(); s < t.scopes(); ++s)
      if (t.scope(s).kind == ScopeKind::team) {
        by_team += t.row(rep, s)[static_cast<std::size_t>(TeamMetric::backlog_at_end)];
        ++teams;
      }
    CHECK(by_team == funnel);
    CHECK(funnel > 0.0);  // the baseline's desk never clears its queue by the quarter's end
  }
  CHECK(teams == 2);
}

TEST_CASE("engine: opportunities closed within the horizon are a share of those created in it", "[engine]") {
  // The baseline's cycles (65 days, 180 for enterprise) are long against a 90-day quarter: most
  // opportunities created in it are still open at its end; a 1-day cycle closes nearly all of them.
  json doc = baseline();
  const RunResult slow = test::run(doc, 8, 2);
  doc["pipeline"]["cycle_days"] = {{"mean", 1.0}, {"cv", 0.5}};
  const RunResult fast = test::run(doc, 8, 2);
  auto share = [](const RunResult& r) {
    double closed = 0.0, created = 0.0;
    const std::size_t closed_column = 14;  // opportunities_closed
    REQUIRE(component_defs()[closed_column].name == "opportunities_closed");
    for (std::size_t rep = 0; rep < r.table.replications(); ++rep) {
      const double c = r.table.components(rep, 0)[closed_column];
      const double o = r.table.row(rep, 0)[static_cast<std::size_t>(Metric::opportunities)];
      CHECK(c <= o);
      closed += c, created += o;
    }
    return closed / created;
  };
  CHECK(share(slow) < 0.5);
  CHECK(share(fast) > 0.95);
}

TEST_CASE("engine: a source's event_rate_scale 0.5 is its events' rates written halved", "[engine][crn]") {
  const json doc = baseline();
  json scaled = doc, halved = doc;
  scaled["sources"][1]["profile"]["event_rate_scale"] = 0.5;
  // Every event type the source has after the merge, both rates halved, in its own profile.
  json events = resolved_scenario_json(doc)["sources"][1]["profile"]["events"];
  for (auto& [name, event] : events.items())
    for (const char* key : {"rate_at_readiness_0", "rate_at_readiness_1"}) event[key] = 0.5 * event[key].get<double>();
  halved["sources"][1]["profile"]["events"] = events;
  const RunResult a = test::run(scaled, 12, 2), b = test::run(halved, 12, 2), base = test::run(doc, 12, 2);
  CHECK(same_table(a.table, b.table));
  CHECK(!same_table(a.table, base.table));  // the scale does act
  // A scale of 1 written out is the field left out.
  json one = doc;
  one["sources"][1]["profile"]["event_rate_scale"] = 1;
  CHECK(same_table(test::run(one, 12, 2).table, base.table));
}

namespace {

/// A run of `variant` that takes the lead phase of the sources it shares with `base` from a
/// record of base's run; and the plain run. Returns {reused, plain, shared flags}.
struct SharedRuns {
  RunResult reused, plain;
  std::vector<bool> shared, leads;  // sources whose phase, or whose quiet journeys, were reused
};
SharedRuns run_sharing(const json& base, const json& variant, std::uint64_t replications) {
  RunOptions options;
  options.seed = 11;
  options.replications = replications;
  options.threads = 2;
  SharedLeadPhase record;
  record.with_leads = true;
  RunOptions recording = options;
  record_lead_phase(recording, base, record);
  const RunResult base_run = run_replications(compile_model(test::scenario_from(base)), recording);
  REQUIRE(record.record.complete());
  // Recording does not change the run it records.
  REQUIRE(base_run.table.checksum() ==
          run_replications(compile_model(test::scenario_from(base)), options).table.checksum());
  const CompiledModel model = compile_model(test::scenario_from(variant));
  RunOptions reusing = options;
  reuse_lead_phase(reusing, variant, record);
  return {run_replications(model, reusing), run_replications(model, options), reusing.reuse_sources,
          reusing.reuse_leads};
}

std::size_t count_true(const std::vector<bool>& v) {
  return static_cast<std::size_t>(std::count(v.begin(), v.end(), true));
}

}  // namespace

TEST_CASE("engine: a variant reusing its base's lead phase for the sources it leaves alone gives the same bytes",
          "[engine][crn][lead_phase]") {
  json saas = baseline();
  saas["warmup_days"] = 28;  // shorter, for speed; the rule's days are not what is tested
  json recycle = test::shipped_scenario("nurture_recycle");  // SDR follow-ups, recycling, a desk
  recycle["warmup_days"] = 28;
  json no_desk = recycle;  // recycling decided at MQL time, SQLs booked in the lead phase
  no_desk.erase("sales");
  no_desk["scoring"].erase("sdr_follow_up");
  json backlog = saas;  // source 0 starts with leads in nurture and MQLs waiting: always simulated
  backlog["backlog"] = json::array({json{{"source", saas["sources"][0]["name"]},
                                         {"leads_in_nurture", 30},
                                         {"mqls_waiting", 5},
                                         {"open_opportunities", 4}}});
  struct Case {
    const char* what;
    json base;
    std::string pointer;
    double factor;
    std::size_t expect_shared;  // sources whose keys match the base's
    std::size_t expect_leads;   // sources whose keys without the thresholds match (and not the full one)
  };
  json windowed = saas;  // points counted over a window, recomputed at each event
  windowed["scoring"]["decay"] = json{{"model", "window"}, {"window_days", 30}};
  json two_thresholds = saas;  // fit and engagement each against its own threshold: no journey is booked
  two_thresholds["scoring"]["rule"] = "fit_and_engagement";
  two_thresholds["scoring"]["fit_threshold"] = 20;
  two_thresholds["scoring"]["engagement_threshold"] = 30;
  const std::vector<Case> cases{
      {"one source's volume", saas, "/sources/2/leads_per_week", 1.3, 5, 0},
      {"a desk's handle time", saas, "/sales/teams/0/handle_time/mean_minutes", 1.5, 6, 0},
      {"the pipeline's win rate", saas, "/pipeline/win_rate/at_readiness_1", 0.8, 6, 0},
      {"a higher MQL threshold", saas, "/scoring/mql_threshold", 1.1, 0, 6},
      {"a lower MQL threshold", saas, "/scoring/mql_threshold", 0.85, 0, 6},
      {"a segment's threshold", saas, "/scoring/by_segment/enterprise/mql_threshold", 1.2, 0, 6},
      {"a windowed score's threshold", windowed, "/scoring/mql_threshold", 0.9, 0, 6},
      {"the engagement threshold", two_thresholds, "/scoring/engagement_threshold", 1.2, 0, 0},
      {"recycling's desk", recycle, "/sales/teams/0/handle_time/mean_minutes", 0.5, 6, 0},
      {"recycling's source", recycle, "/sources/0/leads_per_week", 0.7, 5, 0},
      {"recycling's threshold", recycle, "/scoring/mql_threshold", 1.1, 0, 6},
      {"no desk, a source", no_desk, "/sources/1/leads_per_week", 1.2, 5, 0},
      {"no desk, the threshold", no_desk, "/scoring/mql_threshold", 0.9, 0, 6},
      {"recycling's cooldown, with a desk", recycle, "/nurture/recycling/cooldown_days", 1.5, 6, 0},
      {"recycling's cooldown, without a desk", no_desk, "/nurture/recycling/cooldown_days", 1.5, 0, 0},
      // Source 0's key matches too, but its backlog books into its phase first: simulated anyway.
      {"a backlog source left alone", backlog, "/sources/3/leads_per_week", 1.2, 5, 0},
      {"a backlog's threshold", backlog, "/scoring/mql_threshold", 1.1, 0, 6},
  };
  for (const Case& c : cases) {
    INFO(c.what);
    json variant = c.base;
    const json::json_pointer at(c.pointer);
    REQUIRE(variant.contains(at));
    variant[at] = variant[at].is_number_integer() ? json(std::llround(variant[at].get<double>() * c.factor))
                                                  : json(variant[at].get<double>() * c.factor);
    const SharedRuns runs = run_sharing(c.base, variant, 6);
    CHECK(count_true(runs.shared) == c.expect_shared);
    CHECK(count_true(runs.leads) == c.expect_leads);
    CHECK(runs.reused.table.checksum() == runs.plain.table.checksum());  // every byte, NaNs too
    // It did reuse: the leads of the shared sources were not simulated again.
    if (c.expect_shared + c.expect_leads > 0 && c.base["scoring"].value("rule", "threshold") == "threshold")
      CHECK(runs.reused.work.leads < runs.plain.work.leads);
  }
}

TEST_CASE("engine: a lead phase recorded for another seed or replication count is refused", "[engine][lead_phase]") {
  json doc = baseline();
  doc["warmup_days"] = 7;
  const CompiledModel model = compile_model(test::scenario_from(doc));
  LeadPhaseRecord record;
  RunOptions options;
  options.seed = 3;
  options.replications = 2;
  options.record_lead_phase = &record;
  (void)run_replications(model, options);
  RunOptions other;
  other.seed = 4;
  other.replications = 2;
  other.reuse_lead_phase = &record;
  other.reuse_sources.assign(model.sources.size(), true);
  CHECK_THROWS_AS(run_replications(model, other), std::invalid_argument);
  other.seed = 3;
  other.replications = 3;
  CHECK_THROWS_AS(run_replications(model, other), std::invalid_argument);
  other.replications = 2;
  other.reuse_sources.pop_back();
  CHECK_THROWS_AS(run_replications(model, other), std::invalid_argument);
}

TEST_CASE("engine: a source's lead phase key follows what its lead phase reads", "[engine][lead_phase]") {
  const json doc = baseline();
  const std::vector<std::string> keys = lead_phase_keys(doc);
  REQUIRE(keys.size() == doc["sources"].size());
  auto shared_after = [&](auto change) {
    json variant = doc;
    change(variant);
    return count_true(shared_lead_phases(keys, lead_phase_keys(variant)));
  };
  CHECK(shared_after([](json&) {}) == 6);
  CHECK(shared_after([](json& d) { d["name"] = "renamed"; }) == 6);
  CHECK(shared_after([](json& d) { d["sales"]["teams"][0]["sla_hours"] = json::object(); }) == 6);
  CHECK(shared_after([](json& d) { d.erase("pipeline"); }) == 0);  // whether there is one, every lead reads
  CHECK(shared_after([](json& d) { d["sources"][4]["cost_per_lead"] = 99; }) == 5);
  CHECK(shared_after([](json& d) { d["seed"] = 1; }) == 0);
  // A new event type in one source is a new score group for every source's leads.
  CHECK(shared_after([](json& d) {
          d["sources"][1]["profile"]["events"]["trial_signup"] = json{{"rate_at_readiness_0", 0.1}};
        }) == 0);
  json shorter = doc;
  shorter["sources"].erase(5);
  CHECK(count_true(shared_lead_phases(keys, lead_phase_keys(shorter))) == 0);
}
