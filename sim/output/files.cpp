#include <cmath>

#include <fmt/format.h>

#include "funnelsim/output/run_output.hpp"

namespace funnelsim {

std::string format_number(double value) {
  if (!std::isfinite(value)) return "";  // undefined (or overflowed): an empty cell, never "inf"
  return fmt::format("{}", value);
}

}  // namespace funnelsim
