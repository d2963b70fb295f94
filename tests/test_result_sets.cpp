// The result-set writer (funnelsim/output/result_set.hpp): a folder is replaced as a whole or not
// at all, whatever fails (disk full, a refused rename, a kill mid-write, a second writer, a
// planted symlink). Faults are injected through sim/output/result_set_faults.hpp.
#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>

#include "cli_support.hpp"
#include "funnelsim/core/usage_error.hpp"
#include "funnelsim/output/result_set.hpp"
#include "funnelsim/output/run_identity.hpp"
#include "funnelsim/scenario/loader.hpp"
#include "output/result_set_faults.hpp"

namespace fs = std::filesystem;
using namespace funnelsim;
using funnelsim::test::read_file;
using funnelsim::test::TempDir;

namespace {

const ResultSetFiles kOld = {
    {"summary.json", "{\n  \"a\": 1\n}\n"}, {"replications.csv", "x\n1\n"}, {"weekly.csv", "w\n"}};
const ResultSetFiles kNew = {
    {"summary.json", "{\n  \"a\": 2\n}\n"}, {"replications.csv", "x\n2\n"}, {"weekly.csv", "v\n"}};

/// Every entry of `folder` and its content.
std::map<std::string, std::string> contents(const fs::path& folder) {
  std::map<std::string, std::string> all;
  for (const auto& entry : fs::directory_iterator(folder))
    all[entry.path().filename().string()] = read_file(entry.path());
  return all;
}

std::map<std::string, std::string> as_map(const ResultSetFiles& files) { return {files.begin(), files.end()}; }

/// The entries of `folder` whose name starts with `prefix`.
int count_prefixed(const fs::path& folder, const std::string& prefix) {
  int n = 0;
  for (const auto& entry : fs::directory_iterator(folder)) n += entry.path().filename().string().rfind(prefix, 0) == 0;
  return n;
}

/// Removes the fault hook when a test ends, however it ends.
struct FaultScope {
  explicit FaultScope(detail::ResultSetFault fault) { detail::set_result_set_fault(std::move(fault)); }
  ~FaultScope() { detail::set_result_set_fault({}); }
};

void write_set(const fs::path& target, const ResultSetFiles& files) { ResultSetWriter(target, "--out").commit(files); }

}  // namespace

TEST_CASE("result set: a new folder gets every file at once", "[result_set]") {
  TempDir dir;
  write_set(dir / "res", with_run_id(kNew, "0123456789abcdef"));
  const auto written = contents(dir / "res");
  CHECK(written.size() == 4);
  CHECK(written.at("summary.json") == "{\n  \"run_id\": \"0123456789abcdef\",\n  \"a\": 2\n}\n");
  CHECK(written.at("replications.csv") == "x\n2\n");
  CHECK(written.at("run_id") == "0123456789abcdef\n");
  CHECK(count_prefixed(dir.path(), ".") == 0);  // no staging folder, no lock file left
}

TEST_CASE("result set: an existing set is replaced as a whole", "[result_set]") {
  TempDir dir;
  write_set(dir / "res", kOld);
  write_set(dir / "res", ResultSetFiles{{"compare.json", "{}\n"}});
  CHECK(contents(dir / "res") == as_map(ResultSetFiles{{"compare.json", "{}\n"}}));  // nothing of the old run
  CHECK(count_prefixed(dir.path(), ".") == 0);
}

TEST_CASE("result set: a full disk leaves the old set untouched", "[result_set]") {
  TempDir dir;
  write_set(dir / "res", kOld);
  const FaultScope fault([](std::string_view step) { return step == "write weekly.csv" ? ENOSPC : 0; });
  CHECK_THROWS_AS(write_set(dir / "res", kNew), ResultWriteError);
  CHECK(contents(dir / "res") == as_map(kOld));
  CHECK(count_prefixed(dir.path(), ".funnelsim-staging-") == 0);
}

TEST_CASE("result set: a full disk leaves no new folder", "[result_set]") {
  TempDir dir;
  const FaultScope fault([](std::string_view step) { return step == "write replications.csv" ? ENOSPC : 0; });
  CHECK_THROWS_WITH(write_set(dir / "res", kNew), Catch::Contains("replications.csv") && Catch::Contains("space"));
  CHECK_FALSE(fs::exists(dir / "res"));
  CHECK(fs::is_empty(dir.path()));
}

TEST_CASE("result set: a refused rename leaves the old set untouched", "[result_set]") {
  TempDir dir;
  write_set(dir / "res", kOld);
  const FaultScope fault([](std::string_view step) { return step == "swap" ? EXDEV : 0; });
  CHECK_THROWS_AS(write_set(dir / "res", kNew), ResultWriteError);
  CHECK(contents(dir / "res") == as_map(kOld));
  CHECK(count_prefixed(dir.path(), ".funnelsim-staging-") == 0);
}

TEST_CASE("result set: without RENAME_EXCHANGE the old set moves aside", "[result_set]") {
  TempDir dir;
  write_set(dir / "res", kOld);
  const FaultScope fault([](std::string_view step) { return step == "exchange" ? EINVAL : 0; });
  write_set(dir / "res", kNew);
  CHECK(contents(dir / "res") == as_map(kNew));
  CHECK(count_prefixed(dir.path(), ".") == 0);
}

TEST_CASE("result set: a writer killed mid-write leaves the old set, the next one cleans up", "[result_set]") {
  TempDir dir;
  write_set(dir / "res", kOld);
  for (const char* step : {"write replications.csv", "swap"}) {
    const pid_t child = ::fork();
    REQUIRE(child >= 0);
    if (child == 0) {  // killed at `step`, as by SIGKILL from outside
      detail::set_result_set_fault([step](std::string_view s) {
        if (s == step) ::kill(::getpid(), SIGKILL);
        return 0;
      });
      try {
        write_set(dir / "res", kNew);
      } catch (...) {
      }
      ::_exit(0);
    }
    int status = 0;
    REQUIRE(::waitpid(child, &status, 0) == child);
    REQUIRE(WIFSIGNALED(status));
    CHECK(WTERMSIG(status) == SIGKILL);
    INFO(step);
    CHECK(contents(dir / "res") == as_map(kOld));
    CHECK(count_prefixed(dir.path(), ".funnelsim-staging-res-" + std::to_string(child) + "-") == 1);
    {
      const ResultSetWriter next(dir / "res", "--out");  // the owner is dead: its staging goes
      CHECK(count_prefixed(dir.path(), ".funnelsim-staging-") == 0);
    }
  }
  write_set(dir / "res", kNew);
  CHECK(contents(dir / "res") == as_map(kNew));
}

TEST_CASE("result set: a second writer is refused, naming the first one's pid", "[result_set]") {
  TempDir dir;
  const ResultSetWriter first(dir / "res", "--out");
  CHECK_THROWS_WITH(ResultSetWriter(dir / "res", "--out"),
                    Catch::Contains("pid " + std::to_string(::getpid())) && Catch::Contains("--out"));
}

TEST_CASE("result set: the target is checked before anything is written", "[result_set]") {
  TempDir dir;
  CHECK_THROWS_AS(ResultSetWriter("", "--out"), UsageError);
  std::ofstream(dir / "file") << "x";
  CHECK_THROWS_WITH(ResultSetWriter(dir / "file", "--out"), Catch::Contains("found a file"));
  CHECK_THROWS_WITH(ResultSetWriter(dir / "file" / "res", "--out"), Catch::Contains("is a file"));
  fs::create_directories(dir / "res" / "weekly.csv");  // a folder where a result file goes
  CHECK_THROWS_WITH(ResultSetWriter(dir / "res", "--out"), Catch::Contains("weekly.csv"));
  fs::create_directories(dir / "mine");
  std::ofstream(dir / "mine" / "notes.txt") << "keep me";
  CHECK_THROWS_WITH(ResultSetWriter(dir / "mine", "--out"), Catch::Contains("notes.txt"));
  CHECK(read_file(dir / "mine" / "notes.txt") == "keep me");
}

TEST_CASE("result set: a planted symlink does not redirect a write", "[result_set]") {
  TempDir dir;
  std::ofstream(dir / "victim") << "precious";
  // The names the old writer used (.NAME.tmp-PID), planted beside a report and in the parent.
  const std::string pid = std::to_string(::getpid());
  fs::create_symlink(dir / "victim", dir / (".report.html.tmp-" + pid));
  for (const char* suffix : {"XXXXXX", "000000", "aaaaaa"})
    fs::create_symlink(dir / "victim", dir / (".funnelsim-staging-res-" + pid + "-" + suffix));
  write_file_atomically(dir / "report.html", "<html>");
  write_set(dir / "res", kNew);
  CHECK(read_file(dir / "victim") == "precious");
  CHECK(read_file(dir / "report.html") == "<html>");
  CHECK(contents(dir / "res") == as_map(kNew));
  // A symlink inside the target is not a result: the folder is refused, not followed.
  fs::create_symlink(dir / "victim", dir / "res" / "weekly.csv.link");
  CHECK_THROWS_AS(ResultSetWriter(dir / "res", "--out"), UsageError);
  CHECK(read_file(dir / "victim") == "precious");
}

TEST_CASE("result set: run identifiers, and a folder whose files disagree", "[result_set]") {
  CHECK(run_identifier({"a", "bc"}) != run_identifier({"ab", "c"}));
  CHECK(run_identifier({"x"}) == run_identifier({"x"}));
  CHECK(run_identifier({"x"}).size() == 16);
  TempDir dir;
  const auto one = with_run_id(kNew, "1111111111111111");
  check_result_set_agrees(dir.path(), one);
  auto mixed = one;
  mixed.back().second = "2222222222222222\n";  // the run_id file of another run
  CHECK_THROWS_WITH(check_result_set_agrees(dir.path(), mixed),
                    Catch::Contains("summary.json") && Catch::Contains("run_id") && Catch::Contains("2222"));
  check_result_set_agrees(dir.path(), kOld);  // written before run identifiers: accepted
}

TEST_CASE("result set: every command's run identifier is the library's, from what was given", "[result_set][cli]") {
  TempDir dir;
  const std::string out = " --quiet --out '" + (dir / "r").string() + "'";
  const auto run_id_of = [&](const std::string& args) {
    REQUIRE(funnelsim::test::cli(args + out).exit_code == 0);
    std::string text = read_file(dir / "r" / "run_id");
    return text.substr(0, text.find('\n'));
  };
  const std::filesystem::path source(FUNNELSIM_SOURCE_DIR);
  const nlohmann::json channel = read_scenario_document(source / "scenarios/channel_mix.json");
  const nlohmann::json raised =
      read_scenario_document(source / "scenarios/channel_mix.json", {Override::parse("/scoring/mql_threshold=70")});

  RunInfo info;
  info.seed = 4;  // channel_mix's own
  info.replications = 3;
  CHECK(run_id_of("run scenarios/channel_mix.json --replications 3") == run_id_of_run(channel, info, ""));
  info.seed = 9;
  info.first_replication = 2;
  CHECK(run_id_of("run scenarios/channel_mix.json --replications 3 --seed 9 --first-replication 2") ==
        run_id_of_run(channel, info, ""));

  // A control left to the scenario is not the same request as one given, even with its value.
  GivenRunControls given;
  given.replications = 3;
  CHECK(run_id_of("compare scenarios/channel_mix.json scenarios/channel_mix.json --replications 3") ==
        run_id_of_comparison({channel, channel}, given));
  given.seed = 4;
  CHECK(run_id_of_comparison({channel, channel}, given) != run_id_of_comparison({channel, raised}, given));
  CHECK(run_id_of("compare scenarios/channel_mix.json scenarios/channel_mix.json --replications 3 --seed 4") ==
        run_id_of_comparison({channel, channel}, given));
  given.seed.reset();

  CHECK(run_id_of("sweep scenarios/channel_mix.json --replications 3 --param /scoring/mql_threshold=60,70 "
                  "--objective 'maximize sqls'") ==
        run_id_of_sweep(channel, given, "maximize sqls", "", {"/scoring/mql_threshold=60,70"}));
  CHECK(run_id_of("sensitivity scenarios/channel_mix.json --replications 3 --params /scoring/mql_threshold") ==
        run_id_of_sensitivity(channel, given, "20%", "cost_per_sql_marketing", "/scoring/mql_threshold"));
}
