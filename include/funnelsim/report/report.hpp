#pragma once
/// The HTML report: one self-contained page that draws the result files of `run`, `compare`,
/// `sweep` and `sensitivity` with Vega-Lite. The chart libraries (Vega, Vega-Lite,
/// vega-embed), the data and every chart's spec are inlined: the page loads nothing and works
/// offline from a double-click. Like every rendering, no time or date: the same inputs give the
/// same bytes. docs/report.md says what each chart shows and how the libraries get in.
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "funnelsim/output/run_output.hpp"

namespace funnelsim {

/// The result files a report reads, under the names the commands write them:
/// summary.json, replications.csv, weekly.csv (run), compare.json (compare), sweep.json
/// (sweep), sensitivity.json (sensitivity), fit.json (calibrate).
std::span<const std::string_view> report_input_names();

/// (file name, text) of result files. Names not in report_input_names() are ignored.
using ResultFiles = std::vector<std::pair<std::string, std::string>>;

/// The files of report_input_names() found in `folder`. Throws UsageError when the folder does
/// not exist, is not a folder, or holds none of them.
ResultFiles read_result_folder(const std::filesystem::path& folder);

/// Whether this build carries the chart libraries (node_modules was there when it was built).
bool report_charts_available();

/// The chart libraries the report inlines, in load order (vega, vega-lite, vega-embed), for a
/// front end whose own pages draw with the same libraries (funnelsim serve). Empty without them.
struct ChartLibrary {
  std::string package, version, script;  ///< script: the minified text, without its source-map comment
};
std::vector<ChartLibrary> chart_libraries();

/// The report page. A section per kind of results present, in this order: run (summary.json,
/// with the histograms of replications.csv and the weekly fan charts of weekly.csv when they
/// are there), compare, sweep, sensitivity, calibration (fit.json). `origin` says where the results came from (a
/// folder, a command) and is shown in the page; it may be empty. Throws UsageError when no
/// file is recognised, when a file is not as funnelsim writes it (naming the file and what is
/// wrong), or when the build has no chart libraries (saying how to get them). `metrics` (names as
/// parse_metric_list gives them) chooses what the headline tables, histograms, comparison charts
/// and tables and the sweep's trade-off curves show; empty: each section's defaults.
std::string html_report(const ResultFiles& files, std::string_view origin = {},
                        const std::vector<std::string>& metrics = {});
/// One page for several folders of results, each folder's sections in the order given. A
/// summary.json of observe ("kind": "observed") gets the observed section (the recorded funnel,
/// its cohorts, what was left out); with an observed folder and a run's folder together, the page
/// starts with the two side by side, metric by metric.
std::string html_report_of_folders(const std::vector<ResultFiles>& folders, std::string_view origin = {});

/// report.html of a run as an OutputWriter: renders summary.json, replications.csv and
/// weekly.csv in memory, then the report from them.
std::unique_ptr<OutputWriter> html_report_writer();

/// Writes a report to `file` (its folder created if needed) with write_file_atomically.
void write_report_file(const std::filesystem::path& file, const std::string& html);

}  // namespace funnelsim
