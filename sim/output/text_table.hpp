#pragma once
/// Printed tables whose columns line up whatever their content: every cell is known before a
/// width is chosen. Private to the library.
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace funnelsim {

/// Characters as a terminal shows them: UTF-8 code points (continuation bytes not counted).
std::size_t display_width(std::string_view text);

class TextTable {
 public:
  /// `align` holds one letter per column, 'l' (left) or 'r' (right).
  TextTable(std::vector<std::string> header, std::string align);
  void add(std::vector<std::string> row);
  bool empty() const noexcept { return rows_.empty(); }
  /// Columns two spaces apart, each as wide as its widest cell; a row may have fewer cells than
  /// the header (the rest are blank) and a trailing empty cell leaves no trailing blanks.
  std::string render() const;

 private:
  std::vector<std::string> header_;
  std::string align_;
  std::vector<std::vector<std::string>> rows_;
};

}  // namespace funnelsim
