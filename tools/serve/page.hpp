#pragma once
// The page funnelsim serve serves: tools/serve/page/ compiled in by cmake/embed_server_page.cmake,
// and the chart libraries the HTML report inlines. Nothing comes from the network.
#include <optional>
#include <string>
#include <string_view>

namespace funnelsim::server {

struct PageFile {
  std::string content_type;
  std::string text;
};

/// A file of the page by name (index.html, app.js, style.css, vega.min.js, vega-lite.min.js,
/// vega-embed.min.js); nullopt for any other name.
std::optional<PageFile> page_file(std::string_view name);

/// The page's own files as the build embedded them, by name; empty view for an unknown name.
std::string_view embedded_page_file(std::string_view name);

}  // namespace funnelsim::server
