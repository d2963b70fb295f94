#include "scenario/scenario_merge.hpp"

#include <algorithm>
#include <set>

#include <fmt/format.h>

#include "core/json_pointer_token.hpp"
#include "scenario/json_schema.hpp"

namespace funnelsim {
namespace {

using nlohmann::json;

bool is_named_object(const json& item) { return item.is_object() && item.contains("name") && item["name"].is_string(); }

bool all_named(const json& list) { return std::all_of(list.begin(), list.end(), is_named_object); }

bool holds_objects(const json& list) {
  return std::any_of(list.begin(), list.end(), [](const json& item) { return item.is_object(); });
}

class Merger {
 public:
  Merger(const PatchFile& file, std::vector<ArrayMerge>* merges) : file_(file), merges_(merges) {}

  /// RFC 7386 MergePatch(target, patch), with arrays of named objects merged by name. `at_target`
  /// is where `target` stands in the merged document (for records), `at_patch` where `patch`
  /// stands in the file (for messages).
  void merge(json& target, const json& patch, const std::string& at_target, const std::string& at_patch) {
    if (!patch.is_object()) {
      refuse_remove(patch, at_patch);
      target = patch;
      return;
    }
    if (!target.is_object()) target = json::object();
    for (const auto& [key, value] : patch.items()) {
      std::string token(1, '/');  // not "/" + ...: g++ 12 warns falsely (-Wrestrict) on that
      token += escape_pointer_token(key);
      if (value.is_null()) {
        target.erase(key);
        continue;
      }
      const auto it = target.find(key);
      if (it != target.end() && it->is_array() && value.is_array()) {
        if (!value.empty() && all_named(value) && all_named(*it)) {
          merge_named(*it, value, at_target + token, at_patch + token);
          continue;
        }
        refuse_remove(value, at_patch + token);
        // Noted where a merge might have been expected: arrays of objects (numbers replace as anyone expects).
        if (merges_ && (holds_objects(value) || holds_objects(*it))) {
          ArrayMerge record{file_.recorded, at_target + token, ArrayMerge::How::replaced, {}, {}, {}, value.size()};
          merges_->push_back(std::move(record));
        }
        *it = value;
        continue;
      }
      merge(target[key], value, at_target + token, at_patch + token);
    }
  }

  /// A $remove anywhere in `value`, which lands where the base has no named item to remove, is an error.
  void refuse_remove(const json& value, const std::string& at_patch) const {
    if (value.is_object()) {
      for (const auto& [key, child] : value.items())
        if (key != kRemoveKey) refuse_remove(child, at_patch + "/" + escape_pointer_token(key));
      if (value.contains(kRemoveKey))
        fail(at_patch + "/" + kRemoveKey,
             fmt::format("{} only in a named item of an array that the base also lists with named items (it removes "
                         "the base's item of that name)",
                         kRemoveKey),
             value[kRemoveKey].dump());
    } else if (value.is_array()) {
      for (std::size_t i = 0; i < value.size(); ++i) refuse_remove(value[i], fmt::format("{}/{}", at_patch, i));
    }
  }

 private:
  [[noreturn]] void fail(const std::string& at_patch, std::string expected, std::string found) const {
    if (!file_.is_base) throw ScenarioError({Issue{at_patch, std::move(expected), std::move(found)}});
    throw ScenarioError(
        {Issue{"/extends", fmt::format("{} (at {} in {})", expected, at_patch, file_.shown), std::move(found)}});
  }

  static std::size_t index_of(const json& list, const std::string& name) {
    for (std::size_t i = 0; i < list.size(); ++i)
      if (list[i]["name"] == name) return i;
    return list.size();
  }

  void merge_named(json& target, const json& patch, const std::string& at_target, const std::string& at_patch) {
    // Recorded before the merges of arrays inside its items, which it contains.
    const std::size_t slot = merges_ ? merges_->size() : 0;
    if (merges_) merges_->push_back({file_.recorded, at_target, ArrayMerge::How::by_name, {}, {}, {}, patch.size()});
    ArrayMerge record;
    // First the checks and the removals, so that every pointer recorded below is final.
    std::set<std::string> seen;
    for (std::size_t i = 0; i < patch.size(); ++i) {
      const json& item = patch[i];
      const std::string at_item = fmt::format("{}/{}", at_patch, i);
      const auto name = item["name"].get<std::string>();
      if (!seen.insert(name).second) fail(at_item + "/name", "a name not listed earlier in this array", quoted(name));
      if (!item.contains(kRemoveKey)) continue;
      if (item[kRemoveKey] != true)
        fail(at_item + "/" + kRemoveKey, fmt::format("true, to remove the base's item \"{}\"", name),
             item[kRemoveKey].dump());
      if (item.size() != 2) {
        std::string others;
        for (const auto& [key, _] : item.items())
          if (key != "name" && key != kRemoveKey) others += (others.empty() ? "" : ", ") + key;
        fail(at_item, fmt::format("only name and {} in an item that removes one", kRemoveKey), "also " + others);
      }
      const std::size_t index = index_of(target, name);
      if (index == target.size()) {
        std::vector<std::string> names;
        for (const json& base_item : target) names.push_back(base_item["name"].get<std::string>());
        std::string expected = "the name of an item the base lists here, to remove it";
        if (const std::string guess = closest_match(name, names); !guess.empty())
          expected += fmt::format(" (did you mean \"{}\"?)", guess);
        fail(at_item + "/name", std::move(expected), quoted(name));
      }
      target.erase(index);
      record.removed.push_back(name);
    }
    for (std::size_t i = 0; i < patch.size(); ++i) {
      const json& item = patch[i];
      if (item.contains(kRemoveKey)) continue;
      const auto name = item["name"].get<std::string>();
      const std::string at_item = fmt::format("{}/{}", at_patch, i);
      const std::size_t index = index_of(target, name);
      if (index < target.size()) {
        merge(target[index], item, fmt::format("{}/{}", at_target, index), at_item);
        record.merged.push_back(name);
      } else {
        json added;  // merged onto nothing: its nulls drop out, as RFC 7386 does for a new key
        merge(added, item, fmt::format("{}/{}", at_target, index), at_item);
        target.push_back(std::move(added));
        record.added.push_back(name);
      }
    }
    if (merges_) {
      ArrayMerge& kept = (*merges_)[slot];
      kept.merged = std::move(record.merged), kept.added = std::move(record.added);
      kept.removed = std::move(record.removed);
    }
  }

  const PatchFile& file_;
  std::vector<ArrayMerge>* merges_;
};

}  // namespace

void merge_scenario_patch(json& target, const json& patch, const PatchFile& file, std::vector<ArrayMerge>* merges) {
  Merger(file, merges).merge(target, patch, "", "");
}

void refuse_remove_without_base(const json& doc, const PatchFile& file) {
  Merger(file, nullptr).refuse_remove(doc, "");
}

}  // namespace funnelsim
