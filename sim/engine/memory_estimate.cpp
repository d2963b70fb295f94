#include "funnelsim/engine/memory_estimate.hpp"

#include <algorithm>
#include <cmath>
#include <exception>
#include <limits>

#include <boost/math/distributions/beta.hpp>
#include <boost/math/distributions/lognormal.hpp>
#include <boost/math/distributions/normal.hpp>
#include <boost/math/distributions/triangular.hpp>
#include <nlohmann/json.hpp>

#include <tbb/info.h>

#include "funnelsim/engine/engine.hpp"
#include "engine/lead_phase_record.hpp"
#include "engine/lead_process.hpp"
#include "engine/pipeline_process.hpp"
#include "engine/sales_process.hpp"
#include "funnelsim/core/statistics.hpp"
#include "funnelsim/scenario/error.hpp"
#include "funnelsim/scenario/loader.hpp"

namespace funnelsim {
namespace {

constexpr std::uint64_t kMiB = 1 << 20;
constexpr int kPilotLeads = 1000;
constexpr double kSigmas = 6.0;              // leads per replication: mean + 6 sd
constexpr double kVectorGrowth = 2.0;        // a vector's capacity can reach twice its largest size
constexpr double kTextPerNumber = 24.0;      // "0.12345678901234567," and the like
constexpr double kJsonPerStatistic = 128.0;  // an ordered_json number and its key in a map

/// An upper bound of the share of `leads` journeys started by `start(i)` that become MQLs: a
/// pilot simulated with a replication index no run reaches, plus three standard errors and a
/// little more for small shares.
template <class Start>
double mql_share_bound(const CompiledModel& model, const CompiledSource& source, LeadSimulator& leads, Start start) {
  const ReplicationStreams streams(0, std::numeric_limits<std::uint64_t>::max());
  const auto index = static_cast<std::size_t>(&source - model.sources.data());
  int mqls = 0;
  for (int i = 0; i < kPilotLeads; ++i) {
    // A journey waiting for an SDR follow-up holds its records too, and may become an MQL by it.
    const LeadOutcome o = leads.simulate(source, index, streams, static_cast<std::uint64_t>(i), start(i));
    if (o.path != MqlPath::none || o.has_follow_up()) ++mqls;
  }
  const double n = kPilotLeads, p = mqls / n;
  return std::min(1.0, p + 3.0 * std::sqrt(p * (1.0 - p) / n) + 3.0 / n);
}

/// New leads spread over the horizon.
double arrival_share_bound(const CompiledModel& model, const CompiledSource& source, LeadSimulator& leads) {
  return mql_share_bound(model, source, leads, [&](int i) {
    return JourneyStart{model.end_day * (i + 0.5) / kPilotLeads, 0, JourneyReason::new_lead, 0.0, false};
  });
}

/// Backlog leads in nurture at the window's start, their points spread over the backlog's range.
double nurture_share_bound(const CompiledModel& model, const CompiledSource& source, const BacklogSpec& b,
                           LeadSimulator& leads) {
  return mql_share_bound(model, source, leads, [&](int i) {
    const double points = b.nurture_score_min + (i + 0.5) / kPilotLeads * (b.nurture_score_max - b.nurture_score_min);
    return JourneyStart{static_cast<double>(model.window_start), 0, JourneyReason::new_lead, points, true};
  });
}

/// MQL records per lead that becomes an MQL: one, and one more per recycle it may take.
double journeys_per_mql(const CompiledModel& model) {
  return model.nurture && model.nurture->recycling ? 1.0 + std::max(0, model.nurture->max_recycles) : 1.0;
}

const CompiledSource* source_named(const CompiledModel& model, const std::string& name) {
  for (const CompiledSource& s : model.sources)
    if (s.name == name) return &s;
  return nullptr;
}

/// Expected leads of a source in one replication and an upper bound (mean + kSigmas sd).
std::pair<double, double> leads_per_replication(const CompiledModel& model, const CompiledSource& source) {
  double mean = 0.0, week_squares = 0.0;
  // Every simulated day counts, the warm-up's too: its leads are followed like the others.
  for (int week = 0; 7 * week < model.end_day; ++week) {
    double m = 0.0;
    for (int day = 7 * week; day < std::min(7 * week + 7, model.end_day); ++day) m += source.daily_rate[day];
    mean += m;
    week_squares += m * m;
  }
  // Poisson variance, plus Var(G) = k times the squared weekly means with overdispersion k.
  const double variance = mean + source.overdispersion * week_squares;
  return {mean, mean + kSigmas * std::sqrt(variance)};
}

}  // namespace

MemoryEstimate estimate_memory(const CompiledModel& model, std::uint64_t replications, int threads, bool with_outputs) {
  MemoryEstimate e;
  const double reps = static_cast<double>(replications);

  // The replication table (replication_table.hpp): one record of metrics and components per replication.
  const double funnel_scopes = static_cast<double>(model.sources.size() + 1);
  double teams = 0, sales_reps = 0;
  if (model.sales)
    for (const CompiledTeam& t : model.sales->teams) teams += 1, sales_reps += t.headcount;
  const double record = funnel_scopes * static_cast<double>(record_size(ScopeKind::funnel)) +
                        teams * static_cast<double>(record_size(ScopeKind::team)) +
                        sales_reps * static_cast<double>(record_size(ScopeKind::rep));
  const double weekly = funnel_scopes * kSeriesCount * model.weeks;
  e.table = static_cast<std::uint64_t>(reps * ((record + weekly) * sizeof(double) + sizeof(RunWork)));

  // One worker's scratch, sized for the busiest replication: the MQLs of new leads, and those of
  // the backlog (its waiting MQLs all, its leads in nurture by their own share), each of which
  // may come back once per recycle.
  LeadSimulator pilot(model);
  double mqls = 0.0, mean_mqls = 0.0;  // the busiest replication's, and a typical one's (for a record of many)
  for (const CompiledSource& source : model.sources) {
    const auto [mean, high] = leads_per_replication(model, source);
    e.leads_per_replication += mean;
    if (!(high > 0.0)) continue;
    const double share = high < kPilotLeads ? 1.0 : arrival_share_bound(model, source, pilot);
    mqls += high * share;
    mean_mqls += mean * share;
  }
  for (const BacklogSpec& b : model.scenario.backlog) {
    mqls += b.mqls_waiting;
    const CompiledSource* source = source_named(model, b.source);
    if (b.leads_in_nurture > 0)
      mqls += b.leads_in_nurture *
              (b.leads_in_nurture < kPilotLeads || !source ? 1.0 : nurture_share_bound(model, *source, b, pilot));
  }
  mqls *= journeys_per_mql(model);
  mean_mqls *= journeys_per_mql(model);
  e.mqls_per_replication = mqls;
  // Time to MQL: the source's sample and the whole funnel's, each also by path; an SQL's record.
  double per_mql = 4 * sizeof(double) + sizeof(SqlRecord);
  // The pipeline: each SQL's outcome, cycle draw, win coin, and a place in the AE queue and heap.
  if (model.pipeline) per_mql += sizeof(OpportunityOutcome) + 2 * sizeof(double) + 1 + sizeof(std::size_t);
  if (model.sales) {
    // Sales keeps the record, its outcome and queue state (two streams and bookkeeping), about
    // three pending events and two queue entries, and three response-time samples.
    per_mql +=
        sizeof(MqlRecord) + sizeof(MqlOutcome) + (2 * sizeof(RandomStream) + 48) + 3 * 32 + 2 * 40 + 3 * sizeof(double);
    // A follow-up: its record, outcome, deferred journey, queue state, two events and a queue entry.
    if (model.scoring.follow_up_takes_rep_time)
      per_mql += sizeof(FollowUpRecord) + sizeof(FollowUpOutcome) + sizeof(LeadOutcome) + sizeof(JourneyStart) + 8 +
                 (sizeof(RandomStream) + 32) + 2 * 32 + 40;
  }
  e.threads = static_cast<std::uint64_t>(threads > 0 ? threads : tbb::info::default_concurrency());
  e.threads = std::max<std::uint64_t>(1, std::min<std::uint64_t>(e.threads, replications));
  e.scratch_per_thread = static_cast<std::uint64_t>(kVectorGrowth * mqls * per_mql + 64 * 1024 + sales_reps * 128);
  // A recorded lead phase, over many replications: a typical one's MQLs (new leads: a source with a
  // backlog is never recorded), each with its record (or follow-up with its journey, or SQL) and
  // two time-to-MQL samples, held at their size; each source's weekly series and bookkeeping.
  const double per_recorded_mql =
      static_cast<double>((model.scoring.follow_up_takes_rep_time ? sizeof(FollowUpRecord) + sizeof(DeferredJourney)
                                                                  : std::max(sizeof(MqlRecord), sizeof(SqlRecord))) +
                          2 * sizeof(double));
  e.lead_phase_per_replication = static_cast<std::uint64_t>(
      mean_mqls * per_recorded_mql +
      static_cast<double>(
          model.sources.size() *
          (kSeriesCount * static_cast<std::size_t>(model.weeks) * sizeof(double) + sizeof(SourcePhase))));

  // Statistics, the printed table, and with --out the files' text and summary.json's tree.
  const double statistics = static_cast<double>(statistic_names().size());
  double summary = 4 * reps * sizeof(double) + (record + weekly) * (sizeof(SummaryStats) + sizeof(PooledRatio)) +
                   funnel_scopes * kMetricCount * 100;
  if (with_outputs)
    summary += reps * record * kTextPerNumber + record * (statistics + 7) * (kJsonPerStatistic + 2 * kTextPerNumber) +
               weekly * (statistics + 4) * kTextPerNumber;
  e.summary = static_cast<std::uint64_t>(summary);

  // The program with its libraries (about 7 MiB measured), thread stacks, and the model.
  double model_bytes = 0.0;
  for (const CompiledSource& s : model.sources)
    model_bytes +=
        static_cast<double>((s.daily_rate.size() + ReadinessQuantile::kIntervals + 1) * sizeof(double) + 4096);
  model_bytes += teams * model.horizon_days * 2 * sizeof(double);
  e.model = static_cast<std::uint64_t>(model_bytes);
  e.fixed = 16 * kMiB + e.threads * 2 * kMiB + e.model;
  return e;
}

double sizing_value(const UncertainParameter& p, double quantile) {
  using Distribution = UncertainParameter::Distribution;
  const auto param = [&](const char* name) { return p.param(name); };
  const double q = std::clamp(quantile, 0.0, 1.0);
  double value = p.nominal();
  try {
    switch (p.distribution) {
      case Distribution::beta:
        value = boost::math::quantile(boost::math::beta_distribution<double>(param("alpha"), param("beta")), q);
        break;
      case Distribution::normal:
        if (param("sd") > 0.0)
          value = boost::math::quantile(boost::math::normal_distribution<double>(param("mean"), param("sd")), q);
        break;
      case Distribution::lognormal:
        if (param("cv") > 0.0) {
          const double sigma2 = std::log1p(param("cv") * param("cv"));
          value = boost::math::quantile(
              boost::math::lognormal_distribution<double>(std::log(param("mean")) - 0.5 * sigma2, std::sqrt(sigma2)),
              q);
        }
        break;
      case Distribution::uniform:
        value = param("low") + q * (param("high") - param("low"));
        break;
      case Distribution::triangular:
        if (param("high") > param("low"))
          value = boost::math::quantile(
              boost::math::triangular_distribution<double>(param("low"), param("mode"), param("high")), q);
        break;
    }
  } catch (const std::exception&) {  // a quantile boost cannot evaluate (an extreme beta): the mean
    value = p.nominal();
  }
  return p.field.clamp(value);
}

MemoryEstimate estimate_memory(const UncertainScenario& scenario, const std::string& fallback_name,
                               std::uint64_t replications, int threads, bool with_outputs, const ResolvedEdit& edit) {
  const auto estimate_with = [&](const std::vector<double>& values) {
    nlohmann::json doc = scenario.document_with(values);
    if (edit) {
      doc = resolved_scenario_json(doc);
      edit(doc);
    }
    return estimate_memory(compile_model(scenario_from_json(doc, fallback_name)), replications, threads, with_outputs);
  };
  std::vector<double> nominal;
  for (const UncertainParameter& p : scenario.parameters()) nominal.push_back(p.nominal());
  MemoryEstimate most = estimate_with(nominal);
  if (scenario.empty()) return most;
  // Each input at its low or its high quantile, whichever needs more on its own; then all together.
  // A combination the scenario rejects (another field's bound) cannot size anything: it is skipped.
  std::vector<double> sizing = nominal;
  const auto consider = [&](const std::vector<double>& values) -> std::uint64_t {
    try {
      const MemoryEstimate e = estimate_with(values);
      if (e.total() > most.total()) most = e;
      return e.total();
    } catch (const ScenarioError&) {
      return 0;
    }
  };
  for (std::size_t i = 0; i < nominal.size(); ++i) {
    std::vector<double> values = nominal;
    std::uint64_t best = 0;
    for (const double q : {1.0 - kSizingQuantile, kSizingQuantile}) {
      values[i] = sizing_value(scenario.parameters()[i], q);
      const std::uint64_t total = consider(values);
      if (total >= best) best = total, sizing[i] = values[i];
    }
  }
  consider(sizing);
  // Each replication compiles its own model from its own document (a few copies of the JSON tree
  // per worker), and the run keeps every draw and each replication's error slot.
  const double document = static_cast<double>(scenario.nominal_document().dump().size());
  most.scratch_per_thread += static_cast<std::uint64_t>(64 * document) + most.model;
  most.table += replications * sizeof(std::exception_ptr);
  most.summary += replications * scenario.parameters().size() * 2 * sizeof(double);
  return most;
}

MemoryEstimate held_together(const std::vector<MemoryEstimate>& estimates) {
  MemoryEstimate all;
  for (const MemoryEstimate& e : estimates) {
    all.table += e.table;
    all.summary += e.summary;
    all.model += e.model;
    all.lead_phase_per_replication = std::max(all.lead_phase_per_replication, e.lead_phase_per_replication);
    all.fixed = std::max(all.fixed, e.fixed - e.model);
    all.threads = std::max(all.threads, e.threads);
    all.scratch_per_thread = std::max(all.scratch_per_thread, e.scratch_per_thread);
    all.mqls_per_replication = std::max(all.mqls_per_replication, e.mqls_per_replication);
    all.leads_per_replication = std::max(all.leads_per_replication, e.leads_per_replication);
  }
  all.fixed += all.model;
  return all;
}

}  // namespace funnelsim
