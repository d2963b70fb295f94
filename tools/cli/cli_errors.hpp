#pragma once
// Errors the commands hand to main, which prints them and picks the exit code.
#include <string>
#include <utility>

#include "funnelsim/scenario/error.hpp"

namespace funnelsim::cli {

/// A bad scenario among several inputs (compare's variants, sweep's points): `context` says
/// which one, e.g. "scenarios/a.json".
class ScenarioInputError : public ScenarioError {
 public:
  ScenarioInputError(std::string context, const ScenarioError& error)
      : ScenarioError(error.issues()), context_(std::move(context)) {}
  const std::string& context() const noexcept { return context_; }

 private:
  std::string context_;
};

}  // namespace funnelsim::cli
