// A caller of the public API alone: built against funnelsim::core with include/ and nothing
// under sim/, so a private header reached from a public one fails this build. It loads a shipped
// scenario, runs it on one and on two threads, and checks that both give the same summary; then
// measures one replication as calibration would (crm::trace_replication, crm::measure) and checks
// that the CRM's view of it counts the replication's own leads and MQLs.
#include <funnelsim/funnelsim.hpp>

#include <cstdio>
#include <cstring>
#include <filesystem>

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s SCENARIO\n", argv[0]);
    return 2;
  }
  // RunnableScenario works out "warmup_days": "auto" (the shipped scenarios' warm-up) by the rule;
  // compile_model alone refuses a scenario that still says "auto".
  const funnelsim::RunnableScenario runnable(funnelsim::read_scenario_document(argv[1]), "scenario");
  const funnelsim::CompiledModel& model = runnable.nominal_model();
  funnelsim::RunOptions options;
  options.seed = 5;
  options.replications = 8;
  options.threads = 1;
  const funnelsim::RunSummary one = funnelsim::summarize_run(funnelsim::run_replications(model, options).table);
  options.threads = 2;
  const funnelsim::RunSummary two = funnelsim::summarize_run(funnelsim::run_replications(model, options).table);
  const double a = one.metric(0, funnelsim::Metric::mqls).mean, b = two.metric(0, funnelsim::Metric::mqls).mean;
  std::printf("mean MQLs over %llu replications: %.6f (1 thread), %.6f (2 threads)\n",
              static_cast<unsigned long long>(options.replications), a, b);
  if (std::memcmp(&a, &b, sizeof a) != 0 || !(a > 0.0)) return 1;

  const funnelsim::crm::TracedReplication traced = funnelsim::crm::trace_replication(runnable, options.seed, 3);
  const funnelsim::crm::CrmRecords& records = traced.records;
  const funnelsim::crm::ObservedFunnel observed =
      funnelsim::crm::measure(records, funnelsim::crm::Window{records.horizon_start, records.horizon_end});
  const auto mqls = static_cast<std::size_t>(funnelsim::Metric::mqls);
  const double simulated = traced.run.table.row(0, 0)[mqls], measured = observed.scopes.front().metrics[mqls];
  std::printf("replication 3: %.0f MQLs simulated, %.0f measured from its CRM records (%zu per-MQL times)\n", simulated,
              measured, observed.scopes.front().time_to_mql_days.size());
  if (simulated != measured || observed.scopes.front().time_to_mql_days.size() != static_cast<std::size_t>(measured))
    return 1;
  return 0;
}
