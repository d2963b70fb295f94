// funnelsim-mpi under mpirun: any rank and thread count writes the files of a plain run (and of a
// plain calibrate), byte for byte; a bad scenario is reported once with exit 2; a signal, or a
// rank that dies, stops every rank, writing nothing.
// Registered only when funnelsim-mpi is built (FUNNELSIM_MPI, never in sanitized builds).
#ifdef FUNNELSIM_MPI_CLI
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "calibrate_support.hpp"
#include "cli_support.hpp"
#include "small_scenario.hpp"

using funnelsim::test::cli;
using funnelsim::test::CliResult;
using funnelsim::test::q;
using funnelsim::test::read_file;
using funnelsim::test::TempDir;

namespace {

/// mpirun for tests: oversubscribed (more ranks than cores), allowed as root; `env` so that the
/// line also works after `exec`.
std::string mpirun_prefix(int ranks) {
  return std::string(
             "env OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1 '") +
         FUNNELSIM_MPIEXEC + "' --oversubscribe --bind-to none -np " + std::to_string(ranks) + " '" +
         FUNNELSIM_MPI_CLI + "' ";
}

/// `mpirun -np RANKS funnelsim-mpi ARGS` from the source folder.
CliResult mpi(int ranks, const std::string& args) {
  return funnelsim::test::run_in_source_dir(mpirun_prefix(ranks) + args);
}

std::map<std::string, std::string> files_of(const std::filesystem::path& folder) {
  std::map<std::string, std::string> files;
  for (const auto& entry : std::filesystem::directory_iterator(folder))
    files[entry.path().filename().string()] = read_file(entry.path());
  return files;
}

void check_mpi_equals_plain(const std::string& command, const std::string& args) {
  const TempDir dir;
  const auto plain = cli(command + " " + args + " --out " + q(dir / "plain") + " --report " + q(dir / "plain.html"));
  INFO(plain.err);
  REQUIRE(plain.exit_code == 0);
  const auto expected = files_of(dir / "plain");
  for (int ranks : {1, 2, 3})
    for (int threads : {1, 2}) {
      const std::string name = "np" + std::to_string(ranks) + "t" + std::to_string(threads);
      const auto r = mpi(ranks, command + " " + args + " --threads " + std::to_string(threads) + " --out " +
                                    q(dir / name) + " --report " + q(dir / (name + ".html")));
      INFO(command << " on " << ranks << " ranks, " << threads << " threads: " << r.err);
      REQUIRE(r.exit_code == 0);
      CHECK(r.out == plain.out);
      CHECK(files_of(dir / name) == expected);
      CHECK(read_file(dir / (name + ".html")) == read_file(dir / "plain.html"));
    }
}

}  // namespace

TEST_CASE("mpi: run and compare on 1, 2, 3 ranks and 1, 2 threads are a plain run byte for byte", "[mpi]") {
  const funnelsim::test::SmallScenario small;
  check_mpi_equals_plain(
      "run", q(small.file) + " --replications 5 " +
                 R"(--set '/scoring/mql_threshold={"uncertain":{"distribution":"uniform","low":40,"high":80}}')");
  check_mpi_equals_plain("compare", q(small.file) + " --variant high:/scoring/mql_threshold=70 --replications 4");
}

TEST_CASE("mpi: sweep and sensitivity from rank 0's queue are a plain run byte for byte", "[mpi]") {
  const funnelsim::test::SmallScenario small;
  check_mpi_equals_plain("sweep", q(small.file) + " --param /scoring/mql_threshold=50,60,70,80 --replications 3");
  check_mpi_equals_plain("sensitivity", q(small.file) +
                                            " --metric mqls --params /scoring/mql_threshold,/sources/0/cost_per_lead "
                                            "--replications 3");
}

TEST_CASE("mpi: a bad scenario is reported once with exit 2, nothing written", "[mpi]") {
  const funnelsim::test::SmallScenario bad(R"({"horizon_days": -3})");
  const TempDir dir;
  const auto r = mpi(3, "run " + q(bad.file) + " --out " + q(dir / "o"));
  CHECK(r.exit_code == 2);
  CHECK(r.out.empty());
  std::size_t reports = 0;
  for (auto at = r.err.find("invalid scenario"); at != std::string::npos; at = r.err.find("invalid scenario", at + 1))
    ++reports;
  CHECK(reports == 1);
  CHECK(r.err.find("/horizon_days") != std::string::npos);
  CHECK(!std::filesystem::exists(dir / "o"));
}

/// `mpirun -np 2 funnelsim-mpi run` of a long saas_baseline run into `out`, as a process group of
/// its own, its stderr into `err`; started and stopped by the tests below.
class LongMpiRun {
 public:
  LongMpiRun(const std::filesystem::path& out, const std::filesystem::path& err)
      : pattern_("[f]unnelsim-mpi run scenarios/saas_baseline.json .*" + out.string()) {
    const std::string command = "cd '" + std::string(FUNNELSIM_SOURCE_DIR) + "' && exec " + mpirun_prefix(2) +
                                "run scenarios/saas_baseline.json --replications 20000 --quiet --out " + q(out) +
                                " >/dev/null 2>" + q(err);
    child_ = ::fork();
    REQUIRE(child_ >= 0);
    if (child_ == 0) {
      ::setpgid(0, 0);
      ::execl("/bin/sh", "sh", "-c", command.c_str(), static_cast<char*>(nullptr));
      ::_exit(127);
    }
  }
  LongMpiRun(const LongMpiRun&) = delete;
  LongMpiRun& operator=(const LongMpiRun&) = delete;
  ~LongMpiRun() {
    if (!reaped_) ::kill(-child_, SIGKILL);  // a failed REQUIRE: leave nothing running
    if (!reaped_) ::waitpid(child_, nullptr, 0);
  }

  /// The ranks' process ids, once both ranks run and have a second of simulating behind them (so
  /// a signal finds them in the job, not starting up). Empty if they never started.
  std::vector<pid_t> ranks() const {
    std::vector<pid_t> found;
    for (int tries = 0; tries < 600 && found.size() < 2; ++tries) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      found = pids();
    }
    std::this_thread::sleep_for(std::chrono::seconds(1));
    return found;
  }
  /// mpirun's wait status.
  int wait() {
    int status = 0;
    ::waitpid(child_, &status, 0);
    reaped_ = true;
    return status;
  }
  /// The ranks still running (none once mpirun has ended the job).
  std::vector<pid_t> pids() const {
    const TempDir dir;
    // The pattern matches mpirun's command line too: its pid is left out. ("[f]" keeps it from
    // matching the shell that runs pgrep.)
    (void)std::system(("pgrep -f -- '" + pattern_ + "' >'" + (dir / "pids").string() + "'").c_str());
    std::vector<pid_t> found;
    std::istringstream in(read_file(dir / "pids"));
    for (pid_t pid = 0; in >> pid;)
      if (pid != child_) found.push_back(pid);
    return found;
  }
  pid_t mpirun() const { return child_; }

 private:
  std::string pattern_;
  pid_t child_ = -1;
  bool reaped_ = false;
};

TEST_CASE("mpi: SIGINT or SIGTERM to mpirun stops every rank, writing nothing", "[mpi]") {
  for (const int signal : {SIGINT, SIGTERM}) {
    INFO("signal " << signal);
    const TempDir dir;
    LongMpiRun job(dir / "o", dir / "err");
    REQUIRE(job.ranks().size() == 2);
    ::kill(job.mpirun(), signal);
    const int status = job.wait();
    CHECK(!(WIFEXITED(status) && WEXITSTATUS(status) == 0));
    CHECK(!std::filesystem::exists(dir / "o"));
    CHECK(job.pids().empty());  // no rank left behind
  }
}

TEST_CASE("mpi: a rank that dies ends the job with mpirun's message, writing nothing", "[mpi]") {
  const TempDir dir;
  LongMpiRun job(dir / "o", dir / "err");
  const std::vector<pid_t> ranks = job.ranks();
  REQUIRE(ranks.size() == 2);
  ::kill(ranks.back(), SIGKILL);  // the other rank waits for its share at the gather
  const int status = job.wait();
  CHECK(!(WIFEXITED(status) && WEXITSTATUS(status) == 0));
  const std::string err = read_file(dir / "err");
  INFO(err);
  CHECK(err.find("exited on signal 9") != std::string::npos);
  CHECK(!std::filesystem::exists(dir / "o"));
  CHECK(job.pids().empty());
}

TEST_CASE("mpi: calibrate on 1, 2, 3 ranks and 1, 2 threads is a plain calibrate byte for byte", "[mpi][calibrate]") {
  const TempDir dir;
  const std::filesystem::path scenario = dir / "small.json", exported = dir / "export";
  std::ofstream(scenario) << funnelsim::test::small_document(21).dump(2);
  const auto exporting = cli("export-crm " + q(scenario) + " --format hubspot --quiet --out " + q(exported));
  INFO(exporting.err);
  REQUIRE(exporting.exit_code == 0);
  check_mpi_equals_plain("calibrate", q(scenario) + " --free " + funnelsim::test::kAlpha +
                                          " --replications 5 --seed 7 --observed " + q(exported));
}

TEST_CASE("mpi: calibrate's bad free parameter is reported once with exit 2, nothing written", "[mpi][calibrate]") {
  const TempDir dir;
  const std::filesystem::path scenario = dir / "small.json", exported = dir / "export";
  std::ofstream(scenario) << funnelsim::test::small_document(21).dump(2);
  REQUIRE(cli("export-crm " + q(scenario) + " --format hubspot --quiet --out " + q(exported)).exit_code == 0);
  const auto r = mpi(3, "calibrate " + q(scenario) + " --free /sources/0/name --replications 5 --observed " +
                            q(exported) + " --out " + q(dir / "o"));
  CHECK(r.exit_code == 2);
  std::size_t reports = 0;
  for (auto at = r.err.find("--free /sources/0/name"); at != std::string::npos;
       at = r.err.find("--free /sources/0/name", at + 1))
    ++reports;
  CHECK(reports == 1);
  CHECK(!std::filesystem::exists(dir / "o"));
}
#endif
