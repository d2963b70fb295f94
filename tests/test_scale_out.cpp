// Beyond one machine: a job split into contiguous blocks (job_blocks), shards run with --shard K/N
// and put together by `funnelsim merge`, whose files are byte for byte those of one process.
#include <stdlib.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "cli_support.hpp"
#include "funnelsim/core/usage_error.hpp"
#include "funnelsim/whatif/job_blocks.hpp"
#include "small_scenario.hpp"

using funnelsim::job_block;
using funnelsim::JobBlock;
using funnelsim::parse_shard;
using funnelsim::shard_from_environment;
using funnelsim::UsageError;
using funnelsim::test::cli;
using funnelsim::test::q;
using funnelsim::test::read_file;
using funnelsim::test::TempDir;

namespace {

using Files = std::map<std::string, std::string>;

/// Every file of a result folder, by name.
Files folder_files(const std::filesystem::path& folder) {
  Files files;
  for (const auto& entry : std::filesystem::directory_iterator(folder))
    files[entry.path().filename().string()] = read_file(entry.path());
  return files;
}

const std::string kUncertainThreshold =
    R"(--set '/scoring/mql_threshold={"uncertain":{"distribution":"uniform","low":40,"high":80}}')";

/// `funnelsim COMMAND ARGS` once plainly and once as `shards` shards merged: the same files (and
/// report), and the merge prints what the plain run prints.
void check_merge_equals_plain(const std::string& command, const std::string& args, int shards) {
  const TempDir dir;
  const auto plain = cli(command + " " + args + " --out " + q(dir / "plain") + " --report " + q(dir / "plain.html"));
  INFO(plain.err);
  REQUIRE(plain.exit_code == 0);
  std::string folders;
  for (int k = 1; k <= shards; ++k) {
    const std::filesystem::path shard = dir / ("shard" + std::to_string(k));
    const auto r = cli(command + " " + args + " --shard " + std::to_string(k) + "/" + std::to_string(shards) +
                       " --threads " + std::to_string(1 + k % 2) + " --out " + q(shard));
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    CHECK(r.out.empty());
    CHECK(std::filesystem::exists(shard / "shard.json"));
    folders += ' ';  // in steps: g++ 12 warns (-Wrestrict) about " " + string
    folders += q(shard);
  }
  const auto merged = cli("merge" + folders + " --out " + q(dir / "merged") + " --report " + q(dir / "merged.html"));
  INFO(merged.err);
  REQUIRE(merged.exit_code == 0);
  CHECK(merged.out == plain.out);
  const Files a = folder_files(dir / "plain"), b = folder_files(dir / "merged");
  REQUIRE(a.size() == b.size());
  for (const auto& [name, text] : a) {
    INFO(name);
    REQUIRE(b.count(name) == 1);
    CHECK(b.at(name) == text);
  }
  CHECK(read_file(dir / "merged.html") == read_file(dir / "plain.html"));
}

/// A merge that must be refused: exit 2, the message holding `expected`, nothing written.
void check_refused(const std::string& folders, const std::string& expected) {
  const TempDir out;
  const auto r = cli("merge " + folders + " --out " + q(out / "merged") + " --report " + q(out / "r.html"));
  INFO(r.err);
  CHECK(r.exit_code == 2);
  CHECK(r.out.empty());
  CHECK(r.err.find(expected) != std::string::npos);
  CHECK(!std::filesystem::exists(out / "merged"));
  CHECK(!std::filesystem::exists(out / "r.html"));
}

std::string shard_of(const std::string& args, const std::string& shard, const std::filesystem::path& out) {
  const auto r = cli("run " + args + " --shard " + shard + " --quiet --out " + q(out));
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  return q(out);
}

/// An environment variable set for one scope, the old value put back after.
class ScopedVariable {
 public:
  ScopedVariable(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    if (value)
      ::setenv(name, value, 1);
    else
      ::unsetenv(name);
  }
  ~ScopedVariable() {
    if (old_)
      ::setenv(name_, old_->c_str(), 1);
    else
      ::unsetenv(name_);
  }
  ScopedVariable(const ScopedVariable&) = delete;
  ScopedVariable& operator=(const ScopedVariable&) = delete;

 private:
  const char* name_;
  std::optional<std::string> old_;
};

}  // namespace

TEST_CASE("job_blocks: K of N contiguous blocks cover every unit once, sizes within one", "[job_blocks]") {
  for (std::uint64_t units : {0, 1, 2, 7, 10, 200, 1001})
    for (std::uint64_t count : {1, 2, 3, 8, 64}) {
      std::uint64_t next = 0, smallest = units, largest = 0;
      for (std::uint64_t k = 0; k < count; ++k) {
        const JobBlock b = job_block(units, k, count);
        CHECK(b.begin == next);
        CHECK(b.begin == units * k / count);
        next = b.end;
        smallest = std::min(smallest, b.size());
        largest = std::max(largest, b.size());
      }
      CHECK(next == units);
      CHECK(largest - smallest <= 1);
    }
  CHECK(job_block(10, 0, 3) == JobBlock{0, 3});
  CHECK(job_block(10, 1, 3) == JobBlock{3, 6});
  CHECK(job_block(10, 2, 3) == JobBlock{6, 10});
  CHECK_THROWS_AS(job_block(10, 3, 3), std::invalid_argument);
  // Exact for any replication count: no overflow in units * index.
  const std::uint64_t huge = (std::uint64_t{1} << 53) - 1;
  CHECK(job_block(huge, 99999, 100000).end == huge);
  CHECK(job_block(huge, 1, 3).begin == huge / 3);
}

TEST_CASE("job_blocks: --shard K/N parses 1-based, refuses 0/3, 4/3 and x/y", "[job_blocks]") {
  CHECK(parse_shard("1/3").index == 0);
  CHECK(parse_shard("3/3").index == 2);
  CHECK(parse_shard("3/3").count == 3);
  for (const char* bad : {"0/3", "4/3", "x/y", "3", "/3", "1/", "1/0", "-1/3", "1/3/4", "1.5/3", ""})
    CHECK_THROWS_AS(parse_shard(bad), UsageError);
}

TEST_CASE("job_blocks: auto reads Slurm's array or an Indexed Job, and says when neither is set", "[job_blocks]") {
  std::map<std::string, std::string> env;
  const auto lookup = [&](const char* name) -> std::optional<std::string> {
    const auto found = env.find(name);
    if (found == env.end()) return std::nullopt;
    return found->second;
  };
  CHECK_THROWS_WITH(shard_from_environment(lookup), Catch::Contains("SLURM_ARRAY_TASK_ID") &&
                                                        Catch::Contains("JOB_COMPLETION_INDEX") &&
                                                        Catch::Contains("FUNNELSIM_SHARD_COUNT"));
  env = {{"SLURM_ARRAY_TASK_ID", "4"}, {"SLURM_ARRAY_TASK_COUNT", "4"}, {"SLURM_ARRAY_TASK_MIN", "1"}};
  CHECK(shard_from_environment(lookup).index == 3);
  CHECK(shard_from_environment(lookup).count == 4);
  env = {{"SLURM_ARRAY_TASK_ID", "4"}, {"SLURM_ARRAY_TASK_COUNT", "4"}};  // --array=0-3 without the minimum
  CHECK_THROWS_AS(shard_from_environment(lookup), UsageError);
  env = {{"JOB_COMPLETION_INDEX", "2"}, {"FUNNELSIM_SHARD_COUNT", "5"}};
  CHECK(shard_from_environment(lookup).index == 2);
  CHECK(shard_from_environment(lookup).count == 5);
  env = {{"JOB_COMPLETION_INDEX", "2"}};
  CHECK_THROWS_WITH(shard_from_environment(lookup), Catch::Contains("FUNNELSIM_SHARD_COUNT"));
  env = {{"JOB_COMPLETION_INDEX", "two"}, {"FUNNELSIM_SHARD_COUNT", "5"}};
  CHECK_THROWS_AS(shard_from_environment(lookup), UsageError);
}

TEST_CASE("scale out: run in 3 shards merged is a plain run byte for byte, uncertain inputs too, and 1/1 as well",
          "[scale_out]") {
  const funnelsim::test::SmallScenario small;
  check_merge_equals_plain("run", q(small.file) + " --replications 7 --first-replication 3", 3);
  check_merge_equals_plain("run", q(small.file) + " --replications 5 " + kUncertainThreshold, 3);
  check_merge_equals_plain("run", q(small.file) + " --replications 4", 1);
  check_merge_equals_plain("run", q(small.file) + " --replications 2", 3);  // a shard with no replication
}

TEST_CASE("scale out: compare, sweep and sensitivity in 3 shards merged are plain runs byte for byte", "[scale_out]") {
  const funnelsim::test::SmallScenario small;
  check_merge_equals_plain("compare",
                           q(small.file) +
                               " --variant high:/scoring/mql_threshold=70 --variant low:/scoring/mql_threshold=50 "
                               "--replications 5",
                           3);
  check_merge_equals_plain("sweep", q(small.file) + " --param /scoring/mql_threshold=50,60,70,80 --replications 3", 3);
  check_merge_equals_plain(
      "sensitivity",
      q(small.file) + " --metric mqls --params /scoring/mql_threshold,/sources/0/cost_per_lead " + " --replications 3",
      3);
  check_merge_equals_plain(
      "sensitivity",
      q(small.file) + " --params /sources/0/cost_per_lead --replications 4 " +
          R"(--set '/sources/0/leads_per_week={"uncertain":{"distribution":"uniform","low":80,"high":120}}')",
      3);
}

TEST_CASE("scale out: merge refuses a missing, overlapping, other-seed or other-scenario shard, writing nothing",
          "[scale_out]") {
  const funnelsim::test::SmallScenario small;
  const TempDir dir;
  const std::string args = q(small.file) + " --replications 6";
  const std::string s1 = shard_of(args, "1/3", dir / "s1"), s2 = shard_of(args, "2/3", dir / "s2"),
                    s3 = shard_of(args, "3/3", dir / "s3");
  check_refused(s1 + " " + s3, "replications 2 to 3 are in no shard");
  check_refused(s1 + " " + s2, "replications 4 to 5 are in no shard");
  check_refused(s1 + " " + s2 + " " + s3 + " " + s2, "replications 2 to 3 are in both");
  const std::string half = shard_of(args, "1/2", dir / "half");  // replications 0..2 overlap s1 and s2
  check_refused(half + " " + s2 + " " + s3, "replications 2 are in both");
  const std::string seeded = shard_of(args + " --seed 9", "3/3", dir / "seeded");
  check_refused(s1 + " " + s2 + " " + seeded, "expected the shards of one seed, found seed 5");
  check_refused(q(dir / "nowhere") + " " + s2, "nowhere");
  // The same command line on a scenario file changed between shards: another resolved scenario.
  const funnelsim::test::SmallScenario other(R"({"horizon_days": 21})");
  const TempDir moved;
  std::filesystem::copy_file(other.file, small.file, std::filesystem::copy_options::overwrite_existing);
  const std::string changed = shard_of(args, "3/3", moved / "s3");
  check_refused(s1 + " " + s2 + " " + changed, "expected the shards of one scenario");
}

TEST_CASE("scale out: --shard refuses bad text, a missing --out, --precision and auto without a job array",
          "[scale_out]") {
  const funnelsim::test::SmallScenario small;
  const TempDir dir;
  const ScopedVariable slurm("SLURM_ARRAY_TASK_ID", nullptr), index("JOB_COMPLETION_INDEX", nullptr);
  for (const std::string shard : {"0/3", "4/3", "x/y", "auto"}) {
    const auto r = cli("run " + q(small.file) + " --replications 2 --shard " + shard + " --out " + q(dir / "o"));
    INFO(r.err);
    CHECK(r.exit_code == 2);
    CHECK(r.err.find("--shard") != std::string::npos);
    CHECK(!std::filesystem::exists(dir / "o"));
  }
  const auto no_out = cli("sweep " + q(small.file) + " --param /scoring/mql_threshold=50,60 --shard 1/2");
  CHECK(no_out.exit_code == 2);
  CHECK(no_out.err.find("--out") != std::string::npos);
  const auto precision = cli("run " + q(small.file) + " --precision mqls=5% --shard 1/2 --out " + q(dir / "o"));
  CHECK(precision.exit_code == 2);
  CHECK(precision.err.find("--precision") != std::string::npos);
  CHECK(!std::filesystem::exists(dir / "o"));
  // An Indexed Job's index with the count beside it.
  const ScopedVariable k8s("JOB_COMPLETION_INDEX", "1"), count("FUNNELSIM_SHARD_COUNT", "3");
  const auto r = cli("run " + q(small.file) + " --replications 6 --shard auto --out " + q(dir / "auto"));
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const auto shard = nlohmann::json::parse(read_file(dir / "auto" / "shard.json"));
  CHECK(shard["shard"] == nlohmann::json::array({2, 3}));
  CHECK(shard["ranges"] == nlohmann::json::parse("[[2, 4]]"));
}
