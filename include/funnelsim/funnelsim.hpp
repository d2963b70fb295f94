#pragma once
/// funnelsim's public API in one include: load a scenario, compile it, run replications (with
/// fixed or uncertain inputs), compare, sweep, run sensitivity, read the statistics, and write
/// result files or an HTML report, export a replication as a CRM would and measure a CRM export.
/// Everything under sim/ is private to the library.
///
///   auto scenario = funnelsim::load_scenario("scenarios/saas_baseline.json");
///   auto model = funnelsim::compile_model(scenario);
///   funnelsim::RunOptions options;
///   options.replications = 200;
///   auto result = funnelsim::run_replications(model, options);
///   auto summary = funnelsim::summarize_run(result.table);

// core
#include "funnelsim/core/intervals.hpp"
#include "funnelsim/core/regression.hpp"
#include "funnelsim/core/statistics.hpp"
#include "funnelsim/core/usage_error.hpp"

// scenario
#include "funnelsim/scenario/error.hpp"
#include "funnelsim/scenario/limits.hpp"
#include "funnelsim/scenario/loader.hpp"
#include "funnelsim/scenario/scenario.hpp"
#include "funnelsim/scenario/uncertain.hpp"

// model
#include "funnelsim/model/model.hpp"
#include "funnelsim/model/pipeline_model.hpp"
#include "funnelsim/model/readiness_quantile.hpp"
#include "funnelsim/model/sales_model.hpp"
#include "funnelsim/model/speed_to_lead.hpp"

// engine
#include "funnelsim/engine/engine.hpp"
#include "funnelsim/engine/lead_phase.hpp"
#include "funnelsim/engine/lead_trace.hpp"
#include "funnelsim/engine/memory_estimate.hpp"
#include "funnelsim/engine/uncertain_run.hpp"
#include "funnelsim/engine/warmup.hpp"

// metrics
#include "funnelsim/metrics/metrics.hpp"
#include "funnelsim/metrics/replication_table.hpp"
#include "funnelsim/metrics/run_summary.hpp"

// whatif
#include "funnelsim/whatif/cold_start.hpp"
#include "funnelsim/whatif/lead_phase_sharing.hpp"
#include "funnelsim/whatif/comparison.hpp"
#include "funnelsim/whatif/objective.hpp"
#include "funnelsim/whatif/precision.hpp"
#include "funnelsim/whatif/precision_run.hpp"
#include "funnelsim/whatif/run.hpp"
#include "funnelsim/whatif/run_report.hpp"
#include "funnelsim/whatif/runnable_scenario.hpp"
#include "funnelsim/whatif/sensitivity.hpp"
#include "funnelsim/whatif/sweep.hpp"
#include "funnelsim/whatif/warmup_choice.hpp"

// output
#include "funnelsim/output/comparison_output.hpp"
#include "funnelsim/output/result_set.hpp"
#include "funnelsim/output/run_identity.hpp"
#include "funnelsim/output/run_output.hpp"
#include "funnelsim/output/sensitivity_output.hpp"
#include "funnelsim/output/sweep_output.hpp"

// report
#include "funnelsim/report/report.hpp"

// crm
#include "funnelsim/calibrate/calibrate.hpp"
#include "funnelsim/calibrate/calibration_request.hpp"
#include "funnelsim/crm/export.hpp"
#include "funnelsim/crm/mapping.hpp"
#include "funnelsim/crm/observe.hpp"
#include "funnelsim/crm/observe_output.hpp"
#include "funnelsim/crm/records.hpp"
