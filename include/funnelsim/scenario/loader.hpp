#pragma once
/// Reading scenario files: JSON text -> extends (merge onto the base) -> --set overrides ->
/// schema validation -> profile merge -> defaults -> semantic checks -> typed Scenario. Every
/// problem is reported as a ScenarioError naming the JSON Pointer path, what was expected and
/// what was found.
#include <filesystem>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "funnelsim/scenario/scenario.hpp"
#include "funnelsim/scenario/error.hpp"
#include "funnelsim/scenario/limits.hpp"

namespace funnelsim {

/// An override of one field: /json/pointer=value (the CLI's --set). The value is read as JSON
/// when it parses as JSON (numbers, true, null, "quoted", {...}) and as a plain string otherwise.
struct Override {
  std::string pointer;
  std::string value;
  /// Parses "PTR=VALUE"; throws ScenarioError (expected kOverrideUtf8 or kOverrideForm) when the
  /// text is not UTF-8, there is no '=' or PTR is not a pointer.
  static Override parse(std::string_view text);
  /// The value as apply_overrides writes it: parsed when it is JSON, else the text as a string.
  /// Throws ScenarioError (at path "") for JSON with a repeated key or nested too deep.
  nlohmann::json json_value() const;
};

// Overrides come from wherever a front end takes them (the CLI's --set and --param): the issues
// they raise say so in these words, which a front end may replace with its own.
inline constexpr std::string_view kOverrideUtf8 = "override text in UTF-8";
inline constexpr std::string_view kOverrideForm = "an override /json/pointer=value (e.g. /scoring/mql_threshold=75)";
/// The end of the expected text of every issue apply_overrides raises.
inline constexpr std::string_view kInOverride = " (in an override)";
/// What validation expects at /extends when a document still holds one (an override set it).
inline constexpr std::string_view kExtendsOnlyInFile =
    "extends only in a scenario file (it is resolved when the file is read, before any override)";

/// Applies overrides in order. The parent of each pointer must exist; the last token may
/// name a new object key or an array index (or "-" to append).
void apply_overrides(nlohmann::json& doc, const std::vector<Override>& overrides);

/// Validates a scenario document and builds the typed scenario. `fallback_name` names the
/// scenario when the document has no "name".
Scenario scenario_from_json(const nlohmann::json& doc, const std::string& fallback_name);

/// Reads a scenario file, resolves its "extends" chain (see sim/scenario/extends.hpp) and applies the
/// overrides; no validation yet. File and JSON syntax errors, and a file over kMaxScenarioBytes,
/// are ScenarioErrors at path "", problems with base files at "/extends".
nlohmann::json read_scenario_document(const std::filesystem::path& file, const std::vector<Override>& overrides = {});

/// A scenario document given as JSON text rather than read from a file (a Python dict, a request
/// body): the checks of a file's text (at most kMaxScenarioBytes, no NUL, nesting, repeated
/// keys), its "extends" chain resolved with relative paths from `folder`, then the overrides; no
/// validation yet. `name` stands for the document in messages about its chain.
nlohmann::json read_scenario_text(std::string_view text, const std::filesystem::path& folder, const std::string& name,
                                  const std::vector<Override>& overrides = {});

/// The scenario file and the base files its "extends" chain names, as far as they can be read
/// (paths as the chain spells them): the files a front end must never write results over.
std::vector<std::filesystem::path> scenario_files(const std::filesystem::path& file);

/// Reads, overrides, validates and builds.
Scenario load_scenario(const std::filesystem::path& file, const std::vector<Override>& overrides = {});

/// The document after merge and defaults, as the engine sees it (for `validate --resolved`).
/// A number field that holds an uncertain value ({"uncertain": {...}}, see uncertain.hpp) is an
/// issue here: only the per-replication path draws them.
nlohmann::json resolved_scenario_json(const nlohmann::json& doc);

/// What the scenario schema allows in a numeric field.
struct NumericField {
  bool integer = false;  ///< the schema asks for an integer (a count, a seed, a day index)
  /// Inclusive bounds; an exclusive bound is moved one representable step inside (nextafter).
  double lower = -std::numeric_limits<double>::infinity();
  double upper = std::numeric_limits<double>::infinity();
  /// The value the loader uses where the document leaves the field out (the schema's default, or
  /// 1 for a profile's event_rate_scale, which has none in the schema).
  std::optional<double> absent;
  double clamp(double value) const noexcept { return value < lower ? lower : value > upper ? upper : value; }
};

/// The numeric field at a JSON Pointer of a scenario document (as written or resolved: the schema
/// decides, following the document where it has the path), or nullopt when the schema governs no
/// number there.
std::optional<NumericField> numeric_field(const nlohmann::json& doc, std::string_view pointer);

/// A field of a scenario in users' words, for axis titles, tornado rows and tables: the schema's
/// "title" of the field (which carries its unit: "MQL threshold (points)"), qualified by the
/// names on its way, the "name" of each array item and each key of a name-keyed object
/// ("Paid social: cost per lead ($)" for /sources/1/cost_per_lead, "Enterprise: deal amount,
/// mean ($)"). A field without a title reads as its key with its unit ("Cv"); an item of an
/// array of numbers adds its position ("Week multiplier, item 4"). `doc` is the scenario the
/// pointer is into (as written or resolved); a pointer the schema does not govern reads as itself.
std::string parameter_title(const nlohmann::json& doc, std::string_view pointer);

}  // namespace funnelsim
