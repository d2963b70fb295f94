#pragma once
#include <stdexcept>
#include <string>

namespace funnelsim {

/// Bad command-line input that is not a scenario (a sweep parameter, an objective, a metric
/// name): the CLI prints what() and exits 2. what() reads "<where>: expected <what>, found
/// <what>", like a scenario issue. A distinct type, so that a std::invalid_argument from a bug
/// is never mistaken for the user's mistake.
class UsageError : public std::invalid_argument {
 public:
  explicit UsageError(const std::string& message) : std::invalid_argument(message) {}
};

}  // namespace funnelsim
