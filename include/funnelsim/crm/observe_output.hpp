#pragma once
/// The files and the printed summary of `observe`. summary.json is run's summary.json (rendered
/// by the very writer `run` uses, from a one-replication table of the observed metrics) with
/// "kind": "observed", each observed metric's 95% interval and its method, and an "observed"
/// block: what was read, the window, what was left out and why, the distributions. So `report`
/// and any tool that reads run's summary.json read an observed one beside it.
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "funnelsim/crm/observe.hpp"
#include "funnelsim/output/result_set.hpp"

namespace funnelsim::crm {

/// summary.json, replications.csv (one row: the observed metrics, as run's columns), weekly.csv
/// (one row per source and creation week: volumes with Poisson intervals, the cohort's
/// conversion so far with Wilson intervals, its age and whether it is still maturing).
ResultSetFiles observed_files(const ObservedData& data, const ObservedFunnel& funnel);

/// The observed funnel an observe result folder holds (what observed_files wrote in its
/// summary.json): the window and, per scope, the metric row and each metric's interval, exactly
/// as measure() made them (JSON numbers round-trip), so calibrating on the folder gives what
/// calibrating on the export does; and the weekly cohorts from its weekly.csv when the folder has
/// one (the calibration report's weekly series). The samples are not read back. Throws
/// UsageError naming the file and the JSON Pointer (or weekly.csv's row and column) when the
/// folder is not observe's.
ObservedFunnel read_observed_summary(const std::filesystem::path& dir);

/// What observe prints: what was recognised, the whole funnel with intervals, the sources, and
/// what was left out. Names and e-mail addresses never appear (observe keeps none).
std::string observed_text(const ObservedData& data, const ObservedFunnel& funnel);

/// The CSV files an observe of `exports` reads: each file as given, and each folder's *.csv
/// files; sorted. They name the run, and a result is never written over them.
std::vector<std::filesystem::path> export_files(const std::vector<std::filesystem::path>& exports);

/// The options of an observe as the caller wrote them (empty: not given), which name its run.
struct ObserveRequestText {
  std::string format = "auto", from, to, date_order;
  bool strict = false;
};

/// observe's run identifier: the options as written and each file read (`files`: the exports',
/// then the mapping file, if any) by name and a 64-bit FNV-1a hash of its bytes. So the same
/// request names its results alike from the command line and from the Python module.
std::string run_id_of_observe(const std::vector<std::filesystem::path>& files, const ObserveRequestText& request);

}  // namespace funnelsim::crm
