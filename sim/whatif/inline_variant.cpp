#include "funnelsim/whatif/inline_variant.hpp"

#include <fmt/format.h>

#include "core/split_top_level.hpp"
#include "core/trim.hpp"

namespace funnelsim {
namespace {

constexpr std::string_view kForm = "LABEL:PTR=VALUE[,PTR=VALUE...] (e.g. threshold55:/scoring/mql_threshold=55)";

}  // namespace

InlineVariant parse_inline_variant(std::string_view text) {
  const std::size_t colon = text.find(':');
  const std::string_view label =
      colon == std::string_view::npos ? std::string_view{} : trim_blanks(text.substr(0, colon));
  if (label.empty() || label.front() == '/') throw UsageError(fmt::format("expected {}, found \"{}\"", kForm, text));
  InlineVariant variant{std::string(label), {}};
  try {
    (void)nlohmann::json(variant.label).dump();  // a name is written into every JSON output
  } catch (const nlohmann::json::exception&) {
    throw UsageError("expected a label in UTF-8, found bytes that are not UTF-8");
  }
  const std::string_view pairs = text.substr(colon + 1);
  for (std::string_view pair : split_top_level(pairs, ',')) {
    pair = trim_blanks(pair);
    if (pair.empty())
      throw UsageError(variant.label, fmt::format("expected one or more PTR=VALUE separated by commas (e.g. "
                                                  "/scoring/mql_threshold=55,/sales/teams/0/headcount=3), found \"{}\"",
                                                  pairs));
    try {
      variant.overrides.push_back(Override::parse(pair));
    } catch (const ScenarioError& e) {
      const Issue& issue = e.issues().front();
      if (issue.expected == kOverrideUtf8)
        throw UsageError(variant.label, fmt::format("expected text in UTF-8, found {}", issue.found));
      throw UsageError(variant.label,
                       fmt::format("expected PTR=VALUE with PTR a JSON Pointer (e.g. /scoring/mql_threshold=55), "
                                   "found {}",
                                   issue.found));
    }
  }
  return variant;
}

ScenarioInput inline_variant_input(ScenarioInput base, const InlineVariant& variant) {
  add_overrides(base, variant.overrides);
  base.document["name"] = variant.label;
  return base;
}

}  // namespace funnelsim
