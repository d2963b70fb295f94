#include "funnelsim/metrics/replication_table.hpp"

#include <array>
#include <bit>
#include <cassert>
#include <cmath>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string_view>
#include <utility>

#include "core/sha256.hpp"

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

std::span<double> ReplicationTable::weekly_scope(std::size_t replication, std::size_t scope) noexcept {
  assert(scope < funnel_scopes_);
  return {weekly_.data() + (replication * funnel_scopes_ + scope) * kSeriesCount * weeks_, kSeriesCount * weeks_};
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

namespace {

/// Feeds a hash through a small buffer, numbers in one byte order whatever the machine's.
class HashWriter {
 public:
  explicit HashWriter(Sha256& hash) : hash_(hash) {}
  ~HashWriter() { flush(); }
  HashWriter(const HashWriter&) = delete;
  HashWriter& operator=(const HashWriter&) = delete;

  void word(std::uint64_t value) {
    if (size_ + 8 > buffer_.size()) flush();
    for (int i = 0; i < 8; ++i) buffer_[size_++] = static_cast<char>(value >> (8 * i));
  }
  void number(double value) {
    word(std::isnan(value) ? std::bit_cast<std::uint64_t>(std::numeric_limits<double>::quiet_NaN())
                           : std::bit_cast<std::uint64_t>(value));
  }
  void text(std::string_view value) {
    word(value.size());
    flush();
    hash_.update(value);
  }
  void flush() {
    hash_.update(std::string_view(buffer_.data(), size_));
    size_ = 0;
  }

 private:
  Sha256& hash_;
  std::array<char, 4096> buffer_{};
  std::size_t size_ = 0;
};

}  // namespace

std::string ReplicationTable::checksum() const {
  Sha256 hash;
  {
    HashWriter out(hash);
    out.word(replications_);
    out.word(scopes_.size());
    out.word(weeks_);
    for (const Scope& s : scopes_) {
      out.text(s.name);
      out.word(static_cast<std::uint64_t>(s.kind));
    }
    for (const double value : metrics_) out.number(value);
    for (const double value : weekly_) out.number(value);
  }
  return hash.hex();
}

}  // namespace funnelsim
