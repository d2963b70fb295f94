#pragma once
/// Where a scenario came from, so that a result can say which scenario made it: the file named,
/// the chain of files it extends (each with the SHA-256 of its bytes), how arrays were merged on
/// the way, the overrides applied after, and a hash of the fully resolved scenario.
///
/// Paths are recorded as the command saw them, relative to the working directory it ran in: a
/// relative path stays as given (normalised: "a/./b.json" is "a/b.json"), an absolute one is made
/// relative to the working directory, so no home folder appears in a result that does not need
/// it. A base's path is its extending file's folder joined with what "extends" says, as the
/// loader opens it. A byte of a path that is not UTF-8 is recorded as U+FFFD (JSON needs UTF-8).
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "funnelsim/scenario/loader.hpp"
#include "funnelsim/scenario/uncertain.hpp"

namespace funnelsim {

struct ScenarioFile {
  std::string path;    ///< relative to the working directory (see above)
  std::string sha256;  ///< of the file's bytes, as `sha256sum` prints it
};

/// How a file's array was applied onto its base's array at the same place.
struct ArrayMerge {
  std::string file;     ///< the file whose array was applied (as in ScenarioFile::path)
  std::string pointer;  ///< where the array stands in the merged document
  /// by_name: both arrays list objects with a "name", merged item by item; replaced: the file's
  /// array of objects replaced the base's (its items, or the base's, have no name). Arrays of
  /// numbers or strings replace without a record.
  enum class How { by_name, replaced } how = How::replaced;
  std::vector<std::string> merged, added, removed;  ///< by_name: item names, in the file's order
  std::size_t items = 0;                            ///< how many items the file's array holds
};

/// One line saying what a merge did, e.g. "scenarios/v.json: /sources: merged by name into the
/// base's items (merged: webinar, content_syndication)".
std::string array_merge_text(const ArrayMerge& merge);

/// What reading a scenario file did, in order.
struct ScenarioOrigin {
  std::optional<ScenarioFile> file;   ///< absent for a document that never was a file
  std::vector<ScenarioFile> extends;  ///< the file's base, then that base's base, ...
  std::vector<ArrayMerge> merges;     ///< deepest base first, as applied (see ArrayMerge)
  std::vector<Override> overrides;    ///< after the chain, in the order applied
};

/// A scenario document as read_scenario_document returns it, with its origin.
struct ScenarioInput {
  nlohmann::json document;
  ScenarioOrigin origin;
};

/// Applies `overrides` to the document (apply_overrides, same errors) and appends them to the
/// origin's record, so a document and the record of what changed it cannot drift apart.
void add_overrides(ScenarioInput& input, const std::vector<Override>& overrides);

/// read_scenario_document, recording the origin (same errors).
ScenarioInput read_scenario_input(const std::filesystem::path& file, const std::vector<Override>& overrides = {});

/// read_scenario_text (loader.hpp), recording the origin: its bases, merges and overrides.
ScenarioInput read_scenario_text_input(std::string_view text, const std::filesystem::path& folder,
                                       const std::string& name, const std::vector<Override>& overrides = {});

/// `path` as a result records it: see the top of this file.
std::string recorded_path(const std::filesystem::path& path);

/// The resolved scenario's hash: SHA-256 of the compact JSON text (nlohmann::json::dump(): object
/// keys in byte order, no spaces, numbers in their shortest round-trip form) of UncertainScenario::resolved_document
/// without "name" and "description", which label a scenario but change no number. So it changes
/// exactly when what the engine reads changes: a variant that restates a base's value, or sets a
/// default explicitly, hashes as its base.
std::string resolved_sha256(const UncertainScenario& scenario);

/// Everything a result records of one scenario.
struct ScenarioProvenance {
  ScenarioOrigin origin;
  std::string resolved_sha256;
};

}  // namespace funnelsim
