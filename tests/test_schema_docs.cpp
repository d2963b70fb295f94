// scenarios/schema.json is the documentation of every scenario field: hold it to that.
#include <fstream>
#include <string>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "scenario/embedded_schema.hpp"
#include "test_support.hpp"

using nlohmann::json;

namespace {

const json& resolve(const json& root, const json& node) {
  if (!node.contains("$ref")) return node;
  const std::string ref = node["$ref"];  // "#/$defs/Name"
  return root["$defs"][ref.substr(ref.rfind('/') + 1)];
}

/// Every property must say what it is (a description, here or on its $ref target) and, unless
/// it is required, what happens when it is absent (a default, or a description that says so).
void check_object(const json& root, const json& schema, const std::string& where) {
  if (!schema.contains("properties")) return;
  const json required = schema.value("required", json::array());
  for (const auto& [name, property] : schema["properties"].items()) {
    const std::string path = where + "/" + name;
    const json& target = resolve(root, property);
    INFO(path);
    CHECK((property.contains("description") || target.contains("description") || property.contains("$ref")));
    const bool is_required = std::find(required.begin(), required.end(), name) != required.end();
    // Without a default, the description must say what absence means.
    const std::string text = property.value("description", target.value("description", ""));
    const bool absence_explained =
        text.find("Absent") != std::string::npos || text.find("Required") != std::string::npos;
    if (!is_required) CHECK((property.contains("default") || target.contains("default") || absence_explained));
    check_object(root, target, path);
    if (target.contains("items")) check_object(root, resolve(root, target["items"]), path + "/items");
    if (target.contains("additionalProperties") && target["additionalProperties"].is_object())
      check_object(root, resolve(root, target["additionalProperties"]), path + "/*");
  }
}

}  // namespace

TEST_CASE("schema docs: every scenario field has a description and a default", "[schema]") {
  const json root = json::parse(funnelsim::embedded_schema_text());
  check_object(root, root, "");
  for (const auto& [name, def] : root["$defs"].items()) check_object(root, def, "/$defs/" + name);
}

TEST_CASE("schema docs: the embedded schema is the file in scenarios/", "[schema]") {
  std::ifstream in(funnelsim::test::source_path() + "/scenarios/schema.json");
  const json file = json::parse(in);
  CHECK(file == json::parse(funnelsim::embedded_schema_text()));
}
