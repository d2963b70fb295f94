#include "moment_simulator.hpp"

#include <cmath>

#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include "funnelsim/crm/export.hpp"
#include "funnelsim/whatif/runnable_scenario.hpp"

namespace funnelsim::calibrate::detail {

MomentSimulator::MomentSimulator(nlohmann::json base, std::string name, const crm::ObservedFunnel& observed,
                                 std::vector<Target> targets, const CalibrationOptions& options)
    : base_(std::move(base)),
      name_(std::move(name)),
      observed_(observed),
      targets_(std::move(targets)),
      options_(options) {}

Eigen::MatrixXd MomentSimulator::simulate(const std::vector<std::pair<std::string, double>>& values,
                                          std::vector<crm::ObservedFunnel>* funnels) {
  const bool cancelled = options_.cancel != nullptr && options_.cancel->load();
  const ReplicationSharing& sharing = options_.sharing;
  const auto reps = static_cast<std::size_t>(options_.replications);
  const bool split = sharing.exchange && funnels == nullptr;
  const JobBlock block = split ? job_block(reps, sharing.index, sharing.count) : JobBlock{0, reps};
  std::vector<double> rows(block.size() * targets_.size());
  if (sharing.exchange && !split) {
    std::vector<double> none;  // the processes agree on a cancel before each simulates everything
    if (!sharing.exchange(none, cancelled)) stop();
  } else if (cancelled && !split) {
    stop();
  }
  if (!cancelled) simulate_block(values, block, rows, funnels);
  if (split && !sharing.exchange(rows, cancelled)) stop();
  ++evaluations_;
  if (options_.progress) options_.progress(evaluations_, planned_);
  using RowMajor = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  return Eigen::Map<const RowMajor>(rows.data(), static_cast<Eigen::Index>(reps),
                                    static_cast<Eigen::Index>(targets_.size()));
}

double MomentSimulator::moment_of(const crm::ObservedFunnel& funnel, const Target& target) {
  for (const crm::ObservedScope& scope : funnel.scopes)
    if (scope.name == target.scope) {
      const double v = scope.metrics[target.index];
      return std::isfinite(v) ? v : 0.0;
    }
  return 0.0;
}

void MomentSimulator::stop() {
  stopped_ = true;
  throw Cancelled{};
}

void MomentSimulator::simulate_block(const std::vector<std::pair<std::string, double>>& values, JobBlock block,
                                     std::vector<double>& rows, std::vector<crm::ObservedFunnel>* funnels) const {
  nlohmann::json document = base_;
  for (const auto& [pointer, value] : values) document[nlohmann::json::json_pointer(pointer)] = value;
  const RunnableScenario scenario(std::move(document), name_);
  const std::size_t columns = targets_.size();
  if (funnels != nullptr) funnels->assign(block.size(), {});
  const auto one = [&](std::size_t i) {
    const std::uint64_t r = block.begin + i;
    const crm::TracedReplication traced = crm::trace_replication(scenario, options_.seed, r, options_.start_date);
    crm::ObservedFunnel measured = crm::measure_moments(traced.records, observed_.window);
    for (std::size_t t = 0; t < columns; ++t) rows[i * columns + t] = moment_of(measured, targets_[t]);
    if (funnels != nullptr) (*funnels)[i] = std::move(measured);
  };
  // Each replication fills its own row: the same numbers on any thread count.
  const int threads = options_.threads > 0 ? options_.threads : tbb::this_task_arena::max_concurrency();
  tbb::task_arena arena(threads);
  arena.execute([&] { tbb::parallel_for(std::size_t{0}, static_cast<std::size_t>(block.size()), one); });
}

}  // namespace funnelsim::calibrate::detail
