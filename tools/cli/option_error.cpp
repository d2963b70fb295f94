#include "option_error.hpp"

#include <set>

#include "funnelsim/scenario/loader.hpp"

namespace funnelsim::cli {

bool name_overrides(std::vector<Issue>& issues, std::string_view option) {
  bool named = false;
  for (Issue& issue : issues) {
    std::string& expected = issue.expected;
    if (expected == kOverrideUtf8)
      expected = fmt::format("{} text in UTF-8", option);
    else if (expected == kOverrideForm)
      expected = fmt::format("{0} /json/pointer=value (e.g. {0} /scoring/mql_threshold=75)", option);
    else if (expected.ends_with(kInOverride))
      expected.replace(expected.size() - kInOverride.size(), kInOverride.size(), fmt::format(" (in {})", option));
    else
      continue;
    named = true;
  }
  return named;
}

std::string_view cli_expected(const Issue& issue) {
  if (issue.expected == kExtendsOnlyInFile)
    return "extends only in a scenario file (it is resolved when the file is read, before --set)";
  return issue.expected;
}

void refuse_run_control_param(std::string_view text) {
  const std::size_t eq = text.find('=');
  const std::string_view pointer = text.substr(0, eq);
  if (eq != std::string_view::npos && (pointer == "/seed" || pointer == "/replications"))
    throw UsageError(
        fmt::format("--param {}: expected a scenario field to sweep, found a run control (every point "
                    "runs the same seed and replications; use --seed or --replications)",
                    pointer));
}

void refuse_repeated_params(const std::vector<SweepParameter>& parameters) {
  std::set<std::string> seen;
  for (const SweepParameter& p : parameters)
    if (!seen.insert(p.pointer).second)
      throw UsageError(fmt::format("--param {}: expected each pointer in one --param only, found it twice", p.pointer));
}

std::string with_resolved_hint(std::string message) {
  const std::string expected = fmt::format("expected {}", kResolvedNumericField);
  if (message.starts_with(expected)) message.insert(expected.size(), " (funnelsim validate --resolved prints them)");
  return message;
}

}  // namespace funnelsim::cli
