#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>

#include "output/format.hpp"
#include "output/text_table.hpp"
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

std::string effect_text(const HeadlineChange& d, std::string_view unit) {
  if (std::isnan(d.ci95_low)) return signed_value(d.mean, unit);
  return fmt::format("{} [{}, {}]", signed_value(d.mean, unit), signed_value(d.ci95_low, unit),
                     signed_value(d.ci95_high, unit));
}

/// Cells left of the axis cover negative effects, right of it positive ones, scaled to `largest`.
std::string bar(const ParameterEffect& e, double largest) {
  std::string left(kHalfBar, ' '), right(kHalfBar, ' ');
  for (const HeadlineChange* d : {&e.low, &e.high}) {
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
  auto zero = [](const HeadlineChange& d) {
    return d.n_paired > 0 && d.mean == 0.0 && (d.n_paired < 2 || d.paired_variance == 0.0);
  };
  return zero(e.low) && zero(e.high);
}

/// A parameter value for the table: 6 significant digits (the files keep every digit).
std::string table_value(const nlohmann::json& v) {
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
  if (def.is_ratio())
    out += fmt::format("base: {} {} {} (pooled ratio and 95% CI; each effect is the change of the pooled ratio)\n",
                       def.name, display_value(report.base_pooled.value, def.unit),
                       display_interval(report.base_pooled.ci95_low, report.base_pooled.ci95_high, def.unit));
  else
    out += fmt::format("base: {} {} {} (mean and 95% CI)\n", def.name, display_value(report.base.mean, def.unit),
                       display_interval(report.base.ci95_low, report.base.ci95_high, def.unit));
  out += fmt::format(
      "each parameter at x{:g} and x{:g}, one at a time, every run on the base's replications (common random numbers): "
      "{} parameters, {} runs besides the base\n",
      1.0 - report.vary, 1.0 + report.vary, report.effects.size(), 2 * report.effects.size());

  double largest = 0.0;
  for (const ParameterEffect& e : report.effects)
    for (const HeadlineChange* d : {&e.low, &e.high})
      if (!std::isnan(d->mean)) largest = std::max(largest, std::abs(d->mean));
  TextTable table({"rank", "parameter", "pointer", "low / base / high", "lowers | raises", "effect of low [95% CI]",
                   "effect of high [95% CI]"},
                  "rllrlll");
  std::vector<std::string> unmoved;
  for (const ParameterEffect& e : report.effects) {
    const std::string title = e.parameter.title.empty() ? e.parameter.pointer : e.parameter.title;
    if (no_effect(e)) {
      unmoved.push_back(title);
      continue;
    }
    table.add({fmt::format("{}", e.rank), title, e.parameter.pointer,
               fmt::format("{} / {} / {}", table_value(e.parameter.low_value), table_value(e.parameter.base_value),
                           table_value(e.parameter.high_value)),
               bar(e, largest), effect_text(e.low, def.unit), effect_text(e.high, def.unit)});
  }
  if (!table.empty()) out += '\n' + table.render();
  if (!unmoved.empty())
    out += fmt::format("\n{} parameter{} changed {} in no replication (an effect of exactly 0): {}\n", unmoved.size(),
                       unmoved.size() == 1 ? "" : "s", def.name, fmt::join(unmoved, ", "));
  if (!report.skipped.empty()) {
    out += fmt::format("\nskipped {} parameter{}:\n", report.skipped.size(), report.skipped.size() == 1 ? "" : "s");
    for (const SkippedParameter& s : report.skipped)
      out += s.title.empty() ? fmt::format("  {}: {}\n", s.pointer, s.reason)
                             : fmt::format("  {} ({}): {}\n", s.title, s.pointer, s.reason);
  }
  if (report.uncertain) {
    const UncertainSensitivity& u = *report.uncertain;
    const RegressionSensitivity& r = u.regression;
    out += fmt::format(
        "\nuncertain inputs (drawn per replication; {} regressed on them over the base run's {} replications):\n",
        def.name, r.n);
    TextTable inputs({"parameter", "distribution", "SRC", "Spearman"}, "llrr");
    auto show = [](double v) { return std::isnan(v) ? std::string("n/a") : fmt::format("{:+.3f}", v); };
    for (std::size_t k = 0; k < u.parameters.size(); ++k)
      inputs.add({u.parameters[k].pointer, distribution_text(u.parameters[k]), show(r.src[k]), show(r.spearman[k])});
    const std::string rendered = inputs.render();
    for (std::string_view line = rendered; !line.empty();) {  // indented by two
      const std::size_t end_of_line = line.find('\n');
      out += "  " + std::string(line.substr(0, end_of_line + 1));
      line.remove_prefix(end_of_line + 1);
    }
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
