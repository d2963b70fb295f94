#pragma once
// The library's UsageErrors name no flag (a Python caller never typed one); the CLI names the
// option the text came from, as the user typed it.
#include <string>
#include <string_view>

#include <fmt/format.h>

#include "funnelsim/core/usage_error.hpp"

namespace funnelsim::cli {

/// Returns parse(); a UsageError from it comes back naming `option`: "--param /x: expected ..."
/// (with a subject) or "--param: expected ...".
template <class Parse>
auto for_option(std::string_view option, const Parse& parse) {
  try {
    return parse();
  } catch (const UsageError& e) {
    throw UsageError(e.subject().empty() ? std::string(option) : fmt::format("{} {}", option, e.subject()),
                     e.message());
  }
}

}  // namespace funnelsim::cli
