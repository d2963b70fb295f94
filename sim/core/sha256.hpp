#pragma once
/// SHA-256 (FIPS 180-4), for the content hashes a result records of the scenario files that made
/// it: the same digest `sha256sum FILE` prints, so anyone can check a file against a result.
#include <string>
#include <string_view>

namespace funnelsim {

/// The SHA-256 digest of `bytes` as 64 lowercase hex digits.
std::string sha256_hex(std::string_view bytes);

}  // namespace funnelsim
