#pragma once
/// Made-up people for exported records: a CRM export has names and e-mail addresses, so these
/// have them too, drawn from short lists by a hash of the record (never a real person: the
/// addresses are at example.com, which RFC 2606 reserves). observe never copies them anywhere.
#include <cstdint>
#include <string>
#include <string_view>

namespace funnelsim::crm {

struct Person {
  std::string_view first, last;
};

/// The person of a lead with key `key`.
Person person_of(std::uint64_t key) noexcept;
/// first.last.<rank in base 36>@example.com: unique per rank, so two leads never share one.
std::string email_of(const Person& person, std::uint64_t rank);
/// The rep `index` (counted over every team's reps in order) as a user's name, unique up to
/// 1,720 reps (then with a number).
std::string owner_name(std::size_t index);

}  // namespace funnelsim::crm
