// The date reader: each layout exports use, one test each, and the writers it reads back.
#include <catch2/catch.hpp>

#include "crm/date_text.hpp"

using namespace funnelsim::crm;

namespace {

Minute at(int y, unsigned m, unsigned d, int hour = 0, int minute = 0) {
  return minute_of_date(y, m, d) + hour * 60 + minute;
}

ParsedDate parsed(std::string_view text, DateOrder order = DateOrder::unknown) {
  ParsedDate d;
  REQUIRE(parse_date(text, order, d) == DateStatus::ok);
  return d;
}

DateStatus status(std::string_view text, DateOrder order = DateOrder::unknown) {
  ParsedDate d;
  return parse_date(text, order, d);
}

}  // namespace

TEST_CASE("dates: YYYY-MM-DD is a date at midnight UTC", "[crm][dates]") {
  const ParsedDate d = parsed("2025-01-06");
  CHECK(d.minute == at(2025, 1, 6));
  CHECK(d.date_only);
  CHECK(d.layout == DateLayout::iso_date);
  CHECK(d.minute == 20094 * kMinutesPerDay);  // days since 1970-01-01
}

TEST_CASE("dates: YYYY-MM-DD HH:MM, with a T, with seconds and fractions", "[crm][dates]") {
  CHECK(parsed("2025-01-06 14:05").minute == at(2025, 1, 6, 14, 5));
  CHECK(parsed("2025-01-06T14:05").minute == at(2025, 1, 6, 14, 5));
  CHECK(parsed("2025-01-06 14:05:59").minute == at(2025, 1, 6, 14, 5));  // floored to the minute
  CHECK(parsed("2025-01-06T14:05:59.999").minute == at(2025, 1, 6, 14, 5));
  CHECK(parsed("2025-01-06 9:05").minute == at(2025, 1, 6, 9, 5));
  CHECK(parsed("  2025-01-06 14:05  ").minute == at(2025, 1, 6, 14, 5));
  CHECK(parsed("2025-01-06 14:05").layout == DateLayout::iso_local);
}

TEST_CASE("dates: ISO 8601 with Z or an offset is converted to UTC", "[crm][dates]") {
  CHECK(parsed("2025-01-06T14:05:00.000Z").minute == at(2025, 1, 6, 14, 5));
  CHECK(parsed("2025-01-06T14:05:00.000Z").layout == DateLayout::iso_utc);
  CHECK(parsed("2025-01-06T09:05:00-05:00").minute == at(2025, 1, 6, 14, 5));
  CHECK(parsed("2025-01-06T19:35:00+05:30").minute == at(2025, 1, 6, 14, 5));
  CHECK(parsed("2025-01-06T15:05:00+0100").minute == at(2025, 1, 6, 14, 5));
  CHECK(parsed("2025-01-06T15:05+01").minute == at(2025, 1, 6, 14, 5));
  CHECK(parsed("2025-01-07T00:30:00+01:00").minute == at(2025, 1, 6, 23, 30));  // the day before in UTC
  CHECK(parsed("2025-01-06T09:05:00-05:00").layout == DateLayout::iso_offset);
  CHECK(status("2025-01-06T14:05:00+19:00") == DateStatus::malformed);
}

TEST_CASE("dates: MM/DD/YYYY and DD/MM/YYYY by the date order", "[crm][dates]") {
  CHECK(parsed("03/04/2025", DateOrder::month_first).minute == at(2025, 3, 4));
  CHECK(parsed("03/04/2025", DateOrder::day_first).minute == at(2025, 4, 3));
  CHECK(parsed("3/4/2025 14:05", DateOrder::month_first).minute == at(2025, 3, 4, 14, 5));
  CHECK(parsed("3/4/2025 2:05 PM", DateOrder::month_first).minute == at(2025, 3, 4, 14, 5));
  CHECK(parsed("3/4/2025 12:05 AM", DateOrder::month_first).minute == at(2025, 3, 4, 0, 5));
  CHECK(parsed("3/4/2025 12:05 PM", DateOrder::month_first).minute == at(2025, 3, 4, 12, 5));
  CHECK(parsed("03/04/2025", DateOrder::day_first).layout == DateLayout::slash_date);
}

TEST_CASE("dates: a slash date both orders can read is ambiguous without one", "[crm][dates]") {
  CHECK(status("03/04/2025") == DateStatus::ambiguous);
  CHECK(status("12/11/2025 10:00") == DateStatus::ambiguous);
  // Only one reading: no order needed.
  CHECK(parsed("13/04/2025").minute == at(2025, 4, 13));
  CHECK(parsed("04/13/2025").minute == at(2025, 4, 13));
  CHECK(parsed("04/04/2025").minute == at(2025, 4, 4));  // the same either way
  // An order that contradicts the only reading is an error.
  CHECK(status("13/04/2025", DateOrder::month_first) == DateStatus::malformed);
  CHECK(status("04/13/2025", DateOrder::day_first) == DateStatus::malformed);
}

TEST_CASE("dates: impossible dates and times are malformed", "[crm][dates]") {
  for (const char* text :
       {"2025-02-29", "2025-13-01", "2025-00-10", "2025-04-31", "2025-01-06 24:00", "2025-01-06 12:60",
        "2025-01-06 12:30:60", "31/02/2025", "2025-1-6", "20250106", "tomorrow", "2025-01-06 14:05 XYZ", "2025-01-06T",
        "1/1/25", "13/13/2025", "2025/01/06", "0999-01-01", "3/4/2025 13:05 PM", "2025-01-06 14:05:00Z garbage"})
    CHECK(status(text, DateOrder::month_first) == DateStatus::malformed);
  CHECK(parsed("2024-02-29").minute == at(2024, 2, 29));  // a leap year
  CHECK(status("") == DateStatus::empty);
  CHECK(status("   ") == DateStatus::empty);
}

TEST_CASE("dates: the writers' text reads back as the same minute", "[crm][dates]") {
  for (Minute m : {at(2025, 1, 6, 14, 5), at(1999, 12, 31, 23, 59), at(2030, 6, 1), at(1969, 12, 31, 23, 0)}) {
    CHECK(parsed(format_minute(m)).minute == m);
    CHECK(parsed(format_iso_utc(m)).minute == m);
    for (int offset : {-480, -300, 60, 330}) CHECK(parsed(format_iso_offset(m, offset)).minute == m);
    CHECK(parsed(format_us(m, true), DateOrder::month_first).minute == m);
    CHECK(parsed(format_date(m)).minute == m - (m % kMinutesPerDay + kMinutesPerDay) % kMinutesPerDay);
  }
  CHECK(format_minute(at(2025, 1, 6, 14, 5)) == "2025-01-06 14:05");
  CHECK(format_iso_utc(at(2025, 1, 6, 14, 5)) == "2025-01-06T14:05:00.000Z");
  CHECK(format_iso_offset(at(2025, 1, 6, 14, 5), -300) == "2025-01-06T09:05:00-05:00");
  CHECK(weekday_of_minute(at(2025, 1, 6, 23, 59)) == 0);  // a Monday
  CHECK(weekday_of_minute(at(2025, 1, 12)) == 6);
}
