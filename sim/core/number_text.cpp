#include "core/number_text.hpp"

#include <fmt/format.h>

#include <cmath>

namespace funnelsim {

std::string signed_number(double v, int decimals, std::string_view prefix, std::string_view suffix) {
  if (!std::isfinite(v)) return "n/a";
  const double scale = std::pow(10.0, decimals);
  if (std::round(std::abs(v) * scale) == 0.0) return fmt::format("{}{:.{}f}{}", prefix, 0.0, decimals, suffix);
  return fmt::format("{}{}{:.{}f}{}", v < 0 ? "-" : "+", prefix, std::abs(v), decimals, suffix);
}

}  // namespace funnelsim
