// The round trip: observe of export-crm for replication K gives that replication's own funnel
// (row K of run's table), for every shipped scenario and both CRMs; and calibrate's measure of
// the trace (measure_moments) agrees with measure's.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <string_view>
#include <tuple>
#include <vector>

#include "crm_support.hpp"
#include "funnelsim/engine/engine.hpp"

using namespace funnelsim;
using namespace funnelsim::test;

namespace {

/// What calibrate measures of each simulated replication (measure_moments) against measure: every
/// metric the same but the percentiles, which it leaves undefined (no moment reads one, and they
/// are what sorts the samples); the same samples, in any order; the same weeks, maturity aside.
void require_same_moments(const crm::ObservedFunnel& full, const crm::ObservedFunnel& moments) {
  const auto same = [](double a, double b) { return a == b || (std::isnan(a) && std::isnan(b)); };
  REQUIRE(moments.scopes.size() == full.scopes.size());
  for (std::size_t s = 0; s < full.scopes.size(); ++s) {
    const crm::ObservedScope& a = full.scopes[s];
    const crm::ObservedScope& b = moments.scopes[s];
    INFO("scope " << a.name);
    for (std::size_t m = 0; m < a.metrics.size(); ++m) {
      const std::string_view name = metric_defs()[m].name;
      INFO(name);
      if (name.find("_p50") != std::string_view::npos || name.find("_p90") != std::string_view::npos)
        CHECK(std::isnan(b.metrics[m]));
      else
        CHECK(same(a.metrics[m], b.metrics[m]));
    }
    for (std::size_t c = 0; c < a.components.size(); ++c) CHECK(same(a.components[c], b.components[c]));
    for (const auto member : {&crm::ObservedScope::time_to_mql_days, &crm::ObservedScope::response_hours}) {
      std::vector<double> sorted = b.*member;
      std::sort(sorted.begin(), sorted.end());
      CHECK(sorted == a.*member);
    }
    REQUIRE(b.weeks.size() == a.weeks.size());
    for (std::size_t w = 0; w < a.weeks.size(); ++w) {
      const crm::CohortWeek &x = a.weeks[w], &y = b.weeks[w];
      CHECK(std::tie(x.week, x.first_day, x.leads, x.mqls, x.sqls, x.opportunities, x.won_deals, x.leads_in_week,
                     x.mqls_in_week, x.sqls_in_week) == std::tie(y.week, y.first_day, y.leads, y.mqls, y.sqls,
                                                                 y.opportunities, y.won_deals, y.leads_in_week,
                                                                 y.mqls_in_week, y.sqls_in_week));
    }
  }
}

/// Runs `replications` of a shipped scenario, exports replication `k` in `format`, reads it back,
/// and holds the two funnels against each other; also the records straight from the trace (the
/// path calibration takes) against the run.
void round_trip(const std::string& name, crm::CrmFormat format, std::uint64_t replications, std::uint64_t k) {
  INFO(name << " in " << crm::format_name(format) << ", replication " << k);
  const RunnableScenario scenario = shipped(name);
  RunOptions options;
  options.seed = scenario.scenario().seed;
  options.replications = replications;
  const RunResult run = scenario.run(options);

  const std::optional<crm::CrmExport> exported = crm::export_replication(scenario, options.seed, k, {format});
  REQUIRE(exported);
  // The traced replication is the very replication the run had.
  for (std::size_t s = 0; s < run.table.scopes(); ++s) {
    const auto a = run.table.row(k, s), b = exported->run.table.row(0, s);
    for (std::size_t m = 0; m < a.size(); ++m) REQUIRE((a[m] == b[m] || (std::isnan(a[m]) && std::isnan(b[m]))));
  }
  TempDir dir;
  write_export(*exported, dir.path());
  const ReadBack back = read_back(dir.path());
  CHECK(back.data.quality.excluded() == 0);
  CHECK(back.data.quality.format == format);
  CHECK(back.data.quality.format_recognised);
  const std::size_t compared = require_same_funnel(run.table, k, back.funnel);
  CHECK(compared > 20);

  // Calibration's path: the trace's records, measured without any file in between.
  const crm::CrmRecords records = crm::trace_replication(scenario, options.seed, k).records;
  const crm::ObservedFunnel full = crm::measure(records, back.funnel.window);
  require_same_funnel(run.table, k, full);
  require_same_moments(full, crm::measure_moments(records, back.funnel.window));
}

/// Every shipped scenario but the million-lead one (which gets its own case, one replication).
std::vector<std::string> shipped_scenarios() {
  std::vector<std::string> names;
  for (const auto& e : std::filesystem::directory_iterator(std::filesystem::path(FUNNELSIM_SOURCE_DIR) / "scenarios"))
    if (e.path().extension() == ".json" && e.path().stem() != "schema" && e.path().stem() != "million_leads")
      names.push_back(e.path().stem().string());
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace

TEST_CASE("crm round trip: observe of export-crm gives the funnel of replication K for every scenario in HubSpot",
          "[crm][round_trip]") {
  const auto names = shipped_scenarios();
  CHECK(names.size() >= 8);
  for (const std::string& name : names) round_trip(name, crm::CrmFormat::hubspot, 3, 2);
}

TEST_CASE("crm round trip: observe of export-crm gives the funnel of replication K for every scenario in Salesforce",
          "[crm][round_trip]") {
  for (const std::string& name : shipped_scenarios()) round_trip(name, crm::CrmFormat::salesforce, 3, 2);
}

TEST_CASE("crm round trip: a million leads in both CRMs", "[crm][round_trip][million][release]") {
  round_trip("million_leads", crm::CrmFormat::hubspot, 1, 0);
  round_trip("million_leads", crm::CrmFormat::salesforce, 1, 0);
}

TEST_CASE("crm round trip: warm-up and backlog and recycling without sales teams", "[crm][round_trip]") {
  // What no shipped scenario has together: a warm-up, a starting backlog of leads in nurture and
  // of open opportunities, decisions at MQL time with recycling.
  nlohmann::json doc =
      read_scenario_document(std::filesystem::path(FUNNELSIM_SOURCE_DIR) / "scenarios" / "nurture_recycle.json");
  doc.erase("sales");
  doc["warmup_days"] = 20;
  doc["backlog"] = nlohmann::json::array({{{"source", "webinar"}, {"leads_in_nurture", 40}, {"open_opportunities", 6}},
                                          {{"source", "paid_search"}, {"leads_in_nurture", 25}}});
  doc["pipeline"] = read_scenario_document(std::filesystem::path(FUNNELSIM_SOURCE_DIR) / "scenarios" /
                                           "saas_baseline.json")["pipeline"];
  const RunnableScenario scenario(doc, "backlog");
  RunOptions options;
  options.seed = 11;
  options.replications = 2;
  const RunResult run = scenario.run(options);
  for (crm::CrmFormat format : {crm::CrmFormat::hubspot, crm::CrmFormat::salesforce}) {
    const auto exported = crm::export_replication(scenario, 11, 1, {format});
    REQUIRE(exported);
    TempDir dir;
    write_export(*exported, dir.path());
    const ReadBack back = read_back(dir.path());
    require_same_funnel(run.table, 1, back.funnel);
  }
}
