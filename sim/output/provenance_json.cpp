#include "output/provenance_json.hpp"

namespace funnelsim {
namespace {

using ordered_json = nlohmann::ordered_json;

ordered_json file_json(const ScenarioFile& file) { return {{"path", file.path}, {"sha256", file.sha256}}; }

}  // namespace

ordered_json provenance_json(const ScenarioProvenance& provenance) {
  const ScenarioOrigin& origin = provenance.origin;
  ordered_json extends = ordered_json::array();
  for (const ScenarioFile& base : origin.extends) extends.push_back(file_json(base));
  ordered_json overrides = ordered_json::array();
  for (const Override& o : origin.overrides)
    overrides.push_back({{"pointer", o.pointer}, {"value", ordered_json::parse(o.json_value().dump())}});
  return {{"file", origin.file ? file_json(*origin.file) : ordered_json(nullptr)},
          {"extends", extends},
          {"overrides", overrides},
          {"resolved_sha256", provenance.resolved_sha256}};
}

}  // namespace funnelsim
