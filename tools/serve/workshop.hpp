#pragma once
// Workshop sessions: a facilitator's scenario and goal, the teams that joined by code, the plans
// they submitted with their results on the session's seed and replications (common random
// numbers: every team faces the same leads), the leaderboard and the debrief. Each session is one
// JSON file in the state folder, written atomically (write_file_atomically), read back at start.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace funnelsim::server {

struct Team {
  std::string id, name;
  std::string key;  ///< the team's secret: submitting as the team needs it
};

struct Plan {
  std::string id, team_id, label;  ///< label: "<team> plan <k>"
  nlohmann::json levers;           ///< the settings, as submitted
  std::vector<double> means;       ///< headline_means of its run (NaN: undefined)
};

struct Session {
  std::string code;             ///< the join code
  std::string facilitator_key;  ///< the facilitator's secret: debrief, reveal, export
  std::string title, scenario, objective, pareto;
  std::uint64_t seed = 0, replications = 0;
  std::vector<Team> teams;
  std::vector<Plan> plans;
  bool revealed = false;  ///< the latent truth (MQL precision and recall) shown to all
};

inline constexpr std::size_t kMaxTeams = 60, kMaxPlansPerTeam = 40, kMaxSessions = 200, kMaxNameBytes = 60;

/// A random code or key from the system's random device: codes of `length` letters and digits
/// that cannot be misread (no 0/O, 1/I), keys of 32 hex digits.
std::string random_code(std::size_t length);
std::string random_key();

/// A team's name as given, blanks trimmed; throws ScenarioError at "/name" when it is empty,
/// longer than kMaxNameBytes, not UTF-8, or holds control characters.
std::string checked_team_name(const std::string& text);

nlohmann::json session_file_json(const Session& session);
/// Throws std::runtime_error naming what is wrong.
Session session_from_file(const nlohmann::json& file);

/// What anyone with the code sees: no keys; teams by id and name; how many plans.
nlohmann::json session_public_json(const Session& session);
/// Every plan ranked by the objective, feasible plans first (ties: the earlier plan).
nlohmann::json leaderboard_json(const Session& session);
/// Every plan on the trade-off chart's two metrics, the Pareto front marked; with the reveal,
/// each plan's MQL precision and recall.
nlohmann::json debrief_json(const Session& session);

/// The sessions, in memory and (with a folder) on disk. Thread-safe.
class SessionStore {
 public:
  explicit SessionStore(std::filesystem::path folder);
  /// Reads every session file of the folder; returns a note per file it could not read.
  std::vector<std::string> load();
  /// Adds `session` and saves it; throws std::runtime_error when there are kMaxSessions.
  void add(Session session);
  /// Calls `change` on a copy of the session (one change at a time), then, when it returns true,
  /// saves the copy and makes it the session; false when there is no such session. Readers
  /// (find) meanwhile see the session as it was, without waiting for the file.
  bool update(const std::string& code, const std::function<bool(Session&)>& change);
  /// A copy of the session.
  std::optional<Session> find(const std::string& code) const;
  /// Saves every session (at shutdown).
  void save_all();

 private:
  void save(const Session& session) const;
  std::filesystem::path folder_;
  std::mutex writes_;         // held by a change from start to saved, one change at a time
  mutable std::mutex mutex_;  // held only to read or publish sessions_, never while writing a file
  std::map<std::string, Session> sessions_;
};

}  // namespace funnelsim::server
