#include "shard_option.hpp"

#include <cstdlib>

#include <fmt/format.h>

#include "funnelsim/core/usage_error.hpp"
#include "funnelsim/output/result_set.hpp"
#include "option_error.hpp"
#include "terminal.hpp"

namespace funnelsim::cli {
namespace {

std::vector<std::string>& shard_command_line() {
  static std::vector<std::string> words;
  return words;
}

JobUnits*& replay_units() {
  static JobUnits* units = nullptr;
  return units;
}

Cluster*& cluster_slot() {
  static Cluster* cluster = nullptr;
  return cluster;
}

}  // namespace

void set_command_line(int argc, const char* const* argv) { shard_command_line().assign(argv, argv + argc); }

void add_shard_option(CLI::App& cmd, std::string& shard) {
  cmd.add_option("--shard", shard,
                 "Run only block K of N of the job (replications; sweep: points; sensitivity: runs) and write a shard "
                 "file into --out for `funnelsim merge`: K/N, or auto from a Slurm job array or a Kubernetes Indexed "
                 "Job (see docs/scale-out.md)");
}

std::vector<std::string> job_arguments(const std::vector<std::string>& arguments) {
  static const std::vector<std::string> with_value = {"--shard", "--out", "--report", "--threads", "--memory-budget"};
  std::vector<std::string> kept;
  for (std::size_t i = 0; i < arguments.size(); ++i) {
    const std::string& a = arguments[i];
    if (a == "--quiet") continue;
    bool dropped = false;
    for (const std::string& option : with_value) {
      if (a == option) {
        ++i;  // and its value
        dropped = true;
      } else if (a.rfind(option + "=", 0) == 0) {
        dropped = true;
      }
    }
    if (!dropped) kept.push_back(a);
  }
  return kept;
}

ShardRole::ShardRole(const CLI::App& cmd, const std::string& shard, const ScenarioOptions& opts)
    : command_(cmd.get_name()) {
  // The words after the command's name, as typed.
  const std::vector<std::string>& words = shard_command_line();
  for (std::size_t i = 1; i < words.size(); ++i)
    if (words[i] == cmd.get_name()) {
      arguments_ =
          job_arguments(std::vector<std::string>(words.begin() + static_cast<std::ptrdiff_t>(i) + 1, words.end()));
      break;
    }
  if (cmd.count("--shard") == 0) {
    if (current_cluster() && current_cluster()->size() > 1 && !opts.precision.empty())
      throw UsageError(
          "--precision: expected a fixed replication count on several ranks, found --precision (batches that stop "
          "when a target holds cannot be split into blocks)");
    return;
  }
  if (current_cluster())
    throw UsageError("--shard: funnelsim-mpi splits the job over its ranks itself: leave --shard out");
  const ShardSpec spec = for_option("--shard", [&] {
    if (shard == "auto")
      return shard_from_environment([](const char* name) -> std::optional<std::string> {
        const char* value = std::getenv(name);  // NOLINT(concurrency-mt-unsafe): read before any thread starts
        if (value == nullptr) return std::nullopt;
        return std::string(value);
      });
    return parse_shard(shard);
  });
  if (cmd.count("--out") == 0) throw UsageError("--shard: expected --out FOLDER for the shard file, found no --out");
  if (cmd.count("--report") > 0)
    throw UsageError("--report: a shard writes no report (funnelsim merge SHARD_DIR... --out DIR --report FILE does)");
  if (!opts.precision.empty())
    throw UsageError(
        "--shard: expected a fixed replication count, found --precision (batches that stop when a target holds "
        "cannot be split into blocks)");
  recorder_ = JobUnits::recording(spec, command_, arguments_);
}

JobUnits* ShardRole::merge_replay() { return replay_units(); }

JobUnits ShardRole::rank_units(Cluster& cluster) {
  JobUnits units = JobUnits::recording(
      {static_cast<std::uint64_t>(cluster.rank()), static_cast<std::uint64_t>(cluster.size())}, command_, arguments_);
  next_unit_ = 0;
  if (cluster.rank() == 0) {
    cluster.serve(next_unit_);
    units.set_claim([this] { return next_unit_.fetch_add(1); });
  } else {
    units.set_claim([&cluster] { return cluster.claim(); });
  }
  return units;
}

std::optional<JobUnits> ShardRole::gather_ranks(Cluster& cluster, const JobUnits& mine) {
  cluster.done();
  const std::vector<std::string> texts = cluster.gather(mine.shard_json());
  finished_ = true;
  if (cluster.rank() != 0) return std::nullopt;
  std::vector<std::pair<std::string, std::string>> shards;
  for (std::size_t r = 0; r < texts.size(); ++r) {
    if (nlohmann::json::parse(texts[r]).value("cancelled", false)) {
      stopped_elsewhere_ = true;
      return std::nullopt;
    }
    shards.emplace_back(fmt::format("rank {}", r), texts[r]);
  }
  finished_ = false;
  return JobUnits::merged_texts(shards);
}

int ShardRole::finish(const OutputTargets& targets, bool quiet) const {
  if (failed_elsewhere_) {
    if (current_cluster()->rank() == 0)
      print_text(stderr,
                 "funnelsim: another rank stopped before the job started (an error or a signal): nothing "
                 "written\n");
    return 2;
  }
  if (stopped_elsewhere_) {
    print_text(stderr, "funnelsim: stopped on another rank (a signal): nothing written\n");
    return 130;
  }
  if (!recorder_) return 0;  // a rank > 0: rank 0 writes
  if (recorder_->cancelled()) return 130;
  const std::string text = recorder_->shard_json();
  targets.write({{kShardFile, text}}, run_identifier({text}), [](const ResultSetFiles&) { return std::string(); });
  if (!quiet) {
    const JobIdentity& job = recorder_->identity();
    const JobBlock& block = recorder_->block();
    const std::uint64_t offset = job.kind == JobUnitKind::replications ? job.first_replication : 0;
    const std::string what = block.size() == 0
                                 ? fmt::format("no {} (the job has {})", job_unit_name(job.kind), job.units)
                                 : fmt::format("{} {} to {} of {}", job_unit_name(job.kind), block.begin + offset,
                                               block.end - 1 + offset, job.units);
    print_text(stderr, fmt::format("funnelsim: shard {}/{} ran {}\n", recorder_->shard().index + 1,
                                   recorder_->shard().count, what));
  }
  return 0;
}

ReplayScope::ReplayScope(JobUnits& units) { replay_units() = &units; }
ReplayScope::~ReplayScope() { replay_units() = nullptr; }

void set_cluster(Cluster* cluster) { cluster_slot() = cluster; }
Cluster* current_cluster() { return cluster_slot(); }

}  // namespace funnelsim::cli
