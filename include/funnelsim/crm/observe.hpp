#pragma once
/// observe: the funnel a CRM export records, in funnelsim's own metric names, so that what was
/// observed and what was simulated sit side by side; and the moments calibration fits to.
///
/// Two steps, each callable alone:
///   read_exports(files, options) -> ObservedData   CSV files -> records, with what was wrong
///   measure(records, window)      -> ObservedFunnel records -> metrics, intervals, cohorts
/// A simulated replication's records (trace_replication in export.hpp) go through measure()
/// exactly as an export does, so a calibration compares like with like: the same definitions,
/// the same minute resolution.
///
/// What is measured in a window [from, to] (whole days, UTC): leads created in it; MQLs (every
/// journey's, a recycled lead's again) whose MQL time is in it, with their time from becoming a
/// lead; SQLs whose SQL date is in it; opportunities created in it and their amounts (pipeline);
/// deals won with a close date in it (and their revenue); response times of its MQLs (MQL to
/// owner assignment, which is the first contact attempt). These carry the simulator's metric
/// names with its definitions; a metric a CRM cannot know (spend, readiness, queue lengths) is
/// undefined. docs/crm.md has every definition and interval method.
#include <cstdint>
#include <filesystem>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "funnelsim/core/intervals.hpp"
#include "funnelsim/core/usage_error.hpp"
#include "funnelsim/crm/mapping.hpp"
#include "funnelsim/crm/records.hpp"
#include "funnelsim/metrics/metrics.hpp"
#include "funnelsim/metrics/replication_table.hpp"

namespace funnelsim::crm {

struct ReadOptions {
  std::optional<CrmFormat> format;  ///< nullopt: recognised from the headers
  Mapping mapping;
  DateOrder date_order = DateOrder::unknown;
  bool strict = false;  ///< refuse a row with an impossible order instead of excluding it
};

/// A date that reads two ways (03/04/2025) with no date order given. A UsageError whose message
/// names the file, row, column and text; a front end adds how to give the order.
class AmbiguousDateError : public UsageError {
 public:
  using UsageError::UsageError;
};

/// What reading found besides the funnel: the layout, the files, the defects by kind.
struct DataQuality {
  CrmFormat format = CrmFormat::hubspot;
  bool format_recognised = false;  ///< from the headers (not given)
  struct File {
    std::string name;
    std::string kind;  ///< "HubSpot contacts", ...
    std::uint64_t rows = 0;
  };
  std::vector<File> files;
  /// Rows left out, by kind (each row counted once, under the first kind found, in this order).
  std::uint64_t duplicate_contacts = 0;    ///< a later record with the same e-mail address
  std::uint64_t not_leads = 0;             ///< subscribers and stage "other": not in the funnel
  std::uint64_t date_before_creation = 0;  ///< a stage date before the record was created
  std::uint64_t sql_before_mql = 0;
  std::uint64_t opportunity_before_sql = 0;
  std::uint64_t customer_before_opportunity = 0;
  std::uint64_t skipped_stage = 0;        ///< a later stage dated, an earlier one not
  std::uint64_t missing_stage_date = 0;   ///< at a stage (lifecycle stage, status) without its date
  std::uint64_t close_before_create = 0;  ///< deals closed before they were created
  /// Kept, but noted.
  std::uint64_t unmapped_source_rows = 0;  ///< rows no source rule matched (in "(unmapped)")
  std::vector<std::pair<std::string, std::uint64_t>> unmapped_sources;  ///< values, with counts (at most 20)
  std::uint64_t other_date_layout_rows = 0;  ///< rows with a time written unlike the rest of its column
  std::vector<std::pair<std::string, std::uint64_t>> date_layouts;  ///< layout name, cells
  std::uint64_t unknown_statuses = 0;  ///< lead status values funnelsim does not know (kept as "other")
  std::uint64_t unknown_reasons = 0;   ///< MQL reasons funnelsim does not know (MQLs counted, not by path)
  std::uint64_t deals_without_amount = 0;
  std::uint64_t deals_without_close_date = 0;  ///< closed deals with no close date: left out
  bool emails = false;                         ///< an e-mail column was there, so duplicates were looked for
  bool history = false;                        ///< a history file was there (recycled leads' earlier journeys)
  std::uint64_t excluded() const noexcept {
    return duplicate_contacts + not_leads + date_before_creation + sql_before_mql + opportunity_before_sql +
           customer_before_opportunity + skipped_stage + missing_stage_date;
  }
};

struct ObservedData {
  CrmRecords records;  ///< the leads and deals kept (no names, no e-mail addresses, no free text)
  DataQuality quality;
};

/// Reads exports: CSV files, or folders whose *.csv files are read. Every file's kind (leads,
/// deals, history) and the format are recognised from its header. Throws UsageError naming the
/// file, the row and the column: a missing required column (listing what the header has), a
/// date that does not parse or reads two ways (AmbiguousDateError), a value funnelsim does not
/// know where it must (a lifecycle or deal stage: map it), a row with an impossible order
/// under `strict`. CsvError-like problems (an unclosed quote) are UsageErrors too.
ObservedData read_exports(const std::vector<std::filesystem::path>& inputs, const ReadOptions& options);

/// The measured window: [from, end) in minutes, from midnight of the first day to midnight after
/// the last.
struct Window {
  Minute from = kNoTime, end = kNoTime;
};
/// [first, last] whole days; kNoTime ends default to the records' first creation day and the day
/// of their latest dated event.
Window window_of(const CrmRecords& records, Minute first_day, Minute last_day);

/// One figure's 95% interval and how it was made: "wilson", "poisson_exact",
/// "order_statistics", "bootstrap_percentile" (empty: none).
struct MetricInterval {
  double low = std::numeric_limits<double>::quiet_NaN(), high = std::numeric_limits<double>::quiet_NaN();
  std::string method;
};

/// A creation-week cohort of one scope: how many leads, how many reached each stage by the end
/// of the data, and whether it is still maturing (its leads have had less time than most take).
struct CohortWeek {
  std::size_t week = 0;  ///< 0-based, from the window's first day
  Minute first_day = kNoTime;
  double leads = 0, mqls = 0, sqls = 0, opportunities = 0, won_deals = 0;
  double age_days = 0;  ///< from the cohort's last day to the end of the data
  bool maturing = false;
  /// Events dated in the week (volumes), for the weekly series: leads, MQLs, SQLs.
  double leads_in_week = 0, mqls_in_week = 0, sqls_in_week = 0;
};

struct ObservedScope {
  std::string name;  ///< "all", a source, or "(unmapped)"
  /// The metric row (metric_defs(ScopeKind::funnel) order): NaN where a CRM cannot know it.
  std::vector<double> metrics;
  std::vector<MetricInterval> intervals;  ///< by metric
  /// The components of its ratios (component_defs(ScopeKind::funnel) order): NaN for one that
  /// a ratio a CRM cannot know divides by (marketing spend).
  std::vector<double> components;
  /// The samples behind the distributions (sorted): days to MQL of the window's MQLs, hours to
  /// owner assignment of those that got one.
  std::vector<double> time_to_mql_days, response_hours;
  std::vector<CohortWeek> weeks;
};

struct ObservedFunnel {
  Window window;
  std::vector<ObservedScope> scopes;  ///< "all" first, then sources in name order, "(unmapped)" last
  double maturity_days = 0;           ///< a cohort younger than this is maturing (P90 lead->MQL + P90 MQL->SQL)
  /// The metric rows as a one-replication table (scope "all", then sources): what the run
  /// writers and the comparisons take.
  ReplicationTable table() const;
};

/// The metrics a CRM export lets observe measure (every other one is undefined in its output).
std::span<const Metric> observable_metrics();

/// Measures records in a window. `bootstrap_seed` keys the bootstrap's stream (purpose
/// "observe:bootstrap"): the same records give the same intervals.
ObservedFunnel measure(const CrmRecords& records, const Window& window, std::uint64_t bootstrap_seed = 1);
/// measure() without the intervals (every MetricInterval empty), the percentiles (undefined) and
/// the weeks' maturity (0, none maturing): the other metrics, the samples (unsorted) and the
/// weeks alone, which is what a simulated replication's moments need (calibrate); the intervals'
/// bootstraps are most of measure()'s cost, and the percentiles' sorts a part of the rest.
ObservedFunnel measure_moments(const CrmRecords& records, const Window& window);

}  // namespace funnelsim::crm
