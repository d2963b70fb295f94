#pragma once
/// One replication's weekly series in its table slot: the steps of each week (leads, MQLs,
/// SQLs) and the lifecycle ledger, every lead's state at each week's end. (The week's rates,
/// response time and SLA attainment, come from the accounts.)
///
/// A transition at day t changes every snapshot taken at or after t (week ends W + 7(w+1), the
/// last one at the horizon's end), so the snapshot series hold deltas until finish() sums them.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <optional>
#include <span>

#include "engine/lead_process.hpp"
#include "engine/sales_process.hpp"
#include "engine/window.hpp"
#include "funnelsim/metrics/replication_table.hpp"
#include "funnelsim/model/model.hpp"

namespace funnelsim {

class WeeklyLedger {
 public:
  explicit WeeklyLedger(const CompiledModel& model) : model_(model) {}

  /// Writes to `slot` of `table` from now on; zeroes the sources' series.
  void start(ReplicationTable& table, std::size_t slot);

  /// A step (Series::leads, mqls or sqls) at `day`.
  void count_step(std::size_t source, Series step, double day);
  /// A lead enters the ledger in `state` (and `created`).
  void create(std::size_t source, Series state, double day);
  void move(std::size_t source, Series from, Series to, double day);

  /// A journey's state at its start.
  static Series initial_state(const LeadOutcome& o);
  /// A journey's state just before its MQL.
  static Series pre_mql_state(const LeadOutcome& o);
  /// An MQL's state once sales resolved it.
  static Series state_after(const MqlOutcome& o);

  /// Turns the snapshot deltas into end-of-week counts.
  void finish_snapshots();
  /// A snapshot series' count at the horizon's end (after finish_snapshots).
  double at_end(std::size_t source, Series state) { return weekly(source, state).back(); }
  /// The whole funnel's series: the sum of the sources'.
  void sum_sources();

 private:
  std::span<double> weekly(std::size_t source, Series series) { return table_->weekly(slot_, source + 1, series); }
  std::optional<std::size_t> first_snapshot_after(double day) const noexcept;

  const CompiledModel& model_;
  ReplicationTable* table_ = nullptr;
  std::size_t slot_ = 0;
};

// Small and called for every lead: inline.

inline void WeeklyLedger::count_step(std::size_t source, Series step, double day) {
  weekly(source, step)[week_of(model_, day)] += 1;
}

inline std::optional<std::size_t> WeeklyLedger::first_snapshot_after(double day) const noexcept {
  if (!(day < model_.end_day)) return std::nullopt;
  const double d = day - model_.window_start;
  const auto week = d <= 0.0 ? std::size_t{0} : static_cast<std::size_t>(std::max(0.0, std::ceil(d / 7.0) - 1.0));
  return std::min(week, static_cast<std::size_t>(model_.weeks - 1));
}

inline void WeeklyLedger::create(std::size_t source, Series state, double day) {
  if (auto w = first_snapshot_after(day)) {
    weekly(source, Series::created_to_date)[*w] += 1;
    weekly(source, state)[*w] += 1;
  }
}

inline void WeeklyLedger::move(std::size_t source, Series from, Series to, double day) {
  if (auto w = first_snapshot_after(day)) {
    weekly(source, from)[*w] -= 1;
    weekly(source, to)[*w] += 1;
  }
}

}  // namespace funnelsim
