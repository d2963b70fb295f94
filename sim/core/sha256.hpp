#pragma once
/// SHA-256 (FIPS 180-4), for the content hashes a result records of the scenario files that made
/// it: the same digest `sha256sum FILE` prints, so anyone can check a file against a result.
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace funnelsim {

/// The SHA-256 digest of `bytes` as 64 lowercase hex digits.
std::string sha256_hex(std::string_view bytes);

/// SHA-256 of bytes given in pieces, for data too large to copy into one string first (a
/// replication table's checksum). hex() ends the message: call it once.
class Sha256 {
 public:
  void update(std::string_view bytes);
  std::string hex();

 private:
  std::array<std::uint32_t, 8> state_{0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                      0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
  std::array<unsigned char, 64> pending_{};
  std::size_t pending_size_ = 0;
  std::uint64_t total_ = 0;  // bytes given so far
};

}  // namespace funnelsim
