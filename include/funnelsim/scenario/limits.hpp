#pragma once
/// Bounds on scenario input, checked before parsing (a document takes about ten times its text
/// in memory). Apart from the loader, so that the extends reader below it need not include it.
#include <cstddef>

namespace funnelsim {

/// The largest scenario file read (the shipped ones are under 10 KB).
inline constexpr std::size_t kMaxScenarioBytes = std::size_t{16} << 20;

/// The most files one `extends` chain may hold, the file named included (the shipped ones use 2).
inline constexpr std::size_t kMaxExtendsDepth = 32;

}  // namespace funnelsim
