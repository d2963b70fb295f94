#include "scenario.hpp"

#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

#include "funnelsim/output/result_set.hpp"
#include "funnelsim/scenario/error.hpp"
#include "funnelsim/scenario/loader.hpp"
#include "funnelsim/scenario/origin.hpp"

namespace py = pybind11;

namespace funnelsim::python {
namespace {

constexpr const char* kDictName = "scenario";

std::vector<Override> overrides_of(const Changes& changes) {
  std::vector<Override> overrides;
  for (const auto& [pointer, value] : changes) {
    // The CLI's --set text always starts with '/' (Override::parse); a dict key may not.
    if (pointer.empty() || pointer.front() != '/')
      throw ScenarioError(
          {Issue{pointer, "a JSON Pointer such as /scoring/mql_threshold (in a change)", "\"" + pointer + "\""}});
    overrides.push_back(Override{pointer, value});
  }
  return overrides;
}

/// The file and its extends bases, resolved (resolved_path): what results must never replace.
std::vector<std::filesystem::path> resolved_files(const std::filesystem::path& file) {
  std::vector<std::filesystem::path> files = scenario_files(file);
  for (auto& f : files) f = resolved_path(f);
  return files;
}

}  // namespace

LoadedScenario::LoadedScenario(ScenarioInput input, std::string fallback_name, std::optional<std::string> path,
                               std::vector<std::filesystem::path> inputs)
    : document_(std::move(input.document)),
      origin_(std::move(input.origin)),
      fallback_name_(std::move(fallback_name)),
      path_(std::move(path)),
      inputs_(std::move(inputs)),
      runnable_(std::make_shared<const RunnableScenario>(document_, fallback_name_, origin_)) {}

LoadedScenario LoadedScenario::from_file(const std::string& path, const Changes& changes) {
  std::vector<std::filesystem::path> inputs = resolved_files(path);
  ScenarioInput input = read_scenario_input(path, overrides_of(changes));
  return LoadedScenario(std::move(input), std::filesystem::path(path).stem().string(), path, std::move(inputs));
}

LoadedScenario LoadedScenario::from_text(const std::string& text, const std::string& folder, const Changes& changes) {
  ScenarioInput input = read_scenario_text_input(text, folder, "the scenario dict", overrides_of(changes));
  // The bases its extends chain names (the dict itself is no file).
  std::vector<std::filesystem::path> inputs;
  const nlohmann::json given = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (given.is_object() && given.contains("extends") && given["extends"].is_string()) {
    const std::filesystem::path named = given["extends"].get<std::string>();
    inputs = resolved_files(named.is_absolute() ? named : std::filesystem::path(folder) / named);
  }
  return LoadedScenario(std::move(input), kDictName, std::nullopt, std::move(inputs));
}

LoadedScenario LoadedScenario::with_changes(const Changes& changes) const {
  ScenarioInput input{document_, origin_};
  add_overrides(input, overrides_of(changes));
  return LoadedScenario(std::move(input), fallback_name_, path_, inputs_);
}

void add_scenario(py::module_& m) {
  py::class_<LoadedScenario>(m, "Scenario", "A validated scenario (see funnelsim.Scenario).")
      .def_static("from_file", &LoadedScenario::from_file, py::arg("path"), py::arg("changes"))
      .def_static("from_text", &LoadedScenario::from_text, py::arg("text"), py::arg("folder"), py::arg("changes"))
      .def("with_changes", &LoadedScenario::with_changes, py::arg("changes"))
      .def("document_text", [](const LoadedScenario& s) { return s.document().dump(); })
      .def("resolved_text", [](const LoadedScenario& s) { return s.runnable().uncertain().resolved_document().dump(); })
      .def_property_readonly("name", [](const LoadedScenario& s) { return s.runnable().scenario().name; })
      .def_property_readonly("seed", [](const LoadedScenario& s) { return s.runnable().scenario().seed; })
      .def_property_readonly("replications",
                             [](const LoadedScenario& s) { return s.runnable().scenario().replications; })
      .def_property_readonly("horizon_days",
                             [](const LoadedScenario& s) { return s.runnable().scenario().horizon_days; })
      .def_property_readonly("path", &LoadedScenario::path)
      .def_property_readonly("uncertain", [](const LoadedScenario& s) {
        std::vector<std::string> pointers;
        for (const UncertainParameter& p : s.runnable().uncertain().parameters()) pointers.push_back(p.pointer);
        return pointers;
      });
}

}  // namespace funnelsim::python
