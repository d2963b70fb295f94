#pragma once
/// Text from outside that every output writes into JSON (file names, paths): JSON needs UTF-8, a
/// file name need not be, so each byte that is not UTF-8 becomes U+FFFD.
#include <string>

#include <nlohmann/json.hpp>

namespace funnelsim {

inline std::string utf8_or_replaced(const std::string& text) {
  using nlohmann::json;
  return json::parse(json(text).dump(-1, ' ', false, json::error_handler_t::replace)).get<std::string>();
}

}  // namespace funnelsim
