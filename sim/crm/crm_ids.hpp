#pragma once
/// Record identifiers that look like the CRM's own and are a pure function of (seed, replication,
/// the record's place): the same export gives the same ids. Both CRMs hand out ids that grow
/// with creation time (with gaps, since other records share the sequence), so ids here grow with
/// the records' creation order by a small stride, with a jitter hashed from the record's key.
#include <cstdint>
#include <string>
#include <string_view>

namespace funnelsim::crm {

/// splitmix64: a well-mixed 64-bit hash of a 64-bit value.
std::uint64_t mix64(std::uint64_t x) noexcept;

/// HubSpot record ids: 11-digit numbers (as portals created since about 2020 have).
class HubSpotIds {
 public:
  /// `object` separates the sequences of one export (contacts 1, deals 2).
  HubSpotIds(std::uint64_t seed, std::uint64_t replication, std::uint64_t object) noexcept;
  /// The id of the `rank`-th record created (0-based), `key` a hash of the record.
  std::uint64_t id(std::uint64_t rank, std::uint64_t key) const noexcept;

 private:
  std::uint64_t base_;
};

/// Salesforce ids: 18 characters, the 15-character case-sensitive id (key prefix, pod, reserved
/// 0, a base-62 record number) and its 3-character case-safe checksum.
class SalesforceIds {
 public:
  /// `prefix`: the object's key prefix ("00Q" Lead, "006" Opportunity); `object` separates
  /// sequences of one prefix.
  SalesforceIds(std::uint64_t seed, std::uint64_t replication, std::string_view prefix,
                std::uint64_t object = 0) noexcept;
  std::string id(std::uint64_t rank, std::uint64_t key) const;

 private:
  std::string prefix_;
  std::uint64_t base_;
};

/// The 3 checksum characters Salesforce appends to a 15-character id (each 5-character block's
/// upper-case letters as bits, read as an index into A-Z0-5).
std::string salesforce_checksum(std::string_view id15);

}  // namespace funnelsim::crm
