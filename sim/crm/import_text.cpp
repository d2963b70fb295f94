#include "crm/import_text.hpp"

#include <charconv>
#include <cmath>

#include <fmt/format.h>

#include "crm/date_text.hpp"
#include "crm/import_header.hpp"
#include "funnelsim/crm/observe.hpp"

namespace funnelsim::crm {
namespace {

constexpr std::string_view kDateExpected =
    "a date (YYYY-MM-DD, YYYY-MM-DD HH:MM, ISO 8601 with Z or an offset, MM/DD/YYYY or DD/MM/YYYY)";

std::string shown_text(std::string_view text) {
  std::string t = printable(text);
  if (t.size() > 80) t = t.substr(0, 77) + "...";
  return "\"" + t + "\"";
}

}  // namespace

std::string printable(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    const auto c = static_cast<unsigned char>(text[i]);
    std::size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    bool ok = len > 0 && i + len <= text.size();
    for (std::size_t k = 1; ok && k < len; ++k) ok = (static_cast<unsigned char>(text[i + k]) & 0xC0) == 0x80;
    if (ok && len == 1 && (c < 0x20 || c == 0x7F)) ok = false;
    if (!ok) {
      out += "\xEF\xBF\xBD";
      ++i;
      continue;
    }
    out.append(text.substr(i, len));
    i += len;
  }
  return out;
}

std::uint64_t email_hash(std::string_view text) noexcept {
  text = trimmed(text);
  if (text.empty()) return 0;
  std::uint64_t h = 14695981039346656037ull;
  for (char c : text) {
    const char l = c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
    h ^= static_cast<unsigned char>(l);
    h *= 1099511628211ull;
  }
  return h == 0 ? 1 : h;
}

std::vector<std::string> split_ids(std::string_view text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= text.size(); ++i) {
    if (i == text.size() || text[i] == ';' || text[i] == ',') {
      const std::string_view id = trimmed(text.substr(start, i - start));
      if (!id.empty()) out.emplace_back(id);
      start = i + 1;
    }
  }
  return out;
}

std::optional<double> parse_amount(std::string_view text, bool decimal_comma_likely) {
  std::string s;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if ((c >= '0' && c <= '9') || c == '.' || c == ',' || c == '-') {
      s += c;
    } else if (c == ' ' || c == '$' || c == '\'') {
      continue;
    } else if (text.substr(i, 3) == "\xE2\x82\xAC") {  // EUR sign
      i += 2;
    } else if (text.substr(i, 2) == "\xC2\xA3") {  // GBP sign
      i += 1;
    } else if (text.substr(i, 3) == "USD" || text.substr(i, 3) == "EUR" || text.substr(i, 3) == "GBP") {
      i += 2;
    } else {
      return std::nullopt;
    }
  }
  const auto comma = s.rfind(','), dot = s.rfind('.');
  if (comma != std::string::npos && dot != std::string::npos) {
    const char thousands = comma < dot ? ',' : '.';
    std::string t;
    for (char c : s)
      if (c != thousands) t += c == ',' ? '.' : c;
    s = t;
  } else if (comma != std::string::npos) {
    // 48,213 is thousands unless the file writes decimal commas or the group is not 3 digits.
    const bool decimal = decimal_comma_likely || s.size() - comma - 1 != 3 || s.find(',') != comma;
    if (decimal && s.find(',') == comma) {
      s[comma] = '.';
    } else {
      std::string t;
      for (char c : s)
        if (c != ',') t += c;
      s = t;
    }
  }
  double value = 0.0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (s.empty() || ec != std::errc() || end != s.data() + s.size() || !std::isfinite(value)) return std::nullopt;
  return value;
}

bool earlier(const Dated& a, const Dated& b) noexcept {
  if (a.date_only || b.date_only) {
    const auto day = [](Minute m) {
      return m >= 0 ? m / kMinutesPerDay : -((-m + kMinutesPerDay - 1) / kMinutesPerDay);
    };
    return day(a.minute) < day(b.minute);
  }
  return a.minute < b.minute;
}

std::string_view RowContext::cell(Role role) const {
  const int c = header->at(role);
  if (c < 0 || static_cast<std::size_t>(c) >= cells->size()) return {};
  return (*cells)[static_cast<std::size_t>(c)];
}

std::string RowContext::column(Role role) const {
  const int c = header->at(role);
  return c >= 0 ? printable(header->names[static_cast<std::size_t>(c)]) : std::string(label_of(*header->layout, role));
}

void RowContext::fail(Role role, std::string_view expected, std::string_view found) const {
  throw UsageError(fmt::format("{} row {}, column \"{}\"", file, row, column(role)),
                   fmt::format("expected {}, found {}", expected, found.empty() ? "nothing" : shown_text(found)));
}

std::string_view RowContext::required_text(Role role, std::string_view what) const {
  const std::string_view t = trimmed(cell(role));
  if (t.empty()) fail(role, what, t);
  return t;
}

Dated RowContext::date_text(Role role, std::string_view text) const {
  ParsedDate d;
  switch (parse_date(text, order, d)) {
    case DateStatus::ok:
      if (layouts) layouts->emplace_back(role, static_cast<std::uint8_t>(d.layout));
      return {d.minute, d.date_only};
    case DateStatus::empty:
      return {};
    case DateStatus::ambiguous: {
      const std::string t(trimmed(text));
      throw AmbiguousDateError(
          fmt::format("{} row {}, column \"{}\"", file, row, column(role)),
          fmt::format("expected a date that reads one way, found {}, which is month first or day first alike: "
                      "give the date order (month first: MM/DD/YYYY, day first: DD/MM/YYYY)",
                      shown_text(t)));
    }
    case DateStatus::malformed:
      break;
  }
  fail(role, kDateExpected, text);
}

Dated RowContext::date(Role role, bool required) const {
  const std::string_view text = cell(role);
  if (required && trimmed(text).empty()) fail(role, kDateExpected, text);
  return date_text(role, text);
}

double RowContext::number(Role role, double fallback) const {
  const std::string_view t = trimmed(cell(role));
  if (t.empty()) return fallback;
  const std::optional<double> v = parse_amount(t, delimiter_is_semicolon);
  if (!v) fail(role, "a number", t);
  return *v;
}

}  // namespace funnelsim::crm
