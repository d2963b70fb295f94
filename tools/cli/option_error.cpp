#include "option_error.hpp"

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

}  // namespace funnelsim::cli
