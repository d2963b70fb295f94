#pragma once
// The library's errors name no flag (a Python caller never typed one); the CLI names the option
// the text came from, as the user typed it. Everything the CLI says differently is here.
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "funnelsim/core/usage_error.hpp"
#include "funnelsim/scenario/error.hpp"
#include "funnelsim/whatif/run.hpp"

namespace funnelsim::cli {

/// Returns parse(); a UsageError from it comes back naming `option`: "--param /x: expected ..."
/// (with a subject) or "--param: expected ...".
template <class Parse>
auto for_option(std::string_view option, const Parse& parse) {
  return naming_source(option, parse);
}

/// The issues with the library's words for overrides (loader.hpp) naming `option` instead;
/// false when none of them had any.
bool name_overrides(std::vector<Issue>& issues, std::string_view option);

/// Returns load(); a ScenarioError from it comes back with its overrides named as `option`
/// (--set, --param), a ScenarioInputError with its context.
template <class Load>
auto naming_overrides(std::string_view option, const Load& load) {
  try {
    return load();
  } catch (const ScenarioError& e) {
    std::vector<Issue> issues = e.issues();
    if (!name_overrides(issues, option)) throw;
    if (const auto* input = dynamic_cast<const ScenarioInputError*>(&e))
      throw ScenarioInputError(input->context(), ScenarioError(std::move(issues)));
    throw ScenarioError(std::move(issues));
  }
}

/// An issue's expected text as the CLI says it: an /extends left after overrides names --set.
std::string_view cli_expected(const Issue& issue);

// The library refuses these as well, in words without flags; the CLI names the flags that help.
/// --param text for /seed or /replications: every point runs the same ones.
void refuse_run_control_param(std::string_view text);
/// The same pointer in two --param options.
void refuse_repeated_params(const std::vector<SweepParameter>& parameters);
/// plan_sensitivity's words for a bad --params pointer, with where the CLI shows the good ones.
std::string with_resolved_hint(std::string message);

}  // namespace funnelsim::cli
