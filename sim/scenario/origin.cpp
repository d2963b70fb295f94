#include "funnelsim/scenario/origin.hpp"

#include <cmath>
#include <system_error>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "core/sha256.hpp"
#include "core/utf8_text.hpp"
#include "scenario/extends.hpp"

namespace funnelsim {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

/// A number that is whole written as an integer, so that 65 and 65.0 (the same value to the
/// engine) dump alike; -0.0 becomes 0.
void whole_numbers_as_integers(json& node) {
  if (node.is_structured()) {
    for (json& child : node) whole_numbers_as_integers(child);
  } else if (node.is_number_float()) {
    const double v = node.get<double>();
    if (std::abs(v) < 0x1p53 && v == std::trunc(v)) node = static_cast<std::int64_t>(v);
  }
}

}  // namespace

std::string array_merge_text(const ArrayMerge& merge) {
  if (merge.how == ArrayMerge::How::replaced)
    return fmt::format(
        "{}: {}: replaced the base's array with its own {} item{} (an array of objects without names "
        "replaces)",
        merge.file, merge.pointer, merge.items, merge.items == 1 ? "" : "s");
  std::string parts;
  for (const auto& [what, names] :
       {std::pair{"merged", &merge.merged}, std::pair{"added", &merge.added}, std::pair{"removed", &merge.removed}})
    if (!names->empty()) parts += fmt::format("{}{}: {}", parts.empty() ? "" : "; ", what, fmt::join(*names, ", "));
  return fmt::format("{}: {}: merged by name into the base's items ({})", merge.file, merge.pointer, parts);
}

void add_overrides(ScenarioInput& input, const std::vector<Override>& overrides) {
  apply_overrides(input.document, overrides);
  input.origin.overrides.insert(input.origin.overrides.end(), overrides.begin(), overrides.end());
}

ScenarioInput read_scenario_input(const fs::path& file, const std::vector<Override>& overrides) {
  ScenarioInput input;
  input.document = read_extended_document(file, &input.origin);
  add_overrides(input, overrides);  // after the merge: overrides have the last word
  return input;
}

ScenarioInput read_scenario_text_input(std::string_view text, const fs::path& folder, const std::string& name,
                                       const std::vector<Override>& overrides) {
  ScenarioInput input;
  input.document = read_extended_text(text, folder, name, &input.origin);
  add_overrides(input, overrides);
  return input;
}

std::string recorded_path(const fs::path& path) {
  std::error_code ec;
  const fs::path here = path.is_relative() ? fs::path() : fs::current_path(ec);
  const fs::path shown =
      here.empty() || ec ? path.lexically_normal() : path.lexically_normal().lexically_proximate(here);
  return utf8_or_replaced(shown.generic_string());  // written into JSON: a byte that is not UTF-8 becomes U+FFFD
}

std::string resolved_sha256(const UncertainScenario& scenario) {
  json resolved = scenario.resolved_document();
  resolved.erase("name");
  resolved.erase("description");
  whole_numbers_as_integers(resolved);
  return sha256_hex(resolved.dump());
}

}  // namespace funnelsim
