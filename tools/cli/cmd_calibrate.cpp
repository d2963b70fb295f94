// `funnelsim calibrate BASE --observed EXPORT...`: fits the base scenario to the funnel a CRM
// export records (funnelsim/calibrate/calibrate.hpp, docs/calibrate.md).
#include <algorithm>
#include <filesystem>
#include <optional>
#include <sstream>

#include <fmt/format.h>

#include "commands.hpp"
#include "funnelsim/calibrate/calibrate.hpp"
#include "funnelsim/calibrate/calibration_request.hpp"
#include "funnelsim/crm/observe.hpp"
#include "funnelsim/crm/observe_output.hpp"
#include "funnelsim/output/result_set.hpp"
#include "funnelsim/report/report.hpp"
#include "interrupt.hpp"
#include "option_error.hpp"
#include "output_target.hpp"
#include "progress_bar.hpp"
#include "report_option.hpp"
#include "run_options.hpp"
#include "shard_option.hpp"
#include "terminal.hpp"

namespace funnelsim::cli {
namespace {

namespace fs = std::filesystem;

/// Splits "a,b" into its pointers (a pointer never holds a comma).
std::vector<std::string> split_pointers(const std::vector<std::string>& values) {
  std::vector<std::string> out;
  for (const std::string& value : values) {
    std::stringstream in(value);
    std::string item;
    while (std::getline(in, item, ','))
      if (!item.empty()) out.push_back(item);
  }
  return out;
}

/// calibrate on funnelsim-mpi's ranks: the evaluations' replications split over them
/// (calibrate::ReplicationSharing); none on one process.
class RankSharing {
 public:
  explicit RankSharing(Cluster* cluster) : cluster_(cluster != nullptr && cluster->size() > 1 ? cluster : nullptr) {}

  calibrate::ReplicationSharing of_calibration() {
    calibrate::ReplicationSharing sharing;
    if (cluster_ == nullptr) return sharing;
    sharing.index = static_cast<std::uint64_t>(cluster_->rank());
    sharing.count = static_cast<std::uint64_t>(cluster_->size());
    sharing.exchange = [this](std::vector<double>& values, bool stop) {
      // The first exchange starts the job: a rank that failed before it (reading its inputs)
      // stops the others here instead of leaving them waiting for its rows.
      if (!started_) {
        started_ = true;
        if (!cluster_->start(true)) {
          failed_elsewhere_ = true;
          return false;
        }
      }
      if (cluster_->all_gather(values, stop)) return true;
      stopped_elsewhere_ = !stop;
      return false;
    };
    return sharing;
  }
  /// After calibrate returned (not after it threw: the others may wait for this rank's rows).
  void delivered() const {
    if (started_) cluster_->delivered();
  }
  /// Whether this process writes the outputs: rank 0 of a cluster, or a plain process.
  bool writes() const { return cluster_ == nullptr || cluster_->rank() == 0; }
  /// Whether calibrate stopped for another rank: its failure before the job or its signal.
  bool stopped_by_others() const { return failed_elsewhere_ || stopped_elsewhere_; }
  /// Says so on stderr; the exit code.
  int report_stopped() const {
    if (failed_elsewhere_) {
      print_text(stderr,
                 "funnelsim: another rank stopped before the job started (an error or a signal): nothing written\n");
      return 2;
    }
    print_text(stderr, "funnelsim: stopped on another rank (a signal): nothing written\n");
    return 130;
  }

 private:
  Cluster* cluster_;
  bool started_ = false;
  bool failed_elsewhere_ = false;
  bool stopped_elsewhere_ = false;
};

}  // namespace

Command add_calibrate_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("calibrate", "Fit a scenario to the funnel a HubSpot or Salesforce export records");
  auto opts = std::make_shared<ScenarioOptions>();
  auto observed = std::make_shared<std::vector<std::string>>();
  auto free = std::make_shared<std::vector<std::string>>();
  auto mapping = std::make_shared<std::string>();
  auto from = std::make_shared<std::string>();
  auto to = std::make_shared<std::string>();
  auto out = std::make_shared<std::string>();
  auto report_file = std::make_shared<std::string>();
  auto quiet = std::make_shared<bool>(false);
  cmd->add_option("scenario", opts->scenario, "The base scenario JSON file")->required();
  add_set_option(*cmd, *opts, "Override a field of the base: --set /json/pointer=value (repeatable)");
  cmd->add_option("--observed", *observed,
                  "CRM exports (CSV files or folders of them, as observe reads), or one folder observe --out wrote")
      ->required();
  cmd->add_option("--free", *free,
                  "Parameters to fit, as JSON Pointers (PTR[,PTR...]; a '*' token makes one scale of every field "
                  "it matches; default: per source the readiness alpha, the acceptance midpoint, and "
                  "/sales/teams/*/handle_time/mean_minutes; a source's behaviour-rate scale "
                  "/sources/i/profile/event_rate_scale on request)");
  cmd->add_option("--mapping", *mapping,
                  "A mapping file (default: mapping.json in the --observed folder, as export-crm writes it)");
  cmd->add_option("--from", *from,
                  "First day measured and the simulated horizon's day 0, YYYY-MM-DD (default: the first record's day; "
                  "the horizon starts on export-crm's default date)");
  cmd->add_option("--to", *to, "Last day measured, YYYY-MM-DD (default: the day of the latest dated event)");
  cmd->add_option("--replications", opts->replications, "Simulated exports per parameter value (default 24)")
      ->check(CLI::Range(std::uint64_t{4}, std::uint64_t{100000}));
  cmd->add_option("--seed", opts->seed, "Master seed, held fixed across parameter values (default: the scenario's)")
      ->check(CLI::Range(std::uint64_t{0}, (std::uint64_t{1} << 53) - 1));
  cmd->add_option("--threads", opts->threads, "Worker threads (default: all cores); the result is the same on any")
      ->check(CLI::Range(0, 1024));
  cmd->add_option("--out", *out, "Folder for calibrated.json, fit.json and fit.csv");
  add_report_option(*cmd, *report_file);
  cmd->add_flag("--quiet", *quiet, "Print nothing on success");
  return [cmd, opts, observed, free, mapping, from, to, out, report_file, quiet]() {
    const InterruptGuard interrupt;
    std::vector<fs::path> inputs = scenario_inputs(opts->scenario);
    const calibrate::ObservedRequest request =
        calibrate::observed_request(std::vector<fs::path>(observed->begin(), observed->end()), *mapping, *from, *to,
                                    {"--mapping", "--from", "--to"});
    const OutputTargets targets(*cmd, *out, *report_file, inputs);  // before simulating
    const crm::ObservedFunnel funnel = calibrate::observed_funnel(request);

    const nlohmann::json base = read_document(opts->scenario, parse_overrides(opts->sets));
    calibrate::CalibrationOptions options;
    options.seed = opts->seed ? *opts->seed : base.value("seed", std::uint64_t{1});
    if (opts->replications) options.replications = *opts->replications;
    options.threads = opts->threads;
    options.start_date = request.first;  // --from is the horizon's day 0, as export-crm prints it
    options.free = split_pointers(*free);
    options.cancel = interrupt.flag();
    std::optional<ProgressBar> bar(std::in_place, !*quiet);
    options.progress = [&bar](std::uint64_t done, std::uint64_t total) { bar->update(done, std::max(done, total)); };
    const std::string name = base.value("name", fs::path(opts->scenario).stem().string());
    RankSharing sharing(current_cluster());
    options.sharing = sharing.of_calibration();
    const std::optional<calibrate::CalibrationResult> result = [&] {
      try {
        return calibrate::calibrate(base, name, funnel, options);
      } catch (const calibrate::FreeParameterError& e) {
        throw named_by("--free", e);
      }
    }();
    sharing.delivered();
    bar.reset();  // clears its line before any message
    if (!result && interrupt.signal() == 0 && sharing.stopped_by_others()) return sharing.report_stopped();
    if (interrupt.signal() != 0 || !result) return interrupt.report();
    if (!sharing.writes()) return 0;  // rank 0 writes and prints
    if (targets.any()) {
      const std::string extends = calibrate::extends_path(opts->scenario, out->empty() ? "." : *out);
      // The --set values too: calibrated.json extends the file, which does not hold them.
      std::vector<std::pair<std::string, nlohmann::json>> kept;
      for (const Override& o : parse_overrides(opts->sets)) kept.emplace_back(o.pointer, o.json_value());
      const ResultSetFiles files = calibrate::calibration_files(*result, base, extends, kept);
      if (interrupt.signal() != 0) return interrupt.report();  // last check before the disk
      targets.write(files, calibrate::run_id_of_calibration(base, options, *from, *to, funnel),
                    [](const ResultSetFiles& set) {
                      return html_report(set);  // reads fit.json, ignores the rest
                    });
    }
    if (!*quiet) print_text(stdout, calibrate::calibration_table(*result));
    return 0;
  };
}

}  // namespace funnelsim::cli
