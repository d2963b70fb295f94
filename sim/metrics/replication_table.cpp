#include "funnelsim/metrics/replication_table.hpp"

#include <cassert>
#include <stdexcept>
#include <utility>

namespace funnelsim {

ReplicationTable::ReplicationTable(std::size_t replications, std::vector<Scope> scopes, std::size_t weeks)
    : replications_(replications), scopes_(std::move(scopes)), weeks_(weeks) {
  for (const Scope& s : scopes_) {
    if (s.kind == ScopeKind::funnel) {
      if (funnel_scopes_ != offsets_.size()) throw std::invalid_argument("funnel scopes must come first");
      ++funnel_scopes_;
    }
    offsets_.push_back(record_size_);
    record_size_ += record_size(s.kind);
  }
  metrics_.assign(replications_ * record_size_, 0.0);
  weekly_.assign(replications_ * funnel_scopes_ * kSeriesCount * weeks_, 0.0);
}

std::span<double> ReplicationTable::row(std::size_t replication, std::size_t scope) noexcept {
  return {metrics_.data() + replication * record_size_ + offsets_[scope], metric_defs(scopes_[scope].kind).size()};
}

std::span<const double> ReplicationTable::row(std::size_t replication, std::size_t scope) const noexcept {
  return {metrics_.data() + replication * record_size_ + offsets_[scope], metric_defs(scopes_[scope].kind).size()};
}

std::span<double> ReplicationTable::components(std::size_t replication, std::size_t scope) noexcept {
  const ScopeKind kind = scopes_[scope].kind;
  return {metrics_.data() + replication * record_size_ + offsets_[scope] + metric_defs(kind).size(),
          component_defs(kind).size()};
}

std::span<const double> ReplicationTable::components(std::size_t replication, std::size_t scope) const noexcept {
  const ScopeKind kind = scopes_[scope].kind;
  return {metrics_.data() + replication * record_size_ + offsets_[scope] + metric_defs(kind).size(),
          component_defs(kind).size()};
}

std::span<double> ReplicationTable::weekly(std::size_t replication, std::size_t scope, Series series) noexcept {
  assert(scope < funnel_scopes_);  // only funnel scopes have weekly series
  const std::size_t offset =
      ((replication * funnel_scopes_ + scope) * kSeriesCount + static_cast<std::size_t>(series)) * weeks_;
  return {weekly_.data() + offset, weeks_};
}

std::span<const double> ReplicationTable::weekly(std::size_t replication, std::size_t scope,
                                                 Series series) const noexcept {
  assert(scope < funnel_scopes_);
  const std::size_t offset =
      ((replication * funnel_scopes_ + scope) * kSeriesCount + static_cast<std::size_t>(series)) * weeks_;
  return {weekly_.data() + offset, weeks_};
}

void ReplicationTable::append(const ReplicationTable& next) {
  if (scopes_ != next.scopes_ || weeks_ != next.weeks_)
    throw std::invalid_argument("ReplicationTable::append: the tables have different scopes or weeks");
  metrics_.insert(metrics_.end(), next.metrics_.begin(), next.metrics_.end());
  weekly_.insert(weekly_.end(), next.weekly_.begin(), next.weekly_.end());
  replications_ += next.replications_;
}

void ReplicationTable::column(std::size_t scope, std::size_t metric, std::vector<double>& out) const {
  out.resize(replications_);
  for (std::size_t r = 0; r < replications_; ++r) out[r] = row(r, scope)[metric];
}

void ReplicationTable::column(std::size_t scope, RecordColumn c, std::vector<double>& out) const {
  if (!c.component) return column(scope, c.index, out);
  out.resize(replications_);
  for (std::size_t r = 0; r < replications_; ++r) out[r] = components(r, scope)[c.index];
}

}  // namespace funnelsim
