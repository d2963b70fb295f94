#pragma once
/// A file's header resolved against a layout (import.cpp): the column of each role, through the
/// mapping's renames, and every column by name, for source rules.
#include <array>
#include <string>
#include <string_view>
#include <vector>

#include "crm/layout.hpp"

namespace funnelsim::crm {

struct Header {
  static constexpr std::size_t kRoles = 64;
  const FileLayout* layout = nullptr;
  std::array<int, kRoles> column{};
  std::vector<std::string> names;

  int find(std::string_view name) const {
    for (std::size_t i = 0; i < names.size(); ++i)
      if (names[i] == name) return static_cast<int>(i);
    return -1;
  }
  int at(Role role) const { return column[static_cast<std::size_t>(role)]; }
};

}  // namespace funnelsim::crm
