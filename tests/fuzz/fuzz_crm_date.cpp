// libFuzzer target: arbitrary bytes as a date cell through parse_date, in every date order. A
// date that reads must read the same in every order unless it is a slash date, must be written
// back by format_minute as text that reads as the same minute, and only a slash date may be
// ambiguous; a crash, a sanitizer report or a broken rule is a bug.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "crm/date_text.hpp"

using namespace funnelsim::crm;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  ParsedDate any, month_first, day_first;
  const DateStatus s = parse_date(text, DateOrder::unknown, any);
  const DateStatus m = parse_date(text, DateOrder::month_first, month_first);
  const DateStatus d = parse_date(text, DateOrder::day_first, day_first);
  if (s == DateStatus::ambiguous && (m != DateStatus::ok || d != DateStatus::ok)) __builtin_trap();
  if (m == DateStatus::ambiguous || d == DateStatus::ambiguous) __builtin_trap();
  if (s != DateStatus::ok) return 0;
  const bool slash = any.layout == DateLayout::slash_date || any.layout == DateLayout::slash_date_time;
  if (!slash && (m != DateStatus::ok || d != DateStatus::ok || month_first.minute != any.minute ||
                 day_first.minute != any.minute))
    __builtin_trap();
  ParsedDate back;
  if (parse_date(format_minute(any.minute), DateOrder::unknown, back) != DateStatus::ok || back.minute != any.minute)
    __builtin_trap();
  if (parse_date(format_iso_utc(any.minute), DateOrder::unknown, back) != DateStatus::ok || back.minute != any.minute)
    __builtin_trap();
  return 0;
}
