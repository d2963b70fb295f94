// funnelsim-mpi under mpirun: any rank and thread count writes the files of a plain run, byte for
// byte; a bad scenario is reported once with exit 2; a signal stops every rank, writing nothing.
// Registered only when funnelsim-mpi is built (FUNNELSIM_MPI, never in sanitized builds).
#ifdef FUNNELSIM_MPI_CLI
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <map>
#include <string>
#include <thread>

#include "cli_support.hpp"
#include "small_scenario.hpp"

using funnelsim::test::cli;
using funnelsim::test::CliResult;
using funnelsim::test::q;
using funnelsim::test::read_file;
using funnelsim::test::TempDir;

namespace {

/// mpirun for tests: oversubscribed (more ranks than cores), allowed as root.
std::string mpirun_prefix(int ranks) {
  return std::string(
             "OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1 '") +
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

TEST_CASE("mpi: SIGTERM to mpirun stops every rank, writing nothing", "[mpi]") {
  const TempDir dir;
  const std::string command = "cd '" + std::string(FUNNELSIM_SOURCE_DIR) + "' && exec " + mpirun_prefix(2) +
                              "run scenarios/saas_baseline.json --replications 20000 --quiet --out " + q(dir / "o") +
                              " >/dev/null 2>&1";
  const pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    ::setpgid(0, 0);
    ::execl("/bin/sh", "sh", "-c", command.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  std::this_thread::sleep_for(std::chrono::seconds(3));  // both ranks simulating
  ::kill(child, SIGTERM);
  int status = 0;
  ::waitpid(child, &status, 0);
  CHECK(!(WIFEXITED(status) && WEXITSTATUS(status) == 0));
  CHECK(!std::filesystem::exists(dir / "o"));
  // No rank left behind ("[f]" keeps the pattern from matching the shell that runs pgrep).
  const std::string pattern = "[f]unnelsim-mpi run scenarios/saas_baseline.json .*" + (dir / "o").string();
  CHECK(std::system(("pgrep -f -- '" + pattern + "' >/dev/null").c_str()) != 0);
}
#endif
