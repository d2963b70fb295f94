#pragma once
#include <memory>
#include <optional>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "funnelsim/scenario/error.hpp"

namespace funnelsim {

namespace detail {
struct CompiledSchema;  // the schema plus its precompiled regexes; defined in json_schema.cpp
}

/// A validator for the subset of JSON Schema (2020-12 vocabulary) that funnelsim's scenario
/// schema uses.
///
/// Supported keywords: annotations $schema, $id, $comment, title, description, default, examples,
/// x-unit; $defs (root only) and $ref ("#/$defs/Name", siblings may only be annotations); type;
/// properties, required, additionalProperties (true, false or a schema), propertyNames (pattern
/// only), minProperties; items (one schema), minItems, maxItems, uniqueItems; minimum, maximum,
/// exclusiveMinimum, exclusiveMaximum; enum, const; pattern (ECMAScript, search semantics),
/// minLength, maxLength (in code points). Boolean schemas are accepted only as
/// additionalProperties. Type-specific keywords only constrain values of their type.
///
/// Issue style (Issue::path is a JSON Pointer; "found" renders the value as: numbers, true, false
/// and null as JSON; strings quoted and cut after 40 characters with `..."`; "an object";
/// "an array of N items"):
///   type         expected "a number" | "an integer" | "a string" | "a boolean" | "an object" |
///                "an array" | "null", several joined by " or "; the node is not checked further
///   minimum etc. expected "a number >= 0", "a number > 0", "a number <= 1", "a number < 1"
///                ("an integer" when the schema's type is integer)
///   enum         expected `one of "a", "b"` [+ ` (did you mean "a"?)`]
///   const        expected `the value <json>`
///   required     path .../name, expected "a value (this field is required)", found "nothing"
///   unknown key  path .../key, expected "one of the known keys: a, b" [+ did you mean],
///                found `unknown key "key"`
///   propertyNames path .../key, expected "a key matching <pattern>", found `"key"`
///   pattern      expected "a string matching <pattern>"
///   minLength    expected "a string of at least N characters" (maxLength: "at most")
///   minItems     expected "an array of at least N items", found "an array of K items"
///   uniqueItems  path of the later duplicate, expected "an item unlike the earlier ones",
///                found its JSON (cut after 40 characters with "...")
///   minProperties expected "an object with at least N keys", found "an object with K keys"
/// Counts use the singular for 1 ("an array of 1 item", "at least 1 character").
class JsonSchema {
 public:
  /// Throws std::invalid_argument naming the keyword and its schema path (e.g. "#/properties/x")
  /// if the schema uses a keyword outside the supported subset or a keyword value of the wrong
  /// shape (so the schema can never silently ask for a check that is not made).
  explicit JsonSchema(nlohmann::json schema);

  /// All issues, in document order (object keys sorted, as nlohmann iterates them; a missing
  /// required key sorts as if present). Empty = valid. Thread-safe.
  std::vector<Issue> validate(const nlohmann::json& doc) const;

  /// A copy of a VALID document with every absent property that has a "default" filled in,
  /// recursively (also inside defaults just inserted, inside array items, and inside values
  /// governed by additionalProperties schemas). A "default" beside a $ref wins over the
  /// referenced definition's.
  nlohmann::json with_defaults(const nlohmann::json& doc) const;

  /// The schema node that governs the value at a JSON Pointer in a document (following
  /// properties/items/additionalProperties/$ref; the result is the $ref target), or nullptr if
  /// no schema object governs it. The path need not exist in `doc`: where it does not, the
  /// schema alone decides. The pointer stays valid as long as this JsonSchema (or a copy) lives.
  const nlohmann::json* schema_at(const nlohmann::json& doc, std::string_view pointer) const;

 private:
  std::shared_ptr<const detail::CompiledSchema> compiled_;  // immutable, shared by copies
};

/// The candidate closest to `word` by Levenshtein distance, or "" if none is within
/// max(2, word.size()/3) edits. Ties: the first candidate in order.
std::string closest_match(std::string_view word, const std::vector<std::string>& candidates);

/// A name as an Issue's "found" shows it when the name itself is the problem: whole, in quotes.
inline std::string quoted(const std::string& s) { return "\"" + s + "\""; }

/// How deeply arrays and objects may nest in a scenario document (the schema needs 6 levels).
/// Parsing is iterative, but comparing and printing JSON recurse once per level: a limit keeps
/// a hostile document (100,000 nested arrays overflow the stack) from crashing the validator.
inline constexpr std::size_t kMaxJsonDepth = 64;

/// Parses JSON text; on a syntax error throws ScenarioError with one Issue{path "", expected
/// "valid JSON", found "syntax error at line L, column C: <reason>"} where L and C are 1-based
/// (C counts code points) and locate the character the parser stopped at. A UTF-8 byte order
/// mark at the start is skipped; a UTF-16 one is refused (expected "JSON in UTF-8"). Also refuses, with the JSON
/// Pointer of the offending place:
///   an object that repeats a key (readers disagree on which value wins; nlohmann would keep
///   the last silently): path .../key, expected "each key once in an object",
///   found "the key \"key\" again";
///   nesting deeper than kMaxJsonDepth: path of the first container too deep, expected
///   "arrays and objects nested at most 64 levels deep", found "a 65th level".
nlohmann::json parse_json_text(std::string_view text);

/// The Issue for a document nested deeper than kMaxJsonDepth (same path and wording as
/// parse_json_text), or nothing. Iterative, so any depth is safe to check.
std::optional<Issue> json_depth_issue(const nlohmann::json& doc);

}  // namespace funnelsim
