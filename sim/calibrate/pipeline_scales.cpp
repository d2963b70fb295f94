#include "pipeline_scales.hpp"

#include <algorithm>
#include <cmath>

#include <Eigen/Dense>

#include "core/json_pointer_token.hpp"
#include "funnelsim/metrics/metrics.hpp"
#include "moment_simulator.hpp"

namespace funnelsim::calibrate::detail {
namespace {

constexpr double kMinimumElasticity = 0.1;
constexpr double kElasticityStep = 0.05;  // in log space: +-5%, as the moments' Jacobian

/// One scale: the fields it multiplies, and the ratio of two counts of the whole funnel it matches.
struct PipelineLever {
  std::vector<std::string> pointers;
  bool probability = false;                    ///< fields are probabilities: an estimate stays at or below 1
  std::size_t numerator = 0, denominator = 0;  ///< indices of the counts below
  /// The ratio is not proportional to the scale (the deal cycle: a longer one closes fewer deals
  /// in the window): each pass solves for it in log space through its elasticity.
  bool solved = false;
};

std::vector<std::string> numbers_at(const nlohmann::json& pipeline, const std::string& field,
                                    const std::vector<std::string>& keys) {
  std::vector<std::string> pointers;
  if (!pipeline.contains(field) || !pipeline[field].is_object()) return pointers;
  for (const std::string& key : keys)
    if (pipeline[field].contains(key) && pipeline[field][key].is_number())
      pointers.push_back("/pipeline/" + field + "/" + key);
  return pointers;
}

// The counts the ratios divide, measured on "all"; the closed opportunities are their share times
// the opportunities (a count no metric holds), column kClosed of with_closed's matrix.
constexpr std::size_t kSqls = 0, kOpportunities = 1, kWon = 2, kPipelineValue = 3, kClosedShare = 4, kClosed = 5;
constexpr const char* kCounts[] = {"sqls", "opportunities", "won_deals", "pipeline_value",
                                   "opportunities_closed_share"};

double closed_count(double share, double opportunities) { return opportunities > 0 ? share * opportunities : 0.0; }

Eigen::MatrixXd with_closed(const Eigen::MatrixXd& counts) {
  Eigen::MatrixXd out(counts.rows(), counts.cols() + 1);
  out.leftCols(counts.cols()) = counts;
  for (Eigen::Index r = 0; r < counts.rows(); ++r)
    out(r, kClosed) = closed_count(counts(r, kClosedShare), counts(r, kOpportunities));
  return out;
}

std::vector<PipelineLever> levers_of(const nlohmann::json& base) {
  std::vector<PipelineLever> levers;
  if (!base.contains("pipeline") || !base["pipeline"].is_object()) return levers;
  const nlohmann::json& pipeline = base["pipeline"];
  const std::vector<std::string> curve = {"at_readiness_0", "at_readiness_1"};
  // A mean and each segment's own mean, under one scale.
  const auto means = [&](const std::string& field) {
    std::vector<std::string> pointers = numbers_at(pipeline, field, {"mean"});
    if (pipeline.contains(field) && pipeline[field].contains("by_segment"))
      for (const auto& [segment, value] : pipeline[field]["by_segment"].items())
        if (value.is_object() && value.contains("mean") && value["mean"].is_number())
          pointers.push_back("/pipeline/" + field + "/by_segment/" + escape_pointer_token(segment) + "/mean");
    return pointers;
  };
  levers.push_back({numbers_at(pipeline, "opportunity_rate", curve), true, kOpportunities, kSqls});
  levers.push_back({means("cycle_days"), false, kClosed, kOpportunities, true});
  levers.push_back({numbers_at(pipeline, "win_rate", curve), true, kWon, kOpportunities});
  levers.push_back({means("amount"), false, kPipelineValue, kOpportunities});
  std::erase_if(levers, [](const PipelineLever& lever) { return lever.pointers.empty(); });
  return levers;
}

/// The simulated ratio of sums over the replications and the variance of one replication's ratio
/// (the delta method: sum (num - ratio den)^2 / ((n - 1) mean(den)^2)): what one export's ratio
/// varies by.
std::pair<double, double> ratio_and_variance(const Eigen::MatrixXd& counts, const PipelineLever& lever) {
  const Eigen::VectorXd num = counts.col(static_cast<Eigen::Index>(lever.numerator));
  const Eigen::VectorXd den = counts.col(static_cast<Eigen::Index>(lever.denominator));
  const double ratio = den.sum() > 0 ? num.sum() / den.sum() : NAN;
  const auto n = static_cast<double>(counts.rows());
  const double mean_den = den.mean();
  const double variance = (num - ratio * den).squaredNorm() / ((n - 1) * mean_den * mean_den);
  return {ratio, variance};
}

}  // namespace

PipelineScales pipeline_scales(const nlohmann::json& base, const std::string& name, const crm::ObservedFunnel& observed,
                               const std::vector<std::pair<std::string, double>>& values,
                               const CalibrationOptions& options) {
  PipelineScales out;
  std::vector<PipelineLever> levers = levers_of(base);
  const crm::ObservedScope* all = scope_named(observed, "all");
  if (all == nullptr) return out;
  std::vector<Target> targets;
  for (const char* count : kCounts) targets.push_back({"all", count, metric_index(count)});
  const auto observed_count = [&](std::size_t k) {
    if (k == kClosed)
      return closed_count(all->metrics[targets[kClosedShare].index], all->metrics[targets[kOpportunities].index]);
    return all->metrics[targets[k].index];
  };
  std::erase_if(levers, [&](const PipelineLever& lever) {
    const double num = observed_count(lever.numerator), den = observed_count(lever.denominator);
    return !std::isfinite(num) || !std::isfinite(den) || !(den > 0);
  });
  if (levers.empty()) return out;

  MomentSimulator counter(base, name, observed, targets, options);
  std::vector<double> scale(levers.size(), 1.0), rel_se(levers.size(), 0.0);
  const auto scaled_values = [&] {
    std::vector<std::pair<std::string, double>> at = values;
    for (std::size_t l = 0; l < levers.size(); ++l)
      for (const std::string& pointer : levers[l].pointers) {
        const double value = base[nlohmann::json::json_pointer(pointer)].get<double>() * scale[l];
        at.emplace_back(pointer, levers[l].probability ? std::min(1.0, value) : value);
      }
    return at;
  };
  const auto simulate = [&] { return with_closed(counter.simulate(scaled_values())); };
  // The ratio's elasticity in lever l's scale, d log ratio / d log k, by central differences on
  // common random numbers: 1 for amounts (each is its mean times a draw), below 1 for a probability
  // curve where the engine clamps it at 1 (and with the deals a scale adds), negative for the
  // cycle. A ratio that moves less than its scale pins the scale less: var(log k) / e^2.
  const auto elasticity_of = [&](std::size_t l) {
    if (!levers[l].probability && !levers[l].solved) return 1.0;
    const double kept = scale[l];
    scale[l] = kept * std::exp(kElasticityStep);
    const double high = ratio_and_variance(simulate(), levers[l]).first;
    scale[l] = kept * std::exp(-kElasticityStep);
    const double low = ratio_and_variance(simulate(), levers[l]).first;
    scale[l] = kept;
    const double e = high > 0 && low > 0 ? (std::log(high) - std::log(low)) / (2 * kElasticityStep) : NAN;
    // A probability: at most 1 (a probability times k adds at most k times the deals; what the
    // differences show above 1 is which few deals flip on common random numbers). Any: at least 0.1
    // in size, a ratio that barely moves is barely identified.
    if (levers[l].probability) return std::clamp(std::isnan(e) ? 1.0 : e, kMinimumElasticity, 1.0);
    return std::isnan(e) ? -kMinimumElasticity : std::min(e, -kMinimumElasticity);
  };
  std::vector<double> solving(levers.size(), 1.0);
  for (std::size_t l = 0; l < levers.size(); ++l)
    if (levers[l].solved) solving[l] = elasticity_of(l);
  // Three passes: a probability scale is linear until a curve reaches 1, a scale of the
  // opportunity rate changes which deals the win rate and amounts divide by, and a longer cycle
  // closes fewer of them in the window; each pass, from the last one's scales, corrects them all.
  for (int pass = 0; pass < 3; ++pass) {
    const Eigen::MatrixXd counts = simulate();
    for (std::size_t l = 0; l < levers.size(); ++l) {
      const auto [simulated, variance] = ratio_and_variance(counts, levers[l]);
      const double seen = observed_count(levers[l].numerator) / observed_count(levers[l].denominator);
      // Nothing to scale from: the base value stays (and a cycle has no finite solve for no deals).
      if (!(simulated > 0) || (levers[l].solved && !(seen > 0))) continue;
      scale[l] *= std::pow(seen / simulated, 1.0 / solving[l]);
      // The export's ratio is one draw of what a replication gives; the simulated one of n adds 1/n.
      rel_se[l] = std::sqrt(variance * (1.0 + 1.0 / static_cast<double>(counts.rows()))) / simulated;
    }
  }
  for (std::size_t l = 0; l < levers.size(); ++l) rel_se[l] /= std::abs(elasticity_of(l));
  out.evaluations = counter.evaluations();
  for (std::size_t l = 0; l < levers.size(); ++l)
    for (const std::string& pointer : levers[l].pointers) {
      const double base_value = base[nlohmann::json::json_pointer(pointer)].get<double>();
      const double cap = levers[l].probability ? 1.0 : INFINITY;
      const double estimate = std::min(cap, base_value * scale[l]);
      const double se = base_value * scale[l] * rel_se[l];
      out.parameters.push_back({pointer, "direct", base_value, estimate, se,
                                std::max(0.0, base_value * scale[l] - kZ95 * se),
                                std::min(cap, base_value * scale[l] + kZ95 * se)});
      out.changes.emplace_back(pointer, estimate);
    }
  return out;
}

}  // namespace funnelsim::calibrate::detail
