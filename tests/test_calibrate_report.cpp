// calibrate --report and `funnelsim report` on a calibrate folder: one HTML file with the
// calibration section (parameters, fit, weekly series, distributions), everything from fit.json escaped, and a
// bad --report path refused before anything runs, with nothing written; and the weekly series an
// observe folder gives calibrate (its weekly.csv read back).
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "calibrate_support.hpp"
#include "cli_support.hpp"
#include "crm_support.hpp"
#include "funnelsim/core/usage_error.hpp"
#include "funnelsim/crm/export.hpp"
#include "funnelsim/crm/observe_output.hpp"
#include "funnelsim/report/report.hpp"

using namespace funnelsim;
using namespace funnelsim::test;

namespace {

std::string report_test_quoted(const std::filesystem::path& p) { return fmt::format("'{}'", p.string()); }

std::size_t report_test_files_in(const std::filesystem::path& dir) {
  std::size_t n = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator(dir)) ++n;
  return n;
}

}  // namespace

TEST_CASE("calibrate --report writes one HTML file with the calibration that report also makes of the folder",
          "[calibrate][cli][report][release]") {
  REQUIRE(report_charts_available());
  TempDir dir;
  const std::filesystem::path scenario = dir.path() / "small.json", exported = dir.path() / "export",
                              pages = dir.path() / "pages", fit = dir.path() / "fit";
  nlohmann::json small = small_document(21);
  small["warmup_days"] = 0;  // no warm-up probe: the test is about the page, and runs in the sanitizer stage
  std::ofstream(scenario) << small.dump(2);
  REQUIRE(cli(fmt::format("export-crm {} --format hubspot --quiet --out {}", report_test_quoted(scenario),
                          report_test_quoted(exported)))
              .exit_code == 0);
  std::filesystem::create_directory(pages);
  const std::string calibrate = fmt::format("calibrate {} --free {} --replications 4 --seed 7 --quiet --observed {}",
                                            report_test_quoted(scenario), kAlpha, report_test_quoted(exported));
  const CliResult r = cli(fmt::format("{} --out {} --report {}", calibrate, report_test_quoted(fit),
                                      report_test_quoted(pages / "fit.html")));
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(report_test_files_in(pages) == 1);
  CHECK_FALSE(std::filesystem::exists(fit / "report.html"));
  const std::string html = read_file(pages / "fit.html");
  for (const char* text :
       {"Calibration: the scenario fitted to the export", "/sources/0/profile/readiness/alpha",
        "/sources/0/leads_per_week", "Hansen's J", "The export does not reject", "Standard error",
        "Simulated 95% interval", "Leads per week, whole funnel", "Observed weeks inside the simulated P5 to P95",
        "Distributions: time to MQL and response time", "Days to MQL, whole funnel", "Response hours, whole funnel",
        "Days to MQL, paid_search"})
    CHECK(html.find(text) != std::string::npos);
  // fit.json's distributions: the export's shares of each bin add up to 1, the simulated means too,
  // and the page holds the numbers its charts draw.
  const nlohmann::json written = nlohmann::json::parse(read_file(fit / "fit.json"));
  std::size_t distributions = 0;
  for (const nlohmann::json& d : written.at("distributions")) {
    INFO(d.at("scope") << " " << d.at("metric"));
    ++distributions;
    REQUIRE(d.at("bins").size() == calibrate::kDistributionBins);
    CHECK(d.at("observed_count").get<double>() >= static_cast<double>(calibrate::kDistributionMinimum));
    double observed = 0, simulated = 0;
    for (const nlohmann::json& b : d.at("bins")) {
      observed += b.at("observed").get<double>();
      simulated += b.at("simulated").get<double>();
      CHECK(b.at("simulated_p5").get<double>() <= b.at("simulated").get<double>() + 1e-12);
      CHECK(b.at("simulated").get<double>() <= b.at("simulated_p95").get<double>() + 1e-12);
    }
    CHECK(observed == Approx(1.0));
    CHECK(simulated == Approx(1.0));
  }
  CHECK(distributions == 4);  // "all" and paid_search, days to MQL and response hours
  const nlohmann::json& first_bin = written.at("distributions")[0].at("bins")[0];
  CHECK(html.find(fmt::format("\"observed\":{}", first_bin.at("observed").dump())) != std::string::npos);
  CHECK(html.find(fmt::format("\"p95\":{}", first_bin.at("simulated_p95").dump())) != std::string::npos);

  // A second calibration replaces the folder the first wrote.
  const CliResult again = cli(fmt::format("{} --out {}", calibrate, report_test_quoted(fit)));
  INFO(again.err);
  CHECK(again.exit_code == 0);

  // The same section from the result folder.
  const CliResult from_folder =
      cli(fmt::format("report {} --out {} --quiet", report_test_quoted(fit), report_test_quoted(pages / "again.html")));
  INFO(from_folder.err);
  REQUIRE(from_folder.exit_code == 0);
  CHECK(read_file(pages / "again.html").find("Calibration: the scenario fitted to the export") != std::string::npos);

  // A folder as --report, or a file as its folder: exit 2 before fitting, nothing written.
  std::ofstream(dir.path() / "a_file") << "x";
  for (const std::filesystem::path& bad : {pages, dir.path() / "a_file" / "fit.html"}) {
    const std::filesystem::path out = dir.path() / "not_written";
    const CliResult refused =
        cli(fmt::format("{} --out {} --report {}", calibrate, report_test_quoted(out), report_test_quoted(bad)));
    CHECK(refused.exit_code == 2);
    CHECK(refused.err.find("--report") != std::string::npos);
    CHECK_FALSE(std::filesystem::exists(out));
  }
  CHECK(report_test_files_in(pages) == 2);
}

TEST_CASE("the calibration section escapes what fit.json holds, and names a fit.json that is not calibrate's",
          "[calibrate][report]") {
  REQUIRE(report_charts_available());
  const nlohmann::json fit = {{"kind", "calibration"},
                              {"method", "m<b>"},
                              {"seed", 1},
                              {"replications", 4},
                              {"evaluations", 9},
                              {"parameters",
                               {{{"pointer", "/sources/0/x<script>"},
                                 {"how", "fitted"},
                                 {"base", 1},
                                 {"estimate", 2},
                                 {"se", 0.1},
                                 {"ci95_low", 1.8},
                                 {"ci95_high", 2.2}}}},
                              {"correlation", {{1.0}}},
                              {"warnings", {"w<i>"}},
                              {"moments",
                               {{{"scope", "a&<src>"},
                                 {"metric", "lead_to_mql_rate"},
                                 {"observed", 0.2},
                                 {"observed_ci95", {0.1, 0.3}},
                                 {"simulated", 0.21},
                                 {"simulated_ci95", {0.19, 0.23}},
                                 {"z", 3.1}}}},
                              {"weeks",
                               {{{"scope", "a&<src>"},
                                 {"series", "leads"},
                                 {"week", 1},
                                 {"first_day", "2025-01-06"},
                                 {"observed", 10},
                                 {"simulated", 11},
                                 {"simulated_p5", 6},
                                 {"simulated_p95", 16}}}},
                              {"distributions",
                               {{{"scope", "a&<src>"},
                                 {"metric", "time_to_mql_days"},
                                 {"observed_count", 40},
                                 {"simulated_count", 41.5},
                                 {"bins",
                                  {{{"low", 0},
                                    {"high", 1.5},
                                    {"observed", 0.625},
                                    {"simulated", 0.6125},
                                    {"simulated_p5", 0.4375},
                                    {"simulated_p95", 0.8125}},
                                   {{"low", 1.5},
                                    {"high", 3},
                                    {"observed", 0.375},
                                    {"simulated", 0.3875},
                                    {"simulated_p5", 0.1875},
                                    {"simulated_p95", 0.5625}}}}}}},
                              {"j",
                               {{"statistic", 9.6},
                                {"degrees_of_freedom", 1},
                                {"p_value", 0.002},
                                {"rejected", true},
                                {"verdict", "rejected: <cannot> reproduce a&<src>"}}}};
  const std::string html = html_report({{"fit.json", fit.dump()}});
  for (const char* raw : {"x<script>", "a&<src>", "w<i>", "<cannot>", "m<b>"})
    CHECK(html.find(raw) == std::string::npos);
  CHECK(html.find("a&amp;&lt;src&gt;") != std::string::npos);
  CHECK(html.find("The export rejects the calibrated scenario.") != std::string::npos);
  CHECK(html.find("class=\"worse\">+3.10") != std::string::npos);  // |z| > 2.5 stands out
  // The distribution's chart: its title names the scope (escaped), its data hold every bin.
  CHECK(html.find("Days to MQL, a&amp;&lt;src&gt;") != std::string::npos);
  for (const char* value : {"\"observed\":0.625", "\"simulated\":0.3875", "\"p5\":0.1875", "\"p95\":0.8125",
                            "\"middle\":2.25", "Red: the export (40). Blue: calibrated (42 a replication)."})
    CHECK(html.find(value) != std::string::npos);
  nlohmann::json other = fit;
  other["kind"] = "observed";
  CHECK_THROWS_WITH(html_report({{"fit.json", other.dump()}}),
                    "fit.json /kind: expected \"calibration\" as funnelsim calibrate writes it, found \"observed\"");
}

TEST_CASE(
    "an observe folder reads back with its weekly.csv and samples.csv: every scope's weeks and samples as measure made "
    "them",
    "[calibrate][crm]") {
  TempDir dir;
  nlohmann::json truth = small_document(21);
  truth["warmup_days"] = 0;
  const RunnableScenario scenario(truth, "paid_search_only");
  const std::optional<crm::CrmExport> exported = crm::export_replication(scenario, 4242, 0, {crm::CrmFormat::hubspot});
  REQUIRE(exported);
  write_export(*exported, dir.path() / "export");
  const ReadBack read = read_back(dir.path() / "export");
  const std::filesystem::path folder = dir.path() / "observed";
  std::filesystem::create_directory(folder);
  for (const auto& [name, text] : crm::observed_files(read.data, read.funnel))
    std::ofstream(folder / name, std::ios::binary) << text;
  const crm::ObservedFunnel back = crm::read_observed_summary(folder);
  REQUIRE(back.scopes.size() == read.funnel.scopes.size());
  for (std::size_t s = 0; s < back.scopes.size(); ++s) {
    const auto &got = back.scopes[s].weeks, &made = read.funnel.scopes[s].weeks;
    INFO(back.scopes[s].name);
    REQUIRE(got.size() == made.size());
    REQUIRE_FALSE(got.empty());
    for (std::size_t w = 0; w < got.size(); ++w) {
      CHECK(got[w].week == made[w].week);
      CHECK(got[w].first_day == made[w].first_day);
      CHECK(got[w].leads_in_week == made[w].leads_in_week);
      CHECK(got[w].mqls_in_week == made[w].mqls_in_week);
      CHECK(got[w].sqls_in_week == made[w].sqls_in_week);
      CHECK(got[w].mqls == made[w].mqls);
      CHECK(got[w].maturing == made[w].maturing);
    }
    // The samples behind the distributions, each the same double (samples.csv).
    CHECK(back.scopes[s].time_to_mql_days == read.funnel.scopes[s].time_to_mql_days);
    CHECK(back.scopes[s].response_hours == read.funnel.scopes[s].response_hours);
  }
  REQUIRE_FALSE(back.scopes[0].time_to_mql_days.empty());
  // A samples.csv that is not observe's names the file, row and column.
  std::ofstream(folder / "samples.csv") << "source,sample,value\nall,time_to_mql_days,-3\n";
  CHECK_THROWS_WITH(
      crm::read_observed_summary(folder),
      (folder / "samples.csv").string() + " row 2 column 'value': expected a number of at least 0, found '-3'");
  std::ofstream(folder / "samples.csv") << "source,sample,value\nall,days,3\n";
  CHECK_THROWS_WITH(crm::read_observed_summary(folder),
                    (folder / "samples.csv").string() +
                        " row 2 column 'sample': expected time_to_mql_days or response_time_hours, found 'days'");
  std::filesystem::remove(folder / "samples.csv");
  // A weekly.csv that is not observe's names the file, row and column.
  std::ofstream(folder / "weekly.csv")
      << "source,week,first_day,leads,mqls_in_week,sqls_in_week,cohort_mqls,cohort_sqls,"
         "cohort_opportunities,cohort_won_deals,age_days,maturing\n"
         "all,1,2025-01-06,ten,1,1,1,1,0,0,3,false\n";
  CHECK_THROWS_WITH(crm::read_observed_summary(folder),
                    (folder / "weekly.csv").string() + " row 2 column 'leads': expected a number, found 'ten'");
}
