#include "funnelsim/whatif/objective.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>

#include "core/trim.hpp"
#include "scenario/json_schema.hpp"

namespace funnelsim {
namespace {

constexpr std::string_view kGrammar = "minimize|maximize METRIC [subject to METRIC (>=|<=|>|<) NUMBER [and ...]]";

struct OpName {
  std::string_view text;
  Constraint::Op op;
};
constexpr OpName kOps[] = {{">=", Constraint::Op::at_least},
                           {"<=", Constraint::Op::at_most},
                           {">", Constraint::Op::above},
                           {"<", Constraint::Op::below}};

[[noreturn]] void malformed(std::string_view expected, std::string_view found) {
  throw UsageError(fmt::format("expected {}, found {}", expected, found));
}

/// A whole-funnel metric by name, or a UsageError with a "did you mean".
std::size_t funnel_metric(std::string_view name) {
  const std::size_t index = metric_index(name);
  if (index < metric_defs().size()) return index;
  std::vector<std::string> names;
  for (const MetricDef& d : metric_defs()) names.emplace_back(d.name);
  std::string expected = "a whole-funnel metric name such as cost_per_sql_marketing";
  if (name == "cost_per_sql")  // renamed: say which two it became rather than the nearest spelling
    expected += " (cost_per_sql is now cost_per_sql_marketing or cost_per_sql_loaded)";
  else if (const std::string guess = closest_match(name, names); !guess.empty())
    expected += fmt::format(" (did you mean \"{}\"?)", guess);
  malformed(expected, fmt::format("\"{}\"", name));
}

/// Words, with comparison operators split off as words of their own.
std::vector<std::string> tokens(std::string_view text) {
  std::vector<std::string> out;
  std::string word;
  auto flush = [&] {
    if (!word.empty()) out.push_back(std::move(word));
    word.clear();
  };
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == ' ' || c == '\t') {
      flush();
    } else if (c == '<' || c == '>') {
      flush();
      const bool with_equals = i + 1 < text.size() && text[i + 1] == '=';
      out.push_back(std::string(1, c) + (with_equals ? "=" : ""));
      i += with_equals;
    } else {
      word += c;
    }
  }
  flush();
  return out;
}

std::string quoted_rest(const std::vector<std::string>& words, std::size_t from) {
  if (from >= words.size()) return "nothing";
  std::string text;
  for (std::size_t i = from; i < words.size(); ++i) text += (i > from ? " " : "") + words[i];
  return fmt::format("\"{}\"", text);
}

}  // namespace

std::size_t parse_funnel_metric(std::string_view name) { return funnel_metric(name); }

std::vector<std::string> parse_metric_list(std::string_view text) {
  std::vector<std::string> known;
  for (ScopeKind kind : {ScopeKind::funnel, ScopeKind::team, ScopeKind::rep})
    for (const MetricDef& d : metric_defs(kind))
      if (std::find(known.begin(), known.end(), d.name) == known.end()) known.emplace_back(d.name);
  std::vector<std::string> names;
  std::size_t start = 0;
  for (;;) {
    const std::size_t comma = text.find(',', start);
    const std::string name(trim_blanks(text.substr(start, comma == std::string_view::npos ? comma : comma - start)));
    std::string expected = "metric names separated by commas, such as mqls,sqls,cost_per_sql_marketing";
    if (name.empty()) malformed(expected, fmt::format("an empty name in \"{}\"", text));
    if (!find_metric(name)) {
      if (const std::string guess = closest_match(name, known); !guess.empty())
        expected += fmt::format(" (did you mean \"{}\"?)", guess);
      malformed(expected, fmt::format("\"{}\"", name));
    }
    if (std::find(names.begin(), names.end(), name) != names.end())
      throw UsageError(name, "expected each metric once, found it twice");
    names.push_back(name);
    if (comma == std::string_view::npos) return names;
    start = comma + 1;
  }
}

bool Constraint::holds(double mean) const noexcept {
  switch (op) {
    case Op::at_least:
      return mean >= bound;
    case Op::at_most:
      return mean <= bound;
    case Op::above:
      return mean > bound;
    case Op::below:
      return mean < bound;
  }
  return false;
}

Objective parse_objective(std::string_view text) {
  const std::vector<std::string> w = tokens(text);
  Objective o;
  if (w.empty() || (w[0] != "minimize" && w[0] != "maximize"))
    malformed(fmt::format("\"{}\" starting with minimize or maximize", kGrammar), quoted_rest(w, 0));
  o.maximize = w[0] == "maximize";
  if (w.size() < 2) malformed(fmt::format("a metric after {}", w[0]), "nothing");
  o.metric = funnel_metric(w[1]);
  std::size_t i = 2;
  if (i == w.size()) return o;
  if (w[i] != "subject" || i + 1 >= w.size() || w[i + 1] != "to")
    malformed("\"subject to\" and constraints after the metric", quoted_rest(w, i));
  i += 2;
  while (true) {
    if (i + 3 > w.size()) malformed("a constraint METRIC (>=|<=|>|<) NUMBER", quoted_rest(w, i));
    Constraint c;
    c.metric = funnel_metric(w[i]);
    const OpName* op = nullptr;
    for (const OpName& candidate : kOps)
      if (w[i + 1] == candidate.text) op = &candidate;
    if (!op) malformed(fmt::format("a comparison (>=, <=, > or <) after {}", w[i]), fmt::format("\"{}\"", w[i + 1]));
    c.op = op->op;
    const std::string& number = w[i + 2];
    auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), c.bound);
    if (ec != std::errc{} || end != number.data() + number.size() || !std::isfinite(c.bound))
      malformed(fmt::format("a number after {} {}", w[i], w[i + 1]), fmt::format("\"{}\"", number));
    o.constraints.push_back(c);
    i += 3;
    if (i == w.size()) return o;
    if (w[i] != "and") malformed("\"and\" between constraints", quoted_rest(w, i));
    ++i;
  }
}

std::string constraint_text(const Constraint& c) {
  std::string_view op;
  for (const OpName& candidate : kOps)
    if (candidate.op == c.op) op = candidate.text;
  return fmt::format("{} {} {}", metric_defs()[c.metric].name, op, c.bound);
}

std::string objective_text(const Objective& o) {
  std::string text = fmt::format("{} {}", o.maximize ? "maximize" : "minimize", metric_defs()[o.metric].name);
  for (std::size_t i = 0; i < o.constraints.size(); ++i)
    text += (i ? " and " : " subject to ") + constraint_text(o.constraints[i]);
  return text;
}

bool is_feasible(const Objective& objective, const std::vector<double>& means) {
  if (std::isnan(means[objective.metric])) return false;
  for (const Constraint& c : objective.constraints)
    if (!c.holds(means[c.metric])) return false;  // NaN holds nothing
  return true;
}

std::optional<std::size_t> best_point(const Objective& objective, const std::vector<std::vector<double>>& means) {
  std::optional<std::size_t> best;
  for (std::size_t p = 0; p < means.size(); ++p) {
    if (!is_feasible(objective, means[p])) continue;
    const double v = means[p][objective.metric], incumbent = best ? means[*best][objective.metric] : 0.0;
    if (!best || (objective.maximize ? v > incumbent : v < incumbent)) best = p;
  }
  return best;
}

ParetoAxes parse_pareto(std::string_view text) {
  const auto comma = text.find(',');
  if (comma == std::string_view::npos || text.find(',', comma + 1) != std::string_view::npos)
    malformed("two metrics METRIC_X,METRIC_Y", fmt::format("\"{}\"", text));
  ParetoAxes axes{funnel_metric(text.substr(0, comma)), funnel_metric(text.substr(comma + 1))};
  for (std::size_t m : {axes.x, axes.y})
    if (metric_defs()[m].better == Better::neither)
      malformed("metrics with a better direction (higher or lower is better)",
                fmt::format("{}, whose better direction is neither", metric_defs()[m].name));
  return axes;
}

std::vector<bool> pareto_front(const ParetoAxes& axes, const std::vector<std::vector<double>>& means) {
  // Oriented so that larger is better on both axes.
  auto oriented = [&](std::size_t p, std::size_t m) {
    return metric_defs()[m].better == Better::higher ? means[p][m] : -means[p][m];
  };
  std::vector<bool> front(means.size(), false);
  for (std::size_t p = 0; p < means.size(); ++p) {
    const double px = oriented(p, axes.x), py = oriented(p, axes.y);
    if (std::isnan(px) || std::isnan(py)) continue;
    bool dominated = false;
    for (std::size_t q = 0; q < means.size() && !dominated; ++q) {
      const double qx = oriented(q, axes.x), qy = oriented(q, axes.y);
      dominated = qx >= px && qy >= py && (qx > px || qy > py);  // false when q has a NaN
    }
    front[p] = !dominated;
  }
  return front;
}

}  // namespace funnelsim
