#pragma once
// Pieces of the HTML report shared by its source files. Private to the library.
#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace funnelsim::report_detail {

using json = nlohmann::ordered_json;  // read in file order: sources and teams as the scenario lists them
using ordered_json = nlohmann::ordered_json;

/// Text safe inside HTML elements and attribute values.
std::string html_escape(std::string_view text);

/// A CSV file as funnelsim writes it (RFC 4180 quoting).
struct Csv {
  std::string file;
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
  /// Index of a column, or npos.
  std::size_t column(std::string_view name) const;
  /// The numbers of a column (empty cells, which mean "undefined", left out); throws
  /// UsageError naming the file when a cell is not a number.
  std::vector<double> numbers(std::size_t column) const;
};
Csv parse_csv(std::string_view text, std::string file);
/// A number from a CSV cell or NaN when empty; throws UsageError naming `file` when malformed.
double csv_number(const std::string& cell, std::string_view file);

/// A number from a JSON statistic: NaN when missing or null.
double number(const json& object, std::string_view key);
/// A metric's statistics object from a summary's scope ("metrics", a source's block), or an
/// empty object when the metric is not there.
const json& stats_of(const json& scope, std::string_view metric);

/// A metric's headline figure from its object in summary.json (or compare.json's base and
/// variant): the pooled ratio when it has one, else the mean, with its 95% CI.
struct Figure {
  double value, low, high;
  bool pooled;
};
Figure figure(const json& stats);

/// A metric's headline change in compare.json: "pooled_difference" when it has one, else
/// "difference".
const json& headline_difference(const json& comparison);

/// The colour of a change by the metric's better direction: green better, red worse, grey for a
/// metric that has none (or no change).
std::string_view change_colour(double change, std::string_view better);
inline constexpr std::string_view kBetterColour = "#1b7a36", kWorseColour = "#c0392b", kNeutralColour = "#8a8a8a";

/// The unit of a metric as the library declares it (any scope kind), else `fallback`.
std::string metric_unit(std::string_view metric, std::string_view fallback = "");
/// An axis title: the label with its unit ("Cost per SQL, marketing ($)", "SQL rate (%)").
std::string axis_title(std::string_view metric, std::string_view unit);
/// A d3-format string for values of the unit, on axes and in tooltips ("$,.2f" for money per
/// money, read with " per $1" in the text).
std::string d3_format(std::string_view unit);
/// A d3-format string for axis ticks of the unit: short ("$1.2k", "12%").
std::string d3_axis_format(std::string_view unit);
/// A value for a table or a label: 1,021 / 13.2% / $3,441 / 18.2; "n/a" when undefined.
std::string display(double value, std::string_view unit);
/// A JSON value as short text (strings without quotes).
std::string value_text(const json& value);
/// A meta paragraph on how --precision chose the replication count, from a results file's
/// "precision" block; `measured` says what the half-width is of ("the 95% CI half-width of ...").
std::string precision_meta(const json& precision, std::string_view measured);

/// Which scenario made the results, from a "provenance" block (sim/output/provenance_json.hpp):
/// "<code>file</code> (sha256 ...), which extends ..., with overrides (in order) ...; resolved
/// scenario sha256 ..." (HTML); "" when `provenance` is no such block (results from before it).
std::string made_from_text(const json& provenance);
/// A meta paragraph "Made from ..." for a results file with a top-level "provenance"; "" without.
std::string made_from_meta(const json& results);

/// A page being built: the HTML body and the charts it holds.
class Page {
 public:
  /// Registers a Vega-Lite spec (the common look is added) and returns the HTML of its card,
  /// with `caption` (HTML) under the chart. `wide` cards span the whole page width.
  std::string chart(ordered_json spec, std::string_view caption, bool wide = false);
  /// The charts, as the page's script reads them: [{"id", "spec"}].
  const ordered_json& charts() const { return charts_; }
  std::string body;

 private:
  ordered_json charts_ = ordered_json::array();
};

/// The sections, each appended to page.body. `replications` and `weekly` may be null.
/// `metrics`: the names --metrics chose (parse_metric_list); empty: each section's defaults.
void run_section(Page& page, const json& summary, const Csv* replications, const Csv* weekly,
                 const std::vector<std::string>& metrics);
/// Whether a summary.json is observe's ("kind": "observed"), not a run's.
bool is_observed(const json& summary);
/// observe's results: the observed funnel, its weekly cohorts (observe's weekly.csv), what was left out.
void observed_section(Page& page, const json& summary, const Csv* weekly);
/// An observed funnel beside a simulated run, metric by metric.
void beside_section(Page& page, const json& observed, const json& simulated);
/// Whether a fit.json is calibrate's ("kind": "calibration").
bool is_calibration(const json& fit);
/// calibrate's results: the verdict, the parameter and fit tables, the moments per source and the
/// weekly series observed beside simulated.
void calibration_section(Page& page, const json& fit);
void compare_section(Page& page, const json& compare, const std::vector<std::string>& metrics);
void sweep_section(Page& page, const json& sweep, const std::vector<std::string>& metrics);
void sensitivity_section(Page& page, const json& sensitivity);

}  // namespace funnelsim::report_detail
