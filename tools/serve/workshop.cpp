// Workshop sessions, their leaderboard and debrief, and their files (workshop.hpp).
#include "workshop.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <limits>
#include <random>
#include <stdexcept>

#include <fmt/format.h>

#include "catalogue.hpp"
#include "funnelsim/metrics/metrics.hpp"
#include "funnelsim/output/result_set.hpp"
#include "funnelsim/scenario/error.hpp"
#include "funnelsim/whatif/objective.hpp"

namespace funnelsim::server {
namespace {

using nlohmann::json;

json number(double value) { return std::isfinite(value) ? json(value) : json(nullptr); }

json axis_json(std::size_t metric) {
  const MetricDef& def = metric_defs(ScopeKind::funnel)[metric];
  return {{"name", def.name}, {"label", metric_label(def)}, {"unit", def.unit}, {"better", better_name(def.better)}};
}

double mean_of(const Plan& plan, std::size_t metric) {
  return metric < plan.means.size() ? plan.means[metric] : std::numeric_limits<double>::quiet_NaN();
}

const Team* team_of(const Session& session, const std::string& id) {
  for (const Team& team : session.teams)
    if (team.id == id) return &team;
  return nullptr;
}

}  // namespace

std::string random_code(std::size_t length) {
  static constexpr std::string_view alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
  std::random_device device;
  std::uniform_int_distribution<std::size_t> pick(0, alphabet.size() - 1);
  std::string code;
  for (std::size_t i = 0; i < length; ++i) code += alphabet[pick(device)];
  return code;
}

std::string random_key() {
  std::random_device device;
  std::string key;
  for (int i = 0; i < 4; ++i) key += fmt::format("{:08x}", device());
  return key;
}

std::string checked_team_name(const std::string& text) {
  const auto blank = [](char c) { return c == ' ' || c == '\t'; };
  std::size_t begin = 0, end = text.size();
  while (begin < end && blank(text[begin])) ++begin;
  while (end > begin && blank(text[end - 1])) --end;
  const std::string name = text.substr(begin, end - begin);
  const auto bad = [&](std::string expected, std::string found) {
    throw ScenarioError({{"/name", std::move(expected), std::move(found)}});
  };
  if (name.empty()) bad("a team name", "an empty name");
  if (name.size() > kMaxNameBytes)
    bad(fmt::format("a name of at most {} bytes", kMaxNameBytes), fmt::format("{} bytes", name.size()));
  try {
    (void)json(name).dump();  // throws on bytes that are not UTF-8
  } catch (const json::exception&) {
    bad("a name in UTF-8", "bytes that are not UTF-8");
  }
  for (const unsigned char c : name)
    if (c < 0x20 || c == 0x7f) bad("a name without control characters", fmt::format("character {:#04x}", c));
  return name;
}

json session_file_json(const Session& s) {
  json teams = json::array(), plans = json::array();
  for (const Team& t : s.teams) teams.push_back({{"id", t.id}, {"name", t.name}, {"key", t.key}});
  for (const Plan& p : s.plans) {
    json means = json::array();
    for (const double m : p.means) means.push_back(number(m));
    plans.push_back({{"id", p.id}, {"team", p.team_id}, {"label", p.label}, {"levers", p.levers}, {"means", means}});
  }
  return {{"funnelsim_session", 1}, {"code", s.code},         {"facilitator_key", s.facilitator_key},
          {"title", s.title},       {"scenario", s.scenario}, {"objective", s.objective},
          {"pareto", s.pareto},     {"seed", s.seed},         {"replications", s.replications},
          {"revealed", s.revealed}, {"teams", teams},         {"plans", plans}};
}

Session session_from_file(const json& f) {
  if (!f.is_object() || f.value("funnelsim_session", 0) != 1)
    throw std::runtime_error("expected a funnelsim session file (\"funnelsim_session\": 1)");
  Session s;
  try {
    s.code = f.at("code").get<std::string>();
    s.facilitator_key = f.at("facilitator_key").get<std::string>();
    s.title = f.at("title").get<std::string>();
    s.scenario = f.at("scenario").get<std::string>();
    s.objective = f.at("objective").get<std::string>();
    s.pareto = f.at("pareto").get<std::string>();
    s.seed = f.at("seed").get<std::uint64_t>();
    s.replications = f.at("replications").get<std::uint64_t>();
    s.revealed = f.at("revealed").get<bool>();
    for (const json& t : f.at("teams")) s.teams.push_back({t.at("id"), t.at("name"), t.at("key")});
    for (const json& p : f.at("plans")) {
      Plan plan{p.at("id"), p.at("team"), p.at("label"), p.at("levers"), {}};
      for (const json& m : p.at("means"))
        plan.means.push_back(m.is_number() ? m.get<double>() : std::numeric_limits<double>::quiet_NaN());
      s.plans.push_back(std::move(plan));
    }
  } catch (const json::exception& e) {
    throw std::runtime_error(fmt::format("a session file with a missing or mistyped field: {}", e.what()));
  }
  return s;
}

json session_public_json(const Session& s) {
  json teams = json::array();
  for (const Team& t : s.teams) {
    const auto plans = std::count_if(s.plans.begin(), s.plans.end(), [&](const Plan& p) { return p.team_id == t.id; });
    teams.push_back({{"id", t.id}, {"name", t.name}, {"plans", plans}});
  }
  return {{"code", s.code},     {"title", s.title},       {"scenario", s.scenario},         {"objective", s.objective},
          {"pareto", s.pareto}, {"seed", s.seed},         {"replications", s.replications}, {"revealed", s.revealed},
          {"teams", teams},     {"plans", s.plans.size()}};
}

json leaderboard_json(const Session& s) {
  const Objective objective = parse_objective(s.objective);
  std::vector<std::size_t> order(s.plans.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  const auto feasible = [&](std::size_t i) { return is_feasible(objective, s.plans[i].means); };
  const auto value = [&](std::size_t i) { return mean_of(s.plans[i], objective.metric); };
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    if (feasible(a) != feasible(b)) return feasible(a);
    const double va = value(a), vb = value(b);
    if (std::isnan(va) != std::isnan(vb)) return std::isnan(vb);
    if (std::isnan(va)) return false;
    return objective.maximize ? va > vb : va < vb;
  });
  json rows = json::array();
  std::size_t rank = 0;
  for (const std::size_t i : order) {
    const Plan& plan = s.plans[i];
    const Team* team = team_of(s, plan.team_id);
    json constraints = json::array();
    for (const Constraint& c : objective.constraints)
      constraints.push_back({{"text", constraint_text(c)},
                             {"metric", axis_json(c.metric)},
                             {"value", number(mean_of(plan, c.metric))},
                             {"holds", c.holds(mean_of(plan, c.metric))}});
    rows.push_back({{"rank", feasible(i) ? json(++rank) : json(nullptr)},
                    {"plan", plan.id},
                    {"label", plan.label},
                    {"team", team ? team->name : ""},
                    {"team_id", plan.team_id},
                    {"levers", plan.levers},
                    {"feasible", feasible(i)},
                    {"value", number(value(i))},
                    {"constraints", constraints}});
  }
  return {{"objective", objective_text(objective)}, {"metric", axis_json(objective.metric)}, {"plans", rows}};
}

json debrief_json(const Session& s) {
  const ParetoAxes axes = parse_pareto(s.pareto);
  std::vector<std::vector<double>> means;
  for (const Plan& p : s.plans) means.push_back(p.means);
  const std::vector<bool> front = pareto_front(axes, means);
  const Objective objective = parse_objective(s.objective);
  const auto precision = static_cast<std::size_t>(Metric::mql_precision);
  const auto recall = static_cast<std::size_t>(Metric::mql_recall);
  json points = json::array();
  for (std::size_t i = 0; i < s.plans.size(); ++i) {
    const Plan& plan = s.plans[i];
    const Team* team = team_of(s, plan.team_id);
    json point{{"plan", plan.id},
               {"label", plan.label},
               {"team", team ? team->name : ""},
               {"x", number(mean_of(plan, axes.x))},
               {"y", number(mean_of(plan, axes.y))},
               {"front", static_cast<bool>(front[i])},
               {"feasible", is_feasible(objective, plan.means)}};
    if (s.revealed) {
      point["mql_precision"] = number(mean_of(plan, precision));
      point["mql_recall"] = number(mean_of(plan, recall));
    }
    points.push_back(std::move(point));
  }
  json out{{"x", axis_json(axes.x)}, {"y", axis_json(axes.y)}, {"points", points}, {"revealed", s.revealed}};
  if (s.revealed) out["latent"] = {axis_json(precision), axis_json(recall)};
  return out;
}

SessionStore::SessionStore(std::filesystem::path folder) : folder_(std::move(folder)) {}

std::vector<std::string> SessionStore::load() {
  std::vector<std::string> notes;
  if (folder_.empty() || !std::filesystem::is_directory(folder_)) return notes;
  std::vector<std::filesystem::path> files;
  for (const auto& item : std::filesystem::directory_iterator(folder_))
    if (item.is_regular_file() && item.path().extension() == ".json") files.push_back(item.path());
  std::sort(files.begin(), files.end());
  const std::lock_guard lock(mutex_);
  for (const auto& file : files) {
    try {
      std::ifstream in(file, std::ios::binary);
      const json parsed = json::parse(in);
      Session session = session_from_file(parsed);
      if (file.stem().string() != session.code) throw std::runtime_error("its file name is not its code");
      sessions_.emplace(session.code, std::move(session));
    } catch (const std::exception& e) {
      notes.push_back(fmt::format("{}: left out: {}", file.string(), e.what()));
    }
  }
  return notes;
}

void SessionStore::save(const Session& session) const {
  if (folder_.empty()) return;
  std::filesystem::create_directories(folder_);
  write_file_atomically(folder_ / (session.code + ".json"), session_file_json(session).dump(1) + "\n");
}

// Changes take writes_ for their whole course (one at a time, so files are written in the order
// the changes happen and none is lost), mutex_ only to read and to publish: a reader (find) never
// waits for a file to reach the disk.
void SessionStore::add(Session session) {
  const std::lock_guard writing(writes_);
  {
    const std::lock_guard lock(mutex_);
    if (sessions_.size() >= kMaxSessions)
      throw std::runtime_error(fmt::format("at most {} sessions per server", kMaxSessions));
  }
  save(session);
  const std::string code = session.code;
  const std::lock_guard lock(mutex_);
  sessions_.emplace(code, std::move(session));
}

bool SessionStore::update(const std::string& code, const std::function<bool(Session&)>& change) {
  const std::lock_guard writing(writes_);
  Session copy;
  {
    const std::lock_guard lock(mutex_);
    const auto found = sessions_.find(code);
    if (found == sessions_.end()) return false;
    copy = found->second;
  }
  if (change(copy)) {
    save(copy);  // a failed write leaves the session as it was
    const std::lock_guard lock(mutex_);
    sessions_[code] = std::move(copy);  // sessions are never removed: still there
  }
  return true;
}

std::optional<Session> SessionStore::find(const std::string& code) const {
  const std::lock_guard lock(mutex_);
  const auto found = sessions_.find(code);
  if (found == sessions_.end()) return std::nullopt;
  return found->second;
}

void SessionStore::save_all() {
  const std::lock_guard writing(writes_);
  const std::lock_guard lock(mutex_);
  for (const auto& [code, session] : sessions_) save(session);
}

}  // namespace funnelsim::server
