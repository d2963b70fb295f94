#include "crm/people.hpp"

#include <cctype>

#include <fmt/format.h>

#include "crm/ascii_text.hpp"
#include "crm/crm_ids.hpp"

namespace funnelsim::crm {
namespace {

constexpr std::string_view kFirst[] = {"Ava",   "Liam",  "Maya",  "Noah",  "Zoe",   "Ethan",  "Lena",  "Omar",
                                       "Chloe", "Lucas", "Priya", "Mateo", "Hana",  "Felix",  "Sofia", "Arjun",
                                       "Grace", "Jonas", "Amara", "Leo",   "Isla",  "Kenji",  "Nora",  "Diego",
                                       "Ruth",  "Samir", "Elena", "Tomas", "Ines",  "Marcus", "Freya", "Yusuf",
                                       "Clara", "Hugo",  "Mei",   "Oscar", "Layla", "Viktor", "June",  "Rafael"};
constexpr std::string_view kLast[] = {
    "Lee",    "Garcia",  "Novak",     "Okafor",  "Schmidt", "Rossi",  "Tanaka", "Kowalski", "Silva",
    "Haddad", "Nguyen",  "Brown",     "Moreau",  "Patel",   "Larsen", "Cohen",  "Ivanova",  "Mensah",
    "Ortiz",  "Fischer", "Kim",       "Dubois",  "Costa",   "Ahmed",  "Walsh",  "Yamada",   "Berg",
    "Romero", "Quinn",   "Adeyemi",   "Hoffman", "Sato",    "Bauer",  "Reyes",  "Nilsson",  "Moretti",
    "Chen",   "Murphy",  "Lindqvist", "Alvarez", "Keller",  "Duarte", "Park"};
constexpr std::size_t kF = std::size(kFirst), kL = std::size(kLast);  // 40 and 43: coprime with 41

}  // namespace

Person person_of(std::uint64_t key) noexcept {
  const std::uint64_t h = mix64(key ^ 0x70e0b1e5ull);
  return {kFirst[h % kF], kLast[(h >> 32) % kL]};
}

std::string email_of(const Person& person, std::uint64_t rank) {
  std::string token;
  do {
    token.insert(token.begin(), "0123456789abcdefghijklmnopqrstuvwxyz"[rank % 36]);
    rank /= 36;
  } while (rank > 0);
  return fmt::format("{}.{}.{}@example.com", lower(person.first), lower(person.last), token);
}

std::string owner_name(std::size_t index) {
  // k = a + 40 b -> (a, (b + a + 40 b) mod 43) is one-to-one for b < 43 (41 and 43 are coprime).
  const std::size_t a = index % kF, b = index / kF;
  std::string name = fmt::format("{} {}", kFirst[a], kLast[(b * (kF + 1) + a) % kL]);
  if (index >= kF * kL) name += fmt::format(" {}", index / (kF * kL) + 1);
  return name;
}

}  // namespace funnelsim::crm
