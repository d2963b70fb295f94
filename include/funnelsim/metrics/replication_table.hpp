#pragma once
/// One record per replication and scope (its metrics row, then the components of its ratio
/// metrics, see component_defs), plus weekly series for funnel scopes: the only storage that
/// grows with the replication count. Each replication writes only its own slots, so parallel
/// replications need no locks, and readers see them in replication order.
#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include "funnelsim/metrics/metrics.hpp"

namespace funnelsim {

/// A scope: the whole funnel ("all"), a source, a sales team, or one rep ("<team>.<n>").
struct Scope {
  std::string name;
  ScopeKind kind = ScopeKind::funnel;
  bool operator==(const Scope&) const = default;
};

class ReplicationTable {
 public:
  /// Funnel scopes must come first (scope 0 is the whole funnel); weekly series exist for them only.
  ReplicationTable(std::size_t replications, std::vector<Scope> scopes, std::size_t weeks);

  std::size_t replications() const noexcept { return replications_; }
  std::size_t scopes() const noexcept { return scopes_.size(); }
  std::size_t weeks() const noexcept { return weeks_; }
  const Scope& scope(std::size_t s) const noexcept { return scopes_[s]; }
  const std::vector<Scope>& scope_list() const noexcept { return scopes_; }
  std::size_t funnel_scopes() const noexcept { return funnel_scopes_; }

  /// A scope's metrics in one replication (metric_defs order).
  std::span<double> row(std::size_t replication, std::size_t scope) noexcept;
  std::span<const double> row(std::size_t replication, std::size_t scope) const noexcept;
  /// A scope's components in one replication (component_defs order).
  std::span<double> components(std::size_t replication, std::size_t scope) noexcept;
  std::span<const double> components(std::size_t replication, std::size_t scope) const noexcept;
  std::span<double> weekly(std::size_t replication, std::size_t scope, Series series) noexcept;
  std::span<const double> weekly(std::size_t replication, std::size_t scope, Series series) const noexcept;
  /// Every weekly series of one funnel scope in one replication, series after series.
  std::span<double> weekly_scope(std::size_t replication, std::size_t scope) noexcept;

  /// Adds the replications of `next` after these (a later batch of the same run). Throws
  /// std::invalid_argument when its scopes or weeks differ.
  void append(const ReplicationTable& next);

  /// One metric (index into the scope's metric set) across replications, in replication order.
  void column(std::size_t scope, std::size_t metric, std::vector<double>& out) const;
  void column(std::size_t scope, Metric metric, std::vector<double>& out) const {
    column(scope, static_cast<std::size_t>(metric), out);
  }
  /// A metric or component of a scope across replications, in replication order.
  void column(std::size_t scope, RecordColumn column, std::vector<double>& out) const;

  /// SHA-256 of the whole table (its scopes, every record and weekly series, doubles as their
  /// little-endian IEEE-754 bits, every NaN as one): equal checksums mean the same results, so
  /// `bench` can show it measured the very work a plain `run` prints. 64 hex digits.
  std::string checksum() const;

 private:
  std::size_t replications_;
  std::vector<Scope> scopes_;
  std::size_t weeks_;
  std::size_t funnel_scopes_ = 0;
  std::vector<std::size_t> offsets_;  // start of each scope's metrics, then components, within a replication
  std::size_t record_size_ = 0;
  std::vector<double> metrics_;  // [replication][scope][metrics, components]
  std::vector<double> weekly_;   // [replication][funnel scope][series][week]
};

}  // namespace funnelsim
