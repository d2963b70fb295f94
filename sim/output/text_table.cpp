#include "output/text_table.hpp"

#include <algorithm>
#include <stdexcept>

namespace funnelsim {

std::size_t display_width(std::string_view text) {
  return static_cast<std::size_t>(
      std::count_if(text.begin(), text.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

TextTable::TextTable(std::vector<std::string> header, std::string align)
    : header_(std::move(header)), align_(std::move(align)) {
  if (align_.size() != header_.size()) throw std::invalid_argument("TextTable: one alignment letter per column");
}

void TextTable::add(std::vector<std::string> row) { rows_.push_back(std::move(row)); }

std::string TextTable::render() const {
  std::vector<std::size_t> widths(header_.size(), 0);
  auto measure = [&](const std::vector<std::string>& row) {
    for (std::size_t c = 0; c < row.size() && c < widths.size(); ++c)
      widths[c] = std::max(widths[c], display_width(row[c]));
  };
  measure(header_);
  for (const auto& row : rows_) measure(row);
  auto line = [&](const std::vector<std::string>& row) {
    std::string out;
    std::size_t last = row.size();
    while (last > 0 && row[last - 1].empty()) --last;  // no padding after the last cell that has text
    for (std::size_t c = 0; c < last && c < widths.size(); ++c) {
      const std::size_t pad = widths[c] - display_width(row[c]);
      if (c > 0) out += "  ";
      const bool right = align_[c] == 'r';
      if (right) out.append(pad, ' ');
      out += row[c];
      if (!right && c + 1 < last) out.append(pad, ' ');
    }
    return out + '\n';
  };
  std::string out = line(header_);
  for (const auto& row : rows_) out += line(row);
  return out;
}

}  // namespace funnelsim
