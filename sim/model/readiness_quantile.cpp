#include "funnelsim/model/readiness_quantile.hpp"

#include <algorithm>
#include <array>
#include <cstring>
#include <mutex>
#include <stdexcept>

#include <boost/math/distributions/beta.hpp>

namespace funnelsim {
namespace {

std::shared_ptr<const std::vector<double>> build_table(double alpha, double beta) {
  // Double precision is ample for a 4096-point table; Boost's default long-double promotion
  // made compiling a model cost a quarter of a second.
  using DoublePolicy = boost::math::policies::policy<boost::math::policies::promote_double<false>>;
  const boost::math::beta_distribution<double, DoublePolicy> dist(alpha, beta);
  const boost::math::beta_distribution<double> precise(alpha, beta);
  auto table = std::make_shared<std::vector<double>>(ReadinessQuantile::kIntervals + 1);
  std::vector<double>& t = *table;
  t.front() = 0.0;
  t.back() = 1.0;
  for (int i = 1; i < ReadinessQuantile::kIntervals; ++i) {
    const double u = static_cast<double>(i) / ReadinessQuantile::kIntervals;
    // Extreme shapes overflow in double precision (found by fuzzing): retry with Boost's
    // long-double promotion, and for shapes beyond even that, use the mean.
    try {
      t[i] = boost::math::quantile(dist, u);
    } catch (const std::exception&) {
      try {
        t[i] = boost::math::quantile(precise, u);
      } catch (const std::exception&) {
        t[i] = alpha / (alpha + beta);
      }
    }
  }
  return table;
}

/// The tables of the last kSlots shapes built, replaced oldest first. A sweep or a tornado
/// compiles the same few shapes over and over; uncertain readiness draws a new shape per
/// replication and only cycles the slots (the cache never holds more than kSlots tables).
class TableCache {
 public:
  std::shared_ptr<const std::vector<double>> get(double alpha, double beta) {
    {
      const std::lock_guard lock(mutex_);
      for (const Slot& s : slots_)
        if (s.table && same_bits(s.alpha, alpha) && same_bits(s.beta, beta)) return s.table;
    }
    // Built outside the lock: two threads may build the same shape, with identical results.
    auto table = build_table(alpha, beta);
    const std::lock_guard lock(mutex_);
    slots_[next_] = {alpha, beta, table};
    next_ = (next_ + 1) % kSlots;
    return table;
  }

 private:
  static constexpr std::size_t kSlots = 32;
  struct Slot {
    double alpha = 0.0, beta = 0.0;
    std::shared_ptr<const std::vector<double>> table;
  };
  static bool same_bits(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }
  std::mutex mutex_;
  std::array<Slot, kSlots> slots_;
  std::size_t next_ = 0;
};

TableCache& table_cache() {
  static TableCache cache;
  return cache;
}

}  // namespace

ReadinessQuantile::ReadinessQuantile(const ReadinessSpec& spec) {
  if (spec.distribution == ReadinessSpec::Distribution::fixed) {
    fixed_ = spec.value;
    return;
  }
  table_ = table_cache().get(spec.alpha, spec.beta);
  points_ = table_->data();
}

}  // namespace funnelsim
