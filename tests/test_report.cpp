// The HTML report: self-contained (libraries, data and specs inlined; nothing to load), one chart
// container per spec, a section per kind of results, deterministic bytes, and every bad input a
// usage error that names it. Whether the charts actually draw is checked in a real browser by
// tests/browser/check_report.mjs.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <regex>

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
  for (const char* words : {"Run: saas_baseline", "Headline numbers", "By source (means across replications)",
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
  for (const json& p : s["parameters"]) order.push_back(p["pointer"]);
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
                                        "sweep.json or sensitivity.json), found no such folder");
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
        "report: expected results (summary.json, compare.json, sweep.json or sensitivity.json), "
        "found none");
  CHECK(usage_error({{"weekly.csv", "source,series\n"}}).find("expected summary.json") != std::string::npos);
  CHECK(usage_error({{"summary.json", "{not json"}}) == "summary.json: expected JSON, found text that does not parse");
  CHECK(usage_error({{"compare.json", "{\"a\": 1}"}})
            .starts_with("compare.json: expected an object with \"comparisons\""));
  CHECK(
      usage_error({{"sweep.json", "{\"points\": [], \"parameters\": 3}"}}).starts_with("sweep.json: expected results"));
  ResultFiles files = run_files(3);
  files[1].second += "1,2\n";  // a short row in replications.csv
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
  r = cli("compare scenarios/saas_baseline.json scenarios/threshold_raise.json --precision mqls=5% --quiet --report '" +
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
                     "/missing: expected a folder of funnelsim results (summary.json, compare.json, sweep.json or "
                     "sensitivity.json), found no such folder\n");
  r = cli("report '" + d + "'");
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("found none of them") != std::string::npos);
  CHECK(std::filesystem::is_empty(dir.path()));
  r = cli("run scenarios/saas_baseline.json --replications 2 --report '" + d + "'");
  CHECK(r.exit_code == 2);
  CHECK(r.err == "funnelsim: --report " + d + ": expected a file name such as report.html, found a folder\n");
  CHECK(r.out.empty());
}
