#pragma once
// --shard K/N|auto of run, compare, sweep and sensitivity, and the replay `funnelsim merge` hands
// the same commands: the CLI side of funnelsim/whatif/job_blocks.hpp.
#include <atomic>
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "funnelsim/whatif/job_blocks.hpp"
#include "funnelsim/whatif/run.hpp"
#include "output_target.hpp"
#include "run_options.hpp"

namespace funnelsim::cli {

/// The command line as main() got it: what a shard records of its job.
void set_command_line(int argc, const char* const* argv);

void add_shard_option(CLI::App& cmd, std::string& shard);

/// Processes that run one job together (MPI ranks, funnelsim-mpi): rank 0 hands out sweep points
/// and sensitivity runs one at a time, gathers every rank's shard and writes the outputs.
class Cluster {
 public:
  virtual ~Cluster() = default;
  virtual int rank() const = 0;
  virtual int size() const = 0;
  /// Every rank, once, when its command is about to split the job (ready) or has ended without
  /// getting there (not ready: an error, a signal, a command that splits nothing): whether every
  /// rank is ready. So one rank's error before the job stops the others instead of leaving them
  /// waiting for its share.
  virtual bool start(bool ready) = 0;
  /// Rank 0, before its own share: starts answering the other ranks' claims from `next`.
  virtual void serve(std::atomic<std::uint64_t>& next) = 0;
  /// Ranks > 0: the next unit no rank has taken (from rank 0).
  virtual std::uint64_t claim() = 0;
  /// After a rank's share: ranks > 0 say they claim no more; rank 0 waits until all have said so.
  virtual void done() = 0;
  /// Every rank's shard text, on rank 0 in rank order (empty elsewhere).
  virtual std::vector<std::string> gather(const std::string& mine) = 0;
  /// Every rank, at the same points (a calibration, once per evaluation): `values` gets every
  /// rank's, in rank order, on every rank. `stop`: this rank was stopped; false when any rank was,
  /// `values` then unchanged.
  virtual bool all_gather(std::vector<double>& values, bool stop) = 0;
  /// This rank's part of a split job is over (gather() says so itself): no rank waits for it.
  virtual void delivered() = 0;
};

/// The cluster every command of this process runs on (funnelsim-mpi sets it once; null: none).
void set_cluster(Cluster* cluster);
Cluster* current_cluster();

/// The part a command plays in a split job: a shard (--shard), a rank of a cluster, a merge's
/// replay, or none of them (a plain run).
class ShardRole {
 public:
  /// Checks --shard as typed on `cmd` (K/N or auto, with --out, without --report or
  /// --precision; refused on a cluster, which splits the job itself). Throws UsageError naming
  /// the option.
  ShardRole(const CLI::App& cmd, const std::string& shard, const ScenarioOptions& opts);

  /// Runs `job(options)` (a what-if run returning an optional report) as the role asks: plainly
  /// (a merge's replay attached), as a shard recording its block, or as a rank (its share, then
  /// rank 0 gathers every share and runs the job again on them). nullopt when there is nothing to
  /// report here: finished() says why.
  template <class Job>
  auto run(WhatIfOptions options, const Job& job) -> decltype(job(options)) {
    if (recorder_) {
      options.units = &*recorder_;
      (void)job(options);
      finished_ = true;
      return std::nullopt;
    }
    options.units = merge_replay();  // null unless merging
    Cluster* cluster = current_cluster();
    if (options.units || !cluster || cluster->size() == 1) return job(options);
    if (!cluster->start(true)) {
      finished_ = true;
      failed_elsewhere_ = true;
      return std::nullopt;
    }
    JobUnits mine = rank_units(*cluster);
    options.units = &mine;
    (void)job(options);
    std::optional<JobUnits> all = gather_ranks(*cluster, mine);
    if (!all) return std::nullopt;
    options.units = &*all;
    return job(options);
  }
  /// run() returned nullopt with nothing to report: the shard to write, a rank > 0, or a rank
  /// stopped elsewhere.
  bool finished() const { return finished_; }
  /// After finished(): writes the shard file (the --out folder's result set; says so on stderr
  /// unless `quiet`), or says a rank was stopped. The command's exit code.
  int finish(const OutputTargets& targets, bool quiet) const;

 private:
  static JobUnits* merge_replay();
  JobUnits rank_units(Cluster& cluster);
  std::optional<JobUnits> gather_ranks(Cluster& cluster, const JobUnits& mine);

  std::string command_;
  std::vector<std::string> arguments_;
  std::optional<JobUnits> recorder_;
  bool finished_ = false;
  bool stopped_elsewhere_ = false;
  bool failed_elsewhere_ = false;
  std::atomic<std::uint64_t> next_unit_{0};
};

/// `funnelsim merge`: the replay a command merging shards runs on (set for the time of one command).
class ReplayScope {
 public:
  explicit ReplayScope(JobUnits& units);
  ~ReplayScope();
  ReplayScope(const ReplayScope&) = delete;
  ReplayScope& operator=(const ReplayScope&) = delete;
};

/// The command's arguments without a shard's own options (--shard, --out, --report, --quiet,
/// --threads, --memory-budget): what every shard of a job must agree on.
std::vector<std::string> job_arguments(const std::vector<std::string>& arguments);

}  // namespace funnelsim::cli
