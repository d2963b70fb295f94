#include "crm/csv_reader.hpp"

#include <cstring>

#include <fmt/format.h>

namespace funnelsim::crm {
namespace {

constexpr std::size_t kChunk = std::size_t{1} << 20;
/// How far into the file the header line is looked for when choosing the delimiter.
constexpr std::size_t kHeaderScan = std::size_t{1} << 20;

}  // namespace

CsvReader::CsvReader(std::istream& in) : in_(in) {}

bool CsvReader::fill(bool compact) {
  if (eof_) return false;
  if (compact && at_ > 0 && at_ >= buffer_.size() / 2) {
    buffer_.erase(0, at_);
    at_ = 0;
  }
  const std::size_t old = buffer_.size();
  buffer_.resize(old + kChunk);
  in_.read(buffer_.data() + old, static_cast<std::streamsize>(kChunk));
  const auto got = static_cast<std::size_t>(in_.gcount());
  buffer_.resize(old + got);
  if (got == 0) eof_ = true;
  if (in_.bad()) throw CsvError(row_ + 1, line_, "expected a readable file, found one that cannot be read");
  return got > 0;
}

int CsvReader::peek() {
  while (at_ >= buffer_.size())
    if (!fill()) return -1;
  return static_cast<unsigned char>(buffer_[at_]);
}

/// Skips a UTF-8 byte order mark, refuses UTF-16 and UTF-32, and picks the delimiter the header
/// line uses most outside quotes: `,`, `;` or a tab (`,` on a tie).
void CsvReader::detect() {
  detected_ = true;
  while (buffer_.size() < 4 && fill(false)) {
  }
  const auto starts = [&](const char* bom, std::size_t n) {
    return buffer_.size() >= n && std::memcmp(buffer_.data(), bom, n) == 0;
  };
  if (starts("\xFF\xFE\x00\x00", 4) || starts("\x00\x00\xFE\xFF", 4))
    throw CsvError(1, 1, "expected a UTF-8 text file, found UTF-32 (its byte order mark): save it as UTF-8 CSV");
  if (starts("\xFF\xFE", 2) || starts("\xFE\xFF", 2))
    throw CsvError(1, 1, "expected a UTF-8 text file, found UTF-16 (its byte order mark): save it as UTF-8 CSV");
  if (starts("\xEF\xBB\xBF", 3)) at_ = 3;
  std::size_t counts[3] = {0, 0, 0};
  bool quoted = false;
  for (std::size_t i = at_; i < at_ + kHeaderScan; ++i) {
    if (i >= buffer_.size() && !fill(false)) break;
    const char c = buffer_[i];
    if (c == '"') quoted = !quoted;
    if (quoted) continue;
    if (c == '\n' || c == '\r') break;
    if (c == ',') ++counts[0];
    if (c == ';') ++counts[1];
    if (c == '\t') ++counts[2];
  }
  delimiter_ = counts[1] > counts[0] && counts[1] >= counts[2] ? ';' : counts[2] > counts[0] ? '\t' : ',';
}

bool CsvReader::next(std::vector<std::string>& fields) {
  if (!detected_) detect();
  // Blank lines between records are skipped.
  for (int c = peek(); c == '\n' || c == '\r'; c = peek()) {
    ++at_;
    if (c == '\r' && peek() == '\n') ++at_;
    ++line_;
  }
  if (peek() < 0) return false;
  record_line_ = line_;
  std::size_t n = 0, bytes = 0;
  const char stops[] = {delimiter_, '\n', '\r', '\0'};
  auto grow = [&](std::size_t more) {
    bytes += more;
    if (bytes > kMaxRecordBytes)
      throw CsvError(row_ + 1, record_line_,
                     fmt::format("expected a record of at most {} MiB, found a longer one", kMaxRecordBytes >> 20));
  };
  for (;;) {
    if (fields.size() <= n) fields.emplace_back();
    std::string& field = fields[n];
    field.clear();
    if (peek() == '"') {
      ++at_;
      for (;;) {
        if (peek() < 0)
          throw CsvError(row_ + 1, record_line_,
                         fmt::format("expected a closing quote for the field opened on line {}, found the end of the "
                                     "file",
                                     record_line_));
        const char* begin = buffer_.data() + at_;
        const void* quote = std::memchr(begin, '"', buffer_.size() - at_);
        const std::size_t len =
            quote ? static_cast<std::size_t>(static_cast<const char*>(quote) - begin) : buffer_.size() - at_;
        grow(len);
        for (std::size_t i = 0; i < len; ++i) line_ += begin[i] == '\n' ? 1 : 0;
        field.append(begin, len);
        at_ += len;
        if (!quote) continue;
        ++at_;  // the quote
        if (peek() == '"') {
          field += '"';
          ++at_;
          continue;
        }
        break;
      }
    }
    // An unquoted field, or what follows a closing quote up to the delimiter (kept as text).
    for (;;) {
      if (peek() < 0) break;
      const char* begin = buffer_.data() + at_;
      const std::size_t len = std::strcspn(begin, stops);
      // strcspn stops at a NUL byte too: inside a field it is kept as text.
      const std::size_t avail = buffer_.size() - at_;
      const std::size_t take = len < avail ? len : avail;
      grow(take);
      field.append(begin, take);
      at_ += take;
      if (at_ < buffer_.size() && buffer_[at_] == '\0') {
        field += '\0';
        ++at_;
        continue;
      }
      if (at_ < buffer_.size()) break;
    }
    const int c = peek();
    if (c == delimiter_) {
      ++at_;
      ++n;
      continue;
    }
    if (c == '\r') {
      ++at_;
      if (peek() == '\n') ++at_;
      ++line_;
    } else if (c == '\n') {
      ++at_;
      ++line_;
    }
    break;
  }
  fields.resize(n + 1);
  ++row_;
  return true;
}

}  // namespace funnelsim::crm
