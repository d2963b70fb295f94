#pragma once
/// Rows of an exported CSV file: a header from a layout, then records whose cells are set by the
/// role of their column. Text cells are quoted when they hold the delimiter, a quote or a line
/// break (RFC 4180), and a leading = + - @ tab or CR gets an apostrophe (OWASP: a spreadsheet
/// would read a formula); numbers and dates are written as they are.
#include <array>
#include <string>
#include <string_view>
#include <vector>

#include "crm/layout.hpp"

namespace funnelsim::crm {

class CsvWriter {
 public:
  explicit CsvWriter(const FileLayout& layout);

  /// Cells of the record being built; unset ones are empty.
  void text(Role role, std::string_view value);  ///< escaped as text
  void raw(Role role, std::string_view value);   ///< a number or a date: as is
  /// Ends the record.
  void end_row();

  std::string& out() noexcept { return out_; }
  std::size_t rows() const noexcept { return rows_; }

 private:
  std::array<int, 64> column_of_{};  // by role; -1: not in this layout
  std::vector<std::string> cells_;
  std::string out_;
  std::size_t rows_ = 0;
};

}  // namespace funnelsim::crm
