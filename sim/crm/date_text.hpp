#pragma once
/// Dates and times as CRM exports write them, read and written at minute resolution. Times are
/// minutes since 1970-01-01 00:00 UTC (funnelsim/crm/records.hpp); text without a zone is in the
/// export's stated zone, UTC. g++ 12 has std::chrono's calendar but not std::chrono::parse, so
/// this is a small hand-written reader of exactly these layouts (fuzzed: tests/fuzz):
///   YYYY-MM-DD                                   a date (its midnight)
///   YYYY-MM-DD HH:MM[:SS[.fff]]  or with a T      a time in the stated zone
///   ... followed by Z or +HH:MM / -HH:MM / +HHMM  ISO 8601 with its offset, converted to UTC
///   M/D/YYYY or D/M/YYYY [H:MM[:SS] [AM|PM]]     decided by the date order; ambiguous without one
/// Seconds and fractions are dropped (floored to the minute).
#include <cstdint>
#include <string>
#include <string_view>

#include "funnelsim/crm/records.hpp"

namespace funnelsim::crm {

/// The layout a date was written in; a file's dates in another layout than most are counted.
enum class DateLayout : std::uint8_t {
  iso_date,         ///< YYYY-MM-DD
  iso_local,        ///< YYYY-MM-DD HH:MM (or with T, seconds), no zone
  iso_utc,          ///< ... Z
  iso_offset,       ///< ... +HH:MM
  slash_date,       ///< M/D/YYYY or D/M/YYYY
  slash_date_time,  ///< with a time
};
inline constexpr std::size_t kDateLayouts = 6;
/// "YYYY-MM-DD", "YYYY-MM-DD HH:MM", "ISO 8601 with Z", "ISO 8601 with an offset", ...
std::string_view layout_name(DateLayout layout);

enum class DateStatus : std::uint8_t { ok, empty, malformed, ambiguous };

struct ParsedDate {
  Minute minute = kNoTime;
  DateLayout layout = DateLayout::iso_date;
  bool date_only = false;  ///< no time of day was written
};

/// Reads `text` (surrounding spaces ignored). `order` decides slash dates whose day and month
/// could both be either; without one (DateOrder::unknown) such a date is `ambiguous`. A slash date
/// that fits only one order (13/04/2025) is read in that order whatever `order` says, unless
/// `order` is given and contradicts it (then malformed).
DateStatus parse_date(std::string_view text, DateOrder order, ParsedDate& out) noexcept;

/// Minutes of the midnight starting a civil date (proleptic Gregorian), and back.
Minute minute_of_date(int year, unsigned month, unsigned day) noexcept;
struct CivilDate {
  int year;
  unsigned month, day;
};
CivilDate date_of_minute(Minute minute) noexcept;
/// 0 = Monday.
int weekday_of_minute(Minute minute) noexcept;

/// Writers of the layouts above.
std::string format_date(Minute minute);                            ///< 2025-01-06
std::string format_minute(Minute minute);                          ///< 2025-01-06 14:05
std::string format_iso_utc(Minute minute);                         ///< 2025-01-06T14:05:00.000Z
std::string format_iso_offset(Minute minute, int offset_minutes);  ///< 2025-01-06T09:05:00-05:00 (local time)
std::string format_us(Minute minute, bool with_time);              ///< 01/06/2025 14:05

}  // namespace funnelsim::crm
