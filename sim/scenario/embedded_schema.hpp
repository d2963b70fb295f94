#pragma once
#include <string_view>

namespace funnelsim {
/// The text of scenarios/schema.json, compiled into the library so the binary validates
/// scenarios without needing the source tree.
std::string_view embedded_schema_text();
}  // namespace funnelsim
