// The HTML report: self-contained (libraries, data and specs inlined; nothing to load), one chart
// container per spec, a section per kind of results, deterministic bytes, and every bad input a
// usage error that names it. Whether the charts actually draw is checked in a real browser by
// tests/browser/check_report.mjs.
#include <catch2/catch.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>

#include "cli_support.hpp"
#include "funnelsim/output/run_output.hpp"
#include "funnelsim/report/report.hpp"
#include "funnelsim/metrics/run_summary.hpp"
#include "funnelsim/core/usage_error.hpp"
#include "funnelsim/whatif/runnable_scenario.hpp"
#include "test_support.hpp"

using namespace funnelsim;
using nlohmann::json;
using test::cli;
using test::read_file;
using test::TempDir;

namespace {

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + what.size())) ++n;
  return n;
}

/// The chart specs the page's script reads.
json charts_of(const std::string& html) {
  const std::string open = "<script type=\"application/json\" id=\"funnelsim-charts\">";
  const auto begin = html.find(open);
  REQUIRE(begin != std::string::npos);
  const auto end = html.find("</script>", begin);
  return json::parse(html.substr(begin + open.size(), end - begin - open.size()));
}

ResultFiles run_files(std::uint64_t replications) {
  const RunnableScenario runnable(read_scenario_document(test::source_path() + "/scenarios/saas_baseline.json"),
                                  "saas_baseline");  // its "auto" warm-up worked out
  const Scenario& scenario = runnable.scenario();
  RunOptions options;
  options.seed = scenario.seed;
  options.replications = replications;
  const RunResult result = run_replications(runnable.nominal_model(), options);
  const RunSummary summary = summarize_run(result.table);
  const RunInfo info{scenario.name,         options.seed, replications,      0,
                     scenario.horizon_days, {},           runnable.warmup(), runnable.provenance()};
  const RunReport report{info, result.table, summary};
  ResultFiles files;
  for (const auto& writer : run_output_writers()) files.emplace_back(writer->file_name(), writer->render(report));
  return files;
}

std::string usage_error(const ResultFiles& files) {
  try {
    html_report(files);
  } catch (const UsageError& e) {
    return e.what();
  }
  FAIL("no UsageError");
  return {};
}

}  // namespace

TEST_CASE("report: one self-contained page, one container per chart, the same bytes every time", "[report]") {
  REQUIRE(report_charts_available());
  const ResultFiles files = run_files(8);
  const std::string html = html_report(files, "somewhere");
  CHECK(html.starts_with("<!DOCTYPE html>"));
  CHECK(html.find("<meta charset=\"utf-8\">") != std::string::npos);
  // Nothing to fetch: outside the inlined scripts, no external scripts, styles, images or frames.
  std::string markup;
  for (std::size_t at = 0; at < html.size();) {
    const auto open = html.find("<script", at);
    markup += html.substr(at, open == std::string::npos ? std::string::npos : open - at);
    if (open == std::string::npos) break;
    const std::string tag = html.substr(open, html.find('>', open) + 1 - open);
    CHECK((tag == "<script>" || tag == "<script type=\"application/json\" id=\"funnelsim-charts\">"));
    at = html.find("</script>", open) + 9;
  }
  for (const char* external : {"src=", "<link", "<img", "<iframe", "@import", "url("})
    CHECK(markup.find(external) == std::string::npos);
  for (const char* library : {"<script>/* vega ", "<script>/* vega-lite ", "<script>/* vega-embed "})
    CHECK(count(html, library) == 1);
  CHECK(html.find("sourceMappingURL") == std::string::npos);
  // Every <script> ends where it should: no "</script" inside the inlined text.
  CHECK(count(html, "<script") == count(html, "</script>"));
  CHECK(count(html, "<script") == 5);  // the data, three libraries, the bootstrap

  const json charts = charts_of(html);
  const std::regex container("<div class=\"chart\" id=\"(chart-[0-9]+)\"");
  std::vector<std::string> ids;
  for (std::sregex_iterator it(html.begin(), html.end(), container), end; it != end; ++it) ids.push_back((*it)[1]);
  REQUIRE(ids.size() == charts.size());
  CHECK(charts.size() == 11);  // funnel, conversion, cost by source, 4 histograms, 3 fans, lifecycle
  for (std::size_t i = 0; i < charts.size(); ++i) {
    CHECK(charts[i]["id"] == ids[i]);
    const json& spec = charts[i]["spec"];
    CHECK(spec.contains("title"));
    CHECK((spec.contains("layer") || spec.contains("mark")));
  }
  for (const char* words :
       {"Run: saas_baseline", "Headline numbers", "By source (ratios pooled, other metrics means across replications)",
        "By sales team", "The funnel: how many leads reach each step", "MQLs per week",
        "Sales backlog at each week&#39;s end", "Cost per SQL, marketing ($)", "somewhere"})
    CHECK(html.find(words) != std::string::npos);
  CHECK(html_report(files, "somewhere") == html);
  CHECK(html_report_writer()->file_name() == "report.html");
}

TEST_CASE("report: summary.json alone still gives a run section, and says what is left out", "[report]") {
  const ResultFiles all = run_files(4);
  const std::string html = html_report({all[0]});
  CHECK(html.find("No replications.csv beside summary.json") != std::string::npos);
  CHECK(html.find("No weekly.csv beside summary.json") != std::string::npos);
  CHECK(charts_of(html).size() == 3);
}

TEST_CASE("cli: sensitivity --report draws the tornado in rank order, bars at base + paired change",
          "[cli][report][sensitivity]") {
  TempDir dir;
  const std::string d = dir.path().string();
  const auto r =
      cli("sensitivity scenarios/uncertain_rates.json --metric sqls --replications 12 --quiet --params "
          "/scoring/mql_threshold,/sales/teams/0/headcount,/sources/1/leads_per_week,/sources/0/cost_per_lead,"
          "/sales_acceptance/midpoint --out '" +
          d + "/s' --report '" + d + "/s.html'");
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const json s = json::parse(read_file(dir / "s" / "sensitivity.json"));
  const std::string html = read_file(dir / "s.html");
  // The same results through `funnelsim report` give the same charts.
  CHECK(charts_of(html_report(read_result_folder(dir / "s"))) == charts_of(html));
  const json charts = charts_of(html);
  REQUIRE(charts.size() == 1);
  const json& spec = charts[0]["spec"];
  CHECK(spec["title"]["text"] == "What moves SQLs most");
  json order = json::array();
  for (const json& p : s["parameters"]) order.push_back(p["title"]);  // rows named in users' words
  REQUIRE(order.size() == 4);  // the headcount moves on its own (the per-rep rule); the uncertain input is skipped
  CHECK(spec["layer"][0]["encoding"]["y"]["sort"] == order);
  const double base = s["base"]["mean"].get<double>();
  const json& rows = spec["data"]["values"];
  REQUIRE(rows.size() == 8);  // low and high for each of four parameters
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const json& side = s["parameters"][i / 2][i % 2 == 0 ? "low" : "high"];
    CHECK(rows[i]["base"].get<double>() == base);
    CHECK(rows[i]["mean"].get<double>() == Approx(base + side["mean"].get<double>()));
    CHECK(rows[i]["lo"].get<double>() == Approx(base + side["ci95_low"].get<double>()));
  }
  CHECK(s["parameters"][3]["pointer"] == "/sources/0/cost_per_lead");  // exactly no effect on SQLs: last
  CHECK(rows[6]["mean"].get<double>() == base);
  for (const char* words : {"Parameters left out", "/sales/teams/0/headcount", "Input uncertainty",
                            "/sales_acceptance/midpoint", "R<sup>2</sup> = ", "to -20% and +20% of its base value"})
    CHECK(html.find(words) != std::string::npos);
}

TEST_CASE("report: bad result folders and files are usage errors that name them", "[report]") {
  TempDir dir;
  auto message = [](const std::filesystem::path& p) {
    try {
      read_result_folder(p);
    } catch (const UsageError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  CHECK(message(dir / "missing") == (dir / "missing").string() +
                                        ": expected a folder of funnelsim results (summary.json, compare.json, "
                                        "sweep.json, sensitivity.json or fit.json), found no such folder");
  CHECK(message(dir.path()).ends_with("found none of them"));
  { std::ofstream(dir / "file") << "x"; }
  CHECK(message(dir / "file").ends_with("found a file"));
  // A 3 GiB summary.json (sparse: no disk used) is refused before it is read, not a bad_alloc.
  std::filesystem::create_directories(dir / "huge");
  { std::ofstream(dir / "huge" / "summary.json") << "{}"; }
  std::filesystem::resize_file(dir / "huge" / "summary.json", std::uintmax_t{3} << 30);
  CHECK(message(dir / "huge") == (dir / "huge" / "summary.json").string() +
                                     ": expected a result file of at most 256 MiB, found a file of 3221225472 bytes");

  CHECK(usage_error({}) ==
        "report: expected results (summary.json, compare.json, sweep.json, sensitivity.json or fit.json), "
        "found none");
  CHECK(usage_error({{"weekly.csv", "source,series\n"}}).find("expected summary.json") != std::string::npos);
  CHECK(usage_error({{"summary.json", "{not json"}}) == "summary.json: expected JSON, found text that does not parse");
  CHECK(usage_error({{"compare.json", "{\"a\": 1}"}})
            .starts_with("compare.json: expected an object with \"comparisons\""));
  CHECK(
      usage_error({{"sweep.json", "{\"points\": [], \"parameters\": 3}"}}).starts_with("sweep.json: expected results"));
  ResultFiles files = run_files(3);
  for (auto& [name, text] : files)
    if (name == "replications.csv") text += "1,2\n";  // a short row
  CHECK(usage_error(files).starts_with("replications.csv: expected "));
}

TEST_CASE("cli: report RESULT_DIR and --report on run, compare and sweep write one HTML file each", "[cli][report]") {
  TempDir dir;
  const std::string d = dir.path().string();
  auto r = cli("run scenarios/saas_baseline.json --replications 5 --quiet --out '" + d + "/run' --report '" + d +
               "/run.html'");
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(charts_of(read_file(dir / "run.html")).size() == 11);
  // Uncertain inputs add the inputs' table and the variance split; --precision says how the count was chosen.
  r = cli("run scenarios/uncertain_rates.json --replications 20 --precision mqls=50% --quiet --report '" + d +
          "/uncertain.html'");
  REQUIRE(r.exit_code == 0);
  const std::string uncertain = read_file(dir / "uncertain.html");
  CHECK(charts_of(uncertain).size() == 12);
  for (const char* words : {"Where the spread comes from", "/sales_acceptance/midpoint", "normal(mean 0.55, sd 0.03)",
                            "Not knowing the inputs", "chosen by <code>--precision mqls=50%</code>"})
    CHECK(uncertain.find(words) != std::string::npos);
  CHECK(read_file(dir / "run.html").find("Where the spread comes from") == std::string::npos);
  r = cli("report '" + d + "/run'");
  REQUIRE(r.exit_code == 0);
  CHECK(r.out == "report: " + d + "/run/report.html\n");
  // The same results give the same page, whichever way it was asked for (but for the origin line).
  const std::string from_folder = read_file(dir / "run" / "report.html");
  CHECK(charts_of(from_folder) == charts_of(read_file(dir / "run.html")));

  r = cli("compare scenarios/saas_baseline.json scenarios/threshold_raise.json --replications 4 --quiet --report '" +
          d + "/nested/compare.html'");
  REQUIRE(r.exit_code == 0);
  const std::string compare = read_file(dir / "nested" / "compare.html");
  CHECK(compare.find("threshold_raise vs saas_baseline: change in each headline metric") != std::string::npos);
  r =
      cli("compare scenarios/saas_baseline.json scenarios/threshold_raise.json --precision mqls=5% --replications 5000 "
          "--quiet --report '" +
          d + "/precise.html'");
  REQUIRE(r.exit_code == 0);
  CHECK(read_file(dir / "precise.html").find("chosen by <code>--precision mqls=5%</code>") != std::string::npos);

  r =
      cli("sweep scenarios/saas_baseline.json --replications 3 --quiet --param /scoring/mql_threshold=60,70 "
          "--param /scoring/decay/model=none,half_life --pareto sqls,cost_per_sql_marketing --report '" +
          d + "/sweep.html'");
  REQUIRE(r.exit_code == 0);
  const std::string sweep = read_file(dir / "sweep.html");
  CHECK(sweep.find("Other parameters") != std::string::npos);
  CHECK(charts_of(sweep).size() == 1 + 2 * 4);  // the front, then 4 metrics for each of two parameters
  // Nothing but the report and the results: no temporary files left behind.
  for (const auto& entry : std::filesystem::directory_iterator(dir.path()))
    CHECK(entry.path().filename().string().find(".tmp") == std::string::npos);
}

TEST_CASE("cli: report of a missing or empty folder, or to a folder, exits 2 and writes nothing", "[cli][report]") {
  TempDir dir;
  const std::string d = dir.path().string();
  auto r = cli("report '" + d + "/missing'");
  CHECK(r.exit_code == 2);
  CHECK(r.err == "funnelsim: " + d +
                     "/missing: expected a folder of funnelsim results (summary.json, compare.json, sweep.json, "
                     "sensitivity.json or fit.json), found no such folder\n");
  r = cli("report '" + d + "'");
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("found none of them") != std::string::npos);
  CHECK(std::filesystem::is_empty(dir.path()));
  r = cli("run scenarios/saas_baseline.json --replications 2 --report '" + d + "'");
  CHECK(r.exit_code == 2);
  CHECK(r.err == "funnelsim: --report " + d + ": expected a file name such as report.html, found a folder\n");
  CHECK(r.out.empty());
}

namespace {

/// The chart whose title starts with `title`; null when there is none.
const json* chart_titled(const json& charts, const std::string& title) {
  for (const json& c : charts)
    if (c["spec"]["title"]["text"].get<std::string>().rfind(title, 0) == 0) return &c["spec"];
  return nullptr;
}

}  // namespace

TEST_CASE("report: a ratio's headline is its pooled ratio, with notes where it is undefined or cut short",
          "[report][pooled]") {
  const ResultFiles files = run_files(40);
  const json summary = json::parse(files[0].second);
  const std::string html = html_report(files);
  const json& cost = summary["metrics"]["cost_per_sql_marketing"];
  // The headline row shows the pooled figure, not the mean of the per-replication ratios.
  // Cost per SQL runs in the thousands: "$3,398" is "$" + thousands + "," + the last three digits.
  auto shown = [](double value) {
    const long v = std::lround(value);
    return fmt::format("${},{:03d}", v / 1000, static_cast<int>(v % 1000));
  };
  const std::string pooled = shown(cost["pooled"]["value"].get<double>());
  REQUIRE(pooled != shown(cost["mean"].get<double>()));
  CHECK(html.find(fmt::format("<td>{}</td>", pooled)) != std::string::npos);
  CHECK(html.find("pooled ratio") != std::string::npos);
  CHECK(html.find("per $1") != std::string::npos);  // pipeline per dollar in money per money
  // Per-source CAC is undefined in some quarters: the note sits beside the figure.
  CHECK(html.find("no won deals in ") != std::string::npos);
  CHECK(html.find("of quarters</span>") != std::string::npos);
  // Most opportunities close after the quarter: said beside won deals, revenue and CAC, and under the table.
  CHECK(html.find("of opportunities closed in the horizon") != std::string::npos);
  CHECK(html.find("closed within them: won deals, revenue and CAC count only") != std::string::npos);
  // The histogram of a ratio marks its pooled ratio.
  const json charts = charts_of(html);
  const json* histogram = chart_titled(charts, "Cost per SQL, marketing");
  REQUIRE(histogram);
  CHECK((*histogram)["title"]["subtitle"].get<std::string>().rfind("Pooled ", 0) == 0);
  // --metrics chooses the rows: only these two, in this order.
  const std::string chosen = html_report(files, "", {"sqls", "cac"});
  CHECK(chosen.find(">SQLs</td>") != std::string::npos);
  CHECK(chosen.find(">MQLs</td>") == std::string::npos);
  CHECK(chosen.find("Customer acquisition cost (CAC) ($)") < chosen.find("By source"));
}

TEST_CASE("report: a tornado colours each change by the metric's better direction, rows named in users' words",
          "[report]") {
  // More cold leads is worse even though it is up; fewer is better; MQLs have no better direction.
  auto tornado = [](const std::string& metric, double low, double high) {
    const json s = {{"scenario", "t"},
                    {"seed", 1},
                    {"replications", 10},
                    {"metric", metric},
                    {"vary", 0.2},
                    {"base", {{"mean", 10.0}, {"ci95_low", 9.0}, {"ci95_high", 11.0}}},
                    {"parameters",
                     {{{"pointer", "/sales/teams/0/headcount"},
                       {"title", "SDR: headcount (reps)"},
                       {"base_value", 5},
                       {"low_value", 4},
                       {"high_value", 6},
                       {"low", {{"mean", low}, {"ci95_low", low - 1}, {"ci95_high", low + 1}}},
                       {"high", {{"mean", high}, {"ci95_low", high - 1}, {"ci95_high", high + 1}}},
                       {"rank", 1}}}},
                    {"skipped", json::array()},
                    {"uncertain", nullptr}};
    return charts_of(html_report({{"sensitivity.json", s.dump()}}))[0]["spec"];
  };
  const json cold = tornado("cold_leads", +3.0, -2.0);
  const json& rows = cold["data"]["values"];
  CHECK(rows[0]["parameter"] == "SDR: headcount (reps)");
  CHECK(rows[0]["verdict"] == "Worse");   // fewer reps: more cold leads
  CHECK(rows[1]["verdict"] == "Better");  // more reps: fewer
  const json& scale = cold["layer"][0]["encoding"]["color"]["scale"];
  CHECK(scale["domain"][0] == "Better");
  CHECK(scale["range"][0] == "#1b7a36");
  CHECK(scale["range"][1] == "#c0392b");
  const json sqls = tornado("sqls", +3.0, -2.0);  // higher is better: the same signs read the other way
  CHECK(sqls["data"]["values"][0]["verdict"] == "Better");
  const json mqls = tornado("mqls", +3.0, -2.0);  // no better direction: neutral
  CHECK(mqls["data"]["values"][0]["verdict"] == "Changed (no better direction)");
  CHECK(mqls["data"]["values"][1]["verdict"] == "Changed (no better direction)");
}

TEST_CASE("cli: a multi-variant compare report shows every variant on one scale, the desk and the weeks",
          "[cli][report][compare]") {
  TempDir dir;
  const std::string d = dir.path().string();
  const auto r =
      cli("compare scenarios/saas_baseline.json scenarios/threshold_raise.json scenarios/budget_shift.json "
          "--replications 6 --quiet --out '" +
          d + "/c' --report '" + d + "/c.html'");
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const std::string html = read_file(dir / "c.html");
  const json charts = charts_of(html);
  const json* forest = chart_titled(charts, "Every variant vs saas_baseline");
  REQUIRE(forest);
  std::set<std::string> variants;
  for (const json& row : (*forest)["data"]["values"]) variants.insert(row["variant"].get<std::string>());
  CHECK(variants == std::set<std::string>{"threshold_raise", "budget_shift"});
  CHECK((*forest)["layer"][1]["encoding"].contains("yOffset"));
  for (const char* words : {"threshold_raise vs saas_baseline: the sales desk, by team", "Rep utilisation (%)",
                            "Sales backlog at the end", "the sales desk, by source", "Week by week, side by side"})
    CHECK(html.find(words) != std::string::npos);
  const json* weekly = chart_titled(charts, "MQLs per week");
  REQUIRE(weekly);
  std::set<std::string> scenarios;
  for (const json& row : (*weekly)["data"]["values"]) scenarios.insert(row["scenario"].get<std::string>());
  CHECK(scenarios.size() == 3);
  // compare.json holds each scenario's weekly series, the base first.
  const json c = json::parse(read_file(dir / "c" / "compare.json"));
  REQUIRE(c["weekly"].size() == 3);
  CHECK(c["weekly"][0]["role"] == "base");
  CHECK(c["weekly"][1]["scenario"] == "threshold_raise");
  CHECK(c["weekly"][0]["series"]["in_sales_backlog"]["mean"].size() == c["weekly"][0]["weeks"].get<std::size_t>());
}

TEST_CASE("cli: a sweep report names its parameters in users' words, pointers beside them", "[cli][report][sweep]") {
  TempDir dir;
  const auto r =
      cli("sweep scenarios/saas_baseline.json --replications 3 --quiet --param /scoring/mql_threshold=60,70 "
          "--param /sources/1/cost_per_lead=40,50 --report '" +
          (dir / "s.html").string() + "'");
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const std::string html = read_file(dir / "s.html");
  const json charts = charts_of(html);
  const json* curve = chart_titled(charts, "SQL rate (MQL to SQL)");
  REQUIRE(curve);
  CHECK((*curve)["layer"][0]["encoding"]["x"]["title"] == "MQL threshold (points)");
  CHECK((*curve)["title"]["subtitle"].get<std::string>().find("/scoring/mql_threshold") != std::string::npos);
  CHECK(html.find("Trade-off curves: Paid social: cost per lead ($) (<code>/sources/1/cost_per_lead</code>)") !=
        std::string::npos);
}
