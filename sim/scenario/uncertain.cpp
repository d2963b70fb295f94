#include "funnelsim/scenario/uncertain.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <boost/random/beta_distribution.hpp>
#include <boost/random/lognormal_distribution.hpp>
#include <boost/random/normal_distribution.hpp>
#include <boost/random/triangle_distribution.hpp>
#include <boost/random/uniform_real_distribution.hpp>
#include <cmath>
#include <stdexcept>

#include "core/json_pointer_token.hpp"
#include "scenario/json_schema.hpp"
#include "core/random.hpp"
#include "core/stream_purposes.hpp"

namespace funnelsim {
namespace {

using nlohmann::json;
using Distribution = UncertainParameter::Distribution;

struct DistributionInfo {
  Distribution distribution;
  std::string_view name;
  std::vector<std::string_view> params;
};

const std::vector<DistributionInfo>& distributions() {
  static const std::vector<DistributionInfo> list = {
      {Distribution::beta, "beta", {"alpha", "beta"}},
      {Distribution::normal, "normal", {"mean", "sd"}},
      {Distribution::lognormal, "lognormal", {"mean", "cv"}},
      {Distribution::uniform, "uniform", {"low", "high"}},
      {Distribution::triangular, "triangular", {"low", "mode", "high"}},
  };
  return list;
}

/// The shape of an uncertain object, checked by the same validator as scenarios so that its
/// issues read alike: first the distribution's name, then its parameters.
const JsonSchema& shape_schema() {
  static const JsonSchema schema(json::parse(R"({
    "type": "object",
    "required": ["distribution"],
    "properties": { "distribution": { "enum": ["beta", "lognormal", "normal", "triangular", "uniform"] } }
  })"));
  return schema;
}

const JsonSchema& params_schema(Distribution d) {
  static const std::vector<JsonSchema> schemas = [] {
    const json number = {{"type", "number"}}, positive = {{"type", "number"}, {"exclusiveMinimum", 0}},
               non_negative = {{"type", "number"}, {"minimum", 0}};
    auto schema = [](json properties) {
      json required = json::array();
      for (const auto& [key, _] : properties.items()) required.push_back(key);
      properties["distribution"] = json::object();
      required.push_back("distribution");
      return JsonSchema(json{
          {"type", "object"}, {"additionalProperties", false}, {"required", required}, {"properties", properties}});
    };
    return std::vector<JsonSchema>{
        schema({{"alpha", positive}, {"beta", positive}}),
        schema({{"mean", number}, {"sd", non_negative}}),
        schema({{"mean", positive}, {"cv", non_negative}}),
        schema({{"low", number}, {"high", number}}),
        schema({{"low", number}, {"mode", number}, {"high", number}}),
    };
  }();
  return schemas[static_cast<std::size_t>(d)];
}

std::string number_text(double v) { return json(v).dump(); }

/// Issues of one uncertain object at `path` (the field's pointer), relative paths made absolute.
std::vector<Issue> check_uncertain(const json& object, const std::string& path, const NumericField& field,
                                   UncertainParameter& out) {
  std::vector<Issue> issues;
  for (const auto& [key, _] : object.items())
    if (key != "uncertain")
      issues.push_back({path + "/" + escape_pointer_token(key),
                        "no other key beside \"uncertain\" in an uncertain value",
                        fmt::format("unknown key \"{}\"", key)});
  if (field.integer)
    issues.push_back({path, "a number (an integer field, such as a count, cannot be uncertain)", "an uncertain value"});
  const json& spec = object.at("uncertain");
  const std::string base = path + "/uncertain";
  auto absolute = [&](std::vector<Issue> relative) {
    for (Issue& issue : relative) issues.push_back({base + issue.path, issue.expected, issue.found});
  };
  if (auto shape = shape_schema().validate(spec); !shape.empty()) {
    absolute(std::move(shape));
    return issues;
  }
  const std::string name = spec.at("distribution").get<std::string>();
  const auto& list = distributions();
  const auto info = std::find_if(list.begin(), list.end(), [&](const DistributionInfo& d) { return d.name == name; });
  out.distribution = info->distribution;
  if (auto params = params_schema(info->distribution).validate(spec); !params.empty()) {
    absolute(std::move(params));
    return issues;
  }
  out.pointer = path;
  out.field = field;
  out.written = spec;
  for (std::string_view p : info->params)
    out.params.emplace_back(std::string(p), spec.at(std::string(p)).get<double>());
  auto ordered = [&](const char* lower, const char* upper) {
    if (out.param(upper) < out.param(lower))
      issues.push_back({base + "/" + upper, fmt::format("a number >= {} ({})", lower, spec.at(lower).dump()),
                        spec.at(upper).dump()});
  };
  if (out.distribution == Distribution::uniform) ordered("low", "high");
  if (out.distribution == Distribution::triangular) {
    ordered("low", "mode");
    ordered("mode", "high");
  }
  return issues;
}

/// Walks the document: uncertain values where the schema asks for a number, data elsewhere.
void find_uncertain(const json& doc, const json& node, const std::string& path, std::vector<UncertainParameter>& found,
                    std::vector<Issue>& issues) {
  if (node.is_object()) {
    if (node.contains("uncertain")) {
      if (auto field = numeric_field(doc, path)) {
        UncertainParameter parameter;
        auto problems = check_uncertain(node, path, *field, parameter);
        if (problems.empty()) found.push_back(std::move(parameter));
        issues.insert(issues.end(), problems.begin(), problems.end());
        return;
      }
    }
    for (const auto& [key, value] : node.items())
      find_uncertain(doc, value, path + "/" + escape_pointer_token(key), found, issues);
  } else if (node.is_array()) {
    for (std::size_t i = 0; i < node.size(); ++i)
      find_uncertain(doc, node[i], fmt::format("{}/{}", path, i), found, issues);
  }
}

/// The value of a distribution without spread, or nullopt when it has spread.
std::optional<double> point_value(const UncertainParameter& p) {
  switch (p.distribution) {
    case Distribution::beta:
      return std::nullopt;
    case Distribution::normal:
      if (p.param("sd") == 0.0) return p.param("mean");
      return std::nullopt;
    case Distribution::lognormal:
      if (p.param("cv") == 0.0) return p.param("mean");
      return std::nullopt;
    case Distribution::uniform:
    case Distribution::triangular:
      if (p.param("low") == p.param("high")) return p.param("low");
      return std::nullopt;
  }
  return std::nullopt;
}

double mean_of(const UncertainParameter& p) {
  if (const auto value = point_value(p)) return *value;  // exact, not (x + x + x) / 3
  switch (p.distribution) {
    case Distribution::beta:
      return p.param("alpha") / (p.param("alpha") + p.param("beta"));
    case Distribution::normal:
    case Distribution::lognormal:
      return p.param("mean");
    case Distribution::uniform:
      return 0.5 * (p.param("low") + p.param("high"));
    case Distribution::triangular:
      return (p.param("low") + p.param("mode") + p.param("high")) / 3.0;
  }
  return 0.0;
}

double raw_draw(const UncertainParameter& p, RandomStream& stream) {
  if (const auto value = point_value(p)) return *value;
  switch (p.distribution) {
    case Distribution::beta:
      return boost::random::beta_distribution<double>(p.param("alpha"), p.param("beta"))(stream);
    case Distribution::normal:
      return boost::random::normal_distribution<double>(p.param("mean"), p.param("sd"))(stream);
    case Distribution::lognormal: {
      const double cv = p.param("cv");
      const double sigma2 = std::log1p(cv * cv);
      return boost::random::lognormal_distribution<double>(std::log(p.param("mean")) - 0.5 * sigma2,
                                                           std::sqrt(sigma2))(stream);
    }
    case Distribution::uniform:
      return boost::random::uniform_real_distribution<double>(p.param("low"), p.param("high"))(stream);
    case Distribution::triangular:
      return boost::random::triangle_distribution<double>(p.param("low"), p.param("mode"), p.param("high"))(stream);
  }
  return 0.0;
}

}  // namespace

std::string_view distribution_name(Distribution distribution) {
  return distributions()[static_cast<std::size_t>(distribution)].name;
}

std::string distribution_text(const UncertainParameter& parameter) {
  std::string params;
  for (const auto& [name, value] : parameter.params)
    params += fmt::format("{}{} {}", params.empty() ? "" : ", ", name, value);
  return fmt::format("{}({})", distribution_name(parameter.distribution), params);
}

double UncertainParameter::param(std::string_view name) const {
  for (const auto& [key, value] : params)
    if (key == name) return value;
  throw std::out_of_range(fmt::format("uncertain parameter {} has no {}", pointer, name));
}

double UncertainParameter::nominal() const { return field.clamp(mean_of(*this)); }

double UncertainParameter::draw(std::uint64_t seed, std::uint64_t replication, bool* clamped) const {
  RandomStream stream(seed, replication, StreamId{0, 0, purpose::uncertain(pointer)});
  const double raw = raw_draw(*this, stream);
  const double value = field.clamp(raw);
  if (clamped) *clamped = value != raw;
  return value;
}

UncertainScenario::UncertainScenario(json document) : document_(std::move(document)) {
  std::vector<Issue> issues;
  find_uncertain(document_, document_, "", parameters_, issues);
  if (!issues.empty()) throw ScenarioError(std::move(issues));
  std::vector<double> nominal;
  for (const UncertainParameter& p : parameters_) nominal.push_back(p.nominal());
  nominal_ = document_with(nominal);
}

json UncertainScenario::document_with(const std::vector<double>& values) const {
  if (values.size() != parameters_.size())
    throw std::invalid_argument("UncertainScenario::document_with: one value per uncertain parameter");
  json doc = document_;
  for (std::size_t i = 0; i < parameters_.size(); ++i) doc[json::json_pointer(parameters_[i].pointer)] = values[i];
  return doc;
}

Scenario UncertainScenario::scenario_for(std::uint64_t seed, std::uint64_t replication,
                                         const std::string& fallback_name, const ResolvedEdit& edit) const {
  std::vector<double> values;
  for (const UncertainParameter& p : parameters_) values.push_back(p.draw(seed, replication));
  const json doc = document_with(values);
  try {
    if (!edit) return scenario_from_json(doc, fallback_name);
    json resolved = resolved_scenario_json(doc);
    edit(resolved);
    return scenario_from_json(resolved, fallback_name);
  } catch (const ScenarioError& e) {
    std::string draws;
    for (std::size_t i = 0; i < values.size(); ++i)
      draws += fmt::format("{}{}={}", i ? ", " : "", parameters_[i].pointer, number_text(values[i]));
    std::vector<Issue> issues = e.issues();
    for (Issue& issue : issues) issue.found += fmt::format(" (in replication {}, which drew {})", replication, draws);
    throw ScenarioError(std::move(issues));
  }
}

UncertainDraws UncertainScenario::draws(std::uint64_t seed, std::uint64_t first, std::uint64_t count) const {
  UncertainDraws d{parameters_, {}, {}};
  for (const UncertainParameter& p : parameters_) {
    auto& values = d.values.emplace_back();
    std::size_t clamped = 0;
    for (std::uint64_t r = first; r < first + count; ++r) {
      bool was_clamped = false;
      values.push_back(p.draw(seed, r, &was_clamped));
      clamped += was_clamped;
    }
    d.clamped.push_back(clamped);
  }
  return d;
}

std::vector<std::vector<std::string>> UncertainScenario::resolved_pointers() const {
  static const std::string kDefaults = "/profile_defaults";
  std::vector<std::vector<std::string>> out;
  for (const UncertainParameter& p : parameters_) {
    auto& pointers = out.emplace_back();
    if (!p.pointer.starts_with(kDefaults + "/")) {
      pointers.push_back(p.pointer);
      continue;
    }
    const std::string tail = p.pointer.substr(kDefaults.size());
    std::vector<std::string> tokens;
    for (json::json_pointer field(tail); !field.empty(); field = field.parent_pointer()) tokens.push_back(field.back());
    std::reverse(tokens.begin(), tokens.end());
    const json sources = document_.value("sources", json::array());
    for (std::size_t s = 0; s < sources.size(); ++s) {
      // Merge patch: a source inherits the default unless its own profile sets the field, or sets
      // something that is not an object above it (which replaces it, or removes it with null).
      bool inherits = true;
      const json* at = sources[s].contains("profile") ? &sources[s]["profile"] : nullptr;
      for (std::size_t k = 0; at && k < tokens.size(); ++k) {
        if (!at->is_object()) {
          inherits = false;
          break;
        }
        if (!at->contains(tokens[k])) break;  // the source says nothing here: the default comes through
        at = &(*at)[tokens[k]];
        if (k + 1 == tokens.size()) inherits = false;  // the source sets the field itself
      }
      if (inherits) pointers.push_back(fmt::format("/sources/{}/profile{}", s, tail));
    }
  }
  return out;
}

json UncertainScenario::resolved_document() const {
  json out = resolved_scenario_json(nominal_);
  // Uncertain values stand where the engine reads them, each inherited copy included.
  const auto pointers = resolved_pointers();
  for (std::size_t k = 0; k < pointers.size(); ++k) {
    const json::json_pointer written(parameters_[k].pointer);
    for (const std::string& p : pointers[k]) out[json::json_pointer(p)] = document_.at(written);
  }
  return out;
}

}  // namespace funnelsim
