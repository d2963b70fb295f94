// The HTML report: reads result files, builds the sections, and assembles one page with the
// chart libraries, the chart specs and a small script that draws them inlined.
#include "funnelsim/report/report.hpp"

#include <fmt/format.h>

#include <array>
#include <cctype>
#include <fstream>
#include <optional>
#include <sstream>
#include <vector>

#include "funnelsim/core/usage_error.hpp"
#include "funnelsim/output/result_set.hpp"
#include "report/assets.hpp"
#include "report/internal.hpp"

namespace funnelsim {
namespace {

using namespace report_detail;

constexpr std::array<std::string_view, 7> kInputs{"summary.json", "replications.csv", "weekly.csv", "compare.json",
                                                  "sweep.json",   "sensitivity.json", "fit.json"};

const std::string* find_file(const ResultFiles& files, std::string_view name) {
  for (const auto& [file, text] : files)
    if (file == name) return &text;
  return nullptr;
}

json parse_json(const std::string& text, std::string_view file, std::string_view must_have) {
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) throw UsageError(fmt::format("{}: expected JSON, found text that does not parse", file));
  if (!j.is_object() || !j.contains(must_have))
    throw UsageError(
        fmt::format("{}: expected an object with \"{}\" as funnelsim writes it, found none", file, must_have));
  return j;
}

/// A section's builder turns any surprise in the file's shape into the user's error, naming it.
template <typename F>
void build_section(std::string_view file, F&& build) {
  try {
    build();
  } catch (const json::exception& e) {
    throw UsageError(fmt::format("{}: expected results as funnelsim {} writes them, found a different shape ({})", file,
                                 FUNNELSIM_VERSION, e.what()));
  }
}

/// A library's text, safe inside a <script> element: "</script" cannot end it early.
std::string script_text(const report_assets::Asset& asset) {
  std::string text;
  for (std::string_view chunk : asset.chunks) text += chunk;
  // The source map is not shipped: drop the comment that points at it.
  if (const auto at = text.rfind("//# sourceMappingURL="); at != std::string::npos) {
    const auto end = text.find('\n', at);
    text.erase(at, end == std::string::npos ? std::string::npos : end - at);
  }
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '<' && i + 1 < text.size() && text[i + 1] == '/' && text.size() - i >= 8) {
      std::string next = text.substr(i + 2, 6);
      for (char& c : next) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      if (next == "script") {
        out += "<\\/";
        ++i;
        continue;
      }
    }
    out += text[i];
  }
  return out;
}

/// JSON inside a <script type="application/json">: every '<' (only ever inside strings) escaped.
std::string script_json(const ordered_json& j) {
  const std::string text = j.dump();
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (c == '<')
      out += "\\u003c";
    else
      out += c;
  }
  return out;
}

constexpr std::string_view kStyle = R"CSS(
:root { --ink: #1d2733; --muted: #5b6672; --line: #dde3e9; --paper: #f5f7f9; --accent: #2f6db5; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Liberation Sans", Arial, sans-serif;
       color: var(--ink); background: var(--paper); }
header, main, footer { max-width: 1180px; margin: 0 auto; padding: 0 24px; }
header { padding-top: 28px; }
h1 { font-size: 26px; margin: 0 0 4px; }
h2 { font-size: 21px; margin: 36px 0 6px; padding-top: 8px; border-top: 3px solid var(--accent); }
h3 { font-size: 16px; margin: 22px 0 8px; }
p { margin: 6px 0 10px; max-width: 900px; }
.meta { color: var(--muted); }
nav a { margin-right: 16px; color: var(--accent); }
.grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(480px, 1fr)); gap: 16px; margin: 12px 0; }
.card { margin: 0; background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 14px 16px 10px;
        min-width: 0; }
.card.wide { grid-column: 1 / -1; }
.chart { width: 100%; min-height: 60px; }
figcaption { color: var(--muted); font-size: 13px; margin-top: 6px; }
.chart-error { color: #b00020; font-weight: 600; }
.table-wrap { overflow-x: auto; background: #fff; border: 1px solid var(--line); border-radius: 8px; margin: 12px 0; }
table { border-collapse: collapse; width: 100%; font-size: 13.5px; }
th, td { padding: 6px 10px; border-bottom: 1px solid var(--line); text-align: right; white-space: nowrap; }
th { white-space: normal; vertical-align: bottom; }
th { background: #eef2f6; font-weight: 600; }
th:first-child, td:first-child { text-align: left; }
tr:last-child td { border-bottom: none; }
td.better { color: #1b7a36; font-weight: 600; } td.worse { color: #b3261e; font-weight: 600; }
.aside { color: var(--muted); font-size: 12px; font-weight: normal; }
td.aside { text-align: left; white-space: normal; min-width: 160px; }
td.kind { color: var(--muted); text-align: left; }
.note { background: #fff8e1; border: 1px solid #f0dfa0; border-radius: 6px; padding: 8px 12px; }
code { font-size: 13px; background: #eef2f6; padding: 1px 4px; border-radius: 3px; }
footer { color: var(--muted); font-size: 13px; padding-top: 24px; padding-bottom: 32px; }
)CSS";

// Draws every chart with vega-embed and records the outcome in window.funnelsimReport (which the
// browser check reads): done, charts, rendered, errors.
constexpr std::string_view kBootstrap = R"JS(
(function () {
  var status = window.funnelsimReport = { done: false, charts: 0, rendered: 0, errors: [] };
  var charts = JSON.parse(document.getElementById('funnelsim-charts').textContent);
  status.charts = charts.length;
  var options = { mode: 'vega-lite', renderer: 'svg', tooltip: true,
                  actions: { export: true, source: false, compiled: false, editor: false } };
  Promise.all(charts.map(function (c) {
    return vegaEmbed('#' + c.id, c.spec, options).then(function () { status.rendered += 1; })
      .catch(function (e) {
        status.errors.push(c.id + ': ' + e);
        var box = document.getElementById(c.id);
        box.textContent = 'This chart could not be drawn: ' + e;
        box.className += ' chart-error';
        console.error('funnelsim report: ' + c.id + ': ' + e);
      });
  })).then(function () {
    status.done = true;
    document.documentElement.setAttribute('data-report-done', 'true');
  });
})();
)JS";

std::string page_title(const json* summary, const json* compare, const json* sweep, const json* sensitivity,
                       const json* fit) {
  std::vector<std::string> parts;
  if (summary) parts.push_back(summary->value("scenario", std::string("run")));
  if (compare) {
    std::string names;
    for (const json& s : compare->value("scenarios", json::array()))
      if (s.value("role", "") == "variant") names += (names.empty() ? "" : ", ") + s.value("name", std::string());
    parts.push_back(fmt::format("{} vs {}", names, compare->value("base", std::string("base"))));
  }
  if (sweep) parts.push_back("sweep of " + sweep->value("scenario", std::string("a scenario")));
  if (sensitivity) parts.push_back("sensitivity of " + sensitivity->value("scenario", std::string("a scenario")));
  if (fit) parts.push_back("a calibration");
  std::string title;
  for (const std::string& p : parts) title += (title.empty() ? "" : "; ") + p;
  return title;
}

}  // namespace

std::span<const std::string_view> report_input_names() { return kInputs; }

bool report_charts_available() { return report_assets::assets().size() == 3; }

std::vector<ChartLibrary> chart_libraries() {
  std::vector<ChartLibrary> out;
  for (const auto& asset : report_assets::assets())
    out.push_back({std::string(asset.package), std::string(asset.version), script_text(asset)});
  return out;
}

namespace {

/// One result file, refused past kMaxResultFileBytes before anything is read: a 3 GiB (sparse)
/// summary.json would otherwise end in bad_alloc.
std::string read_result_file(const std::filesystem::path& path) {
  constexpr std::uintmax_t kMaxResultFileBytes = std::uintmax_t{256} << 20;
  std::error_code ec;
  const std::uintmax_t size = std::filesystem::file_size(path, ec);
  auto too_big = [&](const std::string& found) {
    return UsageError(fmt::format("{}: expected a result file of at most 256 MiB, found {}", path.string(), found));
  };
  if (!ec && size > kMaxResultFileBytes) throw too_big(fmt::format("a file of {} bytes", size));
  std::ifstream in(path, std::ios::binary);
  std::string text;
  std::vector<char> chunk(std::size_t{1} << 16);
  while (in.read(chunk.data(), static_cast<std::streamsize>(chunk.size())) || in.gcount() > 0) {
    text.append(chunk.data(), static_cast<std::size_t>(in.gcount()));
    if (text.size() > kMaxResultFileBytes) throw too_big("a larger file");  // it grew while being read
  }
  if (in.bad() || !in.eof())
    throw UsageError(fmt::format("{}: expected a readable file, found one that cannot be read", path.string()));
  return text;
}

}  // namespace

ResultFiles read_result_folder(const std::filesystem::path& folder) {
  std::error_code ec;
  const auto status = std::filesystem::status(folder, ec);
  const std::string expected =
      "a folder of funnelsim results (summary.json, compare.json, sweep.json, sensitivity.json or fit.json)";
  if (!std::filesystem::exists(status))
    throw UsageError(fmt::format("{}: expected {}, found no such folder", folder.string(), expected));
  if (!std::filesystem::is_directory(status))
    throw UsageError(fmt::format("{}: expected {}, found a file", folder.string(), expected));
  ResultFiles files;
  for (std::string_view name : kInputs) {
    const auto path = folder / name;
    if (!std::filesystem::is_regular_file(path, ec)) continue;
    files.emplace_back(std::string(name), read_result_file(path));
  }
  if (files.empty()) throw UsageError(fmt::format("{}: expected {}, found none of them", folder.string(), expected));
  // One run's files, not a mix: the run_id file (read through the same size cap) speaks for the CSVs.
  ResultFiles checked = files;
  if (std::filesystem::is_regular_file(folder / kRunIdFile, ec))
    checked.emplace_back(kRunIdFile, read_result_file(folder / kRunIdFile));
  check_result_set_agrees(folder, checked);
  return files;
}

namespace {

/// One folder's result files, parsed.
struct Parsed {
  std::optional<json> summary, compare, sweep, sensitivity, fit;
  std::optional<Csv> replications, weekly;
};

Parsed parse_files(const ResultFiles& files) {
  const std::string* summary_text = find_file(files, "summary.json");
  const std::string* replications_text = find_file(files, "replications.csv");
  const std::string* weekly_text = find_file(files, "weekly.csv");
  const std::string* compare_text = find_file(files, "compare.json");
  const std::string* sweep_text = find_file(files, "sweep.json");
  const std::string* sensitivity_text = find_file(files, "sensitivity.json");
  const std::string* fit_text = find_file(files, "fit.json");
  if (!summary_text && !compare_text && !sweep_text && !sensitivity_text && !fit_text) {
    if (replications_text || weekly_text)
      throw UsageError("report: expected summary.json beside replications.csv and weekly.csv, found none");
    throw UsageError(
        "report: expected results (summary.json, compare.json, sweep.json, sensitivity.json or fit.json), found "
        "none");
  }
  Parsed p;
  if (summary_text) p.summary = parse_json(*summary_text, "summary.json", "metrics");
  if (compare_text) p.compare = parse_json(*compare_text, "compare.json", "comparisons");
  if (sweep_text) p.sweep = parse_json(*sweep_text, "sweep.json", "points");
  if (sensitivity_text) p.sensitivity = parse_json(*sensitivity_text, "sensitivity.json", "parameters");
  if (fit_text) {
    p.fit = parse_json(*fit_text, "fit.json", "moments");
    if (!is_calibration(*p.fit))
      throw UsageError(
          fmt::format("fit.json /kind: expected \"calibration\" as funnelsim calibrate writes it, found {}",
                      p.fit->contains("kind") ? (*p.fit)["kind"].dump() : std::string("nothing")));
  }
  if (p.summary) {
    if (replications_text) p.replications = parse_csv(*replications_text, "replications.csv");
    if (weekly_text) p.weekly = parse_csv(*weekly_text, "weekly.csv");
  }
  return p;
}

/// Appends one folder's sections to the page, and their links to `nav`.
void add_sections(Page& page, Parsed& p, std::string& nav, const std::vector<std::string>& metrics) {
  if (p.summary && is_observed(*p.summary)) {
    build_section("summary.json", [&] { observed_section(page, *p.summary, p.weekly ? &*p.weekly : nullptr); });
    nav += "<a href=\"#observed\">Observed</a>";
  } else if (p.summary) {
    build_section("summary.json", [&] {
      run_section(page, *p.summary, p.replications ? &*p.replications : nullptr, p.weekly ? &*p.weekly : nullptr,
                  metrics);
    });
    nav += "<a href=\"#run\">Run</a>";
  }
  if (p.compare) {
    build_section("compare.json", [&] { compare_section(page, *p.compare, metrics); });
    nav += "<a href=\"#compare\">Comparison</a>";
  }
  if (p.sweep) {
    build_section("sweep.json", [&] { sweep_section(page, *p.sweep, metrics); });
    nav += "<a href=\"#sweep\">Sweep</a>";
  }
  if (p.sensitivity) {
    build_section("sensitivity.json", [&] { sensitivity_section(page, *p.sensitivity); });
    nav += "<a href=\"#sensitivity\">Sensitivity</a>";
  }
  if (p.fit) {
    build_section("fit.json", [&] { calibration_section(page, *p.fit); });
    nav += "<a href=\"#calibration\">Calibration</a>";
  }
}

std::string title_of(const Parsed& p) {
  std::string title =
      page_title(p.summary ? &*p.summary : nullptr, p.compare ? &*p.compare : nullptr, p.sweep ? &*p.sweep : nullptr,
                 p.sensitivity ? &*p.sensitivity : nullptr, p.fit ? &*p.fit : nullptr);
  if (p.summary && is_observed(*p.summary)) title = "an observed funnel";
  return title;
}

std::string assemble(const Page& page, const std::string& title, const std::string& nav, std::string_view origin) {
  std::string libraries;
  for (const auto& asset : report_assets::assets())
    libraries += fmt::format("{}{} {}", libraries.empty() ? "" : ", ", asset.package, asset.version);

  std::string html;
  html += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  html += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  html += fmt::format("<meta name=\"generator\" content=\"funnelsim {}\">\n", FUNNELSIM_VERSION);
  html += fmt::format("<title>funnelsim report: {}</title>\n<style>{}</style>\n</head>\n<body>\n", html_escape(title),
                      kStyle);
  html += fmt::format("<header>\n<h1>funnelsim report: {}</h1>\n", html_escape(title));
  if (!origin.empty()) html += fmt::format("<p class=\"meta\">From <code>{}</code>.</p>\n", html_escape(origin));
  html += fmt::format("<nav>{}</nav>\n</header>\n<main>\n", nav);
  html += page.body;
  html += "</main>\n";
  html += fmt::format(
      "<footer>Made by funnelsim {}. Charts drawn with {}, all inlined in this file: it loads nothing from the "
      "network. Every simulated number is a statistic across simulated replications; P10 and P90 bound the middle "
      "80% of them, a 95% CI bounds the figure: a ratio's pooled ratio (totals over totals), any other metric's "
      "mean. An observed number is what a CRM export recorded, with its 95% interval.</footer>\n",
      FUNNELSIM_VERSION, libraries);
  html += fmt::format("<script type=\"application/json\" id=\"funnelsim-charts\">{}</script>\n",
                      script_json(page.charts()));
  for (const auto& asset : report_assets::assets())
    html += fmt::format("<script>/* {} {} */\n{}\n</script>\n", asset.package, asset.version, script_text(asset));
  html += fmt::format("<script>{}</script>\n</body>\n</html>\n", kBootstrap);
  return html;
}

void require_charts() {
  if (!report_charts_available())
    throw UsageError(
        "report: expected a funnelsim built with the chart libraries (the npm packages vega, vega-lite and "
        "vega-embed), found a build without them: run tools/setup.sh (it runs npm ci), then rebuild");
}

}  // namespace

std::string html_report(const ResultFiles& files, std::string_view origin, const std::vector<std::string>& metrics) {
  require_charts();
  Parsed parsed = parse_files(files);
  Page page;
  std::string nav;
  add_sections(page, parsed, nav, metrics);
  return assemble(page, title_of(parsed), nav, origin);
}

std::string html_report_of_folders(const std::vector<ResultFiles>& folders, std::string_view origin) {
  require_charts();
  if (folders.size() == 1) return html_report(folders.front(), origin);
  std::vector<Parsed> parsed;
  for (const ResultFiles& f : folders) parsed.push_back(parse_files(f));
  Page page;
  std::string nav, title;
  // An observed funnel beside a run: the two together first.
  const Parsed* observed = nullptr;
  const Parsed* simulated = nullptr;
  for (const Parsed& p : parsed) {
    if (p.summary && is_observed(*p.summary) && !observed) observed = &p;
    if (p.summary && !is_observed(*p.summary) && !simulated) simulated = &p;
  }
  if (observed && simulated) {
    build_section("summary.json", [&] { beside_section(page, *observed->summary, *simulated->summary); });
    nav += "<a href=\"#beside\">Observed beside simulated</a>";
  }
  for (Parsed& p : parsed) {
    add_sections(page, p, nav, {});
    const std::string t = title_of(p);
    title += (title.empty() ? "" : "; ") + t;
  }
  return assemble(page, title, nav, origin);
}

namespace {

class HtmlReportWriter final : public OutputWriter {
 public:
  std::string file_name() const override { return "report.html"; }
  std::string render(const RunReport& report) const override {
    ResultFiles files;
    for (const auto& writer : run_output_writers()) files.emplace_back(writer->file_name(), writer->render(report));
    return html_report(files);
  }
};

}  // namespace

std::unique_ptr<OutputWriter> html_report_writer() { return std::make_unique<HtmlReportWriter>(); }

void write_report_file(const std::filesystem::path& file, const std::string& html) {
  write_file_atomically(file, html);
}

}  // namespace funnelsim
