#pragma once
// Lets Catch print a scenario Issue as [path, expected, found] in failure messages.
#include <string>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "funnelsim/scenario/error.hpp"

namespace Catch {
template <>
struct StringMaker<funnelsim::Issue> {
  static std::string convert(const funnelsim::Issue& issue) {
    return nlohmann::json::array({issue.path, issue.expected, issue.found}).dump();
  }
};
}  // namespace Catch
