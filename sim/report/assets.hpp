#pragma once
// The report's chart libraries, compiled in from node_modules by cmake/embed_report_assets.cmake
// (a generated source in the build folder). Private to the library.
#include <span>
#include <string_view>

namespace funnelsim::report_assets {

struct Asset {
  std::string_view package;  ///< npm package name: vega, vega-lite, vega-embed
  std::string_view version;
  std::span<const std::string_view> chunks;  ///< the minified script, in pieces
};

/// The libraries in load order (vega, vega-lite, vega-embed); empty when the build found none.
std::span<const Asset> assets();

}  // namespace funnelsim::report_assets
