#pragma once
/// calibrate: fits a scenario's parameters to the funnel a CRM export records, by simulated
/// method of moments on common random numbers, with a 95% interval per parameter and a
/// goodness-of-fit verdict (docs/calibrate.md has the method and why).
///
///   observed funnel (crm::measure of an export) + base scenario
///     -> direct parameters set from the data (leads per week per source)
///     -> free parameters by NLopt (BOBYQA, a few starts) minimising g' W g, where g = simulated
///        minus observed moments and W the inverse of their covariance
///     -> sandwich intervals from a finite-difference Jacobian; Hansen's J with its p-value.
/// The simulated moments of every parameter value come from the same replications 0..R-1 under
/// one seed (common random numbers), so the objective does not jitter between evaluations and
/// the result is a pure function of (base, observed funnel, seed, replications).
#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "funnelsim/core/usage_error.hpp"
#include "funnelsim/crm/observe.hpp"
#include "funnelsim/output/result_set.hpp"

namespace funnelsim::calibrate {

/// Processes that fit together (funnelsim-mpi's ranks). Each runs the same search; of every
/// evaluation's replications it simulates only its block (job_block(R, index, count)), and
/// `exchange` hands every process every block, so all of them take the same steps and end with the
/// numbers one process gets. Unset `exchange`: one process simulates everything.
struct ReplicationSharing {
  std::uint64_t index = 0, count = 1;
  /// Called by every process at the same points: `values` holds this process's rows (row-major)
  /// and gets every process's, in process order; `stop`, this process was cancelled. False when any
  /// process was (or one failed before the fit began): every process then stops.
  std::function<bool(std::vector<double>& values, bool stop)> exchange;
};

struct CalibrationOptions {
  std::uint64_t seed = 1;
  std::uint64_t replications = 24;  ///< simulated exports per evaluation (docs/calibrate.md: why 24)
  int threads = 0;                  ///< 0 = all cores; the result is the same on any count
  /// Midnight (UTC) of the simulated horizon's day 0, to line it up with the export's dates
  /// (crm::ExportOptions::start_date); kNoTime: crm::default_start_date, as export-crm's default.
  crm::Minute start_date = crm::kNoTime;
  /// JSON Pointers into the base document (each a positive number); empty: the default set,
  /// each source's /sources/i/profile/readiness/alpha and /sales_acceptance/midpoint.
  std::vector<std::string> free;
  int starts = 3;
  int max_evaluations = 120;  ///< per start
  /// The optimiser stops when a step changes every log parameter by less than this (1e-3: 0.1%);
  /// stage 1's starts stop at 1% when this is tighter (stage 2 starts from there).
  double xtol = 1e-3;
  /// (done, total) objective evaluations, from the calling thread.
  std::function<void(std::uint64_t, std::uint64_t)> progress;
  const std::atomic<bool>* cancel = nullptr;  ///< once true, calibrate returns nullopt
  ReplicationSharing sharing;
};

struct ParameterEstimate {
  std::string pointer;
  std::string how;  ///< "direct" (from the data) or "fitted"
  double base = 0, estimate = 0, se = 0, ci_low = 0, ci_high = 0;
};

struct MomentFit {
  std::string scope, metric;
  double observed = 0, observed_low = 0, observed_high = 0;  ///< the export's own 95% interval
  double simulated = 0, simulated_low = 0, simulated_high = 0;
  double z = 0;  ///< (simulated - observed) / sd, sd from the moment covariance
};

/// One week of one scope's weekly series (leads, MQLs or SQLs dated in the week, as observe's
/// weekly.csv counts them): observed beside the estimate's simulated mean and its P5-P95 over the
/// R replications of the objective.
struct WeekFit {
  std::string scope, series;  ///< series: "leads", "mqls", "sqls"
  std::size_t week = 0;       ///< 0-based, from the window's first day
  crm::Minute first_day = crm::kNoTime;
  double observed = 0, simulated = 0, simulated_p5 = 0, simulated_p95 = 0;
};

/// One bin of a distribution: the share of the values in [low, high) (the last bin holds every
/// value from its low up), observed beside the estimate's replications' mean share and P5-P95.
struct DistributionBin {
  double low = 0, high = 0;
  double observed = 0, simulated = 0, simulated_p5 = 0, simulated_p95 = 0;
};

/// A scope's distribution of days to MQL ("time_to_mql_days": every MQL in the window) or of hours
/// from MQL to owner assignment ("response_time_hours"), the export's against the estimate's, on
/// bins from 0 to the export's P99 (kDistributionBins of them).
struct DistributionFit {
  std::string scope, metric;
  double observed_count = 0;   ///< values in the export
  double simulated_count = 0;  ///< per replication, on average
  std::vector<DistributionBin> bins;
};
constexpr std::size_t kDistributionBins = 20;
/// A scope whose export has fewer values than this gets no distribution (too few to draw).
constexpr std::size_t kDistributionMinimum = 20;

struct CalibrationResult {
  std::vector<ParameterEstimate> parameters;     ///< direct ones first, then the fitted ones
  std::vector<std::vector<double>> correlation;  ///< between the fitted parameters
  std::vector<std::string> warnings;             ///< pairs with |correlation| > 0.95
  std::vector<MomentFit> moments;
  /// "all", then each source the scenario and the export share, week by week; empty when the
  /// observed funnel has no weeks.
  std::vector<WeekFit> weeks;
  /// "all", then each source, each metric: empty for an observed funnel without its samples (one
  /// read from an observe folder's summary.json).
  std::vector<DistributionFit> distributions;
  double j = 0, p_value = 1;
  std::size_t degrees_of_freedom = 0;
  bool rejected = false;  ///< p < 0.05
  std::string verdict;    ///< in words, naming the failing moments
  std::uint64_t evaluations = 0, seed = 0, replications = 0;
  /// The warm-up every simulation ran with: the base's days, or for "auto" the rule's pick on the
  /// base, made once before fitting (calibrated.json keeps the base's "auto").
  int warmup_days = 0;
  bool warmup_automatic = false;
  /// Pointer -> value of every changed parameter (what calibrated.json holds).
  std::vector<std::pair<std::string, double>> changes;
};

/// A free parameter the base or the export cannot support: subject() is its JSON Pointer (empty
/// when the error is about the whole list). A front end puts its own name for the list in front
/// (named_by: the CLI's "--free", the Python module's "free").
class FreeParameterError : public UsageError {
 public:
  using UsageError::UsageError;
};

/// Calibrates `base` (a scenario document, extends and --set applied) to `observed`; a base asking
/// for "warmup_days": "auto" runs every value with the rule's pick on the base. Throws
/// FreeParameterError when a free parameter is not a positive number of the base, or when the export
/// does not record a moment a free parameter needs (the message names the parameter and the
/// column). nullopt when cancelled.
std::optional<CalibrationResult> calibrate(const nlohmann::json& base, const std::string& name,
                                           const crm::ObservedFunnel& observed, const CalibrationOptions& options);

/// calibrated.json (a scenario that extends `extends_path` and holds only the changes, named
/// "<base name>_calibrated"), fit.json and fit.csv. `kept`: values of the base that its file does
/// not hold (the CLI's --set), written before the changes.
ResultSetFiles calibration_files(const CalibrationResult& result, const nlohmann::json& base,
                                 const std::string& extends_path,
                                 const std::vector<std::pair<std::string, nlohmann::json>>& kept = {});
/// The printed table: parameters, moments, verdict and warnings.
std::string calibration_table(const CalibrationResult& result);

}  // namespace funnelsim::calibrate
