#include "funnelsim/engine/memory_estimate.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include <tbb/info.h>

#include "funnelsim/engine/engine.hpp"
#include "engine/lead_process.hpp"
#include "engine/sales_process.hpp"
#include "funnelsim/core/statistics.hpp"

namespace funnelsim {
namespace {

constexpr std::uint64_t kMiB = 1 << 20;
constexpr int kPilotLeads = 1000;
constexpr double kSigmas = 6.0;              // leads per replication: mean + 6 sd
constexpr double kVectorGrowth = 2.0;        // a vector's capacity can reach twice its largest size
constexpr double kTextPerNumber = 24.0;      // "0.12345678901234567," and the like
constexpr double kJsonPerStatistic = 128.0;  // an ordered_json number and its key in a map

/// An upper bound of the share of a source's leads that become MQLs: a pilot of leads spread
/// over the horizon, simulated with a replication index no run reaches, plus three standard
/// errors and a little more for small shares.
double mql_share_bound(const CompiledModel& model, const CompiledSource& source, LeadSimulator& leads) {
  const ReplicationStreams streams(0, std::numeric_limits<std::uint64_t>::max());
  int mqls = 0;
  for (int i = 0; i < kPilotLeads; ++i) {
    const double day = model.end_day * (i + 0.5) / kPilotLeads;
    const auto index = static_cast<std::size_t>(&source - model.sources.data());
    const JourneyStart start{day, 0, JourneyReason::new_lead, 0.0, false};
    if (leads.simulate(source, index, streams, static_cast<std::uint64_t>(i), start).path != MqlPath::none) ++mqls;
  }
  const double n = kPilotLeads, p = mqls / n;
  return std::min(1.0, p + 3.0 * std::sqrt(p * (1.0 - p) / n) + 3.0 / n);
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

  // The replication table (replication_table.hpp): one record of metric rows per replication.
  const double funnel_scopes = static_cast<double>(model.sources.size() + 1);
  double teams = 0, sales_reps = 0;
  if (model.sales)
    for (const CompiledTeam& t : model.sales->teams) teams += 1, sales_reps += t.headcount;
  const double record = funnel_scopes * kMetricCount +
                        teams * static_cast<double>(metric_defs(ScopeKind::team).size()) +
                        sales_reps * static_cast<double>(metric_defs(ScopeKind::rep).size());
  const double weekly = funnel_scopes * kSeriesCount * model.weeks;
  e.table = static_cast<std::uint64_t>(reps * ((record + weekly) * sizeof(double) + sizeof(RunWork)));

  // One worker's scratch, sized for the busiest replication.
  LeadSimulator pilot(model);
  double mqls = 0.0;
  for (const CompiledSource& source : model.sources) {
    const auto [mean, high] = leads_per_replication(model, source);
    e.leads_per_replication += mean;
    if (high > 0.0) mqls += high * (high < kPilotLeads ? 1.0 : mql_share_bound(model, source, pilot));
  }
  e.mqls_per_replication = mqls;
  double per_mql = 2 * sizeof(double);  // time to MQL: the source's sample and the whole funnel's
  if (model.sales) {
    // Sales keeps the record, its outcome and queue state (two streams and bookkeeping), about
    // three pending events and two queue entries, and three response-time samples.
    per_mql +=
        sizeof(MqlRecord) + sizeof(MqlOutcome) + (2 * sizeof(RandomStream) + 48) + 3 * 32 + 2 * 40 + 3 * sizeof(double);
  }
  e.threads = static_cast<std::uint64_t>(threads > 0 ? threads : tbb::info::default_concurrency());
  e.threads = std::max<std::uint64_t>(1, std::min<std::uint64_t>(e.threads, replications));
  e.scratch_per_thread = static_cast<std::uint64_t>(kVectorGrowth * mqls * per_mql + 64 * 1024 + sales_reps * 128);

  // Statistics, the printed table, and with --out the files' text and summary.json's tree.
  const double statistics = static_cast<double>(statistic_names().size());
  double summary =
      2 * reps * sizeof(double) + (record + weekly) * sizeof(SummaryStats) + funnel_scopes * kMetricCount * 100;
  if (with_outputs)
    summary += reps * record * kTextPerNumber + record * statistics * (kJsonPerStatistic + kTextPerNumber) +
               weekly * (statistics + 4) * kTextPerNumber;
  e.summary = static_cast<std::uint64_t>(summary);

  // The program with its libraries (about 7 MiB measured), thread stacks, and the model.
  double model_bytes = 0.0;
  for (const CompiledSource& s : model.sources)
    model_bytes +=
        static_cast<double>((s.daily_rate.size() + ReadinessQuantile::kIntervals + 1) * sizeof(double) + 4096);
  model_bytes += teams * model.horizon_days * 2 * sizeof(double);
  e.fixed = 16 * kMiB + e.threads * 2 * kMiB + static_cast<std::uint64_t>(model_bytes);
  return e;
}

}  // namespace funnelsim
