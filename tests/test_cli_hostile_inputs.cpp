// Issue 19: hostile inputs through the command. Nothing injects into the tools that open the
// outputs (spreadsheets, terminals), and no input crashes or wraps around.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <string>

#include <nlohmann/json.hpp>

#include "cli_support.hpp"
#include "small_scenario.hpp"

using funnelsim::test::cli;
using funnelsim::test::read_file;
using funnelsim::test::SmallScenario;
using funnelsim::test::TempDir;
using nlohmann::json;

namespace {

std::string in_quotes(const std::filesystem::path& p) {
  std::string text(1, '\'');
  text += p.string();
  return text += '\'';
}

/// No control character but the newline, and no C1 control (U+0080..U+009F).
bool terminal_safe(const std::string& text) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if ((c < 0x20 && c != '\n') || c == 0x7F) return false;
    if (c == 0xC2 && i + 1 < text.size() && static_cast<unsigned char>(text[i + 1]) < 0xA0) return false;
  }
  return true;
}

}  // namespace

TEST_CASE("cli: --seed -1 and --first-replication -1 are refused, not wrapped to 2^64 - 1", "[cli][errors][hostile]") {
  for (const std::string option : {"--seed", "--first-replication"}) {
    for (const std::string value : {"-1", "9007199254740992", "1e3", "x"}) {
      INFO(option << " " << value);
      TempDir dir;
      const auto r = cli("run scenarios/saas_baseline.json --replications 2 --quiet " + option + " " + value +
                         " --out " + in_quotes(dir / "out"));
      CHECK(r.exit_code == 2);
      CHECK(r.out.empty());
      CHECK(r.err.find(option + ": expected a whole number from 0 to 9007199254740991, found " + value) !=
            std::string::npos);
      CHECK(!std::filesystem::exists(dir / "out"));
    }
  }
  TempDir dir;
  const json summary =
      funnelsim::test::run_summary_json("scenarios/saas_baseline.json --replications 2 --seed 9007199254740991", dir);
  CHECK(summary["seed"] == 9007199254740991ULL);
}

TEST_CASE("cli: a scenario without a name in a file whose name is not UTF-8 runs under a UTF-8 name",
          "[cli][hostile]") {
  SmallScenario small;
  json doc = json::parse(read_file(small.file));
  doc.erase("name");
  const auto file = small.dir / "odd\xff\xfe.json";
  std::ofstream(file) << doc.dump();
  const auto r = cli("run " + in_quotes(file) + " --replications 2 --quiet --out " + in_quotes(small.dir / "out"));
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const json summary = json::parse(read_file(small.dir / "out" / "summary.json"));
  CHECK(summary["scenario"] == "odd\xef\xbf\xbd\xef\xbf\xbd");
  const std::string path = summary["provenance"]["file"]["path"];  // recorded in UTF-8 too
  CHECK(path.ends_with("/odd\xef\xbf\xbd\xef\xbf\xbd.json"));
  const auto v = cli("validate " + in_quotes(file));
  CHECK(v.exit_code == 0);
  CHECK(v.out.find("odd\\xff\\xfe.json: valid scenario \"odd\xef\xbf\xbd\xef\xbf\xbd\"") != std::string::npos);
}

TEST_CASE("cli: control characters in names, keys and paths are shown escaped, never sent to the terminal",
          "[cli][hostile]") {
  SmallScenario evil(R"({"name": "evil\u001b]0;owned\u0007\u009b2J\u007f"})");
  const auto v = cli("validate " + in_quotes(evil.file));
  CHECK(v.exit_code == 0);
  CHECK(v.out.find("valid scenario \"evil\\x1b]0;owned\\x07\\u009b2J\\u007f\"") != std::string::npos);
  CHECK(terminal_safe(v.out));
  const auto run = cli("run " + in_quotes(evil.file) + " --replications 2 --out " + in_quotes(evil.dir / "out"));
  CHECK(run.exit_code == 0);
  CHECK(terminal_safe(run.out));
  CHECK(terminal_safe(run.err));
  const auto compare = cli("compare " + in_quotes(evil.file) + " " + in_quotes(evil.file) + " --replications 2");
  CHECK(compare.exit_code == 0);
  CHECK(compare.out.find("evil\\x1b]0;owned") != std::string::npos);
  CHECK(terminal_safe(compare.out));

  const auto bench = cli("bench " + in_quotes(evil.file) + " --replications 2 --repeats 1 --max-threads 1");
  CHECK(bench.exit_code == 0);
  CHECK(bench.out.find("benchmark: scenario evil\\x1b]0;owned") == 0);
  CHECK(terminal_safe(bench.out));

  SmallScenario bad_key(R"({"\u001b[2Jwipe": 1})");
  const auto e = cli("validate " + in_quotes(bad_key.file));
  CHECK(e.exit_code == 2);
  CHECK(e.err.find("/\\x1b[2Jwipe: expected") != std::string::npos);
  CHECK(terminal_safe(e.err));
  const auto set = cli("validate " + in_quotes(bad_key.file) + " --set \"/$(printf '\\033]8;;x\\007')=1\"");
  CHECK(set.exit_code == 2);
  CHECK(terminal_safe(set.err));
  const auto option = cli("run " + in_quotes(evil.file) + " --seed \"$(printf '\\033[31m')\"");
  CHECK(option.exit_code == 2);
  CHECK(option.err.find("\\x1b[31m") != std::string::npos);
  CHECK(terminal_safe(option.err));
}

TEST_CASE("cli: CSV cells that a spreadsheet would run as formulas start with an apostrophe, numbers stay numbers",
          "[cli][hostile][compare]") {
  SmallScenario base(R"j({"name": "=HYPERLINK(\"http://x\")"})j");
  SmallScenario variant(R"({"name": "-2+3", "scoring": {"mql_threshold": 70}})");
  const auto r = cli("compare " + in_quotes(base.file) + " " + in_quotes(variant.file) +
                     " --replications 4 --quiet --out " + in_quotes(base.dir / "out"));
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const std::string csv = read_file(base.dir / "out" / "compare.csv");
  CHECK(csv.find("\n'-2+3,") != std::string::npos);
  CHECK(csv.find("\n-2+3,") == std::string::npos);
  CHECK(csv.find(",-") != std::string::npos);  // negative differences: written as numbers, unchanged
  CHECK(csv.find(",'-") == std::string::npos);
}

TEST_CASE("cli: a coverage target of 5e-324 writes no infinity: the ratio is undefined", "[cli][hostile]") {
  TempDir dir;
  const auto r =
      cli("run scenarios/saas_baseline.json --replications 3 --quiet --set /pipeline/coverage_target=5e-324 "
          "--out " +
          in_quotes(dir / "out"));
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  std::size_t files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir / "out")) {
    const std::string text = read_file(entry.path());
    const std::string name = entry.path().filename().string();
    INFO(name);
    ++files;
    if (name.ends_with(".json")) {
      CHECK_NOTHROW(json::parse(text));  // Infinity or NaN would not parse
      continue;
    }
    std::string cell;
    for (char c : text + "\n") {
      if (c != ',' && c != '\n') {
        cell += c;
        continue;
      }
      for (const char* word : {"inf", "-inf", "nan", "-nan", "Infinity", "NaN"}) CHECK(cell != word);
      cell.clear();
    }
  }
  CHECK(files >= 3);
  const json summary = json::parse(read_file(dir / "out" / "summary.json"));
  CHECK(summary["metrics"]["pipeline_coverage"]["mean"].is_null());
}
