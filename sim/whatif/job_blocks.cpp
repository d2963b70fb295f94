#include "funnelsim/whatif/job_blocks.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <fstream>
#include <limits>
#include <sstream>
#include <stdexcept>
#include <utility>

#include "funnelsim/core/usage_error.hpp"

namespace funnelsim {
namespace {

constexpr std::uint64_t kMostShards = 100000;
constexpr int kShardFormatVersion = 1;

std::optional<std::uint64_t> whole_number(const std::string& text) {
  std::uint64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

/// A double as JSON: finite values as numbers (nlohmann prints the shortest text that reads back
/// as the same double), the rest as null (NaN) or "inf" / "-inf".
nlohmann::json exact_number(double value) {
  if (std::isnan(value)) return nullptr;
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
  return value;
}

double number_from(const nlohmann::json& value) {
  if (value.is_null()) return std::numeric_limits<double>::quiet_NaN();
  if (value.is_string()) {
    if (value == "inf") return std::numeric_limits<double>::infinity();
    if (value == "-inf") return -std::numeric_limits<double>::infinity();
    throw std::invalid_argument("a number, null, \"inf\" or \"-inf\"");
  }
  if (!value.is_number()) throw std::invalid_argument("a number");
  return value.get<double>();
}

ScopeKind scope_kind_from(const std::string& name) {
  for (ScopeKind kind : {ScopeKind::funnel, ScopeKind::team, ScopeKind::rep})
    if (scope_kind_name(kind) == name) return kind;
  throw std::invalid_argument("a scope kind (funnel, team or rep)");
}

/// One table's replications, each as one array: every scope's metrics and components, then every
/// funnel scope's weekly series.
nlohmann::json table_json(std::size_t slot, const ReplicationTable& table) {
  nlohmann::json scopes = nlohmann::json::array();
  for (const Scope& s : table.scope_list()) scopes.push_back({s.name, std::string(scope_kind_name(s.kind))});
  nlohmann::json rows = nlohmann::json::array();
  for (std::size_t r = 0; r < table.replications(); ++r) {
    nlohmann::json row = nlohmann::json::array();
    for (std::size_t s = 0; s < table.scopes(); ++s) {
      for (double v : table.row(r, s)) row.push_back(exact_number(v));
      for (double v : table.components(r, s)) row.push_back(exact_number(v));
    }
    for (std::size_t s = 0; s < table.funnel_scopes(); ++s)
      for (std::size_t k = 0; k < kSeriesCount; ++k)
        for (double v : table.weekly(r, s, static_cast<Series>(k))) row.push_back(exact_number(v));
    rows.push_back(std::move(row));
  }
  return {{"slot", slot}, {"weeks", table.weeks()}, {"scopes", std::move(scopes)}, {"rows", std::move(rows)}};
}

ReplicationTable table_from(const nlohmann::json& j) {
  std::vector<Scope> scopes;
  for (const auto& s : j.at("scopes")) scopes.push_back({s.at(0).get<std::string>(), scope_kind_from(s.at(1))});
  const auto& rows = j.at("rows");
  ReplicationTable table(rows.size(), std::move(scopes), j.at("weeks").get<std::size_t>());
  for (std::size_t r = 0; r < rows.size(); ++r) {
    const auto& row = rows[r];
    std::size_t i = 0;
    auto fill = [&](std::span<double> into) {
      for (double& v : into) {
        if (i >= row.size()) throw std::invalid_argument("a row as long as its scopes' records");
        v = number_from(row[i++]);
      }
    };
    for (std::size_t s = 0; s < table.scopes(); ++s) {
      fill(table.row(r, s));
      fill(table.components(r, s));
    }
    for (std::size_t s = 0; s < table.funnel_scopes(); ++s)
      for (std::size_t k = 0; k < kSeriesCount; ++k) fill(table.weekly(r, s, static_cast<Series>(k)));
    if (i != row.size()) throw std::invalid_argument("a row as long as its scopes' records");
  }
  return table;
}

std::string unit_range_text(const JobIdentity& job, std::uint64_t begin, std::uint64_t end) {
  const std::uint64_t offset = job.kind == JobUnitKind::replications ? job.first_replication : 0;
  return end - begin == 1 ? fmt::format("{} {}", job_unit_name(job.kind), begin + offset)
                          : fmt::format("{} {} to {}", job_unit_name(job.kind), begin + offset, end - 1 + offset);
}

std::string command_text(const JobIdentity& job) {
  std::string text = "funnelsim " + job.command;
  for (const std::string& a : job.arguments) text += " " + a;
  return text;
}

struct ShardRead {
  std::filesystem::path folder;
  ShardSpec shard;
  JobIdentity identity;
  std::vector<JobBlock> ranges;
  bool cancelled = false;
  std::vector<std::pair<std::size_t, ReplicationTable>> tables;
};

ShardRead shard_from_text(const std::string& name, const std::string& file, const std::string& text) {
  ShardRead read;
  read.folder = name;
  try {
    const nlohmann::json j = nlohmann::json::parse(text);
    if (j.at("format") != "funnelsim-shard" || j.at("version") != kShardFormatVersion)
      throw std::invalid_argument(fmt::format("format funnelsim-shard version {}", kShardFormatVersion));
    JobIdentity& id = read.identity;
    id.command = j.at("command").get<std::string>();
    id.arguments = j.at("arguments").get<std::vector<std::string>>();
    id.scenario_sha256 = j.at("scenario_sha256").get<std::string>();
    id.seed = j.at("seed").get<std::uint64_t>();
    const std::string kind = j.at("units").get<std::string>();
    bool known = false;
    for (JobUnitKind k : {JobUnitKind::replications, JobUnitKind::sweep_points, JobUnitKind::sensitivity_runs})
      if (job_unit_name(k) == kind) id.kind = k, known = true;
    if (!known) throw std::invalid_argument("units: replications, sweep points or sensitivity runs");
    id.units = j.at("unit_count").get<std::uint64_t>();
    id.first_replication = j.at("first_replication").get<std::uint64_t>();
    read.shard.index = j.at("shard").at(0).get<std::uint64_t>() - 1;
    read.shard.count = j.at("shard").at(1).get<std::uint64_t>();
    for (const auto& range : j.at("ranges")) {
      read.ranges.push_back({range.at(0).get<std::uint64_t>(), range.at(1).get<std::uint64_t>()});
      if (read.ranges.back().begin > read.ranges.back().end || read.ranges.back().end > id.units)
        throw std::invalid_argument("ranges within the job's units");
    }
    read.cancelled = j.value("cancelled", false);
    for (const auto& t : j.at("tables")) read.tables.emplace_back(t.at("slot").get<std::size_t>(), table_from(t));
  } catch (const std::exception& e) {
    throw UsageError(file, fmt::format("expected a funnelsim shard file, found {}", e.what()));
  }
  return read;
}

ShardRead read_shard(const std::filesystem::path& folder) {
  const std::filesystem::path file = folder / kShardFile;
  std::ifstream in(file, std::ios::binary);
  if (!in)
    throw UsageError(folder.string(),
                     fmt::format("expected a shard folder holding {} (written by a command run with --shard and "
                                 "--out), found no such file",
                                 kShardFile));
  std::stringstream text;
  text << in.rdbuf();
  return shard_from_text(folder.string(), file.string(), text.str());
}

/// Says how two shards' jobs differ (the first thing that does), or nothing.
std::optional<std::string> job_difference(const ShardRead& a, const ShardRead& b) {
  const JobIdentity &x = a.identity, &y = b.identity;
  const std::string an = a.folder.string(), bn = b.folder.string();
  if (x.seed != y.seed)
    return fmt::format("expected the shards of one seed, found seed {} in {} and seed {} in {}", x.seed, an, y.seed,
                       bn);
  if (x.scenario_sha256 != y.scenario_sha256)
    return fmt::format(
        "expected the shards of one scenario, found resolved scenario {} in {} and {} in {} (the scenario changed "
        "between them)",
        x.scenario_sha256, an, y.scenario_sha256, bn);
  if (x.command != y.command || x.arguments != y.arguments)
    return fmt::format("expected the shards of one job, found {} ran `{}` and {} ran `{}`", an, command_text(x), bn,
                       command_text(y));
  if (x.kind != y.kind || x.units != y.units || x.first_replication != y.first_replication)
    return fmt::format("expected the shards of one job, found {} of {} {} in {} and {} of {} {} in {}", x.units,
                       job_unit_name(x.kind), x.first_replication, an, y.units, job_unit_name(y.kind),
                       y.first_replication, bn);
  return std::nullopt;
}

}  // namespace

JobBlock job_block(std::uint64_t units, std::uint64_t index, std::uint64_t count) {
  if (count == 0 || index >= count || count > (std::uint64_t{1} << 32))
    throw std::invalid_argument("job_block: expected index < count <= 2^32");
  // floor(units * k / count) without overflow: (units % count) * k < count * count.
  const auto at = [&](std::uint64_t k) { return units / count * k + units % count * k / count; };
  return {at(index), at(index + 1)};
}

ShardSpec parse_shard(const std::string& text) {
  const auto slash = text.find('/');
  const std::string expected = fmt::format("K/N with 1 <= K <= N <= {} (e.g. 2/8) or auto", kMostShards);
  if (slash == std::string::npos) throw UsageError(fmt::format("expected {}, found {}", expected, text));
  const auto k = whole_number(text.substr(0, slash));
  const auto n = whole_number(text.substr(slash + 1));
  if (!k || !n || *k < 1 || *k > *n || *n > kMostShards)
    throw UsageError(fmt::format("expected {}, found {}", expected, text));
  return {*k - 1, *n};
}

ShardSpec shard_from_environment(const std::function<std::optional<std::string>(const char*)>& variable) {
  const auto number = [&](const char* name) -> std::optional<std::uint64_t> {
    const auto text = variable(name);
    if (!text) return std::nullopt;
    const auto value = whole_number(*text);
    if (!value) throw UsageError(fmt::format("expected {} to be a whole number, found {}", name, *text));
    return value;
  };
  const auto checked = [](std::uint64_t index, std::uint64_t count, const std::string& from) {
    if (count < 1 || count > kMostShards || index >= count)
      throw UsageError(fmt::format("expected a shard index below a count from 1 to {}, found index {} of {} ({})",
                                   kMostShards, index, count, from));
    return ShardSpec{index, count};
  };
  if (const auto id = number("SLURM_ARRAY_TASK_ID")) {
    const auto count = number("SLURM_ARRAY_TASK_COUNT");
    if (!count) throw UsageError("expected SLURM_ARRAY_TASK_COUNT beside SLURM_ARRAY_TASK_ID, found it unset");
    const std::uint64_t min = number("SLURM_ARRAY_TASK_MIN").value_or(0);
    if (*id < min) throw UsageError("expected SLURM_ARRAY_TASK_ID at least SLURM_ARRAY_TASK_MIN");
    return checked(*id - min, *count,
                   "SLURM_ARRAY_TASK_ID - SLURM_ARRAY_TASK_MIN of SLURM_ARRAY_TASK_COUNT: use --array=0-(N-1) or "
                   "1-N, step 1");
  }
  if (const auto index = number("JOB_COMPLETION_INDEX")) {
    const auto count = number(kShardCountVariable);
    if (!count)
      throw UsageError(
          fmt::format("expected {} (the Indexed Job's completions) beside JOB_COMPLETION_INDEX, found it unset",
                      kShardCountVariable));
    return checked(*index, *count, fmt::format("JOB_COMPLETION_INDEX of {}", kShardCountVariable));
  }
  throw UsageError(
      fmt::format("expected a job array's environment for auto (SLURM_ARRAY_TASK_ID and SLURM_ARRAY_TASK_COUNT, or "
                  "JOB_COMPLETION_INDEX and {}), found none of them set: give K/N",
                  kShardCountVariable));
}

std::string job_unit_name(JobUnitKind kind) {
  switch (kind) {
    case JobUnitKind::replications:
      return "replications";
    case JobUnitKind::sweep_points:
      return "sweep points";
    case JobUnitKind::sensitivity_runs:
      return "sensitivity runs";
  }
  return "units";
}

JobUnits JobUnits::recording(ShardSpec shard, std::string command, std::vector<std::string> arguments) {
  JobUnits units;
  units.shard_ = shard;
  units.identity_.command = std::move(command);
  units.identity_.arguments = std::move(arguments);
  return units;
}

JobBlock JobUnits::begin(const JobIdentity& identity) {
  if (!replaying_) {
    identity_.scenario_sha256 = identity.scenario_sha256;
    identity_.seed = identity.seed;
    identity_.kind = identity.kind;
    identity_.units = identity.units;
    identity_.first_replication = identity.first_replication;
    block_ = job_block(identity.units, shard_.index, shard_.count);
    cursor_ = block_.begin;
    if (identity.kind == JobUnitKind::replications || !claim_) ranges_ = {block_};
    return block_;
  }
  if (identity.scenario_sha256 != identity_.scenario_sha256)
    throw UsageError(fmt::format(
        "expected the scenario the shards ran (resolved scenario {}), found it resolves to {} now: it changed since "
        "the shards ran",
        identity_.scenario_sha256, identity.scenario_sha256));
  if (identity.seed != identity_.seed || identity.kind != identity_.kind || identity.units != identity_.units ||
      identity.first_replication != identity_.first_replication)
    throw UsageError(fmt::format("expected the job the shards ran (seed {}, {} {}), found seed {}, {} {}",
                                 identity_.seed, identity_.units, job_unit_name(identity_.kind), identity.seed,
                                 identity.units, job_unit_name(identity.kind)));
  return block_;
}

std::optional<std::uint64_t> JobUnits::next_unit() {
  if (exhausted_) return std::nullopt;
  if (!claim_ || identity_.kind == JobUnitKind::replications) {
    if (cursor_ < block_.end) return cursor_++;
    exhausted_ = true;
    return std::nullopt;
  }
  const std::uint64_t unit = claim_();
  if (unit >= identity_.units) {
    exhausted_ = true;
    return std::nullopt;
  }
  if (!ranges_.empty() && ranges_.back().end == unit)
    ranges_.back().end = unit + 1;
  else
    ranges_.push_back({unit, unit + 1});
  return unit;
}

bool JobUnits::wants(std::uint64_t unit) {
  if (!want_) want_ = next_unit();
  if (!want_ || *want_ != unit) return false;
  want_.reset();
  return true;
}

void JobUnits::keep(std::size_t slot, ReplicationTable table) { tables_.insert_or_assign(slot, std::move(table)); }

RunResult JobUnits::take(std::size_t slot) const {
  const auto found = tables_.find(slot);
  if (found == tables_.end()) throw std::logic_error(fmt::format("JobUnits::take: no table for slot {}", slot));
  return RunResult{found->second, {}, false};
}

std::string JobUnits::shard_json() const {
  nlohmann::json tables = nlohmann::json::array();
  for (const auto& [slot, table] : tables_) tables.push_back(table_json(slot, table));
  nlohmann::json ranges_json = nlohmann::json::array();
  for (const JobBlock& r : ranges_) ranges_json.push_back({r.begin, r.end});
  const nlohmann::json j = {{"format", "funnelsim-shard"},
                            {"version", kShardFormatVersion},
                            {"command", identity_.command},
                            {"arguments", identity_.arguments},
                            {"scenario_sha256", identity_.scenario_sha256},
                            {"seed", identity_.seed},
                            {"units", job_unit_name(identity_.kind)},
                            {"unit_count", identity_.units},
                            {"first_replication", identity_.first_replication},
                            {"shard", {shard_.index + 1, shard_.count}},
                            {"ranges", ranges_json},
                            {"cancelled", cancelled_},
                            {"tables", std::move(tables)}};
  return j.dump() + "\n";
}

namespace {

struct MergedShards {
  JobIdentity job;
  std::map<std::size_t, ReplicationTable> tables;
};

MergedShards merge_read(std::vector<ShardRead> shards) {
  for (std::size_t i = 1; i < shards.size(); ++i)
    if (const auto difference = job_difference(shards[0], shards[i])) throw UsageError(*difference);

  // Coverage: every unit in exactly one shard.
  const JobIdentity& job = shards[0].identity;
  for (const ShardRead& s : shards)
    if (s.cancelled) throw UsageError(s.folder.string(), "expected a finished shard, found one that was stopped");
  struct Owned {
    JobBlock range;
    const ShardRead* shard;
  };
  std::vector<Owned> order;
  for (const ShardRead& s : shards)
    for (const JobBlock& r : s.ranges)
      if (r.size() > 0) order.push_back({r, &s});
  std::stable_sort(order.begin(), order.end(),
                   [](const Owned& a, const Owned& b) { return a.range.begin < b.range.begin; });
  std::vector<std::string> problems;
  std::uint64_t covered = 0;
  const ShardRead* last = nullptr;
  for (const Owned& o : order) {
    if (o.range.begin > covered)
      problems.push_back(unit_range_text(job, covered, o.range.begin) + " are in no shard");
    else if (o.range.begin < covered)
      problems.push_back(fmt::format("{} are in both {} and {}",
                                     unit_range_text(job, o.range.begin, std::min(covered, o.range.end)),
                                     last->folder.string(), o.shard->folder.string()));
    if (o.range.end > covered) {
      covered = o.range.end;
      last = o.shard;
    }
  }
  if (covered < job.units) problems.push_back(unit_range_text(job, covered, job.units) + " are in no shard");
  if (!problems.empty()) {
    std::string text;
    for (const std::string& p : problems) text += (text.empty() ? "" : "; ") + p;
    throw UsageError(fmt::format("expected shards covering each of the job's {} {} exactly once, found {}", job.units,
                                 job_unit_name(job.kind), text));
  }

  MergedShards units{job, {}};
  std::vector<const ShardRead*> by_start;  // each shard once, by its first unit
  for (const Owned& o : order)
    if (std::find(by_start.begin(), by_start.end(), o.shard) == by_start.end()) by_start.push_back(o.shard);
  for (const ShardRead* s : by_start)
    for (const auto& [slot, table] : s->tables) {
      auto found = units.tables.find(slot);
      try {
        if (found == units.tables.end() || job.kind != JobUnitKind::replications)
          units.tables.insert_or_assign(slot, table);
        else
          found->second.append(table);  // shards in replication order
      } catch (const std::invalid_argument&) {
        throw UsageError(s->folder.string(), "expected tables of the same scopes and weeks as the other shards'");
      }
    }
  return units;
}

}  // namespace

JobUnits JobUnits::replay_of(MergedParts parts) {
  JobUnits units;
  units.replaying_ = true;
  units.identity_ = std::move(parts.first);
  units.block_ = {0, units.identity_.units};
  units.tables_ = std::move(parts.second);
  return units;
}

JobUnits JobUnits::merged(const std::vector<std::filesystem::path>& folders) {
  if (folders.empty()) throw UsageError("expected at least one shard folder, found none");
  std::vector<ShardRead> shards;
  for (const auto& folder : folders) shards.push_back(read_shard(folder));
  MergedShards m = merge_read(std::move(shards));
  return replay_of({std::move(m.job), std::move(m.tables)});
}

JobUnits JobUnits::merged_texts(const std::vector<std::pair<std::string, std::string>>& texts) {
  if (texts.empty()) throw UsageError("expected at least one shard, found none");
  std::vector<ShardRead> shards;
  for (const auto& [name, text] : texts) shards.push_back(shard_from_text(name, name, text));
  MergedShards m = merge_read(std::move(shards));
  return replay_of({std::move(m.job), std::move(m.tables)});
}

}  // namespace funnelsim
