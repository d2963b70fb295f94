#pragma once
/// A variant written as overrides of the base instead of a file ("a what-if needs no file"):
///   LABEL:PTR=VALUE[,PTR=VALUE...]
/// e.g. "more_sdrs:/sales/teams/0/headcount=3,/scoring/mql_threshold=60". LABEL is the variant's
/// name in every output (everything before the first ':'); each PTR=VALUE is read exactly as an
/// override (loader.hpp): VALUE is JSON when it parses as JSON, else a plain string. Pairs are
/// separated by commas outside brackets, braces and double quotes, so JSON values keep theirs:
/// "/sources/0/day_of_week_weights=[1,1,1,1,1,0,0]" is one pair, and a string with a comma is
/// written quoted: '/description="a, b"'. Blanks around a pair are ignored.
#include <string>
#include <string_view>
#include <vector>

#include "funnelsim/core/usage_error.hpp"
#include "funnelsim/scenario/loader.hpp"
#include "funnelsim/scenario/origin.hpp"

namespace funnelsim {

struct InlineVariant {
  std::string label;
  std::vector<Override> overrides;  ///< in the order written
};

/// Parses the text above. Throws UsageError: no ':' or an empty label ("expected LABEL:PTR=VALUE
/// ..., found ..."), a label that is not UTF-8; with the label as subject, no pair, an empty pair
/// or a pair that is no PTR=VALUE (a ScenarioError from Override::parse is turned into the same).
InlineVariant parse_inline_variant(std::string_view text);

/// The variant's document: `base` (the base file read, extends and common overrides applied) with
/// the variant's overrides applied after, recorded in its origin, and the label as its name.
/// Throws what apply_overrides throws (the issues name the pointer).
ScenarioInput inline_variant_input(ScenarioInput base, const InlineVariant& variant);

}  // namespace funnelsim
