#pragma once
/// The two text operations the CRM readers and writers share: ASCII only, since CRM picklist
/// values, column names and e-mail addresses compare case-insensitively in ASCII.
#include <cctype>
#include <string>
#include <string_view>

namespace funnelsim::crm {

/// The text without leading and trailing spaces and tabs (a cell's padding).
inline std::string_view trimmed(std::string_view text) noexcept {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

/// ASCII lower case; other bytes unchanged.
inline std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace funnelsim::crm
