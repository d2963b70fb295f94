#pragma once
/// How `extends` puts a file onto its base: JSON Merge Patch (RFC 7386), objects key by key and
/// null removing a key, except for arrays of named objects. Where the file and its base both hold,
/// at the same place, a non-empty array whose every item is an object with a string "name"
/// (sources, sales teams, nurture tracks, ...), the file's array merges item by item:
///   - an item whose name the base lists is a merge patch on that item (list only what changes);
///   - an item with a new name is added after the base's items;
///   - {"name": "x", "$remove": true} removes the base's item x (nothing else may stand beside it);
///   - the order is the base's, then the added items in the file's order.
/// Any other array (numbers, unnamed objects, an empty array) replaces the base's, as before.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "funnelsim/scenario/origin.hpp"

namespace funnelsim {

/// The file being applied: `recorded` as a result records it, `shown` as messages name it;
/// `is_base`: a base further up the chain, whose problems are reported at /extends.
struct PatchFile {
  std::string recorded;
  std::string shown;
  bool is_base = false;
};

/// The key that removes a named item (see above).
inline constexpr const char* kRemoveKey = "$remove";

/// Applies `patch` (a file's document) onto `target` (its base, resolved). Appends to `merges`
/// (when not null) a record of every array of the base that the file's array merged into by name,
/// or replaced where either holds objects (where a merge might have been expected; arrays of
/// numbers or strings replace unnoted). Throws ScenarioError naming the pointer in the file: a name listed twice, a
/// $remove that is not true, stands beside other keys or names no item of the base.
void merge_scenario_patch(nlohmann::json& target, const nlohmann::json& patch, const PatchFile& file,
                          std::vector<ArrayMerge>* merges);

/// Refuses a $remove in a file that extends nothing (there is no base item to remove).
void refuse_remove_without_base(const nlohmann::json& doc, const PatchFile& file);

}  // namespace funnelsim
