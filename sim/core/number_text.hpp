#pragma once
/// Number formats shared by the text outputs and the HTML report.
#include <string>
#include <string_view>

namespace funnelsim {

/// `v` with `decimals` decimals and a sign on every nonzero value, between `prefix` and
/// `suffix` ("+$42", "-1.3%"); zero after rounding gets no sign, so "-0.0" never appears.
/// "n/a" when undefined.
std::string signed_number(double v, int decimals, std::string_view prefix = "", std::string_view suffix = "");

}  // namespace funnelsim
