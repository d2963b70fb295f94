#pragma once
/// Reading the cells of an export row: text, dates, numbers, each refused with the file, the row,
/// the column (as the file names it) and the text found.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "crm/ascii_text.hpp"
#include "crm/layout.hpp"
#include "funnelsim/crm/records.hpp"

namespace funnelsim::crm {

using Cells = std::vector<std::string>;

/// Text safe to keep: every byte that is not printable UTF-8 replaced by U+FFFD.
std::string printable(std::string_view text);
/// A 64-bit hash of a lower-cased, trimmed e-mail address (0: none). The address is not kept.
std::uint64_t email_hash(std::string_view text) noexcept;
/// HubSpot's "Associated Deal IDs": ids separated by ';' or ','.
std::vector<std::string> split_ids(std::string_view text);
/// 48213.57, "48,213.57", 48213,57 (decimal comma, as `;`-separated files write it), $48,213.57,
/// 48 213,57 EUR. nullopt when not a finite number.
std::optional<double> parse_amount(std::string_view text, bool decimal_comma_likely);

/// A time read from a cell: its minute, and whether only a date was written.
struct Dated {
  Minute minute = kNoTime;
  bool date_only = false;
};
/// Whether a is before b: by day when either was written as a date only (a lead created at 14:00
/// and converted "the same day" is not converted before it was created).
bool earlier(const Dated& a, const Dated& b) noexcept;

struct Header;
/// One row being read.
struct RowContext {
  std::string file;
  std::uint64_t row = 0;
  const Header* header = nullptr;
  const Cells* cells = nullptr;
  DateOrder order = DateOrder::unknown;
  bool delimiter_is_semicolon = false;
  /// When set, every date read is noted here with its layout (for the mixed-layout count).
  std::vector<std::pair<Role, std::uint8_t>>* layouts = nullptr;

  /// The cell of a role ("" when the file has no such column or the row is short).
  std::string_view cell(Role role) const;
  /// The column's name in the file, for messages.
  std::string column(Role role) const;
  std::string_view required_text(Role role, std::string_view what) const;
  /// A date cell; an empty one is kNoTime unless `required`.
  Dated date(Role role, bool required) const;
  /// A date written in `text`, the cell of `role` (history values).
  Dated date_text(Role role, std::string_view text) const;
  double number(Role role, double fallback) const;
  [[noreturn]] void fail(Role role, std::string_view expected, std::string_view found) const;
};

}  // namespace funnelsim::crm
