#pragma once
/// Fractions on the command line: "20%" or "0.2".
#include <optional>
#include <string_view>

namespace funnelsim {

/// A finite number, divided by 100 when it ends in '%' ("20%" -> 0.2, "0.2" -> 0.2, "-5%" ->
/// -0.05); nullopt when the text is anything else. Callers check the range they accept.
std::optional<double> parse_fraction(std::string_view text);

}  // namespace funnelsim
