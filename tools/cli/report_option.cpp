#include "report_option.hpp"

#include <fmt/format.h>

#include <filesystem>

#include "funnelsim/report/report.hpp"
#include "funnelsim/core/usage_error.hpp"

namespace funnelsim::cli {

void add_report_option(CLI::App& cmd, std::string& file) {
  cmd.add_option("--report", file, "Also write a self-contained HTML report with charts to this file");
}

void check_report_target(const std::string& file, const std::string& option) {
  if (!report_charts_available()) html_report({});  // throws the UsageError that says how to get them
  const std::filesystem::path path(file);
  std::error_code ec;
  if (path.filename().empty() || std::filesystem::is_directory(path, ec))
    throw UsageError(fmt::format("{} {}: expected a file name such as report.html, found a folder", option, file));
}

}  // namespace funnelsim::cli
