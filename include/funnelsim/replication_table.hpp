#pragma once
/// One metrics row per replication and scope, plus weekly series: the only storage that
/// grows with the replication count. Each replication writes only its own slots, so
/// parallel replications need no locks, and readers see them in replication order.
#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include "funnelsim/metrics.hpp"

namespace funnelsim {

class ReplicationTable {
 public:
  /// Scope 0 is the whole funnel ("all"); scope s + 1 is source s.
  ReplicationTable(std::size_t replications, std::vector<std::string> scope_names, std::size_t weeks);

  std::size_t replications() const noexcept { return replications_; }
  std::size_t scopes() const noexcept { return scope_names_.size(); }
  std::size_t weeks() const noexcept { return weeks_; }
  const std::vector<std::string>& scope_names() const noexcept { return scope_names_; }

  std::span<double> row(std::size_t replication, std::size_t scope) noexcept;
  std::span<const double> row(std::size_t replication, std::size_t scope) const noexcept;
  std::span<double> weekly(std::size_t replication, std::size_t scope, Series series) noexcept;
  std::span<const double> weekly(std::size_t replication, std::size_t scope, Series series) const noexcept;

  /// One metric of one scope across replications, in replication order, into `out`.
  void column(std::size_t scope, Metric metric, std::vector<double>& out) const;

 private:
  std::size_t replications_;
  std::vector<std::string> scope_names_;
  std::size_t weeks_;
  std::vector<double> metrics_;  // [replication][scope][metric]
  std::vector<double> weekly_;   // [replication][scope][series][week]
};

}  // namespace funnelsim
