#include "funnelsim/replication_table.hpp"

namespace funnelsim {

ReplicationTable::ReplicationTable(std::size_t replications, std::vector<std::string> scope_names, std::size_t weeks)
    : replications_(replications),
      scope_names_(std::move(scope_names)),
      weeks_(weeks),
      metrics_(replications * scope_names_.size() * kMetricCount, 0.0),
      weekly_(replications * scope_names_.size() * kSeriesCount * weeks, 0.0) {}

std::span<double> ReplicationTable::row(std::size_t replication, std::size_t scope) noexcept {
  return {metrics_.data() + (replication * scopes() + scope) * kMetricCount, kMetricCount};
}

std::span<const double> ReplicationTable::row(std::size_t replication, std::size_t scope) const noexcept {
  return {metrics_.data() + (replication * scopes() + scope) * kMetricCount, kMetricCount};
}

std::span<double> ReplicationTable::weekly(std::size_t replication, std::size_t scope, Series series) noexcept {
  const std::size_t offset = ((replication * scopes() + scope) * kSeriesCount + static_cast<std::size_t>(series)) * weeks_;
  return {weekly_.data() + offset, weeks_};
}

std::span<const double> ReplicationTable::weekly(std::size_t replication, std::size_t scope,
                                                 Series series) const noexcept {
  const std::size_t offset = ((replication * scopes() + scope) * kSeriesCount + static_cast<std::size_t>(series)) * weeks_;
  return {weekly_.data() + offset, weeks_};
}

void ReplicationTable::column(std::size_t scope, Metric metric, std::vector<double>& out) const {
  out.resize(replications_);
  for (std::size_t r = 0; r < replications_; ++r) out[r] = row(r, scope)[static_cast<std::size_t>(metric)];
}

}  // namespace funnelsim
