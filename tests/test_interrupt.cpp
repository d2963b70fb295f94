// Stopping a run: the engine's cancel flag, and SIGINT / SIGTERM sent to `funnelsim run` (exit
// 130 / 143, no output folder, no temporary file). These tests assert behaviour only, never how
// long the stop took: a loaded machine (or a sanitizer's slow teardown of a large replication
// table) may take seconds. Stop latency is measured by tools/bench_stop_latency.sh.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>

#include "cli_support.hpp"
#include "test_support.hpp"

using namespace funnelsim;
using test::read_file;
using test::TempDir;

namespace {

RunResult run_saas(std::uint64_t replications, const std::atomic<bool>* cancel,
                   std::function<void(std::uint64_t, std::uint64_t)> progress = {}) {
  static const CompiledModel model =
      compile_model(scenario_from_json(test::shipped_scenario("saas_baseline"), "saas_baseline"));
  RunOptions options;
  options.seed = 11;
  options.replications = replications;
  options.threads = 2;
  options.cancel = cancel;
  options.progress = std::move(progress);
  return run_replications(model, options);
}

/// `funnelsim ARGS...` as a child process, stdout and stderr to files in `dir`.
class Child {
 public:
  Child(const std::vector<std::string>& args, const TempDir& dir) : out_(dir / "stdout"), err_(dir / "stderr") {
    std::vector<char*> argv;
    std::string program = FUNNELSIM_CLI;
    argv.push_back(program.data());
    std::vector<std::string> copies = args;
    for (auto& a : copies) argv.push_back(a.data());
    argv.push_back(nullptr);
    pid_ = ::fork();
    if (pid_ == 0) {  // only async-signal-safe calls until exec
      const int out = ::open(out_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      const int err = ::open(err_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      ::dup2(out, STDOUT_FILENO);
      ::dup2(err, STDERR_FILENO);
      ::execv(argv[0], argv.data());
      ::_exit(127);
    }
  }
  ~Child() {
    if (pid_ > 0 && !reaped_) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }

  void signal(int number) const { ::kill(pid_, number); }

  /// The raw waitpid status if the child has ended, else -1; never blocks.
  int poll() {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) != pid_) return -1;
    reaped_ = true;
    return status;
  }

  /// Blocks until the child ends (ctest's timeout is the backstop for a hang); the raw status.
  int wait() {
    int status = 0;
    while (::waitpid(pid_, &status, 0) != pid_) {
    }
    reaped_ = true;
    return status;
  }

  std::string err() const { return read_file(err_); }
  std::string out() const { return read_file(out_); }

 private:
  std::filesystem::path out_, err_;
  pid_t pid_ = -1;
  bool reaped_ = false;
};

/// Starts `funnelsim ARGS... --out DIR/results`, a command that would take minutes, signals it
/// half a second after stderr shows `ready` (at once if empty), and checks how it ended: the
/// exit code, the message, and that nothing was written. How long it took is not asserted.
void check_signal_stops(std::vector<std::string> args, const std::string& ready, int number, int expected_exit,
                        const char* name, bool out_exists_before) {
  TempDir dir;
  const auto out = dir / "results";
  if (out_exists_before) std::filesystem::create_directory(out);
  args.insert(args.end(), {"--out", out.string()});
  Child child(args, dir);
  // However slow the machine, the child either prints `ready` or ends (which fails below).
  while (child.err().find(ready) == std::string::npos && child.poll() == -1)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  REQUIRE(child.err().find(ready) != std::string::npos);
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  REQUIRE(child.poll() == -1);  // still simulating: the command takes minutes even on a fast machine
  child.signal(number);
  const int status = child.wait();
  INFO("stderr: " << child.err());
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == expected_exit);
  CHECK(child.out().empty());
  CHECK(child.err().find(std::string("funnelsim: interrupted by ") + name + "; nothing written\n") !=
        std::string::npos);
  if (out_exists_before) {
    CHECK(std::filesystem::is_empty(out));  // not even a temporary file
  } else {
    CHECK_FALSE(std::filesystem::exists(out));
  }
}

/// A run of saas_baseline that would take minutes. The memory estimate is printed just before
/// the simulation starts, after the handlers are installed.
void check_signal_stops_run(int number, int expected_exit, const char* name, bool out_exists_before) {
  check_signal_stops(
      {"run", test::source_path() + "/scenarios/saas_baseline.json", "--replications", "20000", "--threads", "2"},
      "estimated peak memory", number, expected_exit, name, out_exists_before);
}

}  // namespace

TEST_CASE("interrupt: a raised cancel flag stops the run before it starts", "[interrupt][engine]") {
  const std::atomic<bool> cancel{true};
  const RunResult r = run_saas(50, &cancel);
  CHECK(r.cancelled);
  CHECK(r.work.leads == 0);
}

TEST_CASE("interrupt: a flag raised mid-run stops every thread within a lead", "[interrupt][engine]") {
  std::atomic<bool> cancel{false};
  const RunResult r = run_saas(100000, &cancel, [&](std::uint64_t done, std::uint64_t) {
    if (done >= 4) cancel.store(true);
  });
  CHECK(r.cancelled);
  // Counted, not timed: each thread stops at its next lead, so the work done is the few
  // replications finished before the flag plus at most one partial replication per thread.
  CHECK(r.work.leads < 20 * 7000);
}

TEST_CASE("interrupt: a flag that stays down changes nothing", "[interrupt][engine][determinism]") {
  const std::atomic<bool> cancel{false};
  const RunResult with = run_saas(6, &cancel), without = run_saas(6, nullptr);
  CHECK_FALSE(with.cancelled);
  for (std::size_t rep = 0; rep < 6; ++rep)
    for (std::size_t s = 0; s < with.table.scopes(); ++s) {
      const auto a = with.table.row(rep, s), b = without.table.row(rep, s);
      for (std::size_t m = 0; m < a.size(); ++m) CHECK((a[m] == b[m] || (a[m] != a[m] && b[m] != b[m])));
    }
}

TEST_CASE("interrupt: SIGINT stops funnelsim run, exit 130, nothing written", "[interrupt][cli]") {
  check_signal_stops_run(SIGINT, 130, "SIGINT", /*out_exists_before=*/false);
}

TEST_CASE("interrupt: SIGTERM stops funnelsim run, exit 143, an existing output folder stays empty",
          "[interrupt][cli]") {
  check_signal_stops_run(SIGTERM, 143, "SIGTERM", /*out_exists_before=*/true);
}

TEST_CASE("interrupt: SIGINT stops a tornado between or inside its runs, exit 130, nothing written",
          "[interrupt][cli][sensitivity]") {
  // 1,000 replications for each of hundreds of runs: hours, if nothing stopped it.
  check_signal_stops({"sensitivity", test::source_path() + "/scenarios/saas_baseline.json", "--replications", "1000",
                      "--threads", "2"},
                     "", SIGINT, 130, "SIGINT", /*out_exists_before=*/false);
}

TEST_CASE("interrupt: SIGTERM stops a precision run with uncertain inputs, exit 143, nothing written",
          "[interrupt][cli][uncertain][precision]") {
  // Each replication compiles its own model here: the other engine entry point.
  // Sized at its cap of 100,000 replications the run is estimated above the default budget.
  check_signal_stops({"run", test::source_path() + "/scenarios/uncertain_rates.json", "--precision", "mqls=0.0001%",
                      "--replications", "100000", "--threads", "2", "--memory-budget", "8192"},
                     "estimated peak memory", SIGTERM, 143, "SIGTERM", /*out_exists_before=*/true);
}

TEST_CASE("interrupt: SIGINT stops funnelsim compare, exit 130, nothing written", "[interrupt][cli][compare]") {
  check_signal_stops(
      {"compare", test::source_path() + "/scenarios/saas_baseline.json",
       test::source_path() + "/scenarios/threshold_raise.json", "--replications", "20000", "--threads", "2"},
      "", SIGINT, 130, "SIGINT", /*out_exists_before=*/false);
}

TEST_CASE("interrupt: SIGTERM stops funnelsim sweep, exit 143, nothing written", "[interrupt][cli][sweep]") {
  check_signal_stops({"sweep", test::source_path() + "/scenarios/saas_baseline.json", "--param",
                      "/scoring/mql_threshold=55:85:5", "--replications", "5000", "--threads", "2"},
                     "", SIGTERM, 143, "SIGTERM", /*out_exists_before=*/true);
}
