#pragma once
// Runs the funnelsim binary as a user would, capturing exit code, stdout and stderr.
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <sstream>
#include <string>
#include <vector>

namespace funnelsim::test {

struct CliResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

/// A path in single quotes for the shell command line cli() runs (test paths hold no quote).
inline std::string q(const std::filesystem::path& p) {
  std::string out = "'";  // built in steps: g++ 12 warns (-Wrestrict) about "'" + string + "'"
  out += p.string();
  out += '\'';
  return out;
}

inline std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

/// Each of `files` is written (not empty) in folder `a` and byte for byte the same in folder `b`.
inline void check_same_files(const std::filesystem::path& a, const std::filesystem::path& b,
                             std::initializer_list<const char*> files) {
  for (const char* file : files) {
    INFO(file);
    const std::string in_a = read_file(a / file);
    REQUIRE(!in_a.empty());
    CHECK(in_a == read_file(b / file));
  }
}

/// One column of a CSV file written by funnelsim (no quoted commas), by header name, in row
/// order; an empty cell is NaN. A name not in the header gives no values.
inline std::vector<double> csv_column(const std::string& csv, const std::string& name) {
  std::istringstream in(csv);
  std::string line, cell;
  std::getline(in, line);
  std::size_t index = 0, k = 0;
  bool found = false;
  for (std::istringstream header(line); std::getline(header, cell, ','); ++k)
    if (cell == name) index = k, found = true;
  std::vector<double> values;
  while (found && std::getline(in, line)) {
    std::istringstream row(line);
    for (std::size_t i = 0; i <= index; ++i) std::getline(row, cell, ',');
    values.push_back(cell.empty() ? std::nan("") : std::stod(cell));
  }
  return values;
}

/// A fresh, empty folder unique to this process and call; removed by the destructor.
class TempDir {
 public:
  TempDir() {
    static std::atomic<int> counter{0};
    path_ = std::filesystem::temp_directory_path() /
            ("funnelsim_test_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

/// Runs the shell command line `command` (a program and its arguments, quoted as needed) from the
/// source folder (so scenarios/... paths work), capturing its exit code, stdout and stderr.
inline CliResult run_in_source_dir(const std::string& command) {
  TempDir capture;
  const std::string line = "cd '" + std::string(FUNNELSIM_SOURCE_DIR) + "' && " + command + " >'" +
                           (capture / "out").string() + "' 2>'" + (capture / "err").string() + "' </dev/null";
  const int status = std::system(line.c_str());
  CliResult r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = read_file(capture / "out");
  r.err = read_file(capture / "err");
  return r;
}

/// Runs `funnelsim ARGS` from the source folder.
inline CliResult cli(const std::string& args) {
  std::string command = "'";  // in steps: inlined, "'" + string + args trips g++ 12's -Wrestrict
  command += FUNNELSIM_CLI;
  command += "' ";
  command += args;
  return run_in_source_dir(command);
}

/// `funnelsim run ARGS --quiet --out DIR/NAME`, which must succeed, and its summary.json.
inline nlohmann::json run_summary_json(const std::string& args, const TempDir& dir, const std::string& name = "out") {
  const auto r = cli("run " + args + " --quiet --out '" + (dir / name).string() + "'");
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  return nlohmann::json::parse(read_file(dir / name / "summary.json"));
}

}  // namespace funnelsim::test
