// export-crm and observe through the command line, files and all: the round trip, the same
// bytes, bad data answered with row, column and text (exit 2, nothing written), no personal data.
#include <catch2/catch.hpp>
#include <cmath>
#include <fstream>
#include <sstream>

#include "cli_support.hpp"

using namespace funnelsim::test;
using nlohmann::json;

namespace {

/// The row of a replications.csv whose "replication" is `k`, by column name.
std::map<std::string, std::string> csv_row(const std::string& csv, int k) {
  std::istringstream in(csv);
  std::string line;
  std::getline(in, line);
  std::vector<std::string> header;
  for (std::istringstream h(line); std::getline(h, line, ',');) header.push_back(line);
  std::map<std::string, std::string> row;
  while (std::getline(in, line)) {
    std::vector<std::string> cells;
    std::string cell;
    for (std::istringstream c(line + ","); std::getline(c, cell, ',');) cells.push_back(cell);
    if (std::stoi(cells[0]) != k) continue;
    for (std::size_t i = 0; i < header.size(); ++i) row[header[i]] = i < cells.size() ? cells[i] : "";
  }
  return row;
}

/// A small HubSpot contacts export written by hand.
void write_contacts(const std::filesystem::path& file, const std::string& header,
                    const std::vector<std::string>& rows) {
  std::ofstream out(file, std::ios::binary);
  out << header << "\r\n";
  for (const std::string& r : rows) out << r << "\r\n";
}

constexpr const char* kHeader =
    "Record ID,Email,Create Date,Original Source,Lifecycle Stage,Became a Marketing Qualified Lead Date,"
    "Became a Sales Qualified Lead Date";

}  // namespace

TEST_CASE("cli crm: observe of export-crm matches run's replications.csv row K in both CRMs", "[crm][cli]") {
  TempDir dir;
  REQUIRE(cli("run scenarios/saas_baseline.json --replications 3 --quiet --out " + q(dir / "run")).exit_code == 0);
  const auto simulated = csv_row(read_file(dir / "run" / "replications.csv"), 2);
  for (const std::string format : {"hubspot", "salesforce"}) {
    INFO(format);
    const auto e =
        cli("export-crm scenarios/saas_baseline.json --replication 2 --format " + format + " --out " + q(dir / format));
    INFO(e.err);
    REQUIRE(e.exit_code == 0);
    CHECK(e.out.find("observe it: funnelsim observe") != std::string::npos);
    const auto o = cli("observe " + q(dir / format) + " --mapping " + q(dir / format / "mapping.json") +
                       " --from 2025-01-06 --to 2025-04-05 --out " + q(dir / (format + "_observed")));
    INFO(o.err);
    REQUIRE(o.exit_code == 0);
    CHECK(o.out.find("recognised from the headers") != std::string::npos);
    const auto observed = csv_row(read_file(dir / (format + "_observed") / "replications.csv"), 0);
    std::size_t compared = 0;
    for (const auto& [column, text] : observed) {
      if (column == "replication" || text.empty()) continue;
      INFO(column << ": simulated " << simulated.at(column) << ", observed " << text);
      REQUIRE(!simulated.at(column).empty());
      const double a = std::stod(simulated.at(column)), b = std::stod(text);
      const bool time = column.find("time_to_mql") != std::string::npos;
      const bool hours = column.find("response_time") != std::string::npos;
      const bool money =
          column.find("pipeline_value") != std::string::npos || column.find("revenue") != std::string::npos;
      // A sum of times (a pooled ratio's numerator) is off by at most a minute per MQL summed.
      const bool sum = column.ends_with("_sum");
      const std::string scope = column.substr(0, column.rfind('.') + 1);
      const double summed = sum ? std::stod(simulated.at(scope + "mqls")) : 1.0;
      const bool in_hours = column.find("hours") != std::string::npos;
      const double tolerance = sum                 ? summed * (in_hours ? 1.0 / 60 : 1.0 / 1440) + 1e-9
                               : time              ? 1.0 / 1440 + 1e-9
                               : hours || in_hours ? 1.0 / 60 + 1e-9
                               : money             ? 0.005 * 200
                                                   : 1e-9;
      CHECK(std::abs(a - b) <= tolerance);
      ++compared;
    }
    CHECK(compared > 100);
    for (const char* m : {"leads", "mqls", "sqls", "opportunities", "won_deals"})
      CHECK(observed.at(m) == simulated.at(m));
    const json summary = json::parse(read_file(dir / (format + "_observed") / "summary.json"));
    CHECK(summary["kind"] == "observed");
    CHECK(summary["metrics"]["mql_to_sql_rate"]["ci_method"] == "wilson");
    CHECK(summary["metrics"]["leads"]["ci_method"] == "poisson_exact");
    CHECK(summary["metrics"]["time_to_mql_days"]["ci_method"] == "bootstrap_percentile");
    CHECK(summary["metrics"]["spend"]["mean"].is_null());
    CHECK(summary["observed"]["window"]["from"] == "2025-01-06");
  }
}

TEST_CASE("cli crm: the same scenario, seed and replication give the same bytes", "[crm][cli]") {
  TempDir dir;
  for (const char* name : {"a", "b"})
    REQUIRE(cli("export-crm scenarios/nurture_recycle.json --format salesforce --messy --replication 1 --quiet --out " +
                q(dir / name))
                .exit_code == 0);
  for (const auto& entry : std::filesystem::directory_iterator(dir / "a")) {
    INFO(entry.path().filename());
    CHECK(read_file(entry.path()) == read_file(dir / "b" / entry.path().filename()));
  }
  CHECK(std::filesystem::exists(dir / "a" / "lead_history.csv"));
  // Recycled leads have history rows.
  CHECK(read_file(dir / "a" / "lead_history.csv").find("MQL Date") != std::string::npos);
}

TEST_CASE("cli crm: --start-date sets day 0 and must fall on the scenario's start weekday", "[crm][cli]") {
  TempDir dir;
  const auto bad =
      cli("export-crm scenarios/saas_baseline.json --format hubspot --start-date 2025-03-04 --out " + q(dir / "x"));
  CHECK(bad.exit_code == 2);
  CHECK(bad.err ==
        "funnelsim: --start-date: expected a Monday (the scenario's start_weekday: day 0's weekday shapes arrivals "
        "and working days), found 2025-03-04, a Tuesday\n");
  CHECK(!std::filesystem::exists(dir / "x"));
  REQUIRE(cli("export-crm scenarios/saas_baseline.json --format hubspot --start-date 2025-03-03 --quiet --out " +
              q(dir / "y"))
              .exit_code == 0);
  const json info = json::parse(read_file(dir / "y" / "export.json"));
  CHECK(info["start_date"] == "2025-03-03");
  CHECK(info["time_zone"] == "UTC");
  CHECK(read_file(dir / "y" / "contacts.csv").find(",2025-03-03 00:") != std::string::npos);
}

TEST_CASE("cli crm: a missing required column names it and lists the header", "[crm][cli]") {
  TempDir dir;
  write_contacts(dir / "contacts.csv", "Record ID,Create Date,Original Source,Became a Marketing Qualified Lead Date",
                 {"1,2025-01-06 10:00,Paid search,"});
  const auto r = cli("observe " + q(dir / "contacts.csv") + " --out " + q(dir / "out"));
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("missing \"Lifecycle Stage\", \"Became a Sales Qualified Lead Date\"") != std::string::npos);
  CHECK(r.err.find("found the columns \"Record ID\", \"Create Date\", \"Original Source\", \"Became a Marketing "
                   "Qualified Lead Date\"") != std::string::npos);
  CHECK(!std::filesystem::exists(dir / "out"));
}

TEST_CASE("cli crm: an unparseable date names the row, the column and the text", "[crm][cli]") {
  TempDir dir;
  write_contacts(dir / "contacts.csv", kHeader,
                 {"1,a@x.com,2025-01-06 10:00,Paid search,lead,,", "2,b@x.com,2025-13-01 10:00,Paid search,lead,,"});
  const auto r = cli("observe " + q(dir / "contacts.csv") + " --out " + q(dir / "out"));
  CHECK(r.exit_code == 2);
  CHECK(r.err == "funnelsim: " + (dir / "contacts.csv").string() +
                     " row 3, column \"Create Date\": expected a date (YYYY-MM-DD, YYYY-MM-DD HH:MM, ISO 8601 with Z "
                     "or an offset, MM/DD/YYYY or DD/MM/YYYY), found \"2025-13-01 10:00\"\n");
  CHECK(!std::filesystem::exists(dir / "out"));
}

TEST_CASE("cli crm: an ambiguous date is refused with its row unless --date-order decides", "[crm][cli]") {
  TempDir dir;
  write_contacts(dir / "contacts.csv", kHeader,
                 {"1,a@x.com,01/20/2025 10:00,Paid search,marketingqualifiedlead,03/04/2025 09:00,"});
  const auto r = cli("observe " + q(dir / "contacts.csv"));
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("row 2, column \"Became a Marketing Qualified Lead Date\": expected a date that reads one way, "
                   "found \"03/04/2025 09:00\"") != std::string::npos);
  CHECK(r.err.find("--date-order month-first or day-first") != std::string::npos);
  const auto ok = cli("observe " + q(dir / "contacts.csv") + " --date-order month-first --from 2025-01-01");
  INFO(ok.err);
  CHECK(ok.exit_code == 0);
  CHECK(ok.out.find("mqls ") != std::string::npos);
  // Day first, the MQL (3 April) comes after creation (20 January); month first too (4 March).
  const auto contradicted = cli("observe " + q(dir / "contacts.csv") + " --date-order day-first");
  CHECK(contradicted.exit_code == 2);  // 01/20/2025 cannot be read day first
  CHECK(contradicted.err.find("column \"Create Date\"") != std::string::npos);
}

TEST_CASE("cli crm: impossible orders are left out and counted, or refused with --strict", "[crm][cli]") {
  TempDir dir;
  write_contacts(dir / "contacts.csv", kHeader,
                 {"1,a@x.com,2025-01-06 10:00,Paid search,salesqualifiedlead,2025-01-09 10:00,2025-01-08 10:00",
                  "2,b@x.com,2025-01-06 11:00,Paid search,salesqualifiedlead,2025-01-07 10:00,2025-01-08 10:00",
                  "3,B@X.com,2025-01-07 11:00,Paid search,lead,,"});
  const auto lenient = cli("observe " + q(dir / "contacts.csv") + " --out " + q(dir / "out"));
  INFO(lenient.err);
  REQUIRE(lenient.exit_code == 0);
  CHECK(lenient.out.find("left out: 1 duplicate contacts (same e-mail), 1 SQL before MQL") != std::string::npos);
  const json summary = json::parse(read_file(dir / "out" / "summary.json"));
  CHECK(summary["observed"]["data_quality"]["excluded_rows"]["sql_before_mql"] == 1);
  CHECK(summary["observed"]["data_quality"]["excluded_rows"]["duplicate_contacts"] == 1);
  CHECK(summary["metrics"]["leads"]["mean"] == 1.0);
  CHECK(summary["metrics"]["sqls"]["mean"] == 1.0);
  const auto strict = cli("observe " + q(dir / "contacts.csv") + " --strict --out " + q(dir / "strict"));
  CHECK(strict.exit_code == 2);
  CHECK(strict.err.find("row 2: expected stage dates in the funnel's order") != std::string::npos);
  CHECK(strict.err.find("found an SQL date before the MQL date") != std::string::npos);
  CHECK(!std::filesystem::exists(dir / "strict"));
}

TEST_CASE("cli crm: semicolons, decimal commas and a byte order mark read as a plain export", "[crm][cli]") {
  TempDir dir;
  {
    std::ofstream out(dir / "contacts.csv", std::ios::binary);
    out << "\xEF\xBB\xBFRecord ID;Email;Create Date;Original Source;Lifecycle Stage;Became a Marketing Qualified "
           "Lead Date;Became a Sales Qualified Lead Date\r\n"
        << "1;a@x.com;2025-01-06 10:00;\"Paid; search\";opportunity;2025-01-07 10:00;2025-01-08 10:00\r\n";
    std::ofstream deals(dir / "deals.csv", std::ios::binary);
    deals << "Record ID;Deal Stage;Amount;Create Date;Close Date\r\n9;closedwon;\"48.213,57\";2025-01-09 10:00;"
             "2025-02-01 10:00\r\n";
  }
  const auto r = cli("observe " + q(dir.path()) + " --out " + q(dir / "out") + " --quiet");
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const json summary = json::parse(read_file(dir / "out" / "summary.json"));
  CHECK(summary["metrics"]["pipeline_value"]["mean"] == 48213.57);
  CHECK(summary["by_source"].contains("Paid; search"));
}

TEST_CASE("cli crm: no name, e-mail address or free text of an export reaches observe's outputs", "[crm][cli]") {
  TempDir dir;
  REQUIRE(
      cli("export-crm scenarios/saas_baseline.json --format hubspot --messy --quiet --out " + q(dir / "e")).exit_code ==
      0);
  const auto o = cli("observe " + q(dir / "e") + " --mapping " + q(dir / "e" / "mapping.json") + " --out " +
                     q(dir / "o") + " --report " + q(dir / "o" / "report.html"));
  INFO(o.err);
  REQUIRE(o.exit_code == 0);
  // Every person of the export: first and last names, e-mail addresses, owners, deal names.
  std::istringstream contacts(read_file(dir / "e" / "contacts.csv"));
  std::string line;
  std::getline(contacts, line);
  std::vector<std::string> secrets;
  for (int i = 0; i < 300 && std::getline(contacts, line); ++i) {
    std::vector<std::string> cells;
    std::string cell;
    for (std::istringstream c(line + ","); std::getline(c, cell, ',');) cells.push_back(cell);
    secrets.push_back(cells[1] + " " + cells[2]);          // First Last
    secrets.push_back(cells[3]);                           // Email
    if (!cells[15].empty()) secrets.push_back(cells[15]);  // Contact owner
  }
  secrets.push_back("@example.com");
  secrets.push_back("New business");
  std::string outputs = o.out;
  for (const char* f : {"summary.json", "replications.csv", "weekly.csv", "samples.csv", "report.html"})
    outputs += read_file(dir / "o" / f);
  for (const std::string& s : secrets) {
    INFO(s);
    CHECK(outputs.find(s) == std::string::npos);
  }
}

TEST_CASE("cli crm: the shipped sample export is what export-crm writes today, byte for byte", "[crm][cli]") {
  TempDir dir;
  const std::string command = "bash '" + std::string(FUNNELSIM_SOURCE_DIR) + "/tools/make_crm_sample.sh' '" +
                              FUNNELSIM_CLI + "' " + q(dir / "sample");
  REQUIRE(std::system(command.c_str()) == 0);
  const std::filesystem::path shipped = std::filesystem::path(FUNNELSIM_SOURCE_DIR) / "data" / "crm_sample";
  std::size_t files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(shipped)) {
    INFO(entry.path().filename() << " differs from what tools/make_crm_sample.sh writes: run it to regenerate");
    CHECK(read_file(entry.path()) == read_file(dir / "sample" / entry.path().filename()));
    ++files;
  }
  for (const auto& entry : std::filesystem::directory_iterator(dir / "sample"))
    CHECK(std::filesystem::exists(shipped / entry.path().filename()));
  CHECK(files == 7);  // contacts, deals, history, export.json, mapping.json, messy.json, run_id
}

TEST_CASE("cli crm: report draws an observed folder beside a run's", "[crm][cli]") {
  TempDir dir;
  REQUIRE(cli("run scenarios/saas_baseline.json --replications 20 --quiet --out " + q(dir / "run")).exit_code == 0);
  REQUIRE(cli("observe data/crm_sample --mapping data/crm_sample/mapping.json --quiet --out " + q(dir / "observed"))
              .exit_code == 0);
  const auto r = cli("report " + q(dir / "observed") + " " + q(dir / "run") + " --out " + q(dir / "both.html"));
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const std::string html = read_file(dir / "both.html");
  CHECK(html.find("<h2>Observed beside simulated</h2>") != std::string::npos);
  CHECK(html.find("<h2>Observed: the funnel a CRM export records</h2>") != std::string::npos);
  CHECK(html.find("<h2>Run: saas_baseline</h2>") != std::string::npos);
  // One folder alone: its own section only.
  REQUIRE(cli("report " + q(dir / "observed") + " --quiet").exit_code == 0);
  const std::string alone = read_file(dir / "observed" / "report.html");
  CHECK(alone.find("Observed beside simulated") == std::string::npos);
  CHECK(alone.find("Lead to MQL so far, by creation week") != std::string::npos);
}
