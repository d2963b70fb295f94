// libFuzzer target: arbitrary bytes as a CSV export through CsvReader. A file that is not CSV
// must end in a CsvError; every record read must come back unchanged when written again with
// every field quoted (so nothing is lost or invented); anything else is a bug.
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>
#include <vector>

#include "crm/csv_reader.hpp"

namespace {

using Records = std::vector<std::vector<std::string>>;

bool read(const std::string& text, Records& out) {
  std::istringstream in(text);
  funnelsim::crm::CsvReader reader(in);
  std::vector<std::string> fields;
  std::size_t last_row = 0;
  try {
    while (reader.next(fields)) {
      if (fields.empty() || reader.row() != last_row + 1) __builtin_trap();
      last_row = reader.row();
      out.push_back(fields);
    }
  } catch (const funnelsim::crm::CsvError&) {
    return false;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  Records records;
  if (!read(std::string(reinterpret_cast<const char*>(data), size), records)) return 0;
  std::string again;
  for (const auto& record : records) {
    for (std::size_t i = 0; i < record.size(); ++i) {
      if (i > 0) again += ',';
      again += '"';
      for (char c : record[i]) {
        if (c == '"') again += '"';
        again += c;
      }
      again += '"';
    }
    again += "\r\n";
  }
  Records reread;
  if (!read(again, reread) || reread != records) __builtin_trap();
  return 0;
}
