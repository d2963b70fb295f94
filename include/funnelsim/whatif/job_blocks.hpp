#pragma once
/// A job split across processes: shards that each run one block of its units (run and compare:
/// replications; sweep: points; sensitivity: runs), and the merge that puts them back together.
///
/// Every random number is keyed by (seed, replication, source, lead, purpose), so where a unit
/// runs changes nothing it draws. A shard records the raw replication rows of its block (and the
/// job it belongs to: command, arguments, resolved scenario hash, seed, units); merging reassembles
/// exactly the tables one process builds and the job then runs its statistics and writers on them,
/// as a plain run does. Draws of uncertain inputs are recomputed from their keys at assembly.
///
/// Example: job_block(10, 0, 3) is [0, 3), job_block(10, 1, 3) is [3, 6), job_block(10, 2, 3) is
/// [6, 10).
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "funnelsim/engine/engine.hpp"

namespace funnelsim {

/// Units [begin, end) of a job.
struct JobBlock {
  std::uint64_t begin = 0;
  std::uint64_t end = 0;
  std::uint64_t size() const noexcept { return end - begin; }
  bool operator==(const JobBlock&) const = default;
};

/// Block `index` (0-based) of `count` contiguous blocks of a job of `units` units:
/// [floor(units*index/count), floor(units*(index+1)/count)). Blocks differ in size by at most one
/// and cover every unit exactly once. Throws std::invalid_argument unless index < count.
JobBlock job_block(std::uint64_t units, std::uint64_t index, std::uint64_t count);

/// Which shard of how many: `index` 0-based (the text "K/N" is 1-based: K = index + 1).
struct ShardSpec {
  std::uint64_t index = 0;
  std::uint64_t count = 1;
};

/// "K/N" with 1 <= K <= N (whole numbers, N at most 100000). Throws UsageError.
ShardSpec parse_shard(const std::string& text);

/// The variable naming the shard count of a Kubernetes Indexed Job (JOB_COMPLETION_INDEX gives
/// only the index): set it to the Job's `completions`.
inline constexpr const char* kShardCountVariable = "FUNNELSIM_SHARD_COUNT";

/// "auto": the shard from a job array's environment, read through `variable` (nullopt when unset):
/// Slurm (SLURM_ARRAY_TASK_ID - SLURM_ARRAY_TASK_MIN of SLURM_ARRAY_TASK_COUNT), else a
/// Kubernetes Indexed Job (JOB_COMPLETION_INDEX, 0-based, of FUNNELSIM_SHARD_COUNT). Throws
/// UsageError when neither is set or a value is not a valid whole number.
ShardSpec shard_from_environment(const std::function<std::optional<std::string>(const char*)>& variable);

/// What a job names as its units in messages: "replications", "sweep points", "sensitivity runs".
enum class JobUnitKind { replications, sweep_points, sensitivity_runs };
std::string job_unit_name(JobUnitKind kind);

/// The identity of a job: what every shard of it must agree on.
struct JobIdentity {
  std::string command;                 ///< "run", "compare", "sweep", "sensitivity"
  std::vector<std::string> arguments;  ///< the command's arguments, without the shard's own (--shard, --out, ...)
  std::string scenario_sha256;         ///< the resolved scenario's hash (compare: every scenario's, joined by ',')
  std::uint64_t seed = 0;
  JobUnitKind kind = JobUnitKind::replications;
  std::uint64_t units = 0;              ///< how many units the whole job has
  std::uint64_t first_replication = 0;  ///< run and compare: the job's first replication index
  bool operator==(const JobIdentity&) const = default;
};

/// A job's units as shards see them, passed to the what-if runs (run.hpp) through
/// WhatIfOptions::units. Recording: the run runs only its shard's block and keeps the tables it
/// made here (then returns nullopt); replaying: it runs nothing and takes every table from here,
/// then builds its report as a plain run would. A table is kept per slot: the scenario (run,
/// compare: the base is 0), the sweep point or the sensitivity run (0 the base, then each
/// parameter's low and high side).
class JobUnits {
 public:
  /// A shard's recorder: the arguments and command are what its file will say.
  static JobUnits recording(ShardSpec shard, std::string command, std::vector<std::string> arguments);

  /// Hands out sweep points and sensitivity runs one at a time instead of a block: `claim` returns
  /// the next unit no process has taken yet (a value >= the job's units once none is left); run
  /// and compare keep their static block. For processes that run together (MPI ranks).
  void set_claim(std::function<std::uint64_t()> claim) { claim_ = std::move(claim); }

  bool replaying() const noexcept { return replaying_; }
  /// Called by a what-if run once it knows the job (seed, units, hash): recording, it keeps the
  /// identity and returns the shard's block; replaying, it checks the identity against the
  /// shards' (UsageError naming what differs: a scenario changed since the shards ran) and returns
  /// every unit.
  JobBlock begin(const JobIdentity& identity);
  /// Recording a sweep or a tornado: the next unit this shard runs (its block's, in order, or the
  /// next claimed), nullopt when done. Recorded in ranges().
  std::optional<std::uint64_t> next_unit();
  /// Recording a tornado, whose runs are visited in order: whether this shard runs `unit` (each
  /// unit asked once, in increasing order; claims the next unit as needed).
  bool wants(std::uint64_t unit);
  /// Recording: keeps a slot's table (replications block.begin.. of the job's for run and
  /// compare, all of them for sweep and sensitivity).
  void keep(std::size_t slot, ReplicationTable table);
  /// Replaying: the slot's whole table (std::logic_error when missing: merge checked coverage).
  RunResult take(std::size_t slot) const;

  const JobIdentity& identity() const noexcept { return identity_; }
  const ShardSpec& shard() const noexcept { return shard_; }
  const JobBlock& block() const noexcept { return block_; }
  /// The units this shard ran, as ranges in increasing order (run, compare: its block).
  const std::vector<JobBlock>& ranges() const noexcept { return ranges_; }
  /// Whether the job was stopped (a cancel flag) before this shard finished its units.
  void set_cancelled() noexcept { cancelled_ = true; }
  bool cancelled() const noexcept { return cancelled_; }
  /// The shard file: the job, its block and the kept tables (every double round-trip exact).
  std::string shard_json() const;

  /// The shards in `folders` (each holding shard.json, as a shard's --out wrote it) put together:
  /// a replaying JobUnits. Throws UsageError, naming the folder, when a folder holds no readable
  /// shard, when shards disagree on command, arguments, scenario, seed or units, or when they
  /// leave units out or cover some twice (the missing or overlapping ranges named).
  static JobUnits merged(const std::vector<std::filesystem::path>& folders);
  /// As merged(), from shard files' texts, each with the name messages give it.
  static JobUnits merged_texts(const std::vector<std::pair<std::string, std::string>>& shards);

 private:
  using MergedParts = std::pair<JobIdentity, std::map<std::size_t, ReplicationTable>>;
  static JobUnits replay_of(MergedParts parts);
  bool replaying_ = false;
  ShardSpec shard_;
  JobIdentity identity_;
  JobBlock block_;
  std::vector<JobBlock> ranges_;
  std::function<std::uint64_t()> claim_;
  std::uint64_t cursor_ = 0;           // static: the next unit of the block
  std::optional<std::uint64_t> want_;  // wants(): the unit claimed and not yet reached
  bool exhausted_ = false;
  bool cancelled_ = false;
  std::map<std::size_t, ReplicationTable> tables_;
};

/// The file a shard writes into its folder.
inline constexpr const char* kShardFile = "shard.json";

}  // namespace funnelsim
