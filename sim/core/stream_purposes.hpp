#pragma once
/// Every purpose a random stream is drawn for, in one place. A purpose's tag is the hash of
/// its name (random.hpp), so the name IS the stream: renaming one changes every result that
/// draws from it, and two purposes with one tag would share their numbers. Fixed purposes are
/// listed in kFixed and checked distinct at compile time; a family ("event:<name>", ...) is a
/// prefix, kept apart from the fixed names and the other prefixes, whose members the model
/// compiler checks for collisions (check_unique_tags in sim/model/model.cpp).
///
/// To add a purpose: add its constant here and to kFixed (or a prefix and its function, then
/// to kPrefixes), and draw from streams.stream(source_tag, slot, purpose::X) where needed.
#include <cstdint>
#include <string_view>

#include "core/random.hpp"

namespace funnelsim::purpose {

// ---- families: one stream per name --------------------------------------------------------
inline constexpr std::string_view kAttributePrefix = "attribute:";  // [lead] the attribute's copula noise
inline constexpr std::string_view kEventPrefix = "event:";          // [lead] the event type's gaps (journey_tag)
inline constexpr std::string_view kUncertainPrefix = "uncertain:";  // [0, source 0] a parameter's draw, by pointer

inline constexpr std::string_view kPrefixes[] = {kAttributePrefix, kEventPrefix, kUncertainPrefix};

/// A fixed purpose's tag; a name inside a family would be that family's member's stream.
consteval std::uint32_t fixed(std::string_view name) {
  for (std::string_view prefix : kPrefixes)
    if (name.starts_with(prefix)) throw "a fixed stream purpose is named like a family member";
  return stream_tag(name);
}

// ---- fixed purposes (the stream's lead slot in brackets) ------------------------------------
inline constexpr std::uint32_t ARRIVALS = fixed("arrivals");              // [day] arrival gaps
inline constexpr std::uint32_t OVERDISPERSION = fixed("overdispersion");  // [week] Gamma factor
inline constexpr std::uint32_t READINESS = fixed("readiness");    // [lead] z_r, then segment, then acceptance coin
inline constexpr std::uint32_t ACCEPTANCE = fixed("acceptance");  // [lead] a recycled journey's coin (journey_tag)
inline constexpr std::uint32_t SIGNAL = fixed("signal");          // [lead] intent signal gap (journey_tag)
inline constexpr std::uint32_t SDR_FOLLOW_UP = fixed("sdr_follow_up");  // [lead] the follow-up's qualify coin
inline constexpr std::uint32_t BACKLOG = fixed("backlog");  // [backlog id] starting points, open opportunities
inline constexpr std::uint32_t SALES_HANDLE = fixed("sales:handle");        // [lead] attempt durations (journey_tag)
inline constexpr std::uint32_t SALES_REACH = fixed("sales:reach");          // [lead] reach coins (journey_tag)
inline constexpr std::uint32_t SALES_PATIENCE = fixed("sales:patience");    // [lead] patience (journey_tag)
inline constexpr std::uint32_t SALES_FOLLOW_UP = fixed("sales:follow_up");  // [lead] the SDR follow-up's handle time
inline constexpr std::uint32_t PIPELINE = fixed("pipeline");                // [lead] opportunity, amount, cycle, win
// Outside the simulation: they never change a simulated number.
inline constexpr std::uint32_t CRM_MESSY = fixed("crm:messy");  // [CRM lead key] export-crm --messy: a lead's defect
inline constexpr std::uint32_t OBSERVE_BOOTSTRAP =
    fixed("observe:bootstrap");  // [metric] observe's bootstrap resamples

inline constexpr std::uint32_t kFixed[] = {
    ARRIVALS,     OVERDISPERSION, READINESS,      ACCEPTANCE,      SIGNAL,   SDR_FOLLOW_UP, BACKLOG,
    SALES_HANDLE, SALES_REACH,    SALES_PATIENCE, SALES_FOLLOW_UP, PIPELINE, CRM_MESSY,     OBSERVE_BOOTSTRAP};

/// stream_tag(prefix + name), without building the string.
constexpr std::uint32_t family_tag(std::string_view prefix, std::string_view name) noexcept {
  return stream_tag(name, stream_tag(prefix));
}
constexpr std::uint32_t attribute(std::string_view name) noexcept { return family_tag(kAttributePrefix, name); }
constexpr std::uint32_t event(std::string_view name) noexcept { return family_tag(kEventPrefix, name); }
constexpr std::uint32_t uncertain(std::string_view pointer) noexcept { return family_tag(kUncertainPrefix, pointer); }

/// A source's tag, the counter's other half (StreamId::source): its name unprefixed.
constexpr std::uint32_t source(std::string_view name) noexcept { return stream_tag(name); }

namespace detail {
consteval bool fixed_tags_distinct() {
  for (std::size_t i = 0; i < std::size(kFixed); ++i)
    for (std::size_t j = i + 1; j < std::size(kFixed); ++j)
      if (kFixed[i] == kFixed[j]) return false;
  return true;
}
/// No prefix starts another, and family_tag matches hashing the concatenation.
consteval bool prefixes_apart() {
  for (std::size_t i = 0; i < std::size(kPrefixes); ++i)
    for (std::size_t j = 0; j < std::size(kPrefixes); ++j)
      if (i != j && kPrefixes[j].starts_with(kPrefixes[i])) return false;
  return family_tag("event:", "demo") == stream_tag("event:demo");
}
}  // namespace detail
static_assert(detail::fixed_tags_distinct(), "two stream purposes share a tag");
static_assert(detail::prefixes_apart(), "stream purpose families overlap");

}  // namespace funnelsim::purpose
