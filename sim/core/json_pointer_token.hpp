#pragma once
/// One reference token of a JSON Pointer (RFC 6901): '~' is written "~0" and '/' "~1".
#include <string>
#include <string_view>

namespace funnelsim {

/// "a/b~c" -> "a~1b~0c", ready to follow a '/' in a pointer.
inline std::string escape_pointer_token(std::string_view token) {
  std::string out;
  out.reserve(token.size());
  for (char c : token) {
    if (c == '~')
      out += "~0";
    else if (c == '/')
      out += "~1";
    else
      out += c;
  }
  return out;
}

/// The inverse: "a~1b~0c" -> "a/b~c" (a '~' not followed by 0 or 1 is kept as it is).
inline std::string unescape_pointer_token(std::string_view token) {
  std::string out;
  out.reserve(token.size());
  for (std::size_t i = 0; i < token.size(); ++i) {
    if (token[i] == '~' && i + 1 < token.size() && (token[i + 1] == '0' || token[i + 1] == '1')) {
      out += token[++i] == '0' ? '~' : '/';
    } else {
      out += token[i];
    }
  }
  return out;
}

}  // namespace funnelsim
