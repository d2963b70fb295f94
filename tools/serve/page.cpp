// The page's files (page.hpp): its own, embedded at build time, and the report's chart libraries.
#include "page.hpp"

#include <vector>

#include "funnelsim/report/report.hpp"

namespace funnelsim::server {

std::optional<PageFile> page_file(std::string_view name) {
  const auto type_of = [](std::string_view file) -> std::string {
    if (file.ends_with(".html")) return "text/html; charset=utf-8";
    if (file.ends_with(".js")) return "text/javascript; charset=utf-8";
    if (file.ends_with(".css")) return "text/css; charset=utf-8";
    return "application/octet-stream";
  };
  static const std::vector<ChartLibrary> libraries = chart_libraries();  // about 1.5 MB, made once
  for (const ChartLibrary& library : libraries)
    if (name == library.package + ".min.js") return PageFile{type_of(name), library.script};
  const std::string_view text = embedded_page_file(name);
  if (text.empty()) return std::nullopt;
  return PageFile{type_of(name), std::string(text)};
}

}  // namespace funnelsim::server
