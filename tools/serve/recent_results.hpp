#pragma once
// The explore view's most recent results, by the scenario document they ran: moving a lever back
// to a setting tried a moment ago redraws at once instead of rerunning it. A run is a function of
// its document (seed and replications included) and the base it is compared with, which is the
// same for every run of one scenario and replication count, so a kept result is the very result a
// rerun would give.
#include <cstddef>
#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <utility>

#include <nlohmann/json.hpp>

namespace funnelsim::server {

class RecentResults {
 public:
  explicit RecentResults(std::size_t capacity) : capacity_(capacity) {}

  /// The result kept for `key` (a plan document's dump), now the most recent; nullopt if none.
  std::optional<nlohmann::json> find(const std::string& key);
  /// Keeps `result` for `key`, dropping the least recently used one beyond the capacity.
  void keep(const std::string& key, nlohmann::json result);

 private:
  std::mutex mutex_;
  std::size_t capacity_;
  std::list<std::pair<std::string, nlohmann::json>> entries_;  // most recent first; a few dozen at most
};

}  // namespace funnelsim::server
