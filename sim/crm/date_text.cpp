#include "crm/date_text.hpp"

#include <chrono>

#include <fmt/format.h>

#include "crm/ascii_text.hpp"

namespace funnelsim::crm {
namespace {

/// A cursor over the text: digits, literal characters, the end.
struct Cursor {
  std::string_view text;
  std::size_t at = 0;

  bool done() const noexcept { return at == text.size(); }
  char peek() const noexcept { return done() ? '\0' : text[at]; }
  bool take(char c) noexcept {
    if (peek() != c) return false;
    ++at;
    return true;
  }
  /// Between `min` and `max` digits; false when fewer than `min`.
  bool digits(int min, int max, int& value) noexcept {
    value = 0;
    int n = 0;
    while (n < max && !done() && text[at] >= '0' && text[at] <= '9') {
      value = value * 10 + (text[at] - '0');
      ++at;
      ++n;
    }
    return n >= min;
  }
};

bool valid_date(int year, int month, int day) noexcept {
  if (year < 1000 || year > 9999 || month < 1 || month > 12 || day < 1) return false;
  const std::chrono::year_month_day ymd{std::chrono::year{year}, std::chrono::month{static_cast<unsigned>(month)},
                                        std::chrono::day{static_cast<unsigned>(day)}};
  return ymd.ok();
}

/// HH:MM[:SS[.fff]] after the date; false when malformed. Leaves the cursor after it.
bool read_clock(Cursor& c, int& hour, int& minute) noexcept {
  if (!c.digits(1, 2, hour) || !c.take(':') || !c.digits(2, 2, minute)) return false;
  if (c.take(':')) {
    int second = 0;
    if (!c.digits(2, 2, second) || second > 59) return false;
    if (c.take('.') || c.take(',')) {
      int fraction = 0;
      if (!c.digits(1, 9, fraction)) return false;
      while (!c.done() && c.peek() >= '0' && c.peek() <= '9') ++c.at;  // longer fractions: dropped
    }
  }
  return hour <= 23 && minute <= 59;
}

/// Z, +HH:MM, +HHMM, +HH (or -): the offset in minutes east of UTC.
bool read_offset(Cursor& c, int& offset) noexcept {
  if (c.take('Z') || c.take('z')) {
    offset = 0;
    return true;
  }
  const char sign = c.peek();
  if (sign != '+' && sign != '-') return false;
  ++c.at;
  int hours = 0, minutes = 0;
  if (!c.digits(2, 2, hours)) return false;
  if (c.take(':')) {
    if (!c.digits(2, 2, minutes)) return false;
  } else if (!c.done()) {
    if (!c.digits(2, 2, minutes)) return false;
  }
  if (hours > 18 || minutes > 59 || hours * 60 + minutes > 18 * 60) return false;
  offset = (sign == '-' ? -1 : 1) * (hours * 60 + minutes);
  return true;
}

DateStatus parse_iso(Cursor& c, ParsedDate& out) noexcept {
  int year = 0, month = 0, day = 0;
  if (!c.digits(4, 4, year) || !c.take('-') || !c.digits(2, 2, month) || !c.take('-') || !c.digits(2, 2, day))
    return DateStatus::malformed;
  if (!valid_date(year, month, day)) return DateStatus::malformed;
  const Minute midnight = minute_of_date(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
  if (c.done()) {
    out = {midnight, DateLayout::iso_date, true};
    return DateStatus::ok;
  }
  if (!c.take('T') && !c.take('t') && !c.take(' ')) return DateStatus::malformed;
  int hour = 0, minute = 0;
  if (!read_clock(c, hour, minute)) return DateStatus::malformed;
  Minute local = midnight + hour * 60 + minute;
  DateLayout layout = DateLayout::iso_local;
  if (!c.done()) {
    c.take(' ');  // "2025-01-06 14:05 +01:00" as some tools write it
    int offset = 0;
    if (!read_offset(c, offset) || !c.done()) return DateStatus::malformed;
    layout =
        offset == 0 && (c.text.back() == 'Z' || c.text.back() == 'z') ? DateLayout::iso_utc : DateLayout::iso_offset;
    local -= offset;
  }
  out = {local, layout, false};
  return DateStatus::ok;
}

DateStatus parse_slash(Cursor& c, DateOrder order, ParsedDate& out) noexcept {
  int first = 0, second = 0, year = 0;
  if (!c.digits(1, 2, first) || !c.take('/') || !c.digits(1, 2, second) || !c.take('/') || !c.digits(4, 4, year))
    return DateStatus::malformed;
  // The time first: a malformed cell is malformed whatever its date order would be.
  int hour = 0, minute = 0;
  const bool with_time = !c.done();
  if (with_time) {
    if (!c.take(' ') && !c.take(',')) return DateStatus::malformed;
    while (c.take(' ')) {
    }
    if (!read_clock(c, hour, minute)) return DateStatus::malformed;
    while (c.take(' ')) {
    }
    if (!c.done()) {  // AM / PM
      const std::string_view rest = c.text.substr(c.at);
      const bool am = rest == "AM" || rest == "am" || rest == "a.m.";
      const bool pm = rest == "PM" || rest == "pm" || rest == "p.m.";
      if ((!am && !pm) || hour < 1 || hour > 12) return DateStatus::malformed;
      hour = hour % 12 + (pm ? 12 : 0);
    }
  }
  const bool month_first_ok = valid_date(year, first, second);
  const bool day_first_ok = valid_date(year, second, first);
  if (!month_first_ok && !day_first_ok) return DateStatus::malformed;
  bool month_first = month_first_ok;
  if (month_first_ok && day_first_ok && first != second) {
    if (order == DateOrder::unknown) return DateStatus::ambiguous;
    month_first = order == DateOrder::month_first;
  } else if (order != DateOrder::unknown && first != second && (order == DateOrder::month_first) != month_first_ok) {
    return DateStatus::malformed;  // 13/04/2025 read month first
  }
  const int month = month_first ? first : second, day = month_first ? second : first;
  const Minute at = minute_of_date(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
  out = {at + hour * 60 + minute, with_time ? DateLayout::slash_date_time : DateLayout::slash_date, !with_time};
  return DateStatus::ok;
}

}  // namespace

std::string_view layout_name(DateLayout layout) {
  switch (layout) {
    case DateLayout::iso_date:
      return "YYYY-MM-DD";
    case DateLayout::iso_local:
      return "YYYY-MM-DD HH:MM";
    case DateLayout::iso_utc:
      return "ISO 8601 with Z";
    case DateLayout::iso_offset:
      return "ISO 8601 with an offset";
    case DateLayout::slash_date:
      return "MM/DD/YYYY or DD/MM/YYYY";
    case DateLayout::slash_date_time:
      return "MM/DD/YYYY or DD/MM/YYYY with a time";
  }
  return "?";
}

DateStatus parse_date(std::string_view text, DateOrder order, ParsedDate& out) noexcept {
  text = trimmed(text);
  if (text.empty()) return DateStatus::empty;
  Cursor c{text};
  // The first separator tells the layout: YYYY- or D/ (a 4-digit run then '-', else '/').
  std::size_t digits = 0;
  while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') ++digits;
  if (digits == 4 && digits < text.size() && text[digits] == '-') return parse_iso(c, out);
  if (digits >= 1 && digits <= 2 && digits < text.size() && text[digits] == '/') return parse_slash(c, order, out);
  return DateStatus::malformed;
}

Minute minute_of_date(int year, unsigned month, unsigned day) noexcept {
  const std::chrono::sys_days days{std::chrono::year{year} / std::chrono::month{month} / std::chrono::day{day}};
  return static_cast<Minute>(days.time_since_epoch().count()) * kMinutesPerDay;
}

namespace {
std::int64_t floor_div(std::int64_t a, std::int64_t b) noexcept {
  return a / b - ((a % b != 0) && ((a < 0) != (b < 0)));
}
}  // namespace

CivilDate date_of_minute(Minute minute) noexcept {
  const std::chrono::sys_days days{std::chrono::days{floor_div(minute, kMinutesPerDay)}};
  const std::chrono::year_month_day ymd{days};
  return {static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day())};
}

int weekday_of_minute(Minute minute) noexcept {
  const std::chrono::sys_days days{std::chrono::days{floor_div(minute, kMinutesPerDay)}};
  return static_cast<int>(std::chrono::weekday{days}.iso_encoding()) - 1;
}

namespace {
struct Clock {
  CivilDate date;
  int hour, minute;
};
Clock clock_of(Minute m) noexcept {
  const Minute in_day = m - floor_div(m, kMinutesPerDay) * kMinutesPerDay;
  return {date_of_minute(m), static_cast<int>(in_day / 60), static_cast<int>(in_day % 60)};
}
}  // namespace

std::string format_date(Minute minute) {
  const CivilDate d = date_of_minute(minute);
  return fmt::format("{:04}-{:02}-{:02}", d.year, d.month, d.day);
}

std::string format_minute(Minute minute) {
  const Clock c = clock_of(minute);
  return fmt::format("{:04}-{:02}-{:02} {:02}:{:02}", c.date.year, c.date.month, c.date.day, c.hour, c.minute);
}

std::string format_iso_utc(Minute minute) {
  const Clock c = clock_of(minute);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:00.000Z", c.date.year, c.date.month, c.date.day, c.hour, c.minute);
}

std::string format_iso_offset(Minute minute, int offset_minutes) {
  const Clock c = clock_of(minute + offset_minutes);
  const int a = offset_minutes < 0 ? -offset_minutes : offset_minutes;
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:00{}{:02}:{:02}", c.date.year, c.date.month, c.date.day, c.hour,
                     c.minute, offset_minutes < 0 ? '-' : '+', a / 60, a % 60);
}

std::string format_us(Minute minute, bool with_time) {
  const Clock c = clock_of(minute);
  if (!with_time) return fmt::format("{:02}/{:02}/{:04}", c.date.month, c.date.day, c.date.year);
  return fmt::format("{:02}/{:02}/{:04} {:02}:{:02}", c.date.month, c.date.day, c.date.year, c.hour, c.minute);
}

}  // namespace funnelsim::crm
