// run/compare/report --out and --report as one transaction: checked before simulating, a failed
// report leaves the folder untouched, a second writer is refused, every file names one run, and
// failed writes to stdout and stderr are handled.
#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <string>

#include "cli_support.hpp"
#include "small_scenario.hpp"

namespace fs = std::filesystem;
using namespace funnelsim::test;

namespace {

/// `funnelsim ARGS` with the shell redirections `redirect` (instead of cli()'s captures), stderr
/// in the returned err unless `redirect` says where it goes.
CliResult cli_redirected(const std::string& args, const std::string& redirect, const TempDir& capture) {
  const std::string command = "cd '" + std::string(FUNNELSIM_SOURCE_DIR) + "' && '" + FUNNELSIM_CLI + "' " + args +
                              " " + redirect + " </dev/null";
  const int status = std::system(command.c_str());
  CliResult r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  if (fs::exists(capture / "err")) r.err = read_file(capture / "err");
  return r;
}

}  // namespace

TEST_CASE("cli result sets: every file of a run carries one run_id", "[cli][result_set]") {
  SmallScenario s;
  TempDir dir;
  const auto r = cli("run " + s.file + " --replications 3 --quiet --out " + q(dir / "res"));
  REQUIRE(r.exit_code == 0);
  const std::string id = read_file(dir / "res" / "run_id");
  REQUIRE(id.size() == 17);
  const auto summary = nlohmann::json::parse(read_file(dir / "res" / "summary.json"));
  CHECK(summary.at("run_id").get<std::string>() + "\n" == id);
  CHECK(read_file(dir / "res" / "summary.json").rfind("{\n  \"run_id\": ", 0) == 0);  // the first member
  // The same inputs give the same identifier; another seed another one.
  REQUIRE(cli("run " + s.file + " --replications 3 --quiet --out " + q(dir / "same")).exit_code == 0);
  CHECK(read_file(dir / "same" / "run_id") == id);
  REQUIRE(cli("run " + s.file + " --replications 3 --seed 8 --quiet --out " + q(dir / "other")).exit_code == 0);
  CHECK(read_file(dir / "other" / "run_id") != id);
  // report refuses a folder mixing two runs, naming the files.
  fs::copy_file(dir / "other" / "run_id", dir / "res" / "run_id", fs::copy_options::overwrite_existing);
  const auto mixed = cli("report " + q(dir / "res") + " --quiet");
  CHECK(mixed.exit_code == 2);
  CHECK_THAT(mixed.err, Catch::Contains("summary.json") && Catch::Contains("run_id"));
  CHECK_FALSE(fs::exists(dir / "res" / "report.html"));
}

TEST_CASE("cli result sets: compare into a folder of a run replaces it as a whole", "[cli][result_set]") {
  SmallScenario s;
  TempDir dir;
  REQUIRE(cli("run " + s.file + " --replications 3 --quiet --out " + q(dir / "res")).exit_code == 0);
  const auto r = cli("compare " + s.file + " " + s.file + " --replications 3 --quiet --out " + q(dir / "res"));
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK_FALSE(fs::exists(dir / "res" / "summary.json"));
  CHECK(fs::exists(dir / "res" / "compare.csv"));
  CHECK(nlohmann::json::parse(read_file(dir / "res" / "compare.json")).at("run_id").get<std::string>() + "\n" ==
        read_file(dir / "res" / "run_id"));
}

TEST_CASE("cli result sets: --report that cannot be written leaves --out untouched", "[cli][result_set]") {
  SmallScenario s;
  TempDir dir;
  REQUIRE(cli("run " + s.file + " --replications 3 --quiet --out " + q(dir / "res")).exit_code == 0);
  const std::string before = read_file(dir / "res" / "replications.csv");
  const auto r = cli("run " + s.file + " --replications 4 --seed 9 --quiet --out " + q(dir / "res") +
                     " --report /proc/funnelsim-report.html");
  CHECK(r.exit_code != 0);
  CHECK_THAT(r.err, Catch::Contains("report.html"));
  CHECK(read_file(dir / "res" / "replications.csv") == before);
  // A report inside the folder belongs to the set.
  REQUIRE(cli("run " + s.file + " --replications 3 --quiet --out " + q(dir / "res") + " --report " +
              q(dir / "res" / "report.html"))
              .exit_code == 0);
  CHECK(fs::exists(dir / "res" / "report.html"));
  CHECK(fs::exists(dir / "res" / "summary.json"));
}

TEST_CASE("cli result sets: --out and --report are checked before simulating", "[cli][result_set]") {
  SmallScenario s;
  TempDir dir;
  const std::string run = "run " + s.file + " --replications 100000000 --quiet ";  // would run for hours
  const auto refused = [&](const std::string& options, const std::string& message) {
    const auto r = cli(run + options);
    INFO(options);
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err, Catch::Contains(message));
  };
  refused("--out ''", "found an empty string");
  refused("--report ''", "found an empty string");
  std::ofstream(dir / "file") << "x";
  refused("--out " + q(dir / "file"), "found a file");
  refused("--out " + q(s.file), "an input of this command");
  refused("--out " + q(s.dir.path()), "holding an input");
  refused("--report " + q(s.file), "an input of this command");
  fs::create_directories(dir / "res" / "weekly.csv");
  refused("--out " + q(dir / "res"), "weekly.csv");
  CHECK(fs::is_directory(dir / "res" / "weekly.csv"));
  // An extends parent is an input too.
  std::ofstream(s.dir / "child.json") << R"({"extends": "small.json", "name": "child"})";
  const auto r = cli("run " + q(s.dir / "child.json") + " --replications 100000000 --quiet --report " + q(s.file));
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains("an input of this command"));
  if (::geteuid() != 0) {  // root writes anywhere
    fs::create_directories(dir / "ro");
    fs::permissions(dir / "ro", fs::perms::owner_read | fs::perms::owner_exec);
    refused("--out " + q(dir / "ro" / "res"), "read-only");
    refused("--out " + q(dir / "ro"), "read-only");
    fs::permissions(dir / "ro", fs::perms::owner_all);
  }
  CHECK(read_file(s.file).find("\"small\"") != std::string::npos);  // the input is intact
  // report: its --out must not be one of the files it reads.
  REQUIRE(cli("run " + s.file + " --replications 3 --quiet --out " + q(dir / "ok")).exit_code == 0);
  const auto rep = cli("report " + q(dir / "ok") + " --out " + q(dir / "ok" / "summary.json"));
  CHECK(rep.exit_code == 2);
  CHECK(nlohmann::json::parse(read_file(dir / "ok" / "summary.json")).contains("metrics"));
}

TEST_CASE("cli result sets: a second writer gets exit 2 naming the first one's pid", "[cli][result_set]") {
  SmallScenario s;
  TempDir dir;
  // Hold the lock as a running funnelsim does: flock on .res.lock beside the folder, pid inside.
  const fs::path lock = dir / ".res.lock";
  const int fd = ::open(lock.c_str(), O_RDWR | O_CREAT, 0644);
  REQUIRE(fd >= 0);
  REQUIRE(::flock(fd, LOCK_EX | LOCK_NB) == 0);
  const std::string pid = std::to_string(::getpid());
  REQUIRE(::write(fd, pid.data(), pid.size()) == static_cast<ssize_t>(pid.size()));
  const auto r = cli("run " + s.file + " --replications 3 --quiet --out " + q(dir / "res"));
  ::close(fd);
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains("pid " + pid));
  CHECK_FALSE(fs::exists(dir / "res"));
}

TEST_CASE("cli result sets: a failed write to stdout is an error, a closed stderr is not", "[cli][result_set]") {
  SmallScenario s;
  TempDir dir;
  const auto full = cli_redirected("run " + s.file + " --replications 3", ">/dev/full 2>" + q(dir / "err"), dir);
  CHECK(full.exit_code != 0);
  CHECK_THAT(full.err, Catch::Contains("standard output"));
  const auto closed =
      cli_redirected("run " + s.file + " --replications 3 --out " + q(dir / "res"), ">/dev/null 2>&-", dir);
  CHECK(closed.exit_code == 0);
  CHECK(fs::exists(dir / "res" / "summary.json"));
  const auto both = cli_redirected("run " + s.file + " --replications 3", ">&- 2>&-", dir);
  CHECK(both.exit_code != 0);
}

TEST_CASE("cli result sets: a really full disk (a small tmpfs) keeps the old set", "[cli][result_set]") {
  if (std::system("unshare -rm true >/dev/null 2>&1") != 0) {
    WARN("unshare -rm is not available here: the injected full disk of test_result_sets.cpp still runs");
    return;
  }
  SmallScenario s;
  TempDir dir;
  fs::create_directories(dir / "m");
  const std::string funnelsim =
      std::string("'") + FUNNELSIM_CLI + "' run " + q(s.file) + " --quiet --out " + q(dir / "m" / "res");
  // Inside a user and mount namespace: a 256 KiB tmpfs, a small run that fits, a large one that
  // does not; what the folder holds is copied out before the namespace (and the mount) ends.
  const std::string script = "mount -t tmpfs -o size=256k tmpfs " + q(dir / "m") + " && " + funnelsim +
                             " --replications 3 && cat " + q(dir / "m" / "res" / "run_id") + " > " + q(dir / "before") +
                             " && ls -A " + q(dir / "m" / "res") + " > " + q(dir / "files1") + "; " + funnelsim +
                             " --replications 5000 2>" + q(dir / "err") + "; echo $? > " + q(dir / "rc") + "; ls -A " +
                             q(dir / "m" / "res") + " > " + q(dir / "files2") + "; ls -A " + q(dir / "m") + " > " +
                             q(dir / "beside") + "; cat " + q(dir / "m" / "res" / "run_id") + " > " + q(dir / "after");
  std::ofstream(dir / "script.sh") << script;
  REQUIRE(std::system(("unshare -rm sh " + q(dir / "script.sh")).c_str()) == 0);
  CHECK(read_file(dir / "rc") == "1\n");
  CHECK_THAT(read_file(dir / "err"), Catch::Contains("No space left"));
  CHECK(read_file(dir / "files1") == "replications.csv\nrun_id\nsummary.csv\nsummary.json\nweekly.csv\n");
  CHECK(read_file(dir / "files2") == read_file(dir / "files1"));
  CHECK(read_file(dir / "after") == read_file(dir / "before"));
  CHECK(read_file(dir / "beside") == "res\n");  // no staging folder, no lock file
}

TEST_CASE("cli result sets: two runs into one folder, the second refused naming the first", "[cli][result_set]") {
  const SmallScenario s(R"({"horizon_days": 3650})");  // 52,000 leads a replication: a long run, little memory
  TempDir dir;
  const fs::path out = dir / "res";
  const pid_t first = ::fork();
  REQUIRE(first >= 0);
  if (first == 0) {  // a long run: it holds the lock from before its first replication
    const int null = ::open("/dev/null", O_RDWR);
    ::dup2(null, 1);
    ::dup2(null, 2);
    ::execl(FUNNELSIM_CLI, FUNNELSIM_CLI, "run", s.file.c_str(), "--replications", "20000", "--threads", "1", "--quiet",
            "--out", out.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  const std::string pid = std::to_string(first);
  const fs::path lock = dir / ".res.lock";
  for (int i = 0; i < 6000 && read_file(lock).find(pid) == std::string::npos; ++i) ::usleep(10000);
  const auto second = cli("run " + s.file + " --replications 3 --quiet --out " + q(out));
  ::kill(first, SIGINT);  // the first stops cleanly, writing nothing
  int status = 0;
  REQUIRE(::waitpid(first, &status, 0) == first);
  CHECK(second.exit_code == 2);
  CHECK_THAT(second.err, Catch::Contains("pid " + pid));
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 130);
  CHECK_FALSE(fs::exists(out));
  CHECK_FALSE(fs::exists(lock));  // removed by the first when it ended
}

TEST_CASE("cli result sets: a run cleans the staging folders a killed run left", "[cli][result_set]") {
  SmallScenario s;
  TempDir dir;
  REQUIRE(cli("run " + s.file + " --replications 3 --quiet --out " + q(dir / "res")).exit_code == 0);
  const pid_t dead = ::fork();  // a pid that has ended
  REQUIRE(dead >= 0);
  if (dead == 0) ::_exit(0);
  REQUIRE(::waitpid(dead, nullptr, 0) == dead);
  const fs::path leftover = dir / (".funnelsim-staging-res-" + std::to_string(dead) + "-Ab12Cd");
  fs::create_directories(leftover);
  std::ofstream(leftover / "summary.json") << "{\n  \"half\": ";
  const fs::path other = dir / (".funnelsim-staging-other-" + std::to_string(dead) + "-Ab12Cd");
  fs::create_directories(other);  // another folder's: not this run's to clean
  REQUIRE(cli("run " + s.file + " --replications 4 --quiet --out " + q(dir / "res")).exit_code == 0);
  CHECK_FALSE(fs::exists(leftover));
  CHECK(fs::exists(other));
}
