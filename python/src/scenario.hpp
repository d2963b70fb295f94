#pragma once
// A scenario as the module holds it: its document after extends and overrides, validated and
// ready to run (RunnableScenario), and where it came from.
#include <pybind11/pybind11.h>

#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "funnelsim/whatif/runnable_scenario.hpp"

namespace funnelsim::python {

/// (JSON Pointer, value as JSON text) pairs, applied in order: `set=` and with_changes().
using Changes = std::vector<std::pair<std::string, std::string>>;

class LoadedScenario {
 public:
  /// Reads a file (extends, then the changes) as `funnelsim run FILE --set ...` does.
  static LoadedScenario from_file(const std::string& path, const Changes& changes);
  /// A document given as JSON text (a dict); a relative "extends" is found from `folder`.
  static LoadedScenario from_text(const std::string& text, const std::string& folder, const Changes& changes);
  /// This scenario with more changes applied (from the same file, if any).
  LoadedScenario with_changes(const Changes& changes) const;

  /// After extends and changes: what the CLI reads with --set, and what run identifiers hash.
  const nlohmann::json& document() const noexcept { return document_; }
  const RunnableScenario& runnable() const noexcept { return *runnable_; }
  /// Where it came from (file, bases, merges, changes): what its results record.
  const ScenarioOrigin& origin() const noexcept { return origin_; }
  /// The file, as given; nullopt for a dict.
  const std::optional<std::string>& path() const noexcept { return path_; }
  /// The file when there is one, else the scenario's name: how compare and sweep name it.
  std::string label() const { return path_ ? *path_ : runnable_->scenario().name; }
  /// What a nameless scenario is called: its file's stem, or "scenario" for a dict.
  const std::string& fallback_name() const noexcept { return fallback_name_; }
  /// The file and its extends bases (resolved): nothing is ever written over them.
  const std::vector<std::filesystem::path>& input_files() const noexcept { return inputs_; }

 private:
  LoadedScenario(ScenarioInput input, std::string fallback_name, std::optional<std::string> path,
                 std::vector<std::filesystem::path> inputs);

  nlohmann::json document_;
  ScenarioOrigin origin_;  // what its results record as their provenance
  std::string fallback_name_;
  std::optional<std::string> path_;
  std::vector<std::filesystem::path> inputs_;
  std::shared_ptr<const RunnableScenario> runnable_;
};

void add_scenario(pybind11::module_& m);

}  // namespace funnelsim::python
