#include <catch2/catch.hpp>
#include <future>
#include <limits>
#include <optional>
#include <stdexcept>

#include "scenario/json_schema.hpp"
#include "funnelsim/scenario/error.hpp"
#include "issue_printing.hpp"

using funnelsim::Issue;
using funnelsim::JsonSchema;
using nlohmann::json;

namespace {

std::vector<Issue> check(const json& schema, const json& doc) { return JsonSchema(schema).validate(doc); }

// The single issue `doc` has against `schema` (fails the test if there is not exactly one).
Issue only_issue(const json& schema, const json& doc) {
  const std::vector<Issue> issues = check(schema, doc);
  INFO(doc.dump());
  REQUIRE(issues.size() == 1);
  return issues.front();
}

std::string invalid_schema_message(const json& schema) {
  try {
    JsonSchema parsed(schema);
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  FAIL("schema was accepted: " << schema.dump());
  return "";
}

std::string parse_error_found(std::string_view text) {
  try {
    (void)funnelsim::parse_json_text(text);
  } catch (const funnelsim::ScenarioError& e) {
    REQUIRE(e.issues().size() == 1);
    CHECK(e.issues()[0].path.empty());
    CHECK(e.issues()[0].expected == "valid JSON");
    return e.issues()[0].found;
  }
  FAIL("text was accepted: " << text);
  return "";
}

const json kFunnel = json::parse(R"({
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "$id": "https://example.org/funnel.json",
  "title": "Funnel",
  "type": "object",
  "additionalProperties": false,
  "required": ["sources"],
  "properties": {
    "weeks": {"type": "integer", "minimum": 1, "default": 52, "x-unit": "week"},
    "sources": {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/Source"}},
    "stages": {"type": "object", "additionalProperties": {"$ref": "#/$defs/Stage"}},
    "settings": {"type": "object", "default": {}, "properties": {
      "seed": {"type": "integer", "default": 7},
      "output": {"type": "object", "default": {}, "properties": {"format": {"enum": ["csv", "json"], "default": "csv"}}}
    }}
  },
  "$defs": {
    "Source": {
      "type": "object",
      "additionalProperties": false,
      "required": ["name", "leads_per_week"],
      "properties": {
        "name": {"type": "string", "minLength": 1},
        "leads_per_week": {"type": "number", "minimum": 0, "description": "Mean new leads per week.", "x-unit": "lead/week"},
        "channel": {"$ref": "#/$defs/Channel", "default": "web", "description": "Where leads come from."}
      }
    },
    "Channel": {"enum": ["web", "email", "events"], "default": "email"},
    "Stage": {"type": "object", "properties": {"rate": {"type": "number", "default": 0.5}, "delay": {"type": "integer", "default": 0}}}
  }
})");

}  // namespace

TEST_CASE("json_schema: a valid document has no issues", "[json_schema]") {
  const json doc = {{"weeks", 10}, {"sources", {{{"name", "ads"}, {"leads_per_week", 12.5}, {"channel", "email"}}}}};
  CHECK(JsonSchema(kFunnel).validate(doc).empty());
}

TEST_CASE("json_schema: type mismatches name every allowed type", "[json_schema]") {
  CHECK(only_issue({{"type", "number"}}, "5") == Issue{"", "a number", "\"5\""});
  CHECK(only_issue({{"type", "integer"}}, 2.5) == Issue{"", "an integer", "2.5"});
  CHECK(only_issue({{"type", "string"}}, 5) == Issue{"", "a string", "5"});
  CHECK(only_issue({{"type", "boolean"}}, nullptr) == Issue{"", "a boolean", "null"});
  CHECK(only_issue({{"type", "object"}}, json::array({1, 2})) == Issue{"", "an object", "an array of 2 items"});
  CHECK(only_issue({{"type", "array"}}, json::object()) == Issue{"", "an array", "an object"});
  CHECK(only_issue({{"type", "null"}}, false) == Issue{"", "null", "false"});
  CHECK(only_issue({{"type", {"number", "null"}}}, true) == Issue{"", "a number or null", "true"});
  CHECK(only_issue({{"type", "object"}}, json::array({1})).found == "an array of 1 item");
}

TEST_CASE("json_schema: integer accepts integral floats, number accepts integers", "[json_schema]") {
  CHECK(check({{"type", "integer"}}, 3.0).empty());
  CHECK(check({{"type", "integer"}}, -4).empty());
  CHECK(check({{"type", "number"}}, 3).empty());
  CHECK(check({{"type", "number"}}, 3.25).empty());
  CHECK(check({{"type", "integer"}}, 1e301).empty());
  CHECK(only_issue({{"type", "integer"}}, std::numeric_limits<double>::infinity()).expected == "an integer");
}

TEST_CASE("json_schema: a node of the wrong type is not checked further", "[json_schema]") {
  const json schema = {{"type", "object"}, {"required", {"a"}}, {"minProperties", 2}, {"enum", {1}}};
  CHECK(only_issue(schema, "x") == Issue{"", "an object", "\"x\""});
}

TEST_CASE("json_schema: found values are rendered briefly", "[json_schema]") {
  const json schema = {{"type", "boolean"}};
  CHECK(only_issue(schema, -5).found == "-5");
  CHECK(only_issue(schema, 1.5).found == "1.5");
  CHECK(only_issue(schema, "abc").found == "\"abc\"");
  CHECK(only_issue(schema, std::string(50, 'x')).found == std::string("\"").append(40, 'x').append("...\""));
  CHECK(only_issue(schema, std::string(40, 'y')).found == std::string("\"").append(40, 'y').append("\""));
  CHECK(only_issue(schema, "say \"hi\"").found == R"("say \"hi\"")");
  CHECK(only_issue({{"type", "string"}}, true).found == "true");
  CHECK(only_issue({{"type", "string"}}, json::array()).found == "an array of 0 items");
}

TEST_CASE("json_schema: numeric bounds", "[json_schema]") {
  CHECK(only_issue({{"minimum", 0}}, -5) == Issue{"", "a number >= 0", "-5"});
  CHECK(only_issue({{"exclusiveMinimum", 0}}, 0) == Issue{"", "a number > 0", "0"});
  CHECK(only_issue({{"maximum", 1}}, 1.5) == Issue{"", "a number <= 1", "1.5"});
  CHECK(only_issue({{"exclusiveMaximum", 1}}, 1.0) == Issue{"", "a number < 1", "1.0"});
  CHECK(only_issue({{"maximum", 0.25}}, 0.5).expected == "a number <= 0.25");
  CHECK(only_issue({{"minimum", 1.0}}, 0).expected == "a number >= 1");  // fmt's shortest form
  CHECK(only_issue({{"type", "integer"}, {"minimum", 1}}, 0).expected == "an integer >= 1");
  CHECK(only_issue({{"type", {"integer", "null"}}, {"maximum", 9}}, 10).expected == "an integer <= 9");
  CHECK(only_issue({{"type", {"integer", "number"}}, {"maximum", 9}}, 10).expected == "a number <= 9");
  CHECK(check({{"minimum", 0}, {"maximum", 1}}, 0).empty());
  CHECK(check({{"minimum", 0}, {"maximum", 1}}, 1).empty());
  CHECK(check({{"minimum", 0}}, "strings are not bounded").empty());
  CHECK(check({{"minimum", 0}, {"maximum", -1}}, 5).size() == 1);
}

TEST_CASE("json_schema: enum and const", "[json_schema]") {
  const json schema = {{"enum", {"weekly", "monthly", "daily"}}};
  CHECK(only_issue(schema, "wekly") ==
        Issue{"", R"(one of "weekly", "monthly", "daily" (did you mean "weekly"?))", "\"wekly\""});
  CHECK(only_issue(schema, "hourly_rate") == Issue{"", R"(one of "weekly", "monthly", "daily")", "\"hourly_rate\""});
  CHECK(only_issue(schema, 3).expected == R"(one of "weekly", "monthly", "daily")");
  CHECK(check(schema, "daily").empty());
  CHECK(only_issue({{"enum", {1, 2, nullptr}}}, 3) == Issue{"", "one of 1, 2, null", "3"});
  CHECK(check({{"enum", {1, 2}}}, 2.0).empty());  // JSON Schema equality is numeric
  CHECK(only_issue({{"const", "v1"}}, "v2") == Issue{"", R"(the value "v1")", "\"v2\""});
  CHECK(only_issue({{"const", {{"a", 1}}}}, json::object()) == Issue{"", R"(the value {"a":1})", "an object"});
  CHECK(check({{"const", 4}}, 4).empty());
}

TEST_CASE("json_schema: required keys are reported in document order", "[json_schema]") {
  const json schema = {{"type", "object"},
                       {"required", {"b", "d"}},
                       {"properties", {{"a", {{"type", "string"}}}, {"c", {{"type", "string"}}}}}};
  const std::vector<Issue> issues = check(schema, {{"a", 1}, {"c", 2}});
  REQUIRE(issues.size() == 4);
  CHECK(issues[0] == Issue{"/a", "a string", "1"});
  CHECK(issues[1] == Issue{"/b", "a value (this field is required)", "nothing"});
  CHECK(issues[2] == Issue{"/c", "a string", "2"});
  CHECK(issues[3] == Issue{"/d", "a value (this field is required)", "nothing"});
}

TEST_CASE("json_schema: unknown keys with additionalProperties false", "[json_schema]") {
  const json doc = {{"sources", {{{"name", "ads"}, {"leads_per_wek", 3}}}}};
  const std::vector<Issue> issues = JsonSchema(kFunnel).validate(doc);
  REQUIRE(issues.size() == 2);
  CHECK(issues[0] ==
        Issue{"/sources/0/leads_per_week", "a value (this field is required)", "nothing"});  // "wee" < "wek"
  CHECK(issues[1] == Issue{"/sources/0/leads_per_wek",
                           R"(one of the known keys: channel, leads_per_week, name (did you mean "leads_per_week"?))",
                           R"(unknown key "leads_per_wek")"});

  CHECK(only_issue(kFunnel, {{"sources", {{{"name", "x"}, {"leads_per_week", 1}}}}, {"zzz", 1}}) ==
        Issue{"/zzz", "one of the known keys: settings, sources, stages, weeks", R"(unknown key "zzz")"});

  json many = {{"additionalProperties", false}, {"properties", json::object()}};
  for (const char* name :
       {"a1", "a2", "a3", "a4", "a5", "a6", "a7", "a8", "a9", "aa", "ab", "ac", "ad", "ae", "af", "ag", "ah", "b0"}) {
    many["properties"][name] = json::object();
  }
  CHECK(
      only_issue(many, {{"b00", 1}}).expected ==
      R"(one of the known keys: a1, a2, a3, a4, a5, a6, a7, a8, a9, aa, ab, ac, ad, ae, af, ag, ... (did you mean "b0"?))");
  CHECK(only_issue({{"additionalProperties", false}}, {{"k", 1}}) ==
        Issue{"/k", "no keys at all", R"(unknown key "k")"});
}

TEST_CASE("json_schema: additionalProperties true and schema", "[json_schema]") {
  CHECK(check({{"properties", {{"a", {{"type", "string"}}}}}, {"additionalProperties", true}}, {{"b", 1}}).empty());
  CHECK(check({{"properties", {{"a", {{"type", "string"}}}}}}, {{"b", 1}}).empty());
  const json schema = {{"properties", {{"a", {{"type", "string"}}}}}, {"additionalProperties", {{"type", "number"}}}};
  CHECK(check(schema, {{"a", "x"}, {"b", 1}}).empty());
  CHECK(only_issue(schema, {{"a", "x"}, {"b", "1"}}) == Issue{"/b", "a number", "\"1\""});
  CHECK(only_issue(kFunnel, {{"sources", {{{"name", "x"}, {"leads_per_week", 1}}}},
                             {"stages", {{"lead", {{"rate", "high"}}}}}}) ==
        Issue{"/stages/lead/rate", "a number", "\"high\""});
}

TEST_CASE("json_schema: propertyNames pattern", "[json_schema]") {
  const json schema = {{"propertyNames", {{"pattern", "^[a-z_]+$"}}}, {"additionalProperties", {{"type", "integer"}}}};
  CHECK(check(schema, {{"ok_key", 1}}).empty());
  const std::vector<Issue> issues = check(schema, {{"Bad", "x"}});
  REQUIRE(issues.size() == 2);  // the key and its value are both checked
  CHECK(issues[0] == Issue{"/Bad", "a key matching ^[a-z_]+$", "\"Bad\""});
  CHECK(issues[1] == Issue{"/Bad", "an integer", "\"x\""});
}

TEST_CASE("json_schema: string keywords", "[json_schema]") {
  CHECK(only_issue({{"pattern", "^[A-Z]{3}$"}}, "usd") == Issue{"", "a string matching ^[A-Z]{3}$", "\"usd\""});
  CHECK(check({{"pattern", "[0-9]"}}, "abc1def").empty());  // search, not full match
  CHECK(check({{"pattern", "[0-9]"}}, 5).empty());
  CHECK(only_issue({{"minLength", 3}}, "ab") == Issue{"", "a string of at least 3 characters", "\"ab\""});
  CHECK(only_issue({{"maxLength", 2}}, "abc") == Issue{"", "a string of at most 2 characters", "\"abc\""});
  CHECK(only_issue({{"minLength", 1}}, "").expected == "a string of at least 1 character");
  CHECK(check({{"maxLength", 2}}, "\xc3\xa9\xc3\xa9").empty());  // "éé": lengths count code points
}

TEST_CASE("json_schema: patterns are matched without a regex, so long strings and keys cannot crash", "[json_schema]") {
  const json name = {{"pattern", "^[a-z][a-z0-9_]*$"}};
  CHECK(check(name, "web_2").empty());
  CHECK(only_issue(name, "2web").expected == "a string matching ^[a-z][a-z0-9_]*$");
  CHECK(only_issue(name, "").expected == "a string matching ^[a-z][a-z0-9_]*$");
  CHECK(only_issue(name, "web-2").expected == "a string matching ^[a-z][a-z0-9_]*$");
  CHECK(check({{"pattern", "^ab?c+$"}}, "ac").empty());
  CHECK(check({{"pattern", "^ab?c+$"}}, "abccc").empty());
  CHECK(!check({{"pattern", "^ab?c+$"}}, "abbc").empty());
  CHECK(check({{"pattern", "b$"}}, "aab").empty());
  CHECK(!check({{"pattern", "b$"}}, "aba").empty());
  CHECK(check({{"pattern", "^a"}}, "ab").empty());
  // 26,000 and 1,000,000 characters: std::regex recursed per character and overflowed the stack.
  for (std::size_t n : {std::size_t{26000}, std::size_t{1000000}}) {
    CHECK(check(name, std::string(n, 'a')).empty());
    CHECK(!check(name, std::string(n, 'a') + "!").empty());
  }
  const json keys = {{"propertyNames", {{"pattern", "^[a-z_]+$"}, {"maxLength", 64}}}};
  const std::vector<Issue> issues = check(keys, {{std::string(26000, 'k'), 1}});
  REQUIRE(issues.size() == 1);
  CHECK(issues[0] ==
        Issue{"", "keys of at most 64 characters", "a key of 26000 characters: \"" + std::string(40, 'k') + "...\""});
}

TEST_CASE("json_schema: array keywords", "[json_schema]") {
  CHECK(only_issue({{"minItems", 2}}, json::array({1})) ==
        Issue{"", "an array of at least 2 items", "an array of 1 item"});
  CHECK(only_issue({{"maxItems", 1}}, json::array({1, 2})) ==
        Issue{"", "an array of at most 1 item", "an array of 2 items"});
  CHECK(only_issue({{"uniqueItems", true}}, json::array({1, 2, 1})) ==
        Issue{"/2", "an item unlike the earlier ones", "1"});
  CHECK(only_issue({{"uniqueItems", true}}, json::array({"a", "a"})).found == "\"a\"");
  CHECK(only_issue({{"uniqueItems", true}}, json::array({{{"k", 1}}, {{"k", 1}}})) ==
        Issue{"/1", "an item unlike the earlier ones", R"({"k":1})"});
  CHECK(check({{"uniqueItems", false}}, json::array({1, 1})).empty());
  CHECK(check({{"uniqueItems", true}}, json::array({1, "1"})).empty());
  const std::vector<Issue> issues = check({{"items", {{"type", "string"}}}}, json::array({"a", 1, "b", false}));
  REQUIRE(issues.size() == 2);
  CHECK(issues[0] == Issue{"/1", "a string", "1"});
  CHECK(issues[1] == Issue{"/3", "a string", "false"});
}

TEST_CASE("json_schema: minProperties", "[json_schema]") {
  CHECK(only_issue({{"minProperties", 2}}, {{"a", 1}}) ==
        Issue{"", "an object with at least 2 keys", "an object with 1 key"});
  CHECK(check({{"minProperties", 1}}, {{"a", 1}}).empty());
}

TEST_CASE("json_schema: $ref and nested paths", "[json_schema]") {
  const json doc = {
      {"sources",
       {{{"name", "a"}, {"leads_per_week", 1}}, {{"name", ""}, {"leads_per_week", -5}, {"channel", "emial"}}}}};
  const std::vector<Issue> issues = JsonSchema(kFunnel).validate(doc);
  REQUIRE(issues.size() == 3);
  CHECK(issues[0] ==
        Issue{"/sources/1/channel", R"(one of "web", "email", "events" (did you mean "email"?))", "\"emial\""});
  CHECK(issues[1] == Issue{"/sources/1/leads_per_week", "a number >= 0", "-5"});
  CHECK(issues[2] == Issue{"/sources/1/name", "a string of at least 1 character", "\"\""});

  const json chain = {{"$defs", {{"A", {{"$ref", "#/$defs/B"}}}, {"B", {{"type", "string"}}}}}, {"$ref", "#/$defs/A"}};
  CHECK(only_issue(chain, 1) == Issue{"", "a string", "1"});
  const json recursive = {
      {"$defs", {{"Tree", {{"type", "object"}, {"additionalProperties", {{"$ref", "#/$defs/Tree"}}}}}}},
      {"$ref", "#/$defs/Tree"}};
  CHECK(only_issue(recursive, {{"a", {{"b", {{"c", 1}}}}}}) == Issue{"/a/b/c", "an object", "1"});
}

TEST_CASE("json_schema: paths escape ~ and /", "[json_schema]") {
  const json schema = {{"additionalProperties", {{"type", "string"}}}};
  CHECK(only_issue(schema, {{"a/b~c", 1}}).path == "/a~1b~0c");
}

TEST_CASE("json_schema: ScenarioError lists one line per issue", "[json_schema]") {
  const funnelsim::ScenarioError error({{"", "an object", "an array of 0 items"}, {"/a~1b", "a number", "\"x\""}});
  CHECK(std::string(error.what()) ==
        "/: expected an object, found an array of 0 items\n/a~1b: expected a number, found \"x\"");
  CHECK(error.issues().size() == 2);
  const funnelsim::ScenarioError copy = error;
  CHECK(copy.issues() == error.issues());
  CHECK(funnelsim::format_issue({"/x", "null", "1"}) == "/x: expected null, found 1");
}

TEST_CASE("json_schema: with_defaults fills absent properties recursively", "[json_schema]") {
  const JsonSchema schema(kFunnel);
  const json doc = {
      {"sources",
       {{{"name", "a"}, {"leads_per_week", 1}}, {{"name", "b"}, {"leads_per_week", 2}, {"channel", "events"}}}},
      {"stages", {{"lead", json::object()}, {"deal", {{"rate", 0.1}}}}}};
  REQUIRE(schema.validate(doc).empty());
  const json filled = schema.with_defaults(doc);
  CHECK(filled["weeks"] == 52);
  CHECK(filled["sources"][0]["channel"] == "web");                       // the default beside the $ref wins
  CHECK(filled["sources"][1]["channel"] == "events");                    // present values are kept
  CHECK(filled["stages"]["lead"] == json{{"rate", 0.5}, {"delay", 0}});  // additionalProperties values
  CHECK(filled["stages"]["deal"] == json{{"rate", 0.1}, {"delay", 0}});
  CHECK(filled["settings"] == json{{"seed", 7}, {"output", {{"format", "csv"}}}});  // inside inserted defaults
  CHECK(schema.validate(filled).empty());
  CHECK(doc.find("weeks") == doc.end());  // the input is untouched

  const json partial =
      schema.with_defaults({{"sources", json::array()}, {"settings", {{"output", {{"format", "json"}}}}}});
  CHECK(partial["settings"] == json{{"seed", 7}, {"output", {{"format", "json"}}}});

  const json via_def = {{"$defs", {{"D", {{"default", 3}}}}}, {"properties", {{"x", {{"$ref", "#/$defs/D"}}}}}};
  CHECK(JsonSchema(via_def).with_defaults(json::object()) == json{{"x", 3}});
  CHECK(JsonSchema(via_def).with_defaults(5) == 5);
}

TEST_CASE("json_schema: schema_at follows properties, items, additionalProperties and $ref", "[json_schema]") {
  const JsonSchema schema(kFunnel);
  const json doc = {{"sources", {{{"name", "a"}, {"leads_per_week", 1}}}}, {"stages", {{"lead", json::object()}}}};
  const json* leads = schema.schema_at(doc, "/sources/0/leads_per_week");
  REQUIRE(leads != nullptr);
  CHECK(leads->at("x-unit") == "lead/week");
  CHECK(leads->at("description") == "Mean new leads per week.");
  const json* root = schema.schema_at(doc, "");
  REQUIRE(root != nullptr);
  CHECK(root->at("title") == "Funnel");
  const json* source = schema.schema_at(doc, "/sources/0");
  REQUIRE(source != nullptr);
  CHECK(source->at("required") == json{"name", "leads_per_week"});
  const json* channel = schema.schema_at(doc, "/sources/0/channel");  // absent from doc: the schema decides
  REQUIRE(channel != nullptr);
  CHECK(channel->at("default") == "email");  // the $ref target
  const json* rate = schema.schema_at(doc, "/stages/lead/rate");
  REQUIRE(rate != nullptr);
  CHECK(rate->at("default") == 0.5);
  const json* missing_item = schema.schema_at(json::object(), "/sources/3/name");
  REQUIRE(missing_item != nullptr);
  CHECK(missing_item->at("minLength") == 1);
  CHECK(schema.schema_at(doc, "/nope") == nullptr);
  CHECK(schema.schema_at(doc, "/sources/0/name/deeper") == nullptr);
  CHECK(schema.schema_at(doc, "sources") == nullptr);
  const JsonSchema escaped(json{{"properties", {{"a/b", {{"description", "slash"}}}}}});
  REQUIRE(escaped.schema_at(json::object(), "/a~1b") != nullptr);
  CHECK(escaped.schema_at(json::object(), "/a~1b")->at("description") == "slash");
}

TEST_CASE("json_schema: closest_match", "[json_schema]") {
  const std::vector<std::string> keys = {"leads_per_week", "name", "channel"};
  CHECK(funnelsim::closest_match("leads_per_wek", keys) == "leads_per_week");
  CHECK(funnelsim::closest_match("nmae", keys) == "name");
  CHECK(funnelsim::closest_match("zzzzzz", keys).empty());
  CHECK(funnelsim::closest_match("x", {}).empty());
  CHECK(funnelsim::closest_match("ab", {"xy"}) == "xy");            // 2 edits allowed even for short words
  CHECK(funnelsim::closest_match("abc", {"abd", "abe"}) == "abd");  // ties: first candidate
  CHECK(funnelsim::closest_match("abcdefghijkl", {"abcdefghixyz"}) == "abcdefghixyz");  // 3 edits, limit 12/3 = 4
  CHECK(funnelsim::closest_match("abcdefghijkl", {"abcdefgxyzwv"}).empty());            // 5 edits
}

TEST_CASE("json_schema: parse_json_text reports line and column", "[json_schema]") {
  CHECK(funnelsim::parse_json_text(R"({"a": [1, 2]})") == json{{"a", {1, 2}}});
  CHECK(parse_error_found("{\n  \"a\": 1,\n  \"b\": tru\n}") == "syntax error at line 3, column 11: invalid literal");
  CHECK(parse_error_found(R"({"a": 1,})") ==
        "syntax error at line 1, column 9: unexpected '}'; expected string literal");
  CHECK(parse_error_found("[1, 2") == "syntax error at line 1, column 6: unexpected end of input; expected ']'");
  CHECK(parse_error_found("") ==
        "syntax error at line 1, column 1: unexpected end of input; expected '[', '{', or a literal");
  CHECK(parse_error_found("{} x") == "syntax error at line 1, column 4: invalid literal; expected end of input");
  CHECK(parse_error_found("{\n\"\xc3\xa9\": x}") == "syntax error at line 2, column 6: invalid literal");
  CHECK(parse_error_found("[1e400]") == "number overflow parsing '1e400'");
  try {
    (void)funnelsim::parse_json_text("{");
    FAIL("accepted");
  } catch (const funnelsim::ScenarioError& e) {
    CHECK(std::string(e.what()).starts_with("/: expected valid JSON, found syntax error at line 1, column 2: "));
  }
}

TEST_CASE("json_schema: unsupported keywords and malformed schemas throw", "[json_schema]") {
  CHECK(invalid_schema_message({{"oneOf", json::array()}}) == R"(JSON schema at #: keyword "oneOf" is not supported)");
  CHECK(invalid_schema_message({{"properties", {{"a", {{"format", "date"}}}}}}) ==
        R"(JSON schema at #/properties/a: keyword "format" is not supported)");
  CHECK(invalid_schema_message({{"items", {{"additionalProperties", {{"maxProperties", 1}}}}}}) ==
        R"(JSON schema at #/items/additionalProperties: keyword "maxProperties" is not supported)");
  CHECK(invalid_schema_message({{"$defs", {{"X", {{"if", true}}}}}}) ==
        R"(JSON schema at #/$defs/X: keyword "if" is not supported)");
  CHECK(invalid_schema_message({{"$ref", "other.json#/x"}}).find("\"$ref\" must be of the form") != std::string::npos);
  CHECK(invalid_schema_message({{"$ref", "#/$defs/Missing"}}).find("does not exist") != std::string::npos);
  CHECK(invalid_schema_message({{"$defs", {{"A", {{"type", "string"}}}}},
                                {"properties", {{"a", {{"$ref", "#/$defs/A"}, {"minLength", 1}}}}}}) ==
        R"(JSON schema at #/properties/a: keyword "minLength" beside "$ref" is not supported)");
  CHECK(invalid_schema_message({{"$defs", {{"A", {{"$ref", "#/$defs/B"}}}, {"B", {{"$ref", "#/$defs/A"}}}}}})
            .find("cycle") != std::string::npos);
  CHECK(invalid_schema_message({{"properties", {{"a", {{"$defs", json::object()}}}}}})
            .find("only supported at the schema root") != std::string::npos);
  CHECK(invalid_schema_message({{"type", "float"}}).find("\"type\"") != std::string::npos);
  CHECK(invalid_schema_message({{"minimum", "0"}}) == R"(JSON schema at #: "minimum" must be a number)");
  CHECK(invalid_schema_message({{"minItems", -1}}) == R"(JSON schema at #: "minItems" must be a non-negative integer)");
  CHECK(invalid_schema_message({{"pattern", "(["}}).find("\"pattern\" uses '('") != std::string::npos);
  CHECK(invalid_schema_message({{"propertyNames", {{"maxLength", 3}}}}).find("propertyNames") != std::string::npos);
  CHECK(invalid_schema_message({{"items", true}}) ==
        "JSON schema at #/items: a schema must be an object (boolean schemas only as additionalProperties)");
  CHECK(invalid_schema_message({{"required", {1}}}) == R"(JSON schema at #: "required" must be an array of strings)");
  CHECK_NOTHROW(JsonSchema(kFunnel));
}

TEST_CASE("json_schema: copies stay valid and validate is safe to share across threads", "[json_schema]") {
  std::optional<JsonSchema> original(std::in_place, json{{"additionalProperties", {{"pattern", "^a"}}}});
  const JsonSchema copy = *original;
  original.reset();  // the copy must not depend on the original's compiled regexes
  const json doc = {{"x", "abc"}, {"y", "bcd"}};
  const std::vector<Issue> expected = {{"/y", "a string matching ^a", "\"bcd\""}};
  std::vector<std::future<std::vector<Issue>>> results;
  for (int i = 0; i < 4; ++i) {
    results.push_back(std::async(std::launch::async, [&] { return copy.validate(doc); }));
  }
  for (auto& result : results) CHECK(result.get() == expected);
}
