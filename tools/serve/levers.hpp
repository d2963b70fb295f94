#pragma once
// The levers a workshop moves, in users' words, each mapped to the JSON Pointers of the scenario
// it changes. A scenario offers the levers it has fields for (no nurture section: no nurture
// levers); values are checked for their type here and for their range by the library's schema,
// so a bad value gets the same pointer-named error as a bad --set.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace funnelsim::server {

/// One lever as the page draws it: a slider (number), a toggle or a choice.
struct Lever {
  std::string id;                     ///< as the API names it: "threshold", "sdrs.sdr", "budget_shift"
  std::string label;                  ///< in users' words, from the schema's titles where the lever is one field
  std::string kind;                   ///< "number", "toggle" or "choice"
  std::string group;                  ///< the section of the page it sits in: "Scoring", "Sales desk: sdr", ...
  std::vector<std::string> pointers;  ///< the fields of the scenario it changes
  double min = 0, max = 0, step = 1;  ///< number
  std::vector<std::pair<std::string, std::string>> choices;  ///< choice: (value, label)
  nlohmann::json value;                                      ///< the scenario's own setting
};

/// The levers `document` (after extends, warm-up resolved) offers, in page order.
std::vector<Lever> levers_of(const nlohmann::json& document);

/// The levers as JSON for the page and the API.
nlohmann::json levers_json(const std::vector<Lever>& levers);

/// `document` with the lever settings `settings` (an object: lever id -> value) applied. Throws
/// ScenarioError at "/levers/<id>" for an unknown lever or a value of the wrong type or choice;
/// the range is the schema's business (the caller validates the result).
nlohmann::json apply_levers(const nlohmann::json& document, const nlohmann::json& settings);

}  // namespace funnelsim::server
