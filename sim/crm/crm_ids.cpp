#include "crm/crm_ids.hpp"

namespace funnelsim::crm {
namespace {

constexpr std::uint64_t kStride = 4;  // ids of consecutive records differ by 1 to 4
constexpr std::string_view kBase62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

std::uint64_t base_of(std::uint64_t seed, std::uint64_t replication, std::uint64_t object) noexcept {
  return mix64(mix64(mix64(seed) ^ replication) ^ object);
}

}  // namespace

std::uint64_t mix64(std::uint64_t x) noexcept {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

HubSpotIds::HubSpotIds(std::uint64_t seed, std::uint64_t replication, std::uint64_t object) noexcept
    : base_(20'000'000'000ull + base_of(seed, replication, object) % 40'000'000'000ull) {}

std::uint64_t HubSpotIds::id(std::uint64_t rank, std::uint64_t key) const noexcept {
  return base_ + kStride * rank + mix64(key ^ base_) % kStride;
}

SalesforceIds::SalesforceIds(std::uint64_t seed, std::uint64_t replication, std::string_view prefix,
                             std::uint64_t object) noexcept
    : prefix_(prefix) {
  for (char c : prefix) object = mix64(object ^ static_cast<unsigned char>(c));
  // A record number of 9 base-62 digits whose leading ones are 0, as in real orgs.
  base_ = 100'000'000ull + base_of(seed, replication, object) % 50'000'000'000ull;
}

std::string SalesforceIds::id(std::uint64_t rank, std::uint64_t key) const {
  std::uint64_t number = base_ + kStride * rank + mix64(key ^ base_) % kStride;
  std::string digits(9, '0');
  for (int i = 8; i >= 0 && number > 0; --i, number /= 62) digits[static_cast<std::size_t>(i)] = kBase62[number % 62];
  std::string id15 = prefix_ + "5g" + "0" + digits;
  return id15 + salesforce_checksum(id15);
}

std::string salesforce_checksum(std::string_view id15) {
  static constexpr std::string_view kChars = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345";
  std::string out;
  for (std::size_t block = 0; block < 3; ++block) {
    unsigned flags = 0;
    for (std::size_t j = 0; j < 5; ++j) {
      const char c = id15[block * 5 + j];
      if (c >= 'A' && c <= 'Z') flags |= 1u << j;
    }
    out += kChars[flags];
  }
  return out;
}

}  // namespace funnelsim::crm
