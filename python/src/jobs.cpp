#include "jobs.hpp"

#include <pybind11/stl.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "errors.hpp"
#include "funnelsim/core/usage_error.hpp"
#include "funnelsim/output/comparison_output.hpp"
#include "funnelsim/output/run_identity.hpp"
#include "funnelsim/output/run_output.hpp"
#include "funnelsim/output/sensitivity_output.hpp"
#include "funnelsim/output/sweep_output.hpp"
#include "funnelsim/report/report.hpp"
#include "funnelsim/whatif/run.hpp"
#include "job_output.hpp"
#include "polled_job.hpp"
#include "scenario.hpp"

namespace py = pybind11;

namespace funnelsim::python {
namespace {

/// The run controls as the caller gave them, the precision target parsed.
WhatIfOptions options_of(const GivenRunControls& given, int threads) {
  WhatIfOptions options;
  options.seed = given.seed;
  options.replications = given.replications;
  options.first_replication = given.first_replication;
  options.threads = threads;
  if (!given.precision.empty())
    options.precision = naming_source("precision", [&] { return parse_precision(given.precision); });
  return options;
}

std::string mib(std::uint64_t bytes) { return std::to_string((bytes + (1 << 20) - 1) >> 20) + " MiB"; }

/// Refuses a job over the budget before it runs, saying what its estimate is made of.
void check_budget(const MemoryEstimate& e, std::uint64_t budget_mib, const std::string& also) {
  if (e.total() <= budget_mib << 20) return;
  throw MemoryBudgetError(
      "this job needs an estimated " + mib(e.total()) + " of memory, over memory_budget=" + std::to_string(budget_mib) +
      " (MiB): replication table " + mib(e.table) + ", " + std::to_string(e.threads) + " thread(s) x " +
      mib(e.scratch_per_thread) + " scratch, statistics and outputs " + mib(e.summary) + ", program " + mib(e.fixed) +
      ". Lower replications, the horizon, the leads or the threads" + also + ", or raise memory_budget");
}

JobOutput run(const LoadedScenario& scenario, const GivenRunControls& given, int threads, std::uint64_t budget_mib,
              const py::object& progress) {
  const WhatIfOptions options = options_of(given, threads);
  check_budget(estimate_run_memory(scenario.runnable(), options, /*with_outputs=*/true), budget_mib, "");
  auto run = std::make_shared<const ScenarioRun>(run_job<ScenarioRun>(
      options, progress, [&](const WhatIfOptions& o) { return run_scenario(scenario.runnable(), o); }));
  const std::string origin = scenario.path().value_or("");
  return JobOutput("run", run_id_of_run(scenario.document(), run->info, given.precision), scenario.input_files(),
                   {[run](const std::filesystem::path&) {
                      ResultSetFiles files;
                      for (const auto& writer : run_output_writers())
                        files.emplace_back(writer->file_name(), writer->render(run->report()));
                      return files;
                    },
                    [origin](const ResultSetFiles& files) { return html_report(files, origin); },
                    [run] { return summary_table(run->report()); }});
}

JobOutput compare(const std::vector<LoadedScenario>& scenarios, const GivenRunControls& given, int threads,
                  std::uint64_t budget_mib, const py::object& progress) {
  const WhatIfOptions options = options_of(given, threads);
  std::vector<RunnableScenario> runnables;
  std::vector<std::string> labels;
  std::vector<nlohmann::json> documents;
  std::vector<std::filesystem::path> inputs;
  // One warm-up for every scenario asking for "auto", as the CLI's compare: the longest pick among them.
  std::vector<WarmupChoice> choices;
  for (const LoadedScenario& s : scenarios) choices.push_back(s.runnable().warmup());
  const WarmupChoice warmup = shared_warmup(choices);
  for (const LoadedScenario& s : scenarios) {
    if (s.runnable().warmup().automatic && s.runnable().warmup().days != warmup.days)
      runnables.emplace_back(s.document(), s.fallback_name(), s.origin(), warmup);
    else
      runnables.push_back(s.runnable());
    labels.push_back(s.label());
    documents.push_back(s.document());
    inputs.insert(inputs.end(), s.input_files().begin(), s.input_files().end());
  }
  check_budget(estimate_comparison_memory(runnables, options, /*with_outputs=*/true), budget_mib,
               "; fewer variants, whose tables are held at once");
  auto report = std::make_shared<const ComparisonReport>(run_job<ComparisonReport>(
      options, progress, [&](const WhatIfOptions& o) { return run_comparison(runnables, labels, o); }));
  const auto json_text = std::make_shared<const std::string>(comparison_json(*report));
  return JobOutput("compare", run_id_of_comparison(documents, given), std::move(inputs),
                   {[report, json_text](const std::filesystem::path&) {
                      return ResultSetFiles{{"compare.json", *json_text}, {"compare.csv", comparison_csv(*report)}};
                    },
                    [json_text](const ResultSetFiles&) {
                      return html_report({{"compare.json", *json_text}});
                    },
                    [report] { return comparison_text(*report); }});
}

JobOutput sweep(const LoadedScenario& scenario, const std::vector<std::string>& parameters,
                const std::string& objective, const std::string& pareto, const GivenRunControls& given, int threads,
                std::uint64_t budget_mib, const py::object& progress) {
  SweepSpec spec;
  for (const std::string& p : parameters)
    spec.parameters.push_back(naming_source("params", [&] { return parse_sweep_parameter(p); }));
  spec.points = naming_source("params", [&] { return sweep_grid(spec.parameters); });
  if (!objective.empty()) spec.objective = naming_source("objective", [&] { return parse_objective(objective); });
  if (!pareto.empty()) spec.pareto = naming_source("pareto", [&] { return parse_pareto(pareto); });
  const WhatIfOptions options = options_of(given, threads);
  const std::string file = scenario.path().value_or(scenario.fallback_name());
  check_budget(estimate_sweep_memory(scenario.document(), file, spec, options, /*with_outputs=*/true), budget_mib,
               "; fewer points (params values), whose tables are held at once");
  auto report =
      std::make_shared<const SweepReport>(run_job<SweepReport>(options, progress, [&](const WhatIfOptions& o) {
        return run_sweep(scenario.document(), file, spec, o, scenario.origin());
      }));
  const auto json_text = std::make_shared<const std::string>(sweep_json(*report));
  const std::string origin = scenario.path().value_or("");
  return JobOutput("sweep", run_id_of_sweep(scenario.document(), given, objective, pareto, parameters),
                   scenario.input_files(),
                   {[report, json_text](const std::filesystem::path&) {
                      return ResultSetFiles{{"sweep.csv", sweep_csv(*report)}, {"sweep.json", *json_text}};
                    },
                    [json_text, origin](const ResultSetFiles&) {
                      return html_report({{"sweep.json", *json_text}}, origin);
                    },
                    [report] { return sweep_text(*report); }});
}

JobOutput sensitivity(const LoadedScenario& scenario, const std::string& vary, const std::string& metric,
                      const std::string& parameters, const GivenRunControls& given, int threads,
                      std::uint64_t budget_mib, const py::object& progress) {
  SensitivitySpec spec;
  spec.vary = naming_source("vary", [&] { return parse_vary(vary); });
  spec.metric = naming_source("metric", [&] { return parse_sensitivity_metric(metric); });
  if (!parameters.empty()) spec.parameters = naming_source("params", [&] { return parse_pointer_list(parameters); });
  const WhatIfOptions options = options_of(given, threads);
  // Planning checks each of params in the scenario (its only UsageError) and validates every
  // perturbed document, which takes a while on a large scenario: polled like the runs.
  const MemoryEstimate estimate = naming_source("params", [&] {
    return run_job<MemoryEstimate>(options, py::none(), [&](const WhatIfOptions& o) {
      return estimate_sensitivity_memory(scenario.document(), scenario.fallback_name(), spec, o);
    });
  });
  check_budget(estimate, budget_mib, "; fewer parameters (params), each run in turn");
  auto report = std::make_shared<const SensitivityReport>(naming_source("params", [&] {
    return run_job<SensitivityReport>(options, progress, [&](const WhatIfOptions& o) {
      return run_sensitivity(scenario.document(), scenario.fallback_name(), spec, o, scenario.origin());
    });
  }));
  const auto json_text = std::make_shared<const std::string>(sensitivity_json(*report));
  const std::string origin = scenario.path().value_or("");
  return JobOutput(
      "sensitivity", run_id_of_sensitivity(scenario.document(), given, vary, metric, parameters),
      scenario.input_files(),
      {[report, json_text](const std::filesystem::path&) {
         return ResultSetFiles{{"sensitivity.json", *json_text}, {"sensitivity.csv", sensitivity_csv(*report)}};
       },
       [json_text, origin](const ResultSetFiles&) {
         return html_report({{"sensitivity.json", *json_text}}, origin);
       },
       [report] { return sensitivity_text(*report); }});
}

}  // namespace

void add_jobs(py::module_& m) {
  py::class_<GivenRunControls>(m, "RunControls", "The run controls as given: None leaves one to the scenario.")
      .def(py::init([](std::optional<std::uint64_t> seed, std::optional<std::uint64_t> replications,
                       std::uint64_t first_replication, std::string precision) {
             return GivenRunControls{seed, replications, first_replication, std::move(precision)};
           }),
           py::arg("seed"), py::arg("replications"), py::arg("first_replication"), py::arg("precision"));
  m.def("run", &run, py::arg("scenario"), py::arg("controls"), py::arg("threads"), py::arg("memory_budget_mib"),
        py::arg("progress"));
  m.def("compare", &compare, py::arg("scenarios"), py::arg("controls"), py::arg("threads"),
        py::arg("memory_budget_mib"), py::arg("progress"));
  m.def("sweep", &sweep, py::arg("scenario"), py::arg("params"), py::arg("objective"), py::arg("pareto"),
        py::arg("controls"), py::arg("threads"), py::arg("memory_budget_mib"), py::arg("progress"));
  m.def("sensitivity", &sensitivity, py::arg("scenario"), py::arg("vary"), py::arg("metric"), py::arg("params"),
        py::arg("controls"), py::arg("threads"), py::arg("memory_budget_mib"), py::arg("progress"));
  m.def("report_charts_available", &report_charts_available,
        "Whether this build carries the report's chart libraries (npm's vega, vega-lite, vega-embed).");
}

}  // namespace funnelsim::python
