#include "output/notes.hpp"

#include <fmt/format.h>

#include <cmath>

namespace funnelsim {
namespace {

/// A label as it reads inside a sentence: "Won deals" -> "won deals", "SQLs" stays "SQLs".
std::string in_sentence(std::string label) {
  if (label.size() >= 2 && label[0] >= 'A' && label[0] <= 'Z' && !(label[1] >= 'A' && label[1] <= 'Z'))
    label[0] = static_cast<char>(label[0] - 'A' + 'a');
  return label;
}

}  // namespace

std::string_view period_word(int horizon_days) {
  if (horizon_days >= 89 && horizon_days <= 92) return "quarters";
  if (horizon_days >= 28 && horizon_days <= 31) return "months";
  if (horizon_days == 365 || horizon_days == 366) return "years";
  if (horizon_days == 7) return "weeks";
  return "replications";
}

std::string share_text(double share) {
  const std::string text = fmt::format("{:.0f}%", 100.0 * share);
  if (share > 0.0 && text == "0%") return "<1%";
  if (share < 1.0 && text == "100%") return ">99%";
  return text;
}

std::string undefined_note(ScopeKind kind, std::size_t metric, std::size_t n_defined, std::size_t replications,
                           int horizon_days) {
  if (n_defined == 0 || n_defined >= replications) return {};
  const auto columns = ratio_columns(kind, metric);
  if (!columns) return fmt::format("defined in {} of {} {}", n_defined, replications, period_word(horizon_days));
  const double share = static_cast<double>(replications - n_defined) / static_cast<double>(replications);
  return fmt::format("no {} in {} of {}", in_sentence(column_label(kind, columns->denominator)), share_text(share),
                     period_word(horizon_days));
}

bool counts_closed_deals(ScopeKind kind, std::size_t metric) {
  if (kind != ScopeKind::funnel) return false;
  const auto m = static_cast<Metric>(metric);
  return m == Metric::won_deals || m == Metric::revenue || m == Metric::cac;
}

std::string horizon_note(double closed_share) {
  if (!(closed_share < kHorizonCaveatBelow)) return {};
  return fmt::format("only {} of opportunities closed in the horizon", share_text(closed_share));
}

std::string horizon_sentence(double closed_share, int horizon_days) {
  if (!(closed_share < kHorizonCaveatBelow)) return {};
  return fmt::format(
      "Only {} of the opportunities created in these {} days closed within them: won deals, revenue and CAC count "
      "only the deals that closed inside the horizon, so most of this pipeline's wins fall after it.",
      share_text(closed_share), horizon_days);
}

}  // namespace funnelsim
