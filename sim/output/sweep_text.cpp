#include <algorithm>

#include <fmt/format.h>

#include "output/format.hpp"
#include "funnelsim/output/sweep_output.hpp"

namespace funnelsim {
namespace {

/// The metrics a reader of the sweep wants to see: those the objective and the front read, or
/// else a few headline ones.
std::vector<std::size_t> shown_metrics(const SweepReport& report) {
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
  if (shown.empty())
    for (std::string_view name : {"mqls", "sqls", "mql_to_sql_rate", "cost_per_sql_marketing", "mql_recall"})
      if (const std::size_t m = metric_index(name); m < metric_defs().size()) add(m);
  return shown;
}

std::string mean_with_ci(const SummaryStats& s, std::string_view unit) {
  return fmt::format("{} [{}, {}]", display_value(s.mean, unit), display_value(s.ci95_low, unit),
                     display_value(s.ci95_high, unit));
}

}  // namespace

std::string sweep_text(const SweepReport& report) {
  const auto means = report.funnel_means();
  const auto metrics = shown_metrics(report);
  std::string out = fmt::format("funnelsim {} | sweep | scenario {} | {} point{} x {} replications | seed {}\n\n",
                                FUNNELSIM_VERSION, report.scenario, report.points.size(),
                                report.points.size() == 1 ? "" : "s", report.replications, report.seed);
  if (report.precision)
    out += precision_text(*report.precision, "the widest 95% CI half-width of a point's mean of", "that mean",
                          report.replications) +
           "\n";
  std::vector<std::size_t> widths;
  for (const SweepParameter& p : report.parameters) {
    std::size_t w = p.pointer.size();
    for (const auto& v : p.values) w = std::max(w, value_text(v).size());
    widths.push_back(w);
  }
  std::string header = fmt::format("{:>5}", "point");
  for (std::size_t i = 0; i < report.parameters.size(); ++i)
    header += fmt::format("  {:>{}}", report.parameters[i].pointer, widths[i]);
  for (std::size_t m : metrics) header += fmt::format("  {:>16}", metric_defs()[m].name);
  out += header + "  (means)\n";

  // A plain index, not an optional: GCC 12 at -O3 warns falsely about optional's storage here.
  constexpr std::size_t none = static_cast<std::size_t>(-1);
  const std::size_t best = report.objective ? best_point(*report.objective, means).value_or(none) : none;
  const std::vector<bool> front = report.pareto ? pareto_front(*report.pareto, means) : std::vector<bool>();
  for (std::size_t p = 0; p < report.points.size(); ++p) {
    std::string line = fmt::format("{:>5}", p);
    for (std::size_t i = 0; i < report.parameters.size(); ++i)
      line += fmt::format("  {:>{}}", value_text(report.parameters[i].values[report.points[p][i]]), widths[i]);
    for (std::size_t m : metrics) line += fmt::format("  {:>16}", display_value(means[p][m], metric_defs()[m].unit));
    std::vector<std::string> notes;
    if (best == p) notes.emplace_back("best");
    if (report.objective && !is_feasible(*report.objective, means[p])) notes.emplace_back("infeasible");
    if (report.pareto && front[p]) notes.emplace_back("pareto");
    if (!notes.empty()) line += fmt::format("  {}", fmt::join(notes, ", "));
    out += line + '\n';
  }

  if (report.objective) {
    const Objective& o = *report.objective;
    out += fmt::format("\nobjective: {}\n", objective_text(o));
    if (best != none) {
      const MetricDef& def = metric_defs()[o.metric];
      out += fmt::format("best: point {} ({}): {} {}\n", best, point_text(report.parameters, report.points[best]),
                         def.name, mean_with_ci(report.summaries[best].metric(0, o.metric), def.unit));
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
