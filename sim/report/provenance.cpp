// The "made from" block: which scenario files (with their hashes), which overrides and which
// resolved scenario made the results, read from a results file's "provenance" block.
#include <fmt/format.h>

#include "report/internal.hpp"

namespace funnelsim::report_detail {
namespace {

/// A SHA-256 shown short, the whole digest in the tooltip.
std::string digest_html(const json& digest) {
  if (!digest.is_string()) return "?";
  const std::string full = digest.get<std::string>();
  return fmt::format("<code title=\"sha256 {0}\">{1}</code>", html_escape(full), html_escape(full.substr(0, 12)));
}

std::string file_html(const json& file) {
  if (!file.is_object()) return "a document built in memory";
  return fmt::format("<code>{}</code> (sha256 {})", html_escape(value_text(file.value("path", json("?")))),
                     digest_html(file.value("sha256", json())));
}

}  // namespace

std::string made_from_text(const json& provenance) {
  if (!provenance.is_object() || !provenance.contains("resolved_sha256")) return {};
  std::string text = file_html(provenance.value("file", json()));
  const json extends = provenance.value("extends", json::array());
  if (extends.is_array())
    for (const json& base : extends) text += ", which extends " + file_html(base);
  const json overrides = provenance.value("overrides", json::array());
  if (overrides.is_array() && !overrides.empty()) {
    std::string list;
    for (const json& o : overrides)
      if (o.is_object())
        list += fmt::format("{}<code>{}={}</code>", list.empty() ? "" : ", ",
                            html_escape(value_text(o.value("pointer", json("?")))),
                            html_escape(value_text(o.value("value", json()))));
    text += fmt::format(", with overrides (in order) {}", list);
  }
  return text + fmt::format("; resolved scenario sha256 {}", digest_html(provenance.value("resolved_sha256", json())));
}

std::string made_from_meta(const json& results) {
  const auto it = results.find("provenance");
  if (it == results.end() || !it->is_object()) return {};
  return fmt::format("<p class=\"meta made-from\">Made from {}.</p>\n", made_from_text(*it));
}

}  // namespace funnelsim::report_detail
