#include <cmath>

#include <fmt/format.h>

#include "funnelsim/output/run_output.hpp"

namespace funnelsim {

std::string format_number(double value) {
  if (std::isnan(value)) return "";
  return fmt::format("{}", value);
}

}  // namespace funnelsim
