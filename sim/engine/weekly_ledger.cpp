#include "engine/weekly_ledger.hpp"

#include <algorithm>

namespace funnelsim {

void WeeklyLedger::start(ReplicationTable& table, std::size_t slot) {
  table_ = &table;
  slot_ = slot;
  for (std::size_t s = 0; s < model_.sources.size(); ++s)
    for (std::size_t k = 0; k < kSeriesCount; ++k) {
      auto series = weekly(s, static_cast<Series>(k));
      std::fill(series.begin(), series.end(), 0.0);
    }
}

Series WeeklyLedger::initial_state(const LeadOutcome& o) {
  if (o.disqualified) return Series::in_disqualified;
  return o.track >= 0 ? Series::in_nurture : Series::in_active;
}

Series WeeklyLedger::pre_mql_state(const LeadOutcome& o) {
  if (o.track < 0) return Series::in_active;
  return o.mql_day >= o.track_end_day ? Series::in_dormant : Series::in_nurture;
}

Series WeeklyLedger::state_after(const MqlOutcome& o) {
  if (o.recycled) return Series::in_recycle_wait;
  switch (o.resolution) {
    case Resolution::sql:
      return Series::in_sql;
    case Resolution::cold:
      return Series::in_cold;
    case Resolution::open:
      return Series::in_sales_backlog;
    default:
      return Series::in_rejected;
  }
}

void WeeklyLedger::finish_snapshots() {
  for (std::size_t s = 0; s < model_.sources.size(); ++s)
    for (std::size_t k = static_cast<std::size_t>(Series::created_to_date); k < kSeriesCount; ++k) {
      auto series = weekly(s, static_cast<Series>(k));
      for (std::size_t w = 1; w < series.size(); ++w) series[w] += series[w - 1];
    }
}

void WeeklyLedger::sum_sources() {
  for (std::size_t k = 0; k < kSeriesCount; ++k) {
    const auto series = static_cast<Series>(k);
    if (is_weekly_rate(series)) continue;  // the accounts write the whole funnel's rates
    auto all = table_->weekly(slot_, 0, series);
    std::fill(all.begin(), all.end(), 0.0);
    for (std::size_t s = 0; s < model_.sources.size(); ++s) {
      auto part = weekly(s, series);
      for (std::size_t w = 0; w < all.size(); ++w) all[w] += part[w];
    }
  }
}

}  // namespace funnelsim
