// Simulated method of moments on common random numbers (docs/calibrate.md).
#include "funnelsim/calibrate/calibrate.hpp"

#include <algorithm>
#include <cmath>

#include <Eigen/Dense>
#include <boost/math/distributions/chi_squared.hpp>
#include <fmt/format.h>
#include <nlopt.hpp>

#include "funnelsim/core/statistics.hpp"
#include "funnelsim/core/usage_error.hpp"
#include "funnelsim/crm/export.hpp"
#include "funnelsim/metrics/metrics.hpp"
#include "core/json_pointer_token.hpp"
#include "funnelsim/scenario/loader.hpp"
#include "moment_simulator.hpp"
#include "pipeline_scales.hpp"
#include "funnelsim/whatif/runnable_scenario.hpp"
#include "funnelsim/whatif/warmup_choice.hpp"

namespace funnelsim::calibrate {
namespace {

using detail::Cancelled;
using detail::kZ95;
using detail::MomentSimulator;
using detail::scope_named;
using detail::Target;

constexpr double kLogBound = 2.302585092994046;         // free parameters stay within x10 of the base
constexpr double kJacobianStep = 0.05;                  // in log space: +-5%
constexpr std::uint64_t kCovarianceReplications = 100;  // at least, for S and G
constexpr double kFirstStep = 0.2;                      // BOBYQA's first step in log space: 20%, stage 1
constexpr double kSecondStep = 0.05;                    // and 5% for stage 2, from stage 1's estimate
constexpr double kAgree = 0.02;                         // two starts agree when every parameter is within 2%
constexpr double kFirstXtol = 0.01;                     // stage 1 ends within 1% (stage 2 refines it): half of kAgree
constexpr const char* kHandleTimes = "/sales/teams/*/handle_time/mean_minutes";  // a default scale

Eigen::VectorXd column_means(const Eigen::MatrixXd& rows) { return rows.colwise().mean().transpose(); }

Eigen::MatrixXd sample_covariance(const Eigen::MatrixXd& rows) {
  const Eigen::MatrixXd centred = rows.rowwise() - rows.colwise().mean();
  return centred.transpose() * centred / static_cast<double>(rows.rows() - 1);
}

/// The covariance of (observed - simulated mean of R), from a sample of replications: the
/// observed export is one draw of what a replication gives (S), the simulated mean adds S / R.
Eigen::MatrixXd moment_covariance(const Eigen::MatrixXd& rows, std::uint64_t r) {
  Eigen::MatrixXd s = sample_covariance(rows) * (1.0 + 1.0 / static_cast<double>(r));
  // A ridge of 1e-9 of each variance keeps a near-singular estimate invertible.
  for (Eigen::Index i = 0; i < s.rows(); ++i) s(i, i) += 1e-9 * s(i, i) + 1e-300;
  return s;
}

/// What an export lacks when a source's moment is undefined, naming the column (HubSpot's label,
/// Salesforce's beside it).
std::string missing_column(const crm::ObservedScope* scope, const std::string& source) {
  if (scope == nullptr || !(scope->metrics[metric_index("leads")] > 0))
    return fmt::format("no record has '{}' in column 'Original Source' (Salesforce: 'Lead Source')", source);
  return fmt::format(
      "no lead of '{}' has a date in column 'Became a Marketing Qualified Lead Date' (Salesforce: 'MQL Date')", source);
}

/// The base's value at `pointer`. A field the base leaves out counts at the value the loader
/// gives it: the document resolved (profile_defaults merged, the schema's defaults filled), else
/// the field's value when absent, so a source's /profile/event_rate_scale, absent from the
/// shipped scenarios, starts at 1.
double number_at(const nlohmann::json& base, const std::string& pointer) {
  nlohmann::json::json_pointer ptr;
  try {
    ptr = nlohmann::json::json_pointer(pointer);
  } catch (const nlohmann::json::exception&) {
    throw FreeParameterError(pointer, fmt::format("expected a JSON Pointer, found '{}'", pointer));
  }
  const nlohmann::json* at = base.contains(ptr) ? &base.at(ptr) : nullptr;
  nlohmann::json resolved;
  if (at == nullptr) {
    try {
      resolved = resolved_scenario_json(base);
      if (resolved.contains(ptr)) at = &resolved.at(ptr);
    } catch (const ScenarioError&) {
      // An invalid base fails later, where it is simulated, with the loader's own message.
    }
    if (at == nullptr) {
      const std::optional<NumericField> field = numeric_field(base, pointer);
      if (field && field->absent) {
        resolved = *field->absent;
        at = &resolved;
      }
    }
  }
  if (at == nullptr || !at->is_number() || !(at->get<double>() > 0))
    throw FreeParameterError(pointer, fmt::format("expected a positive number in the base scenario, found {}",
                                                  at != nullptr ? at->dump() : "nothing"));
  return at->get<double>();
}

/// A free parameter: one field, or a pattern with "*" tokens, a scale of every field it matches
/// (each its base value times the same factor).
struct FreeParameter {
  std::string name;  ///< as given: a pointer or a pattern
  std::vector<std::string> pointers;
  std::vector<double> bases;  ///< each pointer's value in the base
  bool scale() const { return name.find("/*") != std::string::npos; }
};

/// The pointers `pattern` matches in `doc` ("*" a whole token: any array index or object key).
void match_pattern(const nlohmann::json& doc, const std::vector<std::string>& tokens, std::size_t at,
                   const std::string& prefix, std::vector<std::string>& out) {
  if (at == tokens.size()) {
    out.push_back(prefix);
    return;
  }
  if (tokens[at] == "*") {
    if (doc.is_array())
      for (std::size_t i = 0; i < doc.size(); ++i)
        match_pattern(doc[i], tokens, at + 1, prefix + "/" + std::to_string(i), out);
    else if (doc.is_object())
      for (const auto& [key, value] : doc.items())
        match_pattern(value, tokens, at + 1, prefix + "/" + escape_pointer_token(key), out);
    return;
  }
  const std::string key = unescape_pointer_token(tokens[at]);
  if (doc.is_object() && doc.contains(key)) {
    match_pattern(doc[key], tokens, at + 1, prefix + "/" + tokens[at], out);
  } else if (doc.is_array() && !key.empty() && key.find_first_not_of("0123456789") == std::string::npos &&
             std::stoul(key) < doc.size()) {
    match_pattern(doc[std::stoul(key)], tokens, at + 1, prefix + "/" + tokens[at], out);
  }
}

/// "/a/*/b" -> {"a", "*", "b"} (tokens still escaped).
std::vector<std::string> pattern_tokens(const std::string& pattern) {
  std::vector<std::string> tokens;
  for (std::size_t from = 1; from <= pattern.size();) {
    const std::size_t slash = std::min(pattern.find('/', from), pattern.size());
    tokens.push_back(pattern.substr(from, slash - from));
    from = slash + 1;
  }
  return tokens;
}

FreeParameter free_parameter(const nlohmann::json& base, const std::string& name) {
  FreeParameter free{name, {}, {}};
  if (!free.scale()) {
    free.pointers = {name};
  } else {
    if (name.front() != '/') throw FreeParameterError(name, fmt::format("expected a JSON Pointer, found '{}'", name));
    match_pattern(base, pattern_tokens(name), 0, "", free.pointers);
    if (free.pointers.empty())
      throw FreeParameterError(name, "expected a pattern that matches fields of the base scenario, found none");
  }
  for (const std::string& pointer : free.pointers) free.bases.push_back(number_at(base, pointer));
  return free;
}

/// The log-space bounds of a free parameter: within x10 of its base value and inside the
/// schema's bounds for the field. UsageError for a field the schema makes an integer.
std::pair<double, double> log_bounds(const nlohmann::json& base, const std::string& pointer, double value) {
  const std::optional<NumericField> field = numeric_field(base, pointer);
  if (field && field->integer)
    throw FreeParameterError(pointer, "expected a continuous parameter, found an integer field");
  double lower = -kLogBound, upper = kLogBound;
  if (field && field->lower > 0) lower = std::max(lower, std::log(field->lower / value));
  if (field && std::isfinite(field->upper)) upper = std::min(upper, std::log(field->upper / value));
  return {lower, upper};
}

/// The weekly series of "all" and of each source the scenario and the export share: observed
/// beside the simulated replications' mean and P5-P95, week by week.
std::vector<WeekFit> week_fits(const crm::ObservedFunnel& observed, const std::vector<crm::ObservedFunnel>& simulated,
                               const std::vector<std::string>& source_names) {
  std::vector<WeekFit> out;
  std::vector<double> values(simulated.size()), scratch;
  constexpr std::pair<const char*, double crm::CohortWeek::*> kSeries[] = {{"leads", &crm::CohortWeek::leads_in_week},
                                                                           {"mqls", &crm::CohortWeek::mqls_in_week},
                                                                           {"sqls", &crm::CohortWeek::sqls_in_week}};
  for (const crm::ObservedScope& scope : observed.scopes) {
    if (scope.name != "all" && std::find(source_names.begin(), source_names.end(), scope.name) == source_names.end())
      continue;
    for (const crm::CohortWeek& week : scope.weeks)
      for (const auto& [series, member] : kSeries) {
        for (std::size_t r = 0; r < simulated.size(); ++r) {
          const crm::ObservedScope* mine = scope_named(simulated[r], scope.name);
          values[r] = mine != nullptr && week.week < mine->weeks.size() ? mine->weeks[week.week].*member : 0.0;
        }
        const SummaryStats stats = summarize(values, scratch);
        out.push_back({scope.name, series, week.week, week.first_day, week.*member, stats.mean, stats.p5, stats.p95});
      }
  }
  return out;
}

/// The distributions of days to MQL and hours to owner assignment, "all" and each source the
/// scenario and the export share: each bin's share of the export's values beside the share in
/// each replication at the estimate (its mean and P5-P95 over the R replications).
std::vector<DistributionFit> distribution_fits(const crm::ObservedFunnel& observed,
                                               const std::vector<crm::ObservedFunnel>& simulated,
                                               const std::vector<std::string>& source_names) {
  using Sample = std::vector<double> crm::ObservedScope::*;
  constexpr std::pair<const char*, Sample> kSamples[] = {{"time_to_mql_days", &crm::ObservedScope::time_to_mql_days},
                                                         {"response_time_hours", &crm::ObservedScope::response_hours}};
  std::vector<DistributionFit> out;
  std::vector<double> scratch;
  for (const crm::ObservedScope& scope : observed.scopes) {
    if (scope.name != "all" && std::find(source_names.begin(), source_names.end(), scope.name) == source_names.end())
      continue;
    for (const auto& [metric, member] : kSamples) {
      std::vector<double> seen = scope.*member;
      if (seen.size() < kDistributionMinimum) continue;
      std::sort(seen.begin(), seen.end());
      const double upper = percentile_sorted(seen, 0.99);
      if (!(upper > 0)) continue;
      const double width = upper / static_cast<double>(kDistributionBins);
      const auto shares = [&](const std::vector<double>& values) {
        std::vector<double> share(kDistributionBins, 0.0);
        for (const double v : values)
          share[std::min(kDistributionBins - 1, static_cast<std::size_t>(std::max(0.0, v) / width))] += 1.0;
        for (double& x : share) x /= static_cast<double>(values.size());
        return share;
      };
      DistributionFit fit{scope.name, metric, static_cast<double>(seen.size()), 0.0, {}};
      const std::vector<double> observed_share = shares(seen);
      std::vector<std::vector<double>> per_bin(kDistributionBins);  // bin -> replications' shares
      double total = 0;
      for (const crm::ObservedFunnel& replication : simulated) {
        const crm::ObservedScope* mine = scope_named(replication, scope.name);
        const std::vector<double> none;
        const std::vector<double>& values = mine != nullptr ? mine->*member : none;
        total += static_cast<double>(values.size());
        if (values.empty()) continue;  // a replication without one: no share to speak of
        const std::vector<double> share = shares(values);
        for (std::size_t b = 0; b < kDistributionBins; ++b) per_bin[b].push_back(share[b]);
      }
      fit.simulated_count = simulated.empty() ? 0.0 : total / static_cast<double>(simulated.size());
      for (std::size_t b = 0; b < kDistributionBins; ++b) {
        const SummaryStats stats = summarize(per_bin[b], scratch);
        fit.bins.push_back({static_cast<double>(b) * width, static_cast<double>(b + 1) * width, observed_share[b],
                            stats.mean, stats.p5, stats.p95});
      }
      out.push_back(std::move(fit));
    }
  }
  return out;
}

/// The default free set: each source's readiness alpha where the base sets one, each source's
/// behaviour-rate scale where the export records its time to MQL (1 where the base leaves it
/// out), the acceptance midpoint, and one scale of every SDR team's handle time when the export
/// records response times. The scales join only while the moments outnumber the parameters with
/// them: a one-source funnel's 4 moments would not (alpha, the scale, the midpoint, the handle time).
std::vector<std::string> default_free(const nlohmann::json& base, const crm::ObservedFunnel& observed) {
  const nlohmann::json& sources = base.at("sources");
  std::vector<std::string> alphas, scales, rest;
  std::size_t moments = 0;  // as calibrate counts them: per source, each of its three the export records
  for (std::size_t s = 0; s < sources.size(); ++s) {
    if (sources[s].contains("profile") && sources[s]["profile"].contains("readiness") &&
        sources[s]["profile"]["readiness"].contains("alpha"))
      alphas.push_back(fmt::format("/sources/{}/profile/readiness/alpha", s));
    const crm::ObservedScope* scope = scope_named(observed, sources[s].value("name", std::string()));
    if (scope == nullptr) continue;
    for (const char* metric : {"lead_to_mql_rate", "mql_to_sql_rate", "time_to_mql_days"})
      moments += std::isfinite(scope->metrics[metric_index(metric)]) ? 1 : 0;
    if (std::isfinite(scope->metrics[metric_index("time_to_mql_days")]))
      scales.push_back(fmt::format("/sources/{}/profile/event_rate_scale", s));
  }
  if (base.contains("sales_acceptance") && base["sales_acceptance"].contains("midpoint"))
    rest.push_back("/sales_acceptance/midpoint");
  // The SDRs' handle time, one scale for every team, from how long MQLs wait for an owner (a
  // moment of its own).
  const crm::ObservedScope* all = scope_named(observed, "all");
  std::vector<std::string> handle_times;
  if (base.contains("sales")) match_pattern(base, pattern_tokens(kHandleTimes), 0, "", handle_times);
  if (!handle_times.empty() && all != nullptr && std::isfinite(all->metrics[metric_index("response_time_hours")])) {
    rest.push_back(kHandleTimes);
    ++moments;
  }
  std::vector<std::string> free = alphas;
  if (alphas.size() + scales.size() + rest.size() < moments) free.insert(free.end(), scales.begin(), scales.end());
  free.insert(free.end(), rest.begin(), rest.end());
  return free;
}

}  // namespace

std::optional<CalibrationResult> calibrate(const nlohmann::json& base_document, const std::string& name,
                                           const crm::ObservedFunnel& observed, const CalibrationOptions& options) {
  if (options.replications < 4)
    throw UsageError("replications", "expected at least 4, found " + std::to_string(options.replications));
  nlohmann::json base = base_document;
  const nlohmann::json& sources = base.at("sources");
  // The moments: per source with leads, lead->MQL, MQL->SQL and mean time to MQL.
  const std::size_t to_mql = metric_index("lead_to_mql_rate"), to_sql = metric_index("mql_to_sql_rate"),
                    days = metric_index("time_to_mql_days"), leads = metric_index("leads");
  const std::vector<std::string> free = options.free.empty() ? default_free(base, observed) : options.free;
  // start: the value a row shows at x = 0 (the base's, or 1 for a scale); bounds: every field's.
  std::vector<FreeParameter> parameters;
  std::vector<double> start, lower, upper;
  for (const std::string& given : free) {
    parameters.push_back(free_parameter(base, given));
    const FreeParameter& parameter = parameters.back();
    start.push_back(parameter.scale() ? 1.0 : parameter.bases.front());
    double low = -INFINITY, high = INFINITY;
    for (std::size_t j = 0; j < parameter.pointers.size(); ++j) {
      const auto [field_low, field_high] = log_bounds(base, parameter.pointers[j], parameter.bases[j]);
      low = std::max(low, field_low);
      high = std::min(high, field_high);
    }
    lower.push_back(low);
    upper.push_back(high);
  }

  std::vector<Target> targets;
  std::vector<std::string> source_names;
  for (const nlohmann::json& source : sources) source_names.push_back(source.value("name", std::string()));
  const auto needs = [&](const std::string& pointer, const std::string& source) {
    const std::string prefix = "/sources/";
    if (pointer.rfind(prefix, 0) != 0 || pointer.size() == prefix.size() || !std::isdigit(pointer[prefix.size()]))
      return true;  // not one source's ("/sources/*/..." is every source's)
    const std::size_t index = std::stoul(pointer.substr(prefix.size()));
    return index < source_names.size() && source_names[index] == source;
  };
  for (const std::string& source : source_names) {
    const crm::ObservedScope* scope = scope_named(observed, source);
    for (const std::size_t metric : {to_mql, to_sql, days}) {
      const std::string metric_name(metric_defs()[metric].name);
      const bool known = scope != nullptr && std::isfinite(scope->metrics[metric]);
      if (!known) {
        for (const std::string& pointer : free)
          if (needs(pointer, source))
            throw FreeParameterError(pointer, fmt::format("needs {}'s {}, which the export does not record: {}", source,
                                                          metric_name, missing_column(scope, source)));
        continue;
      }
      targets.push_back({source, metric_name, metric});
    }
  }
  // A sales desk's parameter (handle time, headcount, hours) shows in how long MQLs wait for an
  // owner: the whole funnel's mean response time joins the moments when one is free.
  for (const FreeParameter& parameter : parameters) {
    const bool sales = std::any_of(parameter.pointers.begin(), parameter.pointers.end(),
                                   [](const std::string& pointer) { return pointer.rfind("/sales/", 0) == 0; });
    if (!sales) continue;
    const std::size_t response = metric_index("response_time_hours");
    const crm::ObservedScope* all = scope_named(observed, "all");
    if (all == nullptr || !std::isfinite(all->metrics[response]))
      throw FreeParameterError(parameter.name,
                               "needs the whole funnel's response_time_hours, which the export does not record: no "
                               "MQL has a date in column 'Owner Assigned Date' (Salesforce: 'First Activity')");
    targets.push_back({"all", "response_time_hours", response});
    break;
  }
  if (targets.size() <= free.size())
    throw FreeParameterError(fmt::format("{} parameters but only {} moments: expected fewer parameters than moments",
                                         free.size(), targets.size()));

  // "warmup_days": "auto" is worked out once, on the base, before fitting (and after the checks
  // above, so a bad free parameter fails at once): every parameter value runs with the same
  // warm-up (a pick per value would move the objective with the rule).
  const std::optional<WarmupChoice> warmup = choose_warmup(base_document, name, options.cancel);
  if (!warmup) return std::nullopt;
  apply_warmup(base, *warmup);

  CalibrationResult result;
  result.seed = options.seed;
  result.replications = options.replications;
  result.warmup_days = warmup->days;
  result.warmup_automatic = warmup->automatic;
  Eigen::VectorXd observed_moments(static_cast<Eigen::Index>(targets.size()));
  for (std::size_t t = 0; t < targets.size(); ++t)
    observed_moments(static_cast<Eigen::Index>(t)) = MomentSimulator::moment_of(observed, targets[t]);

  try {
    // The covariance sample: n replications, more than the R the objective averages, for the
    // moment covariance, the Jacobian and the arrivals' dispersion (docs/calibrate.md). n > 5m
    // keeps the inverse's bias small; n >= 100 its variances within sqrt(2 / 99) = 14%: a chance
    // low variance narrows every interval (25 replications for 3 moments gave a time to MQL an sd
    // of 0.69 d where its spread is 1.0 d).
    const std::size_t m = targets.size();
    const std::uint64_t n = std::max<std::uint64_t>({options.replications, 5 * m + 10, kCovarianceReplications});
    CalibrationOptions wide = options;
    wide.replications = n;
    wide.progress = nullptr;

    // Direct: each source's leads per week scales by observed / simulated leads (arrivals are
    // linear in the rate, whatever the week and weekday shapes).
    std::vector<std::pair<std::string, double>> direct;
    {
      std::vector<Target> lead_targets;
      for (const std::string& source : source_names) lead_targets.push_back({source, "leads", leads});
      MomentSimulator counter(base, name, observed, lead_targets, wide);
      const Eigen::MatrixXd counts = counter.simulate({});
      const Eigen::VectorXd simulated = column_means(counts);
      const Eigen::VectorXd variance = sample_covariance(counts).diagonal();
      result.evaluations += counter.evaluations();
      for (std::size_t s = 0; s < source_names.size(); ++s) {
        const crm::ObservedScope* scope = scope_named(observed, source_names[s]);
        if (scope == nullptr || !sources[s].contains("leads_per_week") || !sources[s]["leads_per_week"].is_number())
          continue;
        const auto i = static_cast<Eigen::Index>(s);
        const double seen = scope->metrics[leads], mean = simulated(i);
        if (!(seen > 0) || !(mean > 0)) continue;
        const double rate = sources[s]["leads_per_week"].get<double>();
        const double estimate = rate * seen / mean;
        // Quasi-Poisson: a count's variance is phi times its mean, phi the simulated counts' own
        // variance / mean (1 for plain Poisson arrivals; above 1 with overdispersion's weekly
        // gamma factor). The observed count is one such draw, the simulated mean of n adds
        // phi / (n mean): relative se sqrt(phi / seen + phi / (n mean)).
        const double phi = variance(i) / mean;
        const double rel = std::sqrt(phi / seen + phi / (mean * static_cast<double>(n)));
        const std::string pointer = fmt::format("/sources/{}/leads_per_week", s);
        direct.emplace_back(pointer, estimate);
        result.parameters.push_back({pointer, "direct", rate, estimate, estimate * rel, estimate * (1 - kZ95 * rel),
                                     estimate * (1 + kZ95 * rel)});
      }
    }

    MomentSimulator simulator(base, name, observed, targets, options);
    const std::size_t p = free.size();
    simulator.plan(static_cast<std::uint64_t>(options.starts + 1) *
                       static_cast<std::uint64_t>(options.max_evaluations) +
                   2 * p + 2);
    const auto values_of = [&](const std::vector<double>& log_x) {
      std::vector<std::pair<std::string, double>> values = direct;
      for (std::size_t i = 0; i < p; ++i)
        for (std::size_t j = 0; j < parameters[i].pointers.size(); ++j)
          values.emplace_back(parameters[i].pointers[j], parameters[i].bases[j] * std::exp(log_x[i]));
      return values;
    };
    Eigen::MatrixXd weight;
    const auto objective = [&](const std::vector<double>& log_x) {
      const Eigen::VectorXd g = column_means(simulator.simulate(values_of(log_x))) - observed_moments;
      return g.dot(weight * g);
    };
    struct Search {
      std::vector<double> x;
      double value = INFINITY;
      bool converged = false;  ///< stopped by the tolerance, not by the evaluation cap
    };
    const auto minimise = [&](std::vector<double> x0, double initial_step, double xtol) {
      nlopt::opt opt(p == 1 ? nlopt::LN_COBYLA : nlopt::LN_BOBYQA, static_cast<unsigned>(p));
      opt.set_lower_bounds(lower);
      opt.set_upper_bounds(upper);
      for (std::size_t i = 0; i < p; ++i) x0[i] = std::clamp(x0[i], lower[i], upper[i]);
      opt.set_initial_step(std::vector<double>(p, initial_step));
      opt.set_xtol_abs(xtol);
      opt.set_maxeval(options.max_evaluations);
      using Fn = decltype(objective);
      opt.set_min_objective([](const std::vector<double>& x, std::vector<double>&,
                               void* data) { return (*static_cast<const Fn*>(data))(x); },
                            const_cast<void*>(static_cast<const void*>(&objective)));
      double value = 0;
      nlopt::result ended = nlopt::SUCCESS;
      try {
        ended = opt.optimize(x0, value);
      } catch (const nlopt::roundoff_limited&) {
        value = objective(x0);
      } catch (const std::runtime_error&) {
        // NLopt turns an exception of the objective into its own failure: a cancel is ours.
        if (simulator.stopped()) throw Cancelled{};
        throw;
      }
      return Search{x0, value, ended != nlopt::MAXEVAL_REACHED};
    };

    // Stage 1: a diagonal weight (the moments' variances at the base), a few starts (the base, and
    // x0.7 / x1.4 of it). A full inverse from R replications would be biased: its expectation is
    // (R - 1) / (R - m - 2) times the true one, ruinous when R is near the moment count m.
    const Eigen::MatrixXd at_base =
        moment_covariance(simulator.simulate(values_of(std::vector<double>(p, 0.0))), options.replications);
    weight = at_base.diagonal().cwiseInverse().asDiagonal();
    // A start that ends where an earlier one did (every log parameter within kAgree) says the
    // minimum does not depend on where the search began: the remaining starts are skipped. So
    // does a later start that runs out of evaluations: it found no minimum to compare, and the
    // next, as far from the base, would not either (14 parameters: x0.7 and x1.4 both reach the
    // cap, at 1.5 and 19 times the first start's minimum). Stage 1 needs its minimum only to
    // within kFirstXtol: stage 2 starts there and converges to options.xtol.
    const double first_xtol = std::max(options.xtol, kFirstXtol);
    Search best{std::vector<double>(p, 0.0), INFINITY, false};
    const double offsets[] = {0.0, std::log(0.7), std::log(1.4)};
    for (int s = 0; s < options.starts; ++s) {
      const Search found =
          minimise(std::vector<double>(p, offsets[s % 3] * (s < 3 ? 1.0 : 0.5)), kFirstStep, first_xtol);
      bool agrees = s > 0;
      for (std::size_t i = 0; i < p && agrees; ++i) agrees = std::abs(found.x[i] - best.x[i]) < kAgree;
      if (found.value < best.value) best = found;
      if (agrees || (s > 0 && !found.converged)) break;
    }
    // Stage 2, the efficient weight: the full covariance at the estimate from a larger sample of
    // n replications (n > 5m), its inverse scaled by (n - m - 2) / (n - 1) to be unbiased
    // (Hartlap et al. 2007), then once more from the estimate.
    MomentSimulator sampler(base, name, observed, targets, wide);
    const Eigen::MatrixXd sample = sampler.simulate(values_of(best.x));
    const Eigen::MatrixXd omega = moment_covariance(sample, options.replications);
    weight = omega.inverse() * (static_cast<double>(n - m - 2) / static_cast<double>(n - 1));
    // It moves the minimum by a fraction of a standard error: a smaller first step than stage 1's.
    best = minimise(best.x, kSecondStep, options.xtol);
    std::vector<crm::ObservedFunnel> at_estimate;
    const Eigen::MatrixXd rows = simulator.simulate(values_of(best.x), &at_estimate);
    result.weeks = week_fits(observed, at_estimate, source_names);
    result.distributions = distribution_fits(observed, at_estimate, source_names);
    const Eigen::VectorXd simulated = column_means(rows);
    const Eigen::VectorXd g = simulated - observed_moments;

    // Sandwich (efficient weight): Var(log theta) = (G' W G)^-1, G by central differences on CRN,
    // over the n replications of the covariance sample: on R the difference's own noise would
    // add tr(W Cov(G_hat)) to G' W G (E[x' W x] = mu' W mu + tr(W Cov x)) and narrow every
    // interval. What noise n leaves is estimated from the per-replication differences and taken
    // off, so the information matrix is unbiased.
    const auto pn = static_cast<Eigen::Index>(p);
    std::vector<Eigen::MatrixXd> differences;  // per parameter: n x m, one row per replication
    Eigen::MatrixXd jacobian(static_cast<Eigen::Index>(m), pn);
    for (std::size_t i = 0; i < p; ++i) {
      // Central where the bounds allow, one-sided at a bound (a value outside them is invalid).
      std::vector<double> up = best.x, down = best.x;
      up[i] = std::min(up[i] + kJacobianStep, upper[i]);
      down[i] = std::max(down[i] - kJacobianStep, lower[i]);
      differences.push_back((sampler.simulate(values_of(up)) - sampler.simulate(values_of(down))) / (up[i] - down[i]));
      jacobian.col(static_cast<Eigen::Index>(i)) = column_means(differences.back());
    }
    result.evaluations += sampler.evaluations();
    Eigen::MatrixXd information = jacobian.transpose() * weight * jacobian;
    Eigen::MatrixXd noise(pn, pn);
    for (Eigen::Index a = 0; a < pn; ++a)
      for (Eigen::Index b = 0; b < pn; ++b) {
        const Eigen::MatrixXd ca = differences[static_cast<std::size_t>(a)].rowwise() -
                                   differences[static_cast<std::size_t>(a)].colwise().mean();
        const Eigen::MatrixXd cb = differences[static_cast<std::size_t>(b)].rowwise() -
                                   differences[static_cast<std::size_t>(b)].colwise().mean();
        // Cov(G_hat column a, column b) = Cov(d_a, d_b) / n; its trace against W.
        noise(a, b) = (weight * (ca.transpose() * cb)).trace() / (static_cast<double>(n - 1) * static_cast<double>(n));
      }
    const Eigen::MatrixXd corrected = information - noise;
    if (Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd>(corrected).eigenvalues().minCoeff() > 0)
      information = corrected;
    else
      result.warnings.push_back(fmt::format(
          "the Jacobian's noise over {} replications is as large as the parameters' effect: intervals from the "
          "uncorrected G'WG, too narrow; give more --replications",
          n));
    const Eigen::MatrixXd covariance = information.inverse();
    result.correlation.assign(p, std::vector<double>(p, 0.0));
    for (std::size_t i = 0; i < p; ++i) {
      const double estimate = start[i] * std::exp(best.x[i]);
      const double se_log =
          std::sqrt(std::max(0.0, covariance(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(i))));
      result.parameters.push_back({free[i], "fitted", start[i], estimate, estimate * se_log,
                                   estimate * std::exp(-kZ95 * se_log), estimate * std::exp(kZ95 * se_log)});
      for (std::size_t k = 0; k < p; ++k) {
        const auto a = static_cast<Eigen::Index>(i), b = static_cast<Eigen::Index>(k);
        result.correlation[i][k] = covariance(a, b) / std::sqrt(covariance(a, a) * covariance(b, b));
      }
    }
    for (std::size_t i = 0; i < p; ++i)
      for (std::size_t k = i + 1; k < p; ++k)
        if (std::abs(result.correlation[i][k]) > 0.95)
          result.warnings.push_back(fmt::format(
              "{} and {} are correlated {:.3f}: the export cannot tell them apart; fix one (leave it out of --free)",
              free[i], free[k], result.correlation[i][k]));

    result.j = g.dot(weight * g);
    result.degrees_of_freedom = targets.size() - p;
    result.p_value = boost::math::cdf(
        boost::math::complement(boost::math::chi_squared(static_cast<double>(result.degrees_of_freedom)), result.j));
    result.rejected = result.p_value < 0.05;
    std::vector<std::string> failing;
    for (std::size_t t = 0; t < targets.size(); ++t) {
      const auto i = static_cast<Eigen::Index>(t);
      const crm::ObservedScope* scope = scope_named(observed, targets[t].scope);
      const crm::MetricInterval& interval = scope->intervals[targets[t].index];
      const double sd = std::sqrt(omega(i, i));
      const double sim_se = std::sqrt(omega(i, i) / (1.0 + static_cast<double>(options.replications)));
      MomentFit fit{
          targets[t].scope,        targets[t].metric, observed_moments(i),          interval.low,
          interval.high,           simulated(i),      simulated(i) - kZ95 * sim_se, simulated(i) + kZ95 * sim_se,
          sd > 0 ? g(i) / sd : 0.0};
      if (std::abs(fit.z) > 2.5)
        failing.push_back(fmt::format("{}'s {}: observed {:.4g}, best {:.4g} (z {:+.1f})", fit.scope, fit.metric,
                                      fit.observed, fit.simulated, fit.z));
      result.moments.push_back(fit);
    }
    if (result.rejected)
      result.verdict = fmt::format(
          "rejected: J = {:.2f} on {} degrees of freedom (p = {:.3g}); the model cannot reproduce {}", result.j,
          result.degrees_of_freedom, result.p_value,
          failing.empty() ? std::string("the moments jointly") : fmt::format("{}", fmt::join(failing, "; ")));
    else
      result.verdict = fmt::format("not rejected: J = {:.2f} on {} degrees of freedom (p = {:.3g})", result.j,
                                   result.degrees_of_freedom, result.p_value);
    result.evaluations += simulator.evaluations();
    result.changes = values_of(best.x);
    // The pipeline's direct parameters, after the funnel's: nothing before an SQL depends on them.
    detail::PipelineScales pipeline = detail::pipeline_scales(base, name, observed, result.changes, wide);
    result.parameters.insert(result.parameters.begin() + static_cast<std::ptrdiff_t>(direct.size()),
                             pipeline.parameters.begin(), pipeline.parameters.end());
    result.changes.insert(result.changes.begin() + static_cast<std::ptrdiff_t>(direct.size()), pipeline.changes.begin(),
                          pipeline.changes.end());
    result.evaluations += pipeline.evaluations;
  } catch (const Cancelled&) {
    return std::nullopt;
  } catch (const nlopt::forced_stop&) {
    return std::nullopt;
  }
  return result;
}

}  // namespace funnelsim::calibrate
