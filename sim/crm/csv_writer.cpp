#include "crm/csv_writer.hpp"

#include "output/format.hpp"

namespace funnelsim::crm {

CsvWriter::CsvWriter(const FileLayout& layout) : cells_(layout.columns.size()) {
  column_of_.fill(-1);
  for (std::size_t i = 0; i < layout.columns.size(); ++i) {
    column_of_[static_cast<std::size_t>(layout.columns[i].role)] = static_cast<int>(i);
    if (i > 0) out_ += ',';
    out_ += csv_field(layout.columns[i].label);
  }
  out_ += '\n';
}

void CsvWriter::text(Role role, std::string_view value) {
  const int c = column_of_[static_cast<std::size_t>(role)];
  if (c >= 0) cells_[static_cast<std::size_t>(c)] = csv_field(value);
}

void CsvWriter::raw(Role role, std::string_view value) {
  const int c = column_of_[static_cast<std::size_t>(role)];
  if (c >= 0) cells_[static_cast<std::size_t>(c)].assign(value);
}

void CsvWriter::end_row() {
  for (std::size_t i = 0; i < cells_.size(); ++i) {
    if (i > 0) out_ += ',';
    out_ += cells_[i];
    cells_[i].clear();
  }
  out_ += '\n';
  ++rows_;
}

}  // namespace funnelsim::crm
