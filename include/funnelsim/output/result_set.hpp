#pragma once
/// Writing a folder of results as one set. Every file goes into a fresh private staging folder
/// beside the target (`.funnelsim-staging-<name>-<pid>-XXXXXX`, made by mkdtemp), is fsync'ed,
/// and the whole folder is swapped in with one rename (RENAME_EXCHANGE when the target exists);
/// the old set is removed after. A reader sees the old set or the new one, never a mix; on
/// failure the target is untouched. A lock file beside the target (`.<name>.lock`, flock, the
/// holder's pid inside, removed when done)
/// keeps a second writer out.
#include <filesystem>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace funnelsim {

/// (file name, content) pairs, in the order they are written.
using ResultSetFiles = std::vector<std::pair<std::string, std::string>>;

/// Writing results failed (disk full, a rename refused...): the message names the path.
class ResultWriteError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// The file of a result set holding its run identifier (one line of 16 hex digits), for the CSV
/// files, which carry no comment; every JSON file of the set has it as its first member "run_id".
inline constexpr const char* kRunIdFile = "run_id";

/// `path` made absolute and normal, without a trailing slash ("out/" names "out"), with the
/// symlinks of its existing part resolved: what two spellings of one file or folder both become.
std::filesystem::path resolved_path(const std::filesystem::path& path);

/// A run identifier: 16 hex digits of a 64-bit FNV-1a hash of `parts` (the fully resolved
/// scenario(s), the seed, the replications and whatever else chose the numbers).
std::string run_identifier(const std::vector<std::string>& parts);

/// `files` with the run identifier added: "run_id" as the first member of each `.json` file and a
/// `run_id` file. Nothing else in any file changes.
ResultSetFiles with_run_id(ResultSetFiles files, const std::string& run_id);

/// The run identifier of each of `files` (read from `folder`, named in messages) that carries one
/// (the `run_id` file and the JSON files), by file name. Throws UsageError naming the files when
/// they disagree. The caller passes the `run_id` file among `files` when the folder has one.
void check_result_set_agrees(const std::filesystem::path& folder, const ResultSetFiles& files);

/// The writer of one result folder. Constructed before the simulation: it checks the target
/// (`option` names it in messages), takes the lock and cleans staging folders left by killed
/// runs; commit() writes the set. Checks throw UsageError: an empty name, a file where the
/// folder should be, a folder (or parent) that cannot be written, a folder holding anything
/// but funnelsim results, another writer holding the lock (named by pid).
class ResultSetWriter {
 public:
  ResultSetWriter(const std::filesystem::path& target, std::string option);
  ~ResultSetWriter();
  ResultSetWriter(const ResultSetWriter&) = delete;
  ResultSetWriter& operator=(const ResultSetWriter&) = delete;

  /// The folder written, absolute.
  const std::filesystem::path& target() const { return target_; }
  /// Writes `files` as the whole content of the target. Throws ResultWriteError; on failure the
  /// target holds what it held before.
  void commit(const ResultSetFiles& files);

 private:
  std::filesystem::path target_;
  std::string option_;
  std::filesystem::path lock_file_;
  int lock_fd_ = -1;
};

/// Writes one file through an unpredictable temporary name beside it (O_CREAT|O_EXCL|O_NOFOLLOW),
/// fsync'ed, then renamed over `file`. Throws ResultWriteError naming the path.
void write_file_atomically(const std::filesystem::path& file, const std::string& content);

}  // namespace funnelsim
