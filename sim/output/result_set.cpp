#include "funnelsim/output/result_set.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>
#include <system_error>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "funnelsim/core/usage_error.hpp"
#include "result_set_faults.hpp"

namespace funnelsim {
namespace detail {
namespace {
ResultSetFault& fault_hook() {
  static ResultSetFault hook;
  return hook;
}
}  // namespace

void set_result_set_fault(ResultSetFault fault) { fault_hook() = std::move(fault); }
}  // namespace detail

namespace {

namespace fs = std::filesystem;

constexpr std::string_view kStagingPrefix = ".funnelsim-staging-";

/// The errno a test injects before `step`, 0 when none.
int injected(std::string_view step) {
  const auto& hook = detail::fault_hook();
  return hook ? hook(step) : 0;
}

[[noreturn]] void fail(const std::string& what, const fs::path& path, int error) {
  throw ResultWriteError(fmt::format("cannot {} {}: {}", what, path.string(), std::strerror(error)));
}

/// Writes all of `content` to `fd` and fsyncs it; the errno on failure, else 0.
int write_all(int fd, const std::string& content) {
  const char* data = content.data();
  std::size_t left = content.size();
  while (left > 0) {
    const ssize_t n = ::write(fd, data, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    data += n;
    left -= static_cast<std::size_t>(n);
  }
  return ::fsync(fd) == 0 ? 0 : errno;
}

/// Creates `name` in the folder `dir_fd` (never through a symlink, never over an existing file),
/// writes and fsyncs it. Throws ResultWriteError naming `shown`.
void create_file(int dir_fd, const std::string& name, const std::string& content, const fs::path& shown) {
  if (const int e = injected("write " + name)) fail("write", shown, e);
  const int fd = ::openat(dir_fd, name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
  if (fd < 0) fail("create", shown, errno);
  const int e = write_all(fd, content);
  if (::close(fd) != 0 && e == 0) fail("write", shown, errno);
  if (e != 0) fail("write", shown, e);
}

void sync_folder(const fs::path& folder) {
  const int fd = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  ::fsync(fd);
  ::close(fd);
}

/// The names a result folder may hold: what run, compare, sweep, sensitivity, report, export-crm,
/// observe and calibrate write.
bool is_result_file(const std::string& name) {
  static const std::set<std::string> names = {
      "summary.json", "summary.csv", "replications.csv", "weekly.csv", "compare.json", "compare.csv", "sweep.csv",
      "sweep.json", "sensitivity.json", "sensitivity.csv", "report.html", kRunIdFile,
      // export-crm's files
      "export.json", "mapping.json", "messy.json", "contacts.csv", "deals.csv", "contacts_history.csv", "leads.csv",
      "opportunities.csv", "lead_history.csv",
      // calibrate's
      "calibrated.json", "fit.json", "fit.csv"};
  // ".NAME.tmp-PID": left by a writer of an earlier version killed mid-write.
  return names.count(name) > 0 || (name.size() > 1 && name[0] == '.' && name.find(".tmp-") != std::string::npos);
}

/// The pid in a staging folder's name (`.funnelsim-staging-<name>-<pid>-XXXXXX`), 0 if none.
pid_t staging_owner(const std::string& entry, const std::string& name) {
  const std::string prefix = std::string(kStagingPrefix) + name + "-";
  if (entry.rfind(prefix, 0) != 0) return 0;
  const std::string rest = entry.substr(prefix.size());
  const auto dash = rest.find('-');
  if (dash == std::string::npos || dash == 0) return 0;
  try {
    return static_cast<pid_t>(std::stol(rest.substr(0, dash)));
  } catch (const std::exception&) {
    return 0;
  }
}

bool process_alive(pid_t pid) { return pid > 0 && (::kill(pid, 0) == 0 || errno == EPERM); }

/// Removes the staging folders of `name` in `parent` whose owner has died.
void clean_stale_staging(const fs::path& parent, const std::string& name) {
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(parent, ec)) {
    const std::string entry_name = entry.path().filename().string();
    const pid_t owner = staging_owner(entry_name, name);
    if (owner == 0 || process_alive(owner)) continue;
    std::error_code ignored;
    if (entry.is_directory(ignored) && !entry.is_symlink(ignored)) fs::remove_all(entry.path(), ignored);
  }
}

bool is_json_file(const std::string& name) {
  return name.size() >= 5 && name.compare(name.size() - 5, 5, ".json") == 0;
}

/// The process's file-creation mask (reading it means setting it: set back at once).
mode_t current_umask() {
  const mode_t mask = ::umask(0);
  ::umask(mask);
  return mask;
}

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

/// The run identifier a file of a result set carries: the `run_id` file's line, a JSON file's
/// "run_id" member; "" when it has none.
std::string run_id_of(const std::string& name, const std::string& content) {
  if (name == kRunIdFile) {
    const auto end = content.find_first_of("\r\n");
    return content.substr(0, end);
  }
  if (!is_json_file(name)) return "";
  const nlohmann::json doc = nlohmann::json::parse(content, nullptr, /*allow_exceptions=*/false);
  if (!doc.is_object() || !doc.contains("run_id") || !doc["run_id"].is_string()) return "";
  return doc["run_id"].get<std::string>();
}

}  // namespace

fs::path resolved_path(const fs::path& path) {
  std::error_code ec;
  fs::path absolute = fs::absolute(path, ec).lexically_normal();
  if (absolute.filename().empty()) absolute = absolute.parent_path();  // "out/" names "out"
  const fs::path canonical = fs::weakly_canonical(absolute, ec);
  return ec ? absolute : canonical;
}

std::string run_identifier(const std::vector<std::string>& parts) {
  std::uint64_t hash = 0xcbf29ce484222325ULL;
  const auto mix = [&](unsigned char c) {
    hash ^= c;
    hash *= 0x100000001b3ULL;
  };
  for (const std::string& part : parts) {
    for (const char c : part) mix(static_cast<unsigned char>(c));
    mix(0);  // a separator: {"ab", "c"} and {"a", "bc"} differ
  }
  return fmt::format("{:016x}", hash);
}

ResultSetFiles with_run_id(ResultSetFiles files, const std::string& run_id) {
  for (auto& [name, content] : files) {
    // A scenario in a result set (calibrate's calibrated.json) stays runnable: the scenario
    // schema knows no run_id key; the run_id file names its run.
    if (!is_json_file(name) || name == "calibrated.json") continue;
    if (content.rfind("{\n", 0) == 0)
      content.insert(2, fmt::format("  \"run_id\": \"{}\",\n", run_id));
    else if (content.rfind("{", 0) == 0)
      content.insert(1, fmt::format("\"run_id\":\"{}\",", run_id));
  }
  files.emplace_back(kRunIdFile, run_id + "\n");
  return files;
}

void check_result_set_agrees(const fs::path& folder, const ResultSetFiles& files) {
  std::vector<std::pair<std::string, std::string>> ids;  // (file, run id)
  for (const auto& [name, content] : files) {
    const std::string id = run_id_of(name, content);
    if (!id.empty() || name == kRunIdFile) ids.emplace_back(name, id);
  }
  if (ids.empty()) return;  // written before run identifiers: nothing to compare
  // The JSON files and the CSVs (through the run_id file) must all name the same run.
  const bool has_csv =
      std::any_of(files.begin(), files.end(), [](const auto& f) { return f.first.find(".csv") != std::string::npos; });
  std::string first_file = ids.front().first, first_id = ids.front().second;
  for (const auto& [name, id] : ids) {
    if (id != first_id)
      throw UsageError(fmt::format(
          "{}: expected the files of one run, found a mix: {} has run_id {} but {} has run_id {} (write the "
          "results again into an empty folder)",
          folder.string(), first_file, first_id.empty() ? "(none)" : first_id, name, id.empty() ? "(none)" : id));
  }
  if (has_csv && std::none_of(ids.begin(), ids.end(), [](const auto& p) { return p.first == kRunIdFile; }))
    throw UsageError(fmt::format(
        "{}: expected the files of one run, found a mix: {} has run_id {} but the CSV files have no run_id file",
        folder.string(), first_file, first_id));
}

ResultSetWriter::ResultSetWriter(const fs::path& target, std::string option) : option_(std::move(option)) {
  if (target.empty()) throw UsageError(fmt::format("{}: expected a folder name, found an empty string", option_));
  std::error_code ec;
  target_ = resolved_path(target);
  const fs::path parent = target_.parent_path();
  const std::string name = target_.filename().string();
  if (name.empty() || name == "." || name == "..")
    throw UsageError(
        fmt::format("{} {}: expected a folder name, found {}", option_, target.string(), target_.string()));
  const auto parent_status = fs::status(parent, ec);
  if (fs::exists(parent_status) && !fs::is_directory(parent_status))
    throw UsageError(
        fmt::format("{} {}: expected a folder, found that {} is a file", option_, target.string(), parent.string()));
  fs::create_directories(parent, ec);
  if (ec)
    throw UsageError(
        fmt::format("{} {}: cannot create the folder {}: {}", option_, target.string(), parent.string(), ec.message()));
  if (::access(parent.c_str(), W_OK | X_OK) != 0)
    throw UsageError(fmt::format("{} {}: expected a folder that can be written, found {} read-only", option_,
                                 target.string(), parent.string()));
  struct stat st {};
  if (::lstat(target_.c_str(), &st) == 0) {
    if (!S_ISDIR(st.st_mode))
      throw UsageError(fmt::format("{} {}: expected a folder, found a file", option_, target.string()));
    if (::access(target_.c_str(), W_OK | X_OK) != 0)
      throw UsageError(
          fmt::format("{} {}: expected a folder that can be written, found it read-only", option_, target.string()));
    for (const auto& entry : fs::directory_iterator(target_, ec)) {
      const std::string entry_name = entry.path().filename().string();
      std::error_code e2;
      if (!is_result_file(entry_name) || !entry.is_regular_file(e2) || entry.is_symlink(e2))
        throw UsageError(fmt::format(
            "{} {}: expected a new folder or one holding funnelsim results (they are replaced as a whole), found "
            "{} in it: choose another folder",
            option_, target.string(), entry_name));
    }
  }
  lock_file_ = parent / ("." + name + ".lock");
  for (int attempt = 0; lock_fd_ < 0; ++attempt) {
    const int fd = ::open(lock_file_.c_str(), O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (fd < 0)
      throw UsageError(fmt::format("{} {}: cannot open the lock file {}: {}", option_, target.string(),
                                   lock_file_.string(), std::strerror(errno)));
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
      const int error = errno;
      std::string holder = read_text(lock_file_);
      while (!holder.empty() && (holder.back() == '\n' || holder.back() == ' ')) holder.pop_back();
      ::close(fd);
      if (error == EWOULDBLOCK)
        throw UsageError(fmt::format(
            "{} {}: another funnelsim (pid {}) is writing this folder; wait for it to finish or choose another "
            "folder",
            option_, target.string(), holder.empty() ? "unknown" : holder));
      throw UsageError(fmt::format("{} {}: cannot lock {}: {}", option_, target.string(), lock_file_.string(),
                                   std::strerror(error)));
    }
    // The holder before us removes the file when it is done: a lock on a removed file locks nothing.
    struct stat opened {
    }, named{};
    if (::fstat(fd, &opened) == 0 && ::stat(lock_file_.c_str(), &named) == 0 && opened.st_ino == named.st_ino &&
        opened.st_dev == named.st_dev)
      lock_fd_ = fd;
    else if (::close(fd), attempt > 16)
      throw UsageError(fmt::format("{} {}: cannot lock {}", option_, target.string(), lock_file_.string()));
  }
  const std::string pid = fmt::format("{}\n", ::getpid());
  if (::ftruncate(lock_fd_, 0) == 0) {
    [[maybe_unused]] const ssize_t written = ::pwrite(lock_fd_, pid.data(), pid.size(), 0);
  }
  clean_stale_staging(parent, name);
}

ResultSetWriter::~ResultSetWriter() {
  if (lock_fd_ < 0) return;
  ::unlink(lock_file_.c_str());  // while still holding it: a waiting writer then sees another file
  ::close(lock_fd_);
}

void ResultSetWriter::commit(const ResultSetFiles& files) {
  const fs::path parent = target_.parent_path();
  std::string pattern =
      (parent / fmt::format("{}{}-{}-XXXXXX", kStagingPrefix, target_.filename().string(), ::getpid())).string();
  if (::mkdtemp(pattern.data()) == nullptr) fail("create a staging folder in", parent, errno);
  const fs::path staging(pattern);
  std::error_code ignored;
  try {
    ::chmod(staging.c_str(), 0777 & ~current_umask());  // mkdtemp made it 0700; the result is an ordinary folder
    const int dir_fd = ::open(staging.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (dir_fd < 0) fail("open", staging, errno);
    try {
      for (const auto& [name, content] : files) create_file(dir_fd, name, content, target_ / name);
    } catch (...) {
      ::close(dir_fd);
      throw;
    }
    const int synced = ::fsync(dir_fd) == 0 ? 0 : errno;
    ::close(dir_fd);
    if (synced != 0) fail("write", staging, synced);
    struct stat st {};
    const bool exists = ::lstat(target_.c_str(), &st) == 0;
    if (const int e = injected("swap")) fail("rename into place", target_, e);
    if (exists) {
      const int e = injected("exchange");
      if (e != 0 || ::renameat2(AT_FDCWD, staging.c_str(), AT_FDCWD, target_.c_str(), RENAME_EXCHANGE) != 0) {
        const int error = e != 0 ? e : errno;
        // A file system without RENAME_EXCHANGE: the old set moves aside (into an empty staging
        // folder), the new one takes its name, and the old one comes back if that fails.
        if (error != EINVAL && error != ENOSYS) fail("swap the new results into", target_, error);
        std::string aside_pattern = pattern.substr(0, pattern.size() - 6) + "XXXXXX";
        if (::mkdtemp(aside_pattern.data()) == nullptr) fail("create a staging folder in", parent, errno);
        const fs::path aside(aside_pattern);
        if (::rename(target_.c_str(), aside.c_str()) != 0) {
          const int moved = errno;
          fs::remove(aside, ignored);
          fail("move the old results aside from", target_, moved);
        }
        if (::rename(staging.c_str(), target_.c_str()) != 0) {
          const int renamed = errno;
          ::rename(aside.c_str(), target_.c_str());
          fail("rename the new results into", target_, renamed);
        }
        sync_folder(parent);
        fs::remove_all(aside, ignored);  // the old set
        return;
      }
    } else if (::renameat2(AT_FDCWD, staging.c_str(), AT_FDCWD, target_.c_str(), RENAME_NOREPLACE) != 0 &&
               (errno != EINVAL || ::rename(staging.c_str(), target_.c_str()) != 0)) {
      fail("rename the new results into", target_, errno);
    }
  } catch (...) {
    fs::remove_all(staging, ignored);  // the target holds what it held
    throw;
  }
  sync_folder(parent);
  fs::remove_all(staging, ignored);  // after an exchange: the old set
}

void write_file_atomically(const fs::path& file, const std::string& content) {
  const fs::path folder = file.parent_path().empty() ? fs::path(".") : file.parent_path();
  std::error_code ec;
  fs::create_directories(folder, ec);
  if (ec) fail("create the folder", folder, ec.value());
  std::string pattern = (folder / fmt::format(".{}.tmp-XXXXXX", file.filename().string())).string();
  const int fd = ::mkostemp(pattern.data(), O_CLOEXEC);  // O_CREAT|O_EXCL: never through a planted link
  if (fd < 0) fail("create a temporary file for", file, errno);
  const fs::path temporary(pattern);
  ::fchmod(fd, 0666 & ~current_umask());
  int e = injected("write " + file.filename().string());
  if (e == 0) e = write_all(fd, content);
  if (::close(fd) != 0 && e == 0) e = errno;
  if (e == 0) e = injected("swap");
  if (e == 0 && ::rename(temporary.c_str(), file.c_str()) != 0) e = errno;
  if (e != 0) {
    fs::remove(temporary, ec);
    fail("write", file, e);
  }
  sync_folder(folder);
}

}  // namespace funnelsim
