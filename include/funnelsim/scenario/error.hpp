#pragma once
#include <memory>
#include <stdexcept>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

namespace funnelsim {

/// One problem found in a scenario: where (a JSON Pointer, "" for the document root), what was
/// expected, what was found.
struct Issue {
  std::string path;
  std::string expected;
  std::string found;

  friend bool operator==(const Issue&, const Issue&) = default;
};

/// "<path>: expected <expected>, found <found>", with the root path shown as "/" so the line
/// never starts with a bare colon.
inline std::string format_issue(const Issue& issue) {
  std::string line = issue.path.empty() ? "/" : issue.path;
  return line.append(": expected ").append(issue.expected).append(", found ").append(issue.found);
}

/// The one error type for bad scenarios. what() is one line per issue (see format_issue), joined
/// by '\n' without a trailing newline.
class ScenarioError : public std::runtime_error {
 public:
  explicit ScenarioError(std::vector<Issue> issues)
      : std::runtime_error(join(issues)), issues_(std::make_shared<const std::vector<Issue>>(std::move(issues))) {}

  const std::vector<Issue>& issues() const noexcept { return *issues_; }

 private:
  static std::string join(const std::vector<Issue>& issues) {
    // Built through a stream: GCC 12 at -O3 reports a false -Wrestrict on string +=.
    std::ostringstream text;
    for (std::size_t i = 0; i < issues.size(); ++i) text << (i ? "\n" : "") << format_issue(issues[i]);
    return text.str();
  }

  // Shared so that copying the exception (which throw/catch may do) cannot throw.
  std::shared_ptr<const std::vector<Issue>> issues_;
};

}  // namespace funnelsim
