// "extends": a scenario file as a merge patch on a base file, resolved by the loader so that
// every command sees the merged document.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli_support.hpp"
#include "scenario/extends.hpp"
#include "funnelsim/scenario/loader.hpp"
#include "issue_printing.hpp"
#include "test_support.hpp"

using funnelsim::Issue;
using funnelsim::Override;
using funnelsim::ScenarioError;
using funnelsim::test::TempDir;
using nlohmann::json;
using Issues = std::vector<Issue>;
namespace fs = std::filesystem;

namespace {

const json kBase = json::parse(R"({
  "name": "base",
  "horizon_days": 28,
  "sources": [{ "name": "web", "leads_per_week": 70, "cost_per_lead": 10 }],
  "scoring": { "mql_threshold": 60, "caps": { "total": 100 } }
})");

void write(const fs::path& file, const json& doc) {
  fs::create_directories(file.parent_path());
  std::ofstream(file, std::ios::binary) << doc.dump(2);
}

using funnelsim::test::write_text;

Issues issues_reading(const fs::path& file, const std::vector<Override>& overrides = {}) {
  try {
    (void)funnelsim::load_scenario(file, overrides);
  } catch (const ScenarioError& e) {
    return e.issues();
  }
  FAIL(file << " was accepted");
  return {};
}

}  // namespace

TEST_CASE("scenario extends: a chain merges every file, nearest last", "[extends]") {
  TempDir dir;
  write(dir / "base.json", kBase);
  write(dir / "mid.json", {{"extends", "base.json"}, {"scoring", {{"mql_threshold", 70}}}, {"seed", 5}});
  write(dir / "top.json", {{"extends", "mid.json"}, {"horizon_days", 14}});
  const json doc = funnelsim::read_extended_document(dir / "top.json");
  CHECK(!doc.contains("extends"));
  CHECK(doc["horizon_days"] == 14);               // top
  CHECK(doc["seed"] == 5);                        // mid
  CHECK(doc["scoring"]["mql_threshold"] == 70);   // mid over base
  CHECK(doc["scoring"]["caps"]["total"] == 100);  // base, merged key by key
  CHECK(doc["sources"] == kBase["sources"]);
  const funnelsim::Scenario s = funnelsim::load_scenario(dir / "top.json");
  CHECK(s.name == "top");  // name is not inherited: the variant is named after its file
  CHECK(s.scoring.thresholds.mql == 70.0);
  CHECK(s.horizon_days == 14);
}

TEST_CASE("scenario extends: merge patch semantics (null removes, unnamed arrays replace)", "[extends]") {
  TempDir dir;
  json base = kBase;
  base["sources"][0]["day_of_week_weights"] = {1, 1, 1, 1, 1, 0, 0};
  base["scoring"]["disqualifiers"] = {"student"};
  write(dir / "base.json", base);
  write(dir / "v.json", json::parse(R"({"extends": "base.json", "name": "v", "horizon_days": null,
                                        "scoring": {"disqualifiers": []},
                                        "sources": [{"name": "web", "day_of_week_weights": [1, 1, 1, 1, 1, 1, 1]}]})"));
  const json doc = funnelsim::read_extended_document(dir / "v.json");
  CHECK(doc["name"] == "v");
  CHECK(!doc.contains("horizon_days"));                     // removed, so the schema default (90) applies
  CHECK(doc["scoring"]["disqualifiers"] == json::array());  // an array of strings, even empty, replaces
  CHECK(doc["sources"][0]["day_of_week_weights"] == json({1, 1, 1, 1, 1, 1, 1}));  // numbers replace
  CHECK(doc["sources"][0]["leads_per_week"] == 70);  // the named item merged: the rest is the base's
  CHECK(funnelsim::load_scenario(dir / "v.json").horizon_days == 90);
}

TEST_CASE("scenario extends: arrays of named objects merge by name, new names added, $remove removes",
          "[extends][named]") {
  TempDir dir;
  write(dir / "base.json", json::parse(R"({
    "sources": [{"name": "web", "leads_per_week": 70, "cost_per_lead": 10, "profile": {"readiness": {"alpha": 2}}},
                {"name": "ads", "leads_per_week": 30, "cost_per_lead": 40},
                {"name": "events", "leads_per_week": 5}],
    "sales": {"teams": [{"name": "sdr", "headcount": 2, "strictness": [1, 0.8]}],
              "routing": [{"team": "sdr"}]}
  })"));
  write(dir / "v.json", json::parse(R"({"extends": "base.json",
    "sources": [{"name": "ads", "cost_per_lead": null, "spend_per_week": 900},
                {"name": "partners", "leads_per_week": 3, "cost_per_lead": null},
                {"name": "events", "$remove": true},
                {"name": "web", "profile": {"readiness": {"beta": 6}}}],
    "sales": {"teams": [{"name": "sdr", "headcount": 3}]}
  })"));
  funnelsim::ScenarioOrigin origin;
  const json doc = funnelsim::read_extended_document(dir / "v.json", &origin);
  // The base's order (events removed), then the new name; each listed item patched, the rest kept.
  CHECK(doc["sources"] == json::parse(R"([
    {"name": "web", "leads_per_week": 70, "cost_per_lead": 10, "profile": {"readiness": {"alpha": 2, "beta": 6}}},
    {"name": "ads", "leads_per_week": 30, "spend_per_week": 900},
    {"name": "partners", "leads_per_week": 3}])"));  // a new item's nulls drop out, as for a new key
  CHECK(doc["sales"]["teams"] == json::parse(R"([{"name": "sdr", "headcount": 3, "strictness": [1, 0.8]}])"));
  CHECK(doc["sales"]["routing"] == json::parse(R"([{"team": "sdr"}])"));
  CHECK_NOTHROW(funnelsim::load_scenario(dir / "v.json"));  // 3 reps on a 2-rep list: the per-rep rule

  // What validate --resolved says: one note per array, in the order applied (keys in byte order).
  REQUIRE(origin.merges.size() == 2);
  const std::string v = funnelsim::recorded_path(dir / "v.json");
  CHECK(funnelsim::array_merge_text(origin.merges[0]) ==
        v + ": /sales/teams: merged by name into the base's items (merged: sdr)");
  CHECK(origin.merges[1].pointer == "/sources");
  CHECK(origin.merges[1].merged == std::vector<std::string>{"ads", "web"});
  CHECK(origin.merges[1].added == std::vector<std::string>{"partners"});
  CHECK(origin.merges[1].removed == std::vector<std::string>{"events"});
  CHECK(funnelsim::array_merge_text(origin.merges[1]) ==
        v + ": /sources: merged by name into the base's items (merged: ads, web; added: partners; removed: events)");

  // An array of unnamed objects replaces, and says so; arrays of numbers replace without a note.
  write(dir / "w.json", json::parse(R"({"extends": "base.json",
    "sales": {"teams": [{"name": "sdr", "strictness": [0.9]}], "routing": [{"team": "sdr", "source": "web"}]},
    "sources": [{"name": "solo", "leads_per_week": 1}]})"));
  funnelsim::ScenarioOrigin w;
  const json w_doc = funnelsim::read_extended_document(dir / "w.json", &w);
  CHECK(w_doc["sales"]["teams"][0]["strictness"] == json({0.9}));
  CHECK(w_doc["sales"]["routing"] == json::parse(R"([{"team": "sdr", "source": "web"}])"));
  REQUIRE(w.merges.size() == 3);
  CHECK(w.merges[0].pointer == "/sales/routing");
  CHECK(funnelsim::array_merge_text(w.merges[0]) ==
        funnelsim::recorded_path(dir / "w.json") +
            ": /sales/routing: replaced the base's array with its own 1 item (an array of objects without names "
            "replaces)");
  CHECK(w.merges[1].pointer == "/sales/teams");
  CHECK(w.merges[2].added == std::vector<std::string>{"solo"});
}

TEST_CASE("scenario extends: a bad $remove or a name listed twice names its JSON Pointer", "[extends][named][errors]") {
  TempDir dir;
  write(dir / "base.json", kBase);
  auto issues_of = [&](const std::string& variant) {
    write(dir / "v.json", json::parse(variant));
    return issues_reading(dir / "v.json");
  };
  CHECK(issues_of(R"({"extends": "base.json", "sources": [{"name": "wbe", "$remove": true}]})") ==
        Issues{{"/sources/0/name", "the name of an item the base lists here, to remove it (did you mean \"web\"?)",
                "\"wbe\""}});
  CHECK(issues_of(R"({"extends": "base.json", "sources": [{"name": "web", "$remove": 1}]})") ==
        Issues{{"/sources/0/$remove", "true, to remove the base's item \"web\"", "1"}});
  CHECK(issues_of(R"({"extends": "base.json", "sources": [{"name": "web", "$remove": true, "leads_per_week": 3}]})") ==
        Issues{{"/sources/0", "only name and $remove in an item that removes one", "also leads_per_week"}});
  CHECK(issues_of(R"({"extends": "base.json", "sources": [{"name": "web"}, {"name": "web", "leads_per_week": 3}]})") ==
        Issues{{"/sources/1/name", "a name not listed earlier in this array", "\"web\""}});
  const std::string nowhere =
      "$remove only in a named item of an array that the base also lists with named items (it removes the base's "
      "item of that name)";
  // Where the base lists no such array, or a file extends nothing, there is nothing to remove.
  CHECK(issues_of(R"({"extends": "base.json", "nurture": {"tracks": [{"name": "t", "$remove": true}]}})") ==
        Issues{{"/nurture/tracks/0/$remove", nowhere, "true"}});
  write(dir / "alone.json", json::parse(R"({"sources": [{"name": "web", "leads_per_week": 1},
                                                         {"name": "ads", "$remove": true}]})"));
  CHECK(issues_reading(dir / "alone.json") == Issues{{"/sources/1/$remove", nowhere, "true"}});
  // In a base further up the chain, the error is at /extends and names the file and the pointer.
  write(dir / "mid.json", json::parse(R"({"extends": "base.json", "sources": [{"name": "x", "$remove": true}]})"));
  write(dir / "top.json", {{"extends", "mid.json"}});
  CHECK(issues_reading(dir / "top.json") ==
        Issues{{"/extends",
                "the name of an item the base lists here, to remove it (at /sources/0/name in " +
                    (dir / "mid.json").string() + ")",
                "\"x\""}});
}

TEST_CASE("scenario extends: a relative path resolves from the extending file's folder", "[extends]") {
  TempDir dir;
  write(dir / "shared" / "base.json", kBase);
  write(dir / "variants" / "deep" / "a.json", {{"extends", "../../shared/base.json"}, {"horizon_days", 7}});
  write(dir / "variants" / "b.json", {{"extends", "deep/a.json"}, {"seed", 9}});
  // The working directory plays no part: the tests run elsewhere.
  const funnelsim::Scenario s = funnelsim::load_scenario(dir / "variants" / "b.json");
  CHECK(s.horizon_days == 7);
  CHECK(s.seed == 9);
  CHECK(s.sources.at(0).name == "web");
  write(dir / "abs.json", {{"extends", (dir / "shared" / "base.json").string()}});
  CHECK(funnelsim::load_scenario(dir / "abs.json").horizon_days == 28);
}

TEST_CASE("scenario extends: --set applies after the merge", "[extends]") {
  TempDir dir;
  write(dir / "base.json", kBase);
  write(dir / "v.json", {{"extends", "base.json"}, {"scoring", {{"mql_threshold", 70}}}});
  const std::vector<Override> sets{Override::parse("/scoring/mql_threshold=80"),
                                   Override::parse("/sources/0/leads_per_week=35")};  // a field only the base has
  const funnelsim::Scenario s = funnelsim::load_scenario(dir / "v.json", sets);
  CHECK(s.scoring.thresholds.mql == 80.0);
  CHECK(s.sources.at(0).leads_per_week == 35.0);
  // An "extends" brought in by --set comes too late to be resolved: it is an error, not ignored.
  CHECK(
      issues_reading(dir / "v.json", {Override::parse("/extends=base.json")}) ==
      Issues{{"/extends", "extends only in a scenario file (it is resolved when the file is read, before any override)",
              "\"base.json\""}});
}

TEST_CASE("scenario extends: a cycle is an error that names the chain", "[extends]") {
  TempDir dir;
  write(dir / "a.json", {{"extends", "b.json"}});
  write(dir / "b.json", {{"extends", "./a.json"}});
  const std::string a = (dir / "a.json").string(), b = (dir / "b.json").string();
  CHECK(issues_reading(dir / "a.json") ==
        Issues{{"/extends", "a chain of extends without cycles", a + " -> " + b + " -> " + a}});
  write(dir / "self.json", {{"extends", "self.json"}});
  const std::string self = (dir / "self.json").string();
  CHECK(issues_reading(dir / "self.json") ==
        Issues{{"/extends", "a chain of extends without cycles", self + " -> " + self}});
}

TEST_CASE("scenario extends: a chain is at most 32 files deep (125 files is an error, not a crash)", "[extends]") {
  TempDir dir;
  write(dir / "f0.json", kBase);
  auto name = [](int i) {
    std::string text = "f";
    text += std::to_string(i);
    return text += ".json";
  };
  for (int i = 1; i < 125; ++i) write(dir / name(i), {{"extends", name(i - 1)}});
  const std::string top = (dir / "f124.json").string(), next = (dir / "f123.json").string();
  CHECK(issues_reading(dir / "f124.json") == Issues{{"/extends", "a chain of extends of at most 32 files",
                                                     "a longer chain: " + top + " -> " + next + " -> ..."}});
  // 32 files (the one named and 31 bases) are read.
  CHECK_NOTHROW(funnelsim::read_extended_document(dir / "f31.json"));
  const json doc = funnelsim::read_extended_document(dir / "f31.json");
  CHECK(doc.at("horizon_days") == 28);
  CHECK(!doc.contains("extends"));
}

TEST_CASE("scenario extends: a missing or broken base is an error at /extends", "[extends]") {
  TempDir dir;
  write(dir / "a.json", {{"extends", "missing.json"}});
  CHECK(issues_reading(dir / "a.json") == Issues{{"/extends", "a readable base scenario file",
                                                  "cannot open \"" + (dir / "missing.json").string() +
                                                      "\" (the base of " + (dir / "a.json").string() + ")"}});

  write_text(dir / "broken.json", "{\"sources\": [}");
  write(dir / "b.json", {{"extends", "broken.json"}});
  CHECK(issues_reading(dir / "b.json") ==
        Issues{{"/extends", "valid JSON in the base scenario \"" + (dir / "broken.json").string() + "\"",
                "syntax error at line 1, column 14: unexpected '}'; expected '[', '{', or a literal"}});

  write(dir / "list.json", json::array({1, 2}));
  write(dir / "c.json", {{"extends", "list.json"}});
  CHECK(issues_reading(dir / "c.json") ==
        Issues{{"/extends", "a JSON object in the base scenario \"" + (dir / "list.json").string() + "\"",
                "an array of 2 items"}});

  write(dir / "d.json", {{"extends", 3}});
  CHECK(issues_reading(dir / "d.json") == Issues{{"/extends", "a string: the path of the base scenario file", "3"}});
  write(dir / "e.json", {{"extends", "d.json"}});
  CHECK(
      issues_reading(dir / "e.json") ==
      Issues{{"/extends", "a string: the path of the base scenario file (in " + (dir / "d.json").string() + ")", "3"}});
}

TEST_CASE("scenario extends: a document given as text reads like the same file", "[extends]") {
  TempDir dir;
  write(dir / "base.json", kBase);
  const json variant = {{"extends", "base.json"}, {"scoring", {{"mql_threshold", 70}}}};
  write(dir / "v.json", variant);
  const std::vector<Override> set{Override::parse("/seed=9")};
  CHECK(funnelsim::read_scenario_text(variant.dump(), dir.path(), "the dict", set) ==
        funnelsim::read_scenario_document(dir / "v.json", set));
  // Without extends, the text is the document.
  CHECK(funnelsim::read_scenario_text(kBase.dump(), dir.path(), "the dict") == kBase);

  auto issues_of = [&](const std::string& text) {
    try {
      (void)funnelsim::read_scenario_text(text, dir.path(), "the dict");
    } catch (const ScenarioError& e) {
      return e.issues();
    }
    FAIL(text << " was accepted");
    return Issues{};
  };
  CHECK(issues_of(R"({"extends": "missing.json"})") ==
        Issues{{"/extends", "a readable base scenario file",
                "cannot open \"" + (dir / "missing.json").string() + "\" (the base of the dict)"}});
  CHECK(issues_of(R"({"extends": 3})") == Issues{{"/extends", "a string: the path of the base scenario file", "3"}});
  // The checks of a file's text: syntax, repeated keys, size.
  CHECK(issues_of(R"({"seed": 1,})").at(0).path == "");
  CHECK(issues_of(R"({"seed": 1, "seed": 2})") ==
        Issues{{"/seed", "each key once in an object", "the key \"seed\" again"}});
  CHECK(issues_of(std::string(funnelsim::kMaxScenarioBytes + 1, ' ')) ==
        Issues{{"", "a scenario of at most 16 MiB of JSON text",
                std::to_string(funnelsim::kMaxScenarioBytes + 1) + " bytes"}});
}

TEST_CASE("scenario extends: scenario_files lists a file and the bases its chain names", "[extends]") {
  TempDir dir;
  write(dir / "base.json", kBase);
  write(dir / "sub" / "mid.json", {{"extends", "../base.json"}});
  write(dir / "top.json", {{"extends", "sub/mid.json"}});
  CHECK(funnelsim::scenario_files(dir / "top.json") ==
        std::vector<fs::path>{dir / "top.json", dir / "sub" / "mid.json", dir / "base.json"});
  // As far as the chain can be read: a missing base is listed, and ends it.
  write(dir / "lost.json", {{"extends", "gone.json"}});
  CHECK(funnelsim::scenario_files(dir / "lost.json") == std::vector<fs::path>{dir / "lost.json", dir / "gone.json"});
}

TEST_CASE("scenario extends: the CLI resolves extends in every command", "[extends][cli]") {
  TempDir dir;
  write(dir / "base.json", kBase);
  write(dir / "v.json", {{"extends", "base.json"}, {"scoring", {{"mql_threshold", 70}}}});
  const auto r = funnelsim::test::cli("validate '" + (dir / "v.json").string() + "' --resolved --set /seed=3");
  REQUIRE(r.exit_code == 0);
  const json doc = json::parse(r.out);
  CHECK(!doc.contains("extends"));
  CHECK(doc["scoring"]["mql_threshold"] == 70);
  CHECK(doc["seed"] == 3);
  write(dir / "cycle.json", {{"extends", "cycle.json"}});
  const auto bad = funnelsim::test::cli("run '" + (dir / "cycle.json").string() + "'");
  CHECK(bad.exit_code == 2);
  CHECK(bad.err.find("/extends: expected a chain of extends without cycles, found ") != std::string::npos);
}
