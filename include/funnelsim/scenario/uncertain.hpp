#pragma once
/// Uncertain inputs: a number field of a scenario may hold a distribution instead of a value,
///   {"uncertain": {"distribution": "beta", "alpha": 12, "beta": 48}},
/// which is drawn once per replication and substituted into the document; the document is then
/// validated and compiled for that replication alone. The spread across replications then has two
/// sources: not knowing the true input (the draws) and the quarter's own randomness (the streams).
///
/// Distributions and their parameters (each a number):
///   beta        alpha > 0, beta > 0                       mean alpha / (alpha + beta)
///   normal      mean, sd >= 0                             mean
///   lognormal   mean > 0, cv >= 0 (the value's own mean and coefficient of variation, as for
///               handle times and deal amounts: sigma^2 = ln(1 + cv^2), mu = ln(mean) - sigma^2 / 2)
///   uniform     low, high >= low                          (low + high) / 2
///   triangular  low, mode >= low, high >= mode            (low + mode + high) / 3
/// A distribution without spread (sd 0, cv 0, low == high) gives its value exactly, with no draw.
///
/// A draw outside the field's schema bounds (a normal on a probability) is clamped to them, so a
/// draw is always deterministic and never rejected; the draws clamped are counted. Integer fields
/// (counts, seeds, days) cannot be uncertain: the replications' shapes (sources, teams, reps,
/// weeks) must agree.
#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "funnelsim/scenario/scenario.hpp"
#include "funnelsim/scenario/loader.hpp"

namespace funnelsim {

struct UncertainParameter {
  enum class Distribution { beta, normal, lognormal, uniform, triangular };
  std::string pointer;  ///< where the value stands in the scenario document (after extends and --set)
  Distribution distribution = Distribution::uniform;
  std::vector<std::pair<std::string, double>> params;  ///< in the order of the table above
  nlohmann::json written;  ///< the "uncertain" object as written (numbers as the user wrote them)
  NumericField field;      ///< the bounds draws are clamped to

  /// The distribution's mean, clamped to the field's bounds: the value in the nominal document.
  double nominal() const;
  /// The draw of one replication, from the stream (seed, replication, stream_tag("uncertain:" +
  /// pointer)), clamped to the field's bounds; `clamped` (optional) says whether it had to be.
  double draw(std::uint64_t seed, std::uint64_t replication, bool* clamped = nullptr) const;
  double param(std::string_view name) const;
};

std::string_view distribution_name(UncertainParameter::Distribution distribution);
/// "normal(mean 65, sd 5)", for printed tables.
std::string distribution_text(const UncertainParameter& parameter);

/// Draws of every uncertain input over a run, for reports.
struct UncertainDraws {
  std::vector<UncertainParameter> parameters;
  std::vector<std::vector<double>> values;  ///< [parameter][replication slot]
  std::vector<std::size_t> clamped;         ///< per parameter: draws clamped to the field's bounds
};

/// Changes the RESOLVED document (resolved_scenario_json) of a replication before it is built.
using ResolvedEdit = std::function<void(nlohmann::json& resolved)>;

/// A scenario document with its uncertain values taken out.
class UncertainScenario {
 public:
  /// Finds every uncertain value: an object whose key "uncertain" stands where the schema asks for
  /// a number. Malformed ones throw a ScenarioError naming each problem's JSON Pointer (e.g.
  /// /scoring/mql_threshold/uncertain/sd: expected a number >= 0, found -5); an uncertain value in
  /// an integer field is one too. The rest of the document is not validated here.
  explicit UncertainScenario(nlohmann::json document);

  bool empty() const noexcept { return parameters_.empty(); }
  const std::vector<UncertainParameter>& parameters() const noexcept { return parameters_; }
  /// The document with each uncertain value replaced by its nominal value (the distribution's mean).
  const nlohmann::json& nominal_document() const noexcept { return nominal_; }
  /// The document with `values` (one per parameter, in order) in place of the uncertain ones.
  nlohmann::json document_with(const std::vector<double>& values) const;

  /// One replication's scenario: its draws substituted, `edit` applied to the resolved document,
  /// validated and built. A ScenarioError says which replication and which draws.
  Scenario scenario_for(std::uint64_t seed, std::uint64_t replication, const std::string& fallback_name,
                        const ResolvedEdit& edit = {}) const;

  /// Every draw of replications [first, first + count).
  UncertainDraws draws(std::uint64_t seed, std::uint64_t first, std::uint64_t count) const;

  /// Where each uncertain input lands in the resolved document: its own pointer, or, for one in
  /// /profile_defaults, the same field of every source profile that inherits it (one draw shared
  /// by all of them). [parameter][pointer]
  std::vector<std::vector<std::string>> resolved_pointers() const;

  /// The resolved document (resolved_scenario_json of the nominal one) with each uncertain value
  /// standing where the engine reads it, each inherited copy included: what `funnelsim validate
  /// --resolved` prints.
  nlohmann::json resolved_document() const;

 private:
  nlohmann::json document_;  // as given
  nlohmann::json nominal_;
  std::vector<UncertainParameter> parameters_;
};

}  // namespace funnelsim
