// The explore view's recent results (recent_results.hpp).
#include "recent_results.hpp"

namespace funnelsim::server {

std::optional<nlohmann::json> RecentResults::find(const std::string& key) {
  const std::lock_guard lock(mutex_);
  for (auto it = entries_.begin(); it != entries_.end(); ++it)
    if (it->first == key) {
      entries_.splice(entries_.begin(), entries_, it);
      return entries_.front().second;
    }
  return std::nullopt;
}

void RecentResults::keep(const std::string& key, nlohmann::json result) {
  const std::lock_guard lock(mutex_);
  for (auto it = entries_.begin(); it != entries_.end(); ++it)
    if (it->first == key) {
      entries_.erase(it);
      break;
    }
  entries_.emplace_front(key, std::move(result));
  while (entries_.size() > capacity_) entries_.pop_back();
}

}  // namespace funnelsim::server
