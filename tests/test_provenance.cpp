// Which scenario made a result: the origin a read records (files with their SHA-256, the extends
// chain in order, overrides in order), the hash of the resolved scenario (it changes exactly when
// what the engine reads changes), and the provenance block in every result file.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli_support.hpp"
#include "core/sha256.hpp"
#include "funnelsim/scenario/origin.hpp"

using namespace funnelsim;
using nlohmann::json;
using test::cli;
using test::read_file;
using test::TempDir;
namespace fs = std::filesystem;

namespace {

void write(const fs::path& file, const std::string& text) {
  fs::create_directories(file.parent_path());
  std::ofstream(file, std::ios::binary) << text;
}

const std::string kBase = R"({
  "name": "base", "horizon_days": 28, "replications": 4,
  "sources": [{ "name": "web", "leads_per_week": 70, "cost_per_lead": 10,
                "profile": { "attributes": { "fit": { "probability": 0.5 } } } }],
  "scoring": { "attribute_points": { "fit": 40 }, "mql_threshold": 30 }
})";

/// c.json <- b.json <- a.json: a chain of two extends.
void write_chain(const TempDir& dir) {
  write(dir / "c.json", kBase);
  write(dir / "sub" / "b.json", R"({"extends": "../c.json", "scoring": {"mql_threshold": 35}})");
  write(dir / "a.json", R"({"extends": "sub/b.json", "name": "a", "seed": 11})");
}

/// A path as the CLI records it: the tests run it from the source folder.
std::string recorded_by_cli(const fs::path& path) {
  return path.lexically_normal().lexically_proximate(FUNNELSIM_SOURCE_DIR).generic_string();
}

std::string hash_of(const json& document) { return resolved_sha256(UncertainScenario(document)); }

json base_document() { return json::parse(kBase); }

}  // namespace

TEST_CASE("sha256: the FIPS 180-4 test vectors", "[provenance]") {
  CHECK(sha256_hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq") ==
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");  // 448 bits: a second padding block
  CHECK(sha256_hex(std::string(1000000, 'a')) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
  CHECK(sha256_hex(std::string(64, 'x')).size() == 64);
}

TEST_CASE("sha256: bytes given in pieces hash as the whole", "[provenance]") {
  // Pieces that straddle block boundaries, and a whole message around the padding limits.
  for (const std::size_t size : {0, 1, 55, 56, 63, 64, 65, 119, 120, 128, 1000}) {
    std::string message;
    for (std::size_t i = 0; i < size; ++i) message += static_cast<char>('a' + i % 26);
    for (const std::size_t piece : {1, 7, 63, 64, 100}) {
      Sha256 hash;
      for (std::size_t at = 0; at < size; at += piece) hash.update(std::string_view(message).substr(at, piece));
      CHECK(hash.hex() == sha256_hex(message));
    }
  }
  Sha256 million;
  for (int i = 0; i < 1000; ++i) million.update(std::string(1000, 'a'));
  CHECK(million.hex() == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST_CASE("provenance: a chain of two extends and two overrides is recorded in order, with content hashes",
          "[provenance]") {
  TempDir dir;
  write_chain(dir);
  const std::vector<Override> sets{Override::parse("/scoring/mql_threshold=40"),
                                   Override::parse("/sources/0/leads_per_week=[1,2]"),
                                   Override::parse("/description=two, words")};
  const ScenarioInput input = read_scenario_input(dir / "a.json", sets);
  const ScenarioOrigin& o = input.origin;
  REQUIRE(o.file);
  CHECK(o.file->path == recorded_path(dir / "a.json"));
  CHECK(o.file->sha256 == sha256_hex(read_file(dir / "a.json")));
  REQUIRE(o.extends.size() == 2);  // the base first, then the base's base
  CHECK(o.extends[0].path == recorded_path(dir / "sub" / "b.json"));
  CHECK(o.extends[0].sha256 == sha256_hex(read_file(dir / "sub" / "b.json")));
  CHECK(o.extends[1].path == recorded_path(dir / "c.json"));  // "sub/../c.json", normalised
  CHECK(o.extends[1].sha256 == sha256_hex(read_file(dir / "c.json")));
  REQUIRE(o.overrides.size() == 3);
  CHECK(o.overrides[0].pointer == "/scoring/mql_threshold");
  CHECK(o.overrides[0].json_value() == 40);
  CHECK(o.overrides[1].json_value() == json({1, 2}));
  CHECK(o.overrides[2].json_value() == "two, words");                     // not JSON: a string, as --set reads it
  CHECK(input.document == read_scenario_document(dir / "a.json", sets));  // the same document either way

  // Paths: relative ones as given (normalised), absolute ones relative to the working directory.
  CHECK(recorded_path("scenarios/./x/../saas_baseline.json") == "scenarios/saas_baseline.json");
  CHECK(recorded_path(fs::current_path() / "scenarios" / "saas_baseline.json") == "scenarios/saas_baseline.json");
  CHECK(recorded_path(fs::current_path().parent_path() / "elsewhere.json").rfind("../", 0) == 0);
}

TEST_CASE("provenance: the resolved hash changes exactly when what the engine reads changes", "[provenance]") {
  const json base = base_document();
  const std::string h = hash_of(base);
  CHECK(h.size() == 64);
  auto with = [&](const char* pointer, const json& value) {
    json doc = base;
    doc[json::json_pointer(pointer)] = value;
    return hash_of(doc);
  };
  // The same scenario, written differently.
  CHECK(with("/scoring/mql_threshold", 30) == h);    // a value restated
  CHECK(with("/scoring/mql_threshold", 30.0) == h);  // 30.0 is 30
  CHECK(with("/warmup_days", 0) == h);               // a default set explicitly
  CHECK(with("/name", "another name") == h);         // labels change no number
  CHECK(with("/description", "why") == h);
  // A different scenario.
  CHECK(with("/scoring/mql_threshold", 31) != h);
  CHECK(with("/warmup_days", 7) != h);
  CHECK(with("/seed", 5) != h);  // the scenario's own seed is part of it
  CHECK(with("/sources/0/profile/attributes/fit/probability", 0.5000001) != h);
  // A variant file restating a base value hashes as the base, through the file reader too.
  TempDir dir;
  write(dir / "base.json", kBase);
  write(dir / "same.json", R"({"extends": "base.json", "name": "same", "scoring": {"mql_threshold": 30}})");
  write(dir / "raised.json", R"({"extends": "base.json", "scoring": {"mql_threshold": 45}})");
  CHECK(hash_of(read_scenario_document(dir / "same.json")) == h);
  CHECK(hash_of(read_scenario_document(dir / "raised.json")) != h);
  CHECK(hash_of(read_scenario_document(dir / "raised.json", {Override::parse("/scoring/mql_threshold=30")})) == h);
  // An uncertain input is part of the scenario: its distribution, not its mean, is hashed.
  const std::string uncertain = with("/scoring/mql_threshold", json::parse(R"({"uncertain":
      {"distribution": "uniform", "low": 20, "high": 40}})"));
  CHECK(uncertain != h);
  CHECK(uncertain != with("/scoring/mql_threshold", json::parse(R"({"uncertain":
      {"distribution": "uniform", "low": 25, "high": 35}})")));
}

TEST_CASE("cli: summary, compare, sweep and sensitivity files record the provenance block", "[provenance][cli]") {
  TempDir dir;
  write_chain(dir);
  const std::string a = (dir / "a.json").string(), d = dir.path().string();
  const std::string sets = " --set /scoring/mql_threshold=40 --set /sources/0/cost_per_lead=12";
  const json expected_overrides = json::parse(R"([{"pointer": "/scoring/mql_threshold", "value": 40},
                                                  {"pointer": "/sources/0/cost_per_lead", "value": 12}])");
  auto check_block = [&](const json& p, const std::string& resolved) {
    CHECK(p["file"]["path"] == recorded_by_cli(dir / "a.json"));
    CHECK(p["file"]["sha256"] == sha256_hex(read_file(dir / "a.json")));
    REQUIRE(p["extends"].size() == 2);
    CHECK(p["extends"][0]["path"] == recorded_by_cli(dir / "sub" / "b.json"));
    CHECK(p["extends"][1]["sha256"] == sha256_hex(read_file(dir / "c.json")));
    CHECK(p["overrides"] == expected_overrides);
    CHECK(p["resolved_sha256"] == resolved);
    CHECK(p.size() == 4);
  };
  const std::string resolved = hash_of(read_scenario_document(
      dir / "a.json", {Override::parse("/scoring/mql_threshold=40"), Override::parse("/sources/0/cost_per_lead=12")}));

  auto r =
      cli("run '" + a + "'" + sets + " --replications 3 --quiet --out '" + d + "/run' --report '" + d + "/run.html'");
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  check_block(json::parse(read_file(dir / "run" / "summary.json"))["provenance"], resolved);
  const std::string html = read_file(dir / "run.html");
  CHECK(html.find("Made from <code>") != std::string::npos);
  CHECK(html.find("which extends <code>") != std::string::npos);
  CHECK(html.find("<code>/scoring/mql_threshold=40</code>, <code>/sources/0/cost_per_lead=12</code>") !=
        std::string::npos);
  CHECK(html.find("title=\"sha256 " + resolved + "\"") != std::string::npos);

  r = cli("compare '" + a + "' '" + a + "'" + sets + " --replications 3 --quiet --out '" + d + "/compare'");
  REQUIRE(r.exit_code == 0);
  const json compare = json::parse(read_file(dir / "compare" / "compare.json"));
  for (const json& s : compare["scenarios"]) check_block(s["provenance"], resolved);

  r = cli("sweep '" + a + "'" + sets + " --param /horizon_days=14,21 --replications 3 --quiet --out '" + d + "/sweep'");
  REQUIRE(r.exit_code == 0);
  check_block(json::parse(read_file(dir / "sweep" / "sweep.json"))["provenance"], resolved);

  r = cli("sensitivity '" + a + "'" + sets + " --params /scoring/mql_threshold --replications 3 --quiet --out '" + d +
          "/sensitivity' --report '" + d + "/sensitivity.html'");
  REQUIRE(r.exit_code == 0);
  check_block(json::parse(read_file(dir / "sensitivity" / "sensitivity.json"))["provenance"], resolved);
  CHECK(read_file(dir / "sensitivity.html").find("Made from <code>") != std::string::npos);
}

TEST_CASE("cli: a scenario given by a relative path is recorded relative, its base beside it", "[provenance][cli]") {
  TempDir dir;
  const auto r =
      cli("run scenarios/threshold_raise.json --replications 2 --quiet --out '" + dir.path().string() + "/out'");
  REQUIRE(r.exit_code == 0);
  const json p = json::parse(read_file(dir / "out" / "summary.json"))["provenance"];
  const std::string root = FUNNELSIM_SOURCE_DIR;
  CHECK(p["file"] == json{{"path", "scenarios/threshold_raise.json"},
                          {"sha256", sha256_hex(read_file(root + "/scenarios/threshold_raise.json"))}});
  CHECK(p["extends"] == json::array({json{{"path", "scenarios/saas_baseline.json"},
                                          {"sha256", sha256_hex(read_file(root + "/scenarios/saas_baseline.json"))}}}));
  CHECK(p["overrides"] == json::array());
}
