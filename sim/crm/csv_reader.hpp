#pragma once
/// A streaming reader of CSV files as spreadsheets and CRMs write them (RFC 4180 and what real
/// exports add): fields quoted with " may hold the delimiter, quotes (doubled) and line breaks;
/// records end in LF or CRLF; a UTF-8 byte order mark is skipped; the delimiter is `,` or, as
/// European spreadsheets write, `;` (or a tab), decided from the header line. Reads in chunks,
/// so memory holds one record, not the file. Fuzzed (tests/fuzz/fuzz_crm_csv.cpp).
///
/// Lenient where spreadsheets are: a quote inside an unquoted field, or text after a closing
/// quote, is kept as text. Refused: a quoted field still open at the end of the file, a UTF-16
/// or UTF-32 file (by its byte order mark), and a record over the size limit.
#include <cstddef>
#include <istream>
#include <stdexcept>
#include <string>
#include <vector>

namespace funnelsim::crm {

/// A file that is not CSV: `row` (1 = the header) and `line` say where.
class CsvError : public std::runtime_error {
 public:
  CsvError(std::size_t row, std::size_t line, const std::string& message)
      : std::runtime_error(message), row_(row), line_(line) {}
  std::size_t row() const noexcept { return row_; }
  std::size_t line() const noexcept { return line_; }

 private:
  std::size_t row_, line_;
};

class CsvReader {
 public:
  /// The longest record accepted (a CRM record is a few KiB; anything near this is not one).
  static constexpr std::size_t kMaxRecordBytes = std::size_t{16} << 20;

  explicit CsvReader(std::istream& in);

  /// The next record's fields (reusing their storage); false at the end of the file. Blank
  /// lines are skipped. Throws CsvError.
  bool next(std::vector<std::string>& fields);

  /// The record last returned: its number (the header is row 1, as a spreadsheet numbers them)
  /// and the line it started on (they differ after fields holding line breaks).
  std::size_t row() const noexcept { return row_; }
  std::size_t line() const noexcept { return record_line_; }
  char delimiter() const noexcept { return delimiter_; }

 private:
  bool fill(bool compact = true);  // reads more (dropping what was read when `compact`); false at the end
  int peek();                      // the next byte or -1 at the end
  void detect();

  std::istream& in_;
  std::string buffer_;
  std::size_t at_ = 0;
  bool eof_ = false;
  bool detected_ = false;
  char delimiter_ = ',';
  std::size_t row_ = 0, line_ = 1, record_line_ = 1;
};

}  // namespace funnelsim::crm
