// Record ids: CRM-looking, unique, growing with creation order, a pure function of their inputs.
#include <catch2/catch.hpp>
#include <set>
#include <string>

#include "crm/crm_ids.hpp"

using namespace funnelsim::crm;

TEST_CASE("ids: the Salesforce case-safe checksum", "[crm][ids]") {
  // A public example: 00558000001N0Ke is 00558000001N0KeAAK.
  CHECK(salesforce_checksum("00558000001N0Ke") == "AAK");
  CHECK(salesforce_checksum("000000000000000") == "AAA");
  CHECK(salesforce_checksum("AAAAAAAAAAAAAAA") == "555");  // every bit set: index 31
}

TEST_CASE("ids: Salesforce ids have 18 characters, their prefix and a valid checksum", "[crm][ids]") {
  const SalesforceIds leads(7, 3, "00Q"), opportunities(7, 3, "006");
  std::set<std::string> seen;
  std::string previous;
  for (std::uint64_t rank = 0; rank < 100000; ++rank) {
    const std::string id = leads.id(rank, rank * 977);
    REQUIRE(id.size() == 18);
    REQUIRE(id.substr(0, 3) == "00Q");
    REQUIRE(salesforce_checksum(id.substr(0, 15)) == id.substr(15));
    REQUIRE(seen.insert(id).second);
    REQUIRE(id.substr(0, 15) > previous);  // base 62 in 0-9A-Za-z order sorts as text
    previous = id.substr(0, 15);
  }
  CHECK(opportunities.id(0, 1).substr(0, 3) == "006");
  CHECK(SalesforceIds(7, 3, "00Q").id(5, 11) == leads.id(5, 11));  // the same inputs, the same id
  CHECK(SalesforceIds(7, 4, "00Q").id(5, 11) != leads.id(5, 11));
}

TEST_CASE("ids: HubSpot record ids are 11-digit numbers growing with creation", "[crm][ids]") {
  const HubSpotIds contacts(20261122, 0, 1);
  std::uint64_t previous = 0;
  for (std::uint64_t rank = 0; rank < 100000; ++rank) {
    const std::uint64_t id = contacts.id(rank, mix64(rank));
    REQUIRE(id >= 10'000'000'000ull);
    REQUIRE(id < 100'000'000'000ull);
    REQUIRE(id > previous);
    previous = id;
  }
  CHECK(HubSpotIds(20261122, 0, 1).id(9, 4) == contacts.id(9, 4));
  CHECK(HubSpotIds(20261122, 0, 2).id(9, 4) != contacts.id(9, 4));
}
