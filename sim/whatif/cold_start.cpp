#include "funnelsim/whatif/cold_start.hpp"

#include <cmath>
#include <vector>

#include "funnelsim/core/statistics.hpp"

namespace funnelsim {

std::optional<ColdStart> compare_first_weeks(const ReplicationTable& table, const CompiledModel& model) {
  const std::size_t whole_weeks = static_cast<std::size_t>(model.horizon_days / 7), n = table.replications();
  if (whole_weeks < 6 || n < 2) return std::nullopt;
  ColdStart out;
  out.last_first = whole_weeks - whole_weeks / 3 + 1;
  out.last_last = whole_weeks;
  // Expected leads of weeks [from, to) (0-based), from the compiled daily rates.
  auto expected_leads = [&](std::size_t from, std::size_t to) {
    double leads = 0.0;
    for (const CompiledSource& s : model.sources)
      for (std::size_t d = 7 * from; d < 7 * to; ++d) leads += s.daily_rate[model.window_start + d];
    return leads;
  };
  const double first_leads = expected_leads(0, 2), last_leads = expected_leads(out.last_first - 1, whole_weeks);
  if (!(first_leads > 0.0) || !(last_leads > 0.0)) return std::nullopt;
  std::vector<double> a(n), b(n);
  for (std::size_t r = 0; r < n; ++r) {
    const auto mqls = table.weekly(r, 0, Series::mqls);
    double first = 0.0, last = 0.0;
    for (std::size_t w = 0; w < 2; ++w) first += mqls[w];
    for (std::size_t w = out.last_first - 1; w < whole_weeks; ++w) last += mqls[w];
    a[r] = first / first_leads;
    b[r] = last / last_leads;
  }
  const SummaryStats sa = summarize(a), sb = summarize(b);
  if (!(sb.mean > 0.0)) return std::nullopt;
  out.ratio = sa.mean / sb.mean;
  // Delta method: se(ratio) = sd(a - R b) / (mean(b) sqrt(n)); one-sided 99.9%: z = 3.09.
  std::vector<double> d(n);
  for (std::size_t r = 0; r < n; ++r) d[r] = a[r] - out.ratio * b[r];
  const double se = summarize(d).sd / (sb.mean * std::sqrt(static_cast<double>(n)));
  out.ratio_upper = out.ratio + 3.09 * se;
  return out;
}

}  // namespace funnelsim
