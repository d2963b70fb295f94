#include "funnelsim/crm/observe_output.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "crm/date_text.hpp"
#include "funnelsim/metrics/run_summary.hpp"
#include "funnelsim/output/run_output.hpp"
#include "output/format.hpp"

namespace funnelsim::crm {
namespace {

using ordered_json = nlohmann::ordered_json;

constexpr std::string_view kPercentiles[] = {"p5", "p10", "p25", "p50", "p75", "p90", "p95"};
constexpr double kQuantiles[] = {0.05, 0.10, 0.25, 0.50, 0.75, 0.90, 0.95};

ordered_json distribution(const std::vector<double>& sorted) {
  ordered_json j = {{"n", sorted.size()}};
  for (std::size_t i = 0; i < std::size(kQuantiles); ++i)
    j[std::string(kPercentiles[i])] = number_or_null(sorted.empty() ? NAN : percentile_sorted(sorted, kQuantiles[i]));
  return j;
}

ordered_json methods_json() {
  return {{"poisson_exact", "counts: the exact (Garwood) interval of the Poisson rate that produced the count"},
          {"wilson", "rates: the Wilson score interval of k out of n"},
          {"order_statistics",
           "percentiles: the distribution-free interval between the order statistics the binomial(n, q) 2.5% and "
           "97.5% points pick"},
          {"bootstrap_percentile",
           "means of up to 20,000 values: 2.5% and 97.5% points of the means of 1,000 resamples with replacement "
           "(stream observe:bootstrap, seeded: the same data give the same interval)"},
          {"t_interval", "means of more than 20,000 values: the Student t interval"},
          {"poisson_bootstrap",
           "sums over deals (pipeline, revenue): 1,000 resamples weighting each deal by a Poisson(1) draw, so the "
           "interval carries how many deals there are as well as their sizes"},
          {"compound_poisson_normal", "sums over more than 20,000 deals: sum -+ 1.96 sqrt(sum of squared amounts)"}};
}

ordered_json quality_json(const DataQuality& q) {
  ordered_json files = ordered_json::array();
  for (const DataQuality::File& f : q.files) files.push_back({{"file", f.name}, {"kind", f.kind}, {"rows", f.rows}});
  ordered_json unmapped = ordered_json::object();
  for (const auto& [value, n] : q.unmapped_sources) unmapped[value] = n;
  ordered_json layouts = ordered_json::object();
  for (const auto& [name, n] : q.date_layouts) layouts[name] = n;
  return {{"files", files},
          {"excluded_rows",
           {{"total", q.excluded()},
            {"duplicate_contacts", q.duplicate_contacts},
            {"not_leads", q.not_leads},
            {"date_before_creation", q.date_before_creation},
            {"sql_before_mql", q.sql_before_mql},
            {"opportunity_before_sql", q.opportunity_before_sql},
            {"customer_before_opportunity", q.customer_before_opportunity},
            {"skipped_stage", q.skipped_stage},
            {"missing_stage_date", q.missing_stage_date}}},
          {"excluded_deals",
           {{"close_before_create", q.close_before_create}, {"without_close_date", q.deals_without_close_date}}},
          {"noted",
           {{"unmapped_source_rows", q.unmapped_source_rows},
            {"unmapped_sources", unmapped},
            {"other_date_layout_rows", q.other_date_layout_rows},
            {"date_layouts", layouts},
            {"unknown_statuses", q.unknown_statuses},
            {"unknown_mql_reasons", q.unknown_reasons},
            {"deals_without_amount", q.deals_without_amount}}},
          {"duplicates_checked", q.emails},
          {"history_read", q.history}};
}

/// Inserts `key` after `after` in an ordered object (nlohmann's ordered_json appends only).
ordered_json insert_after(const ordered_json& j, const std::string& after, const std::string& key,
                          const ordered_json& value) {
  ordered_json out = ordered_json::object();
  for (const auto& [k, v] : j.items()) {
    out[k] = v;
    if (k == after) out[key] = value;
  }
  if (!out.contains(key)) out[key] = value;
  return out;
}

std::string summary_json(const ObservedData& data, const ObservedFunnel& f) {
  const ReplicationTable table = f.table();
  const RunSummary summary = summarize_run(table);
  RunInfo info;
  info.scenario = "observed";
  info.seed = 1;
  info.replications = 1;
  info.horizon_days = static_cast<int>((f.window.end - f.window.from) / kMinutesPerDay);
  const RunReport report{info, table, summary, nullptr};
  // Run's own writer: when run's summary.json changes shape, this one follows.
  ordered_json j = ordered_json::parse(summary_json_writer()->render(report));
  j = insert_after(j, "funnelsim_version", "kind", "observed");
  const auto defs = metric_defs(ScopeKind::funnel);
  for (std::size_t s = 0; s < f.scopes.size(); ++s) {
    ordered_json& scope = s == 0 ? j["metrics"] : j["by_source"][f.scopes[s].name];
    for (std::size_t m = 0; m < defs.size(); ++m) {
      const MetricInterval& i = f.scopes[s].intervals[m];
      ordered_json& stats = scope[std::string(defs[m].name)];
      if (i.method.empty()) continue;
      stats["ci95_low"] = number_or_null(i.low);
      stats["ci95_high"] = number_or_null(i.high);
      stats["ci_method"] = i.method;
    }
  }
  ordered_json distributions = ordered_json::object();
  for (const ObservedScope& s : f.scopes)
    distributions[s.name] = {{"time_to_mql_days", distribution(s.time_to_mql_days)},
                             {"response_time_hours", distribution(s.response_hours)}};
  ordered_json observed = {
      {"format", format_name(data.quality.format)},
      {"format_recognised_from_headers", data.quality.format_recognised},
      {"time_zone", "UTC"},
      {"window",
       {{"from", format_date(f.window.from)},
        {"to", format_date(f.window.end - 1)},
        {"days", (f.window.end - f.window.from) / kMinutesPerDay}}},
      {"definitions",
       {{"leads", "records created in the window"},
        {"mqls", "MQLs (every journey's: a recycled lead counts again) whose MQL time is in the window"},
        {"time_to_mql_days",
         "per MQL, days from becoming a lead (Became a Lead Date / Inquiry Date, else the creation; a re-entry "
         "after a recycle from the history file) to the MQL"},
        {"sqls", "leads whose SQL date (Became a Sales Qualified Lead Date / Converted Date) is in the window"},
        {"opportunities", "deals created in the window; pipeline_value sums their amounts"},
        {"won_deals", "deals won whose close date is in the window; revenue sums their amounts"},
        {"response_time_hours",
         "per MQL of the window, hours from the MQL to the owner assignment (Owner Assigned Date / First "
         "Activity: the first contact attempt)"},
        {"undefined", "every metric a CRM export cannot know (spend, readiness, queues, attempts) is null"}}},
      {"methods", methods_json()},
      {"maturity_days", number_or_null(f.maturity_days)},
      {"data_quality", quality_json(data.quality)},
      {"distributions", distributions}};
  j["observed"] = observed;
  return j.dump(2) + "\n";
}

std::string weekly_csv(const ObservedFunnel& f) {
  std::string out =
      "source,week,first_day,leads,leads_ci95_low,leads_ci95_high,mqls_in_week,mqls_in_week_ci95_low,"
      "mqls_in_week_ci95_high,sqls_in_week,sqls_in_week_ci95_low,sqls_in_week_ci95_high,cohort_mqls,cohort_sqls,"
      "cohort_opportunities,cohort_won_deals,cohort_lead_to_mql,cohort_lead_to_mql_ci95_low,"
      "cohort_lead_to_mql_ci95_high,cohort_mql_to_sql,cohort_mql_to_sql_ci95_low,cohort_mql_to_sql_ci95_high,"
      "age_days,maturing\n";
  const auto count = [](double k) {
    const Interval i = poisson_interval(k);
    return fmt::format("{},{},{}", format_number(k), format_number(i.low), format_number(i.high));
  };
  const auto rate = [](double k, double n) {
    const Interval i = wilson_interval(k, n);
    return fmt::format("{},{},{}", format_number(n > 0 ? k / n : NAN), format_number(i.low), format_number(i.high));
  };
  for (const ObservedScope& s : f.scopes)
    for (const CohortWeek& w : s.weeks)
      out += fmt::format("{},{},{},{},{},{},{},{},{},{},{},{},{},{}\n", csv_field(s.name), w.week + 1,
                         format_date(w.first_day), count(w.leads), count(w.mqls_in_week), count(w.sqls_in_week),
                         format_number(w.mqls), format_number(w.sqls), format_number(w.opportunities),
                         format_number(w.won_deals), rate(w.mqls, w.leads), rate(w.sqls, w.mqls),
                         format_number(w.age_days), w.maturing ? "true" : "false");
  return out;
}

/// The samples behind the distributions, a value a row, so that calibrate on an observe folder
/// draws them as on the export itself. Shortest round-trip digits: read back, every value is the
/// same double.
std::string samples_csv(const ObservedFunnel& f) {
  std::string out = "source,sample,value\n";
  for (const ObservedScope& s : f.scopes) {
    const std::string source = csv_field(s.name);
    for (double v : s.time_to_mql_days) out += fmt::format("{},time_to_mql_days,{}\n", source, v);
    for (double v : s.response_hours) out += fmt::format("{},response_time_hours,{}\n", source, v);
  }
  return out;
}

/// A value for the printed table: an observed count is whole (2691, not 2691.0).
std::string shown(double value, std::string_view unit) {
  if (unit_kind(unit) == UnitKind::count && std::isfinite(value) && value == std::floor(value))
    return fmt::format("{:.0f}", value);
  return display_value(value, unit);
}

std::string interval_text(const MetricInterval& i, std::string_view unit) {
  if (i.method.empty()) return "";
  return fmt::format("[{}, {}]", display_value(i.low, unit), display_value(i.high, unit));
}

}  // namespace

ResultSetFiles observed_files(const ObservedData& data, const ObservedFunnel& funnel) {
  const ReplicationTable table = funnel.table();
  const RunSummary summary = summarize_run(table);
  RunInfo info;
  info.scenario = "observed";
  info.replications = 1;
  const RunReport report{info, table, summary, nullptr};
  return {{"summary.json", summary_json(data, funnel)},
          {"replications.csv", replications_csv_writer()->render(report)},
          {"weekly.csv", weekly_csv(funnel)},
          {"samples.csv", samples_csv(funnel)}};
}

std::string observed_text(const ObservedData& data, const ObservedFunnel& f) {
  const DataQuality& q = data.quality;
  std::string out = fmt::format("observed: {} exports ({}), times in UTC\n",
                                q.format == CrmFormat::hubspot ? "HubSpot" : "Salesforce",
                                q.format_recognised ? "recognised from the headers" : "as given");
  for (const DataQuality::File& file : q.files)
    out += fmt::format("  {}: {}, {} rows\n", file.name, file.kind, file.rows);
  out += fmt::format("window: {} to {} ({} days)\n\n", format_date(f.window.from), format_date(f.window.end - 1),
                     (f.window.end - f.window.from) / kMinutesPerDay);
  out += fmt::format("{:<36} {:>12}  {:<28} {}\n", "metric (whole funnel)", "observed", "95% interval", "method");
  const auto defs = metric_defs(ScopeKind::funnel);
  const ObservedScope& all = f.scopes.front();
  for (Metric m : observable_metrics()) {
    const std::size_t i = static_cast<std::size_t>(m);
    if (std::isnan(all.metrics[i])) continue;
    out += fmt::format("{:<36} {:>12}  {:<28} {}\n", defs[i].name, shown(all.metrics[i], defs[i].unit),
                       interval_text(all.intervals[i], defs[i].unit), all.intervals[i].method);
  }
  out += fmt::format("\n{:<24} {:>9} {:>8} {:>9} {:>7} {:>8} {:>7} {:>6} {:>12}\n", "by source", "leads", "MQLs",
                     "lead>MQL", "SQLs", "MQL>SQL", "opps", "won", "days to MQL");
  const auto v = [&](const ObservedScope& s, Metric m) { return s.metrics[static_cast<std::size_t>(m)]; };
  for (std::size_t s = 1; s < f.scopes.size(); ++s) {
    const ObservedScope& sc = f.scopes[s];
    std::string name = sc.name.size() > 24 ? sc.name.substr(0, 23) + "~" : sc.name;
    out += fmt::format("{:<24} {:>9} {:>8} {:>9} {:>7} {:>8} {:>7} {:>6} {:>12}\n", name,
                       shown(v(sc, Metric::leads), "leads"), shown(v(sc, Metric::mqls), "leads"),
                       display_value(v(sc, Metric::lead_to_mql_rate), "ratio"), shown(v(sc, Metric::sqls), "leads"),
                       display_value(v(sc, Metric::mql_to_sql_rate), "ratio"),
                       shown(v(sc, Metric::opportunities), "opportunities"), shown(v(sc, Metric::won_deals), "deals"),
                       display_value(v(sc, Metric::time_to_mql_days_p50), "days"));
  }
  // "3 duplicate contacts, 1 SQL before MQL": the counts that are not 0.
  const auto listed = [](std::initializer_list<std::pair<std::uint64_t, std::string_view>> counts) {
    std::string text;
    for (const auto& [n, what] : counts)
      if (n > 0) text += fmt::format("{}{} {}", text.empty() ? "" : ", ", n, what);
    return text;
  };
  const std::string left = listed({{q.duplicate_contacts, "duplicate contacts (same e-mail)"},
                                   {q.not_leads, "subscribers or stage other"},
                                   {q.date_before_creation, "with a stage date before creation"},
                                   {q.sql_before_mql, "SQL before MQL"},
                                   {q.opportunity_before_sql, "opportunity before SQL"},
                                   {q.customer_before_opportunity, "customer before opportunity"},
                                   {q.skipped_stage, "with a skipped stage"},
                                   {q.missing_stage_date, "at a stage without its date"},
                                   {q.close_before_create, "deals closed before created"},
                                   {q.deals_without_close_date, "closed deals without a close date"}});
  out += fmt::format("\nleft out: {}\n", left.empty() ? "nothing" : left);
  std::string noted =
      listed({{q.unmapped_source_rows, "rows with a source no mapping rule matched (counted in \"(unmapped)\")"},
              {q.other_date_layout_rows, "rows with times written unlike the rest of their column (read all the same)"},
              {q.unknown_statuses, "unknown lead statuses"},
              {q.unknown_reasons, "unknown MQL reasons"},
              {q.deals_without_amount, "deals without an amount (counted as 0)"}});
  if (!q.emails) noted += fmt::format("{}no e-mail column: duplicates were not looked for", noted.empty() ? "" : ", ");
  out += fmt::format("noted: {}\n", noted.empty() ? "nothing" : noted);
  return out;
}

namespace {

/// A 64-bit FNV-1a hash of a file's bytes, read in chunks.
std::string content_hash(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::uint64_t h = 14695981039346656037ull;
  std::vector<char> chunk(std::size_t{1} << 20);
  while (in.read(chunk.data(), static_cast<std::streamsize>(chunk.size())) || in.gcount() > 0)
    for (std::streamsize i = 0; i < in.gcount(); ++i) {
      h ^= static_cast<unsigned char>(chunk[static_cast<std::size_t>(i)]);
      h *= 1099511628211ull;
    }
  return fmt::format("{:016x}", h);
}

}  // namespace

std::vector<std::filesystem::path> export_files(const std::vector<std::filesystem::path>& exports) {
  std::vector<std::filesystem::path> out;
  std::error_code ec;
  for (const std::filesystem::path& e : exports) {
    if (std::filesystem::is_directory(e, ec)) {
      for (const auto& entry : std::filesystem::directory_iterator(e, ec))
        if (entry.is_regular_file(ec) && entry.path().extension() == ".csv") out.push_back(entry.path());
    } else {
      out.push_back(e);
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::string run_id_of_observe(const std::vector<std::filesystem::path>& files, const ObserveRequestText& request) {
  std::vector<std::string> parts{"observe",  request.format,     request.from,
                                 request.to, request.date_order, request.strict ? "strict" : ""};
  for (const std::filesystem::path& f : files) parts.push_back(f.filename().string() + ":" + content_hash(f));
  return run_identifier(parts);
}

}  // namespace funnelsim::crm
