#include <algorithm>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "output/format.hpp"
#include "output/text_table.hpp"
#include "funnelsim/output/sweep_output.hpp"

namespace funnelsim {
namespace {

/// The metrics a reader of the sweep wants to see: those the objective and the front read, then
/// the chosen ones, or else a few headline ones.
std::vector<std::size_t> shown_metrics(const SweepReport& report, std::span<const std::string> chosen) {
  std::vector<std::size_t> shown;
  auto add = [&](std::size_t m) {
    if (std::find(shown.begin(), shown.end(), m) == shown.end()) shown.push_back(m);
  };
  if (report.objective) {
    add(report.objective->metric);
    for (const Constraint& c : report.objective->constraints) add(c.metric);
  }
  if (report.pareto) {
    add(report.pareto->x);
    add(report.pareto->y);
  }
  static constexpr std::string_view kDefault[] = {"mqls", "sqls", "mql_to_sql_rate", "cost_per_sql_marketing",
                                                  "mql_recall"};
  if (!chosen.empty() || shown.empty())
    for (std::size_t m : chosen_metrics(chosen, ScopeKind::funnel, kDefault)) add(m);
  return shown;
}

std::string value_with_ci(const HeadlineFigure& h, std::string_view unit) {
  return fmt::format("{} {}{}", display_value(h.value, unit), display_interval(h.ci95_low, h.ci95_high, unit),
                     h.pooled ? " (pooled)" : "");
}

}  // namespace

std::string sweep_text(const SweepReport& report, std::span<const std::string> chosen) {
  const auto values = report.funnel_values();
  const auto metrics = shown_metrics(report, chosen);
  std::string out = fmt::format("funnelsim {} | sweep | scenario {} | {} point{} x {} replications | seed {}\n\n",
                                FUNNELSIM_VERSION, report.scenario, report.points.size(),
                                report.points.size() == 1 ? "" : "s", report.replications, report.seed);
  if (report.precision)
    out += precision_text(*report.precision, "the widest 95% CI half-width of a point's figure of", "that figure",
                          report.replications) +
           "\n";
  std::vector<std::string> header{"point"};
  std::string align = "r";
  for (const SweepParameter& p : report.parameters) {
    header.push_back(p.title.empty() ? p.pointer : p.title);
    align += 'r';
  }
  for (std::size_t m : metrics) {
    header.push_back(std::string(metric_defs()[m].name));
    align += 'r';
  }
  header.emplace_back("");
  align += 'l';
  TextTable table(header, align);

  // A plain index, not an optional: GCC 12 at -O3 warns falsely about optional's storage here.
  constexpr std::size_t none = static_cast<std::size_t>(-1);
  const std::size_t best = report.objective ? best_point(*report.objective, values).value_or(none) : none;
  const std::vector<bool> front = report.pareto ? pareto_front(*report.pareto, values) : std::vector<bool>();
  for (std::size_t p = 0; p < report.points.size(); ++p) {
    std::vector<std::string> row{fmt::format("{}", p)};
    for (std::size_t i = 0; i < report.parameters.size(); ++i)
      row.push_back(value_text(report.parameters[i].values[report.points[p][i]]));
    for (std::size_t m : metrics) row.push_back(display_value(values[p][m], metric_defs()[m].unit));
    std::vector<std::string> notes;
    if (best == p) notes.emplace_back("best");
    if (report.objective && !is_feasible(*report.objective, values[p])) notes.emplace_back("infeasible");
    if (report.pareto && front[p]) notes.emplace_back("pareto");
    row.push_back(fmt::format("{}", fmt::join(notes, ", ")));
    table.add(std::move(row));
  }
  out += table.render();
  std::vector<std::string> parameter_lines;
  for (const SweepParameter& p : report.parameters)
    if (!p.title.empty()) parameter_lines.push_back(fmt::format("{}: {}", p.title, p.pointer));
  if (!parameter_lines.empty()) out += fmt::format("({})\n", fmt::join(parameter_lines, "; "));
  out +=
      "(each metric's headline figure: a ratio's pooled ratio, total over total across replications; else the mean)\n";

  if (report.objective) {
    const Objective& o = *report.objective;
    out += fmt::format("\nobjective: {}\n", objective_text(o));
    if (best != none) {
      const MetricDef& def = metric_defs()[o.metric];
      out += fmt::format("best: point {} ({}): {} {}\n", best, point_text(report.parameters, report.points[best]),
                         def.name, value_with_ci(report.summaries[best].headline(0, o.metric), def.unit));
    } else {
      out += "best: none, no point meets every constraint (or has a defined objective)\n";
    }
  }
  if (report.pareto) {
    std::vector<std::string> on_front;
    for (std::size_t p = 0; p < front.size(); ++p)
      if (front[p]) on_front.push_back(fmt::format("{}", p));
    const MetricDef &x = metric_defs()[report.pareto->x], &y = metric_defs()[report.pareto->y];
    out += fmt::format("\nPareto front ({} {} is better, {} {} is better): point{} {}\n", x.name, better_name(x.better),
                       y.name, better_name(y.better), on_front.size() == 1 ? "" : "s",
                       on_front.empty() ? "none" : fmt::format("{}", fmt::join(on_front, ", ")));
  }
  out += "\nEvery point ran the same seed and replications (common random numbers).\n";
  return out;
}

}  // namespace funnelsim
