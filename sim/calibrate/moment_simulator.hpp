#pragma once
// calibrate's simulations: one parameter vector's moments over replications 0..R-1 of one seed
// (common random numbers), split over processes when ReplicationSharing asks.
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <Eigen/Dense>
#include <nlohmann/json.hpp>

#include "funnelsim/calibrate/calibrate.hpp"
#include "funnelsim/crm/observe.hpp"
#include "funnelsim/whatif/job_blocks.hpp"

namespace funnelsim::calibrate::detail {

inline constexpr double kZ95 = 1.959963984540054;  // the normal's 97.5% point

/// The scope of `funnel` called `name` ("all" or a source), or null.
inline const crm::ObservedScope* scope_named(const crm::ObservedFunnel& funnel, const std::string& name) {
  for (const crm::ObservedScope& scope : funnel.scopes)
    if (scope.name == name) return &scope;
  return nullptr;
}

/// A moment: a metric of a scope ("all" or a source) of the observed funnel.
struct Target {
  std::string scope, metric;
  std::size_t index = 0;  // in the metric row
};

/// Thrown by a simulation once cancelled (here or, sharing, on another process).
struct Cancelled {};

/// The simulated moments of one parameter vector: per replication, per target.
class MomentSimulator {
 public:
  MomentSimulator(nlohmann::json base, std::string name, const crm::ObservedFunnel& observed,
                  std::vector<Target> targets, const CalibrationOptions& options);

  /// replications x targets, each row one simulated export's moments; each replication's measured
  /// funnel too, when `funnels` is given (then every process simulates every replication: the
  /// funnels are read once, at the estimate, and are not exchanged). Throws Cancelled.
  Eigen::MatrixXd simulate(const std::vector<std::pair<std::string, double>>& values,
                           std::vector<crm::ObservedFunnel>* funnels = nullptr);

  /// Whether a cancel (here or, sharing, on another process) stopped a simulation.
  bool stopped() const { return stopped_; }
  /// A target's value in a measured funnel (0 where undefined: a replication with no MQLs in a
  /// source has rate 0).
  static double moment_of(const crm::ObservedFunnel& funnel, const Target& target);

  std::uint64_t evaluations() const { return evaluations_; }
  void plan(std::uint64_t total) { planned_ = total; }

 private:
  [[noreturn]] void stop();
  /// Replications block.begin.. into `rows` (row-major, one row per replication of the block).
  void simulate_block(const std::vector<std::pair<std::string, double>>& values, JobBlock block,
                      std::vector<double>& rows, std::vector<crm::ObservedFunnel>* funnels) const;

  nlohmann::json base_;
  std::string name_;
  const crm::ObservedFunnel& observed_;
  std::vector<Target> targets_;
  const CalibrationOptions& options_;
  std::uint64_t evaluations_ = 0, planned_ = 0;
  bool stopped_ = false;
};

}  // namespace funnelsim::calibrate::detail
