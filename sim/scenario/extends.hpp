#pragma once
/// Scenario inheritance. A scenario file with "extends": "base.json" is its base document with
/// the file's own content applied on top as a JSON Merge Patch (RFC 7386), arrays of named objects
/// merged item by item by name (scenario_merge.hpp): a variant names only what differs from its
/// base. Bases may extend further files; a relative path is resolved from the folder of the file
/// that names it.
#include <filesystem>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "funnelsim/scenario/error.hpp"
#include "funnelsim/scenario/origin.hpp"

namespace funnelsim {

/// Reads a scenario file and resolves its chain of extends; the result holds no "extends" key.
/// Two deliberate details: `name` is not inherited (a variant absent a name is named after its
/// own file, not its base), and a merge patch's null removes a key, which then takes its default.
///
/// Errors are ScenarioErrors. The file itself: unreadable or not JSON, at path "" (as without
/// extends). Anything wrong further up the chain is reported at "/extends" and names the file:
///   a base that cannot be read: expected "a readable base scenario file",
///                               found `cannot open "<base>" (the base of <file>)`;
///   a base that is not JSON:    expected `valid JSON in the base scenario "<base>"`,
///                               found the syntax error;
///   a base that is no object:   expected `a JSON object in the base scenario "<base>"`;
///   "extends" not a string:     expected "a string: the path of the base scenario file" [+ ` (in <file>)`];
///   a cycle:                    expected "a chain of extends without cycles", found "a.json -> b.json -> a.json".
///   a bad $remove or a name listed twice in a merged array: see scenario_merge.hpp.
/// With `origin`, records the file, each base (with the SHA-256 of its bytes) and every array
/// merged or replaced (see origin.hpp).
nlohmann::json read_extended_document(const std::filesystem::path& file, ScenarioOrigin* origin = nullptr);

/// The same for a document given as JSON text rather than a file (a front end's dict): the
/// checks of a file's text (at most kMaxScenarioBytes, as parse_json_text), its chain resolved
/// from `folder`; `name` stands for it in messages about the chain. With `origin`, records each
/// base and every array merge (the text itself is no file: origin->file stays empty).
nlohmann::json read_extended_text(std::string_view text, const std::filesystem::path& folder, const std::string& name,
                                  ScenarioOrigin* origin = nullptr);

}  // namespace funnelsim
