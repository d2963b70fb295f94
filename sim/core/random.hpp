#pragma once
/// Counter-based random streams.
///
/// Every random number in a replication comes from a stream that is a pure function of
/// (seed, replication, source, lead, purpose): a Philox4x64-10 generator whose key is
/// (seed, replication) and whose counter is (lead, source-tag << 32 | purpose-tag, block).
/// No generator belongs to a thread, so results do not depend on the thread count, and a
/// scenario variant that keeps a lead's source, index and purpose draws the same numbers
/// for it (common random numbers). Source and purpose tags are hashes of names, so adding,
/// removing or reordering sources, attributes or event types leaves the others' streams alone.
///
/// Samplers take a stream by reference; Boost.Random distributions are used because they
/// give the same variates on every compiler (std:: distributions do not).
#include <Random123/philox.h>

#include <cstdint>
#include <limits>
#include <string_view>

namespace funnelsim {

/// A 32-bit tag for a named stream purpose (FNV-1a of the name). Stable across builds.
/// `hash` continues a previous hash: stream_tag(b, stream_tag(a)) == stream_tag(a + b).
constexpr std::uint32_t stream_tag(std::string_view name, std::uint32_t hash = 2166136261u) noexcept {
  for (char c : name) {
    hash ^= static_cast<std::uint8_t>(c);
    hash *= 16777619u;
  }
  return hash;
}

/// The tag of a stream purpose for journey `cycle` of a lead: the plain tag for its first
/// journey, mixed with the journey number for recycled ones, so each second chance draws
/// fresh but reproducible numbers.
constexpr std::uint32_t journey_tag(std::uint32_t tag, int cycle) noexcept {
  return cycle == 0 ? tag : tag ^ (static_cast<std::uint32_t>(cycle) * 0x9E3779B1u);
}

// Stream purposes are named in stream_purposes.hpp.

/// Identifies one stream within a replication.
struct StreamId {
  std::uint64_t lead = 0;    ///< lead index within its source (or day/week for source-level streams)
  std::uint32_t source = 0;  ///< stream_tag of the source name
  std::uint32_t purpose = 0;
};

/// A Philox4x64-10 stream usable as a Boost.Random / UniformRandomBitGenerator engine.
/// Cheap to construct (no state beyond key, counter and a 4-word buffer); not thread-safe,
/// but streams are never shared between threads.
class RandomStream {
 public:
  using result_type = std::uint64_t;
  static constexpr result_type min() noexcept { return 0; }
  static constexpr result_type max() noexcept { return std::numeric_limits<result_type>::max(); }

  /// A placeholder stream (seed 0, replication 0, id 0), for storage that is assigned later.
  RandomStream() noexcept : RandomStream(0, 0, StreamId{}) {}
  RandomStream(std::uint64_t seed, std::uint64_t replication, StreamId id) noexcept
      : key_{{seed, replication}}, counter_{{id.lead, (std::uint64_t{id.source} << 32) | id.purpose, 0, 0}} {}

  result_type operator()() noexcept {
    if (next_ == 4) refill();
    return buffer_.v[next_++];
  }

  /// A uniform double in [0, 1) from the top 53 bits of one draw.
  double uniform() noexcept { return static_cast<double>((*this)() >> 11) * 0x1.0p-53; }

  /// A uniform double in (0, 1): never 0, so log(u) is finite.
  double uniform_open() noexcept { return (static_cast<double>((*this)() >> 11) + 0.5) * 0x1.0p-53; }

 private:
  using Philox = r123::Philox4x64;
  void refill() noexcept {
    buffer_ = Philox{}(counter_, key_);
    ++counter_.v[2];
    next_ = 0;
  }

  Philox::key_type key_;
  Philox::ctr_type counter_;
  Philox::ctr_type buffer_{};
  unsigned next_ = 4;
};

/// The streams of one replication: a factory that fixes (seed, replication).
class ReplicationStreams {
 public:
  ReplicationStreams(std::uint64_t seed, std::uint64_t replication) noexcept : seed_(seed), replication_(replication) {}
  RandomStream stream(std::uint32_t source, std::uint64_t lead, std::uint32_t purpose_tag) const noexcept {
    return RandomStream(seed_, replication_, StreamId{lead, source, purpose_tag});
  }
  std::uint64_t replication() const noexcept { return replication_; }

 private:
  std::uint64_t seed_;
  std::uint64_t replication_;
};

}  // namespace funnelsim
