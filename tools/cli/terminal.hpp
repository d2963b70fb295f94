#pragma once
/// The one way text reaches the terminal: every message and table funnelsim prints goes through
/// terminal_text, so that a name, key or path holding control characters (an ESC sequence that
/// retitles the window or clears the screen, an OSC hyperlink, C1 controls, DEL) is shown, not
/// obeyed.
#include <cstdio>
#include <string>
#include <string_view>

namespace funnelsim::cli {

/// `text` with each control character written out: C0 (but the newline) as \x1b, DEL as \u007f,
/// C1 (U+0080..U+009F) as \u009b, and a byte that is not UTF-8 as \xff. Printable text, the
/// newline and valid UTF-8 pass unchanged.
std::string terminal_text(std::string_view text);

/// Writes terminal_text(text) to `stream` (stdout or stderr).
void print_text(std::FILE* stream, std::string_view text);

}  // namespace funnelsim::cli
