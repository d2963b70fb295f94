#pragma once
#include <stdexcept>
#include <string>
#include <string_view>

namespace funnelsim {

/// Bad input that is not a scenario (a sweep parameter, an objective, a metric name). what()
/// reads "[<subject>: ]expected <what>, found <what>", like a scenario issue. The library names
/// no command-line flag: a front end adds its own (the CLI prints "--param <subject>: ..." and
/// exits 2). A distinct type, so that a std::invalid_argument from a bug is never mistaken for
/// the user's mistake.
class UsageError : public std::invalid_argument {
 public:
  explicit UsageError(const std::string& message) : std::invalid_argument(message), message_(message) {}
  /// `subject`: the offending item within the input, e.g. a JSON Pointer or a metric name.
  UsageError(const std::string& subject, const std::string& message)
      : std::invalid_argument(subject + ": " + message), subject_(subject), message_(message) {}

  const std::string& subject() const noexcept { return subject_; }  ///< empty when none
  const std::string& message() const noexcept { return message_; }  ///< what() without the subject

 private:
  std::string subject_, message_;
};

/// `error` with `source` (where its text came from: a command-line flag, a function argument) in
/// front of its subject: "--param /x: expected ...", or "--param: expected ..." without one.
inline UsageError named_by(std::string_view source, const UsageError& error) {
  std::string subject(source);
  if (!error.subject().empty()) subject.append(" ").append(error.subject());
  return UsageError(subject, error.message());
}

/// Returns parse(); a UsageError from it comes back named_by(source).
template <class Parse>
auto naming_source(std::string_view source, const Parse& parse) {
  try {
    return parse();
  } catch (const UsageError& e) {
    throw named_by(source, e);
  }
}

}  // namespace funnelsim
