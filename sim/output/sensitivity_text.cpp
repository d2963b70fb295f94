#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>

#include "output/format.hpp"
#include "funnelsim/output/sensitivity_output.hpp"

namespace funnelsim {
namespace {

constexpr int kHalfBar = 15;  // characters on each side of the axis

/// A signed effect in the metric's unit: percentage points for ratios, 2 decimals for money.
std::string signed_value(double v, std::string_view unit) {
  if (std::isnan(v)) return "n/a";
  if (v == 0.0) return "0";
  if (unit_kind(unit) == UnitKind::ratio) return fmt::format("{:+.2f} pp", 100.0 * v);
  return fmt::format("{:+.2f}", v);
}

std::string effect_text(const PairedDifference& d, std::string_view unit) {
  if (std::isnan(d.ci95_low)) return signed_value(d.mean, unit);
  return fmt::format("{} [{}, {}]", signed_value(d.mean, unit), signed_value(d.ci95_low, unit),
                     signed_value(d.ci95_high, unit));
}

/// Cells left of the axis cover negative effects, right of it positive ones, scaled to `largest`.
std::string bar(const ParameterEffect& e, double largest) {
  std::string left(kHalfBar, ' '), right(kHalfBar, ' ');
  for (const PairedDifference* d : {&e.low, &e.high}) {
    if (std::isnan(d->mean) || d->mean == 0.0 || !(largest > 0.0)) continue;
    const int cells = std::max(1, static_cast<int>(std::lround(kHalfBar * std::abs(d->mean) / largest)));
    for (int i = 0; i < cells; ++i) {
      if (d->mean < 0.0)
        left[static_cast<std::size_t>(kHalfBar - 1 - i)] = '#';
      else
        right[static_cast<std::size_t>(i)] = '#';
    }
  }
  return left + "|" + right;
}

bool no_effect(const ParameterEffect& e) {
  auto zero = [](const PairedDifference& d) {
    return d.n_paired > 0 && d.mean == 0.0 && (d.n_paired < 2 || d.paired_variance == 0.0);
  };
  return zero(e.low) && zero(e.high);
}

/// A parameter value for the table: 6 significant digits (the files keep every digit).
std::string value_text(const nlohmann::json& v) {
  return v.is_number() ? fmt::format("{:.6g}", v.get<double>()) : v.dump();
}

}  // namespace

std::string sensitivity_text(const SensitivityReport& report) {
  const MetricDef& def = metric_defs()[report.metric];
  std::string out = fmt::format(
      "funnelsim {} | sensitivity | scenario {} | {}{} | vary {:g}% | {} replications | seed {}\n\n", FUNNELSIM_VERSION,
      report.scenario, def.name,
      def.better == Better::neither ? std::string() : fmt::format(" ({} is better)", better_name(def.better)),
      100.0 * report.vary, report.replications, report.seed);
  out += fmt::format("base: {} {} [{}, {}] (mean and 95% CI)\n", def.name, display_value(report.base.mean, def.unit),
                     display_value(report.base.ci95_low, def.unit), display_value(report.base.ci95_high, def.unit));
  out += fmt::format(
      "each parameter at x{:g} and x{:g}, one at a time, every run on the base's replications (common random numbers): "
      "{} parameters, {} runs besides the base\n",
      1.0 - report.vary, 1.0 + report.vary, report.effects.size(), 2 * report.effects.size());

  double largest = 0.0;
  for (const ParameterEffect& e : report.effects)
    for (const PairedDifference* d : {&e.low, &e.high})
      if (!std::isnan(d->mean)) largest = std::max(largest, std::abs(d->mean));
  std::size_t pointer_width = 9, values_width = 16;
  std::vector<std::string> values;
  for (const ParameterEffect& e : report.effects) {
    pointer_width = std::max(pointer_width, e.parameter.pointer.size());
    values.push_back(fmt::format("{} / {} / {}", value_text(e.parameter.low_value), value_text(e.parameter.base_value),
                                 value_text(e.parameter.high_value)));
    values_width = std::max(values_width, values.back().size());
  }
  std::vector<std::string> unmoved;
  std::string rows;
  for (std::size_t i = 0; i < report.effects.size(); ++i) {
    const ParameterEffect& e = report.effects[i];
    if (no_effect(e)) {
      unmoved.push_back(e.parameter.pointer);
      continue;
    }
    rows +=
        fmt::format("{:>4}  {:<{}}  {:>{}}  {}  {:<34}  {}\n", e.rank, e.parameter.pointer, pointer_width, values[i],
                    values_width, bar(e, largest), effect_text(e.low, def.unit), effect_text(e.high, def.unit));
  }
  if (!rows.empty()) {
    out += fmt::format("\n{:>4}  {:<{}}  {:>{}}  {:^{}}  {:<34}  {}\n", "rank", "parameter", pointer_width,
                       "low / base / high", values_width, "lowers | raises", 2 * kHalfBar + 1, "effect of low [95% CI]",
                       "effect of high [95% CI]");
    out += rows;
  }
  if (!unmoved.empty())
    out += fmt::format("\n{} parameter{} changed {} in no replication (an effect of exactly 0): {}\n", unmoved.size(),
                       unmoved.size() == 1 ? "" : "s", def.name, fmt::join(unmoved, ", "));
  if (!report.skipped.empty()) {
    out += fmt::format("\nskipped {} parameter{}:\n", report.skipped.size(), report.skipped.size() == 1 ? "" : "s");
    for (const SkippedParameter& s : report.skipped) out += fmt::format("  {}: {}\n", s.pointer, s.reason);
  }
  if (report.uncertain) {
    const UncertainSensitivity& u = *report.uncertain;
    const RegressionSensitivity& r = u.regression;
    out += fmt::format(
        "\nuncertain inputs (drawn per replication; {} regressed on them over the base run's {} replications):\n",
        def.name, r.n);
    std::size_t width = 9, dist_width = 12;
    for (const UncertainParameter& p : u.parameters) {
      width = std::max(width, p.pointer.size());
      dist_width = std::max(dist_width, distribution_text(p).size());
    }
    out += fmt::format("  {:<{}}  {:<{}}  {:>8}  {:>8}\n", "parameter", width, "distribution", dist_width, "SRC",
                       "Spearman");
    auto show = [](double v) { return std::isnan(v) ? std::string("n/a") : fmt::format("{:+.3f}", v); };
    for (std::size_t k = 0; k < u.parameters.size(); ++k)
      out += fmt::format("  {:<{}}  {:<{}}  {:>8}  {:>8}\n", u.parameters[k].pointer, width,
                         distribution_text(u.parameters[k]), dist_width, show(r.src[k]), show(r.spearman[k]));
    if (std::isnan(r.r_squared))
      out += "  R^2 n/a (no spread in the metric, or too few replications for the regression)\n";
    else
      out += fmt::format(
          "  R^2 {:.3f}: {:.1f}% of the spread of {} across replications comes from not knowing these inputs, "
          "{:.1f}% from the quarter's own randomness\n",
          r.r_squared, 100.0 * r.r_squared, def.name, 100.0 * (1.0 - r.r_squared));
  }
  return out;
}

}  // namespace funnelsim
