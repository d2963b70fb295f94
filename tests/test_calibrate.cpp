// calibrate: parameter recovery from a synthetic export (export-crm -> observe -> calibrate), a
// misspecified base rejected with the failing moment named, the errors of a free parameter the
// export cannot identify, bit-identical results on 1 and 2 threads, and the observe-folder route.
//
// Sizes. The recovery, threads and misspecification tests fit saas_baseline's paid_search alone
// over six weeks (about 720 leads, 115 MQLs), 12 replications, a looser xtol: what they claim (each
// parameter within 4 se of the truth, J's p above 0.001; or J rejecting) holds at any size; a
// smaller funnel only widens the interval. The statistical ones and the observe-folder route are
// tagged [release] (tests/CMakeLists.txt leaves that tag out of sanitizer builds, where each took
// over ten times its Release time, docs/calibrate.md): the sanitizer stage keeps the threads test,
// a whole fit on 1 and 2 threads (calibrate's only parallel loop), and the error tests.
#include <catch2/catch.hpp>
#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "calibrate_support.hpp"
#include "crm_support.hpp"
#include "funnelsim/calibrate/calibrate.hpp"
#include "funnelsim/core/usage_error.hpp"
#include "funnelsim/crm/observe_output.hpp"

using namespace funnelsim;
using namespace funnelsim::test;

namespace {

/// Each parameter within 4 of its standard errors of its truth (STYLE.md's k * se; fitted ones in
/// log space, where their intervals are drawn). Not "inside the 95% interval": one fixed export
/// misses that one time in 20 by design (saas_baseline's export under seed 4242 has paid_search's
/// lead->MQL rate 2.0 sd above the truth's mean, and alpha lands 2.4 se high); how often the 95%
/// intervals cover is tools/bench_calibrate.sh's to measure, over many exports.
void require_recovery(const calibrate::CalibrationResult& result, const nlohmann::json& truth_document,
                      const std::vector<double>& truth) {
  std::size_t fitted = 0;
  for (const calibrate::ParameterEstimate& p : result.parameters) {
    INFO(p.pointer << ": " << p.estimate << " (se " << p.se << ") in " << p.ci_low << " .. " << p.ci_high);
    CHECK(p.ci_low < p.ci_high);
    CHECK(p.se > 0);
    if (p.how == "direct") {
      const double rate = truth_document.at(nlohmann::json::json_pointer(p.pointer)).get<double>();
      CHECK(std::abs(p.estimate - rate) < 4 * p.se);
      continue;
    }
    REQUIRE(fitted < truth.size());
    CHECK(std::abs(std::log(p.estimate / truth[fitted])) < 4 * p.se / p.estimate);  // se / estimate: se of the log
    ++fitted;
  }
  CHECK(fitted == truth.size());
  // The model is the one that made the data: J is chi-square (p < 0.05 one fit in 20; < 0.001, not).
  INFO(result.verdict);
  CHECK(result.p_value > 0.001);
  CHECK(result.correlation.size() == truth.size());
}

}  // namespace

TEST_CASE("calibrate recovers paid_search's readiness and the acceptance midpoint of a small export",
          "[calibrate][release]") {
  TempDir dir;
  const nlohmann::json truth = small_document();
  const crm::ObservedFunnel observed = observed_export(truth, 4242, dir.path());
  nlohmann::json base = truth;  // started away from the truth
  base["sources"][0]["profile"]["readiness"]["alpha"] = 2.5;
  base["sales_acceptance"]["midpoint"] = 0.65;
  const auto result = calibrate::calibrate(base, "paid_search_only", observed, fast_options(2));
  REQUIRE(result);
  require_recovery(*result, truth, {1.8, 0.55});
  CHECK(result->degrees_of_freedom == 3 - 2);
  CHECK(std::abs(result->correlation[0][1]) <= 1.0);
}

TEST_CASE("calibrate recovers the truth of a saas_baseline-sized export", "[calibrate][release]") {
  TempDir dir;
  const nlohmann::json truth = baseline_document();
  const crm::ObservedFunnel observed = observed_export(truth, 4242, dir.path());
  nlohmann::json base = truth;
  base["sources"][0]["profile"]["readiness"]["alpha"] = 2.5;
  base["sales_acceptance"]["midpoint"] = 0.65;
  calibrate::CalibrationOptions options = fast_options(2);
  options.max_evaluations = 25;
  const auto result = calibrate::calibrate(base, "saas_baseline", observed, options);
  REQUIRE(result);
  require_recovery(*result, truth, {1.8, 0.55});
  CHECK(result->degrees_of_freedom == 18 - 2);
}

TEST_CASE("calibrate sets the pipeline's opportunity rate, deal cycle, win rate and amounts from the export",
          "[calibrate][release]") {
  TempDir dir;
  nlohmann::json truth = small_document(84);
  truth["sources"][0]["leads_per_week"] = 600;  // about 150 SQLs and 75 opportunities a quarter
  const crm::ObservedFunnel observed = observed_export(truth, 4242, dir.path());
  nlohmann::json base = truth;  // its pipeline away from the truth's
  nlohmann::json& pipeline = base["pipeline"];
  for (const char* end : {"at_readiness_0", "at_readiness_1"}) {
    pipeline["opportunity_rate"][end] = pipeline["opportunity_rate"][end].get<double>() * 0.7;
    pipeline["win_rate"][end] = pipeline["win_rate"][end].get<double>() * 1.5;
  }
  // Each mean and each segment's own, under one scale: the amounts 0.6 of the truth's, the cycle
  // (which decides how many deals close inside the quarter) 1.4 times it.
  for (const auto& [field, factor] : {std::pair{"amount", 0.6}, std::pair{"cycle_days", 1.4}}) {
    pipeline[field]["mean"] = pipeline[field]["mean"].get<double>() * factor;
    for (auto& [segment, value] : pipeline[field]["by_segment"].items())
      if (value.contains("mean")) value["mean"] = value["mean"].get<double>() * factor;
  }
  const auto result = calibrate::calibrate(base, "paid_search_only", observed, fast_options(2));
  REQUIRE(result);
  std::size_t pipeline_parameters = 0;
  for (const calibrate::ParameterEstimate& p : result->parameters)
    pipeline_parameters += p.pointer.rfind("/pipeline/", 0) == 0 && p.how == "direct";
  // Both curves' ends, the amount and its three segments, the cycle and its two (smb, enterprise).
  CHECK(pipeline_parameters == 2 + 2 + 1 + 3 + 1 + 2);
  require_recovery(*result, truth, {1.8, 0.55});
  // calibrated.json holds them, so what-ifs on it see the export's pipeline.
  const ResultSetFiles files = calibrate::calibration_files(*result, base, "base.json");
  const auto calibrated =
      std::find_if(files.begin(), files.end(), [](const auto& f) { return f.first == "calibrated.json"; });
  REQUIRE(calibrated != files.end());
  const char* const win = "/pipeline/win_rate/at_readiness_1";
  const auto estimate = std::find_if(result->parameters.begin(), result->parameters.end(),
                                     [&](const calibrate::ParameterEstimate& p) { return p.pointer == win; });
  REQUIRE(estimate != result->parameters.end());
  CHECK(nlohmann::json::parse(calibrated->second).at(nlohmann::json::json_pointer(win)).get<double>() ==
        estimate->estimate);
}

TEST_CASE("calibrate fits one scale of every SDR team's handle time from the response times", "[calibrate][release]") {
  TempDir dir;
  nlohmann::json truth = baseline_document();
  const char* const pattern = "/sales/teams/*/handle_time/mean_minutes";
  for (nlohmann::json& team : truth["sales"]["teams"])
    team["handle_time"]["mean_minutes"] = team["handle_time"]["mean_minutes"].get<double>() * 1.3;
  const crm::ObservedFunnel observed = observed_export(truth, 4242, dir.path());
  const nlohmann::json base = baseline_document();  // the handle times 1 / 1.3 of the truth's
  calibrate::CalibrationOptions options = fast_options(2);
  options.free = {pattern};
  const auto result = calibrate::calibrate(base, "saas_baseline", observed, options);
  REQUIRE(result);
  const calibrate::ParameterEstimate& scale = result->parameters.back();
  INFO(scale.pointer << ": " << scale.estimate << " (se " << scale.se << ") in " << scale.ci_low << " .. "
                     << scale.ci_high << "; " << result->verdict);
  CHECK(scale.pointer == pattern);
  CHECK(scale.how == "fitted");
  CHECK(scale.base == 1.0);  // a scale's row: the factor on every field it matches
  CHECK(std::abs(std::log(scale.estimate / 1.3)) < 4 * scale.se / scale.estimate);
  CHECK(result->p_value > 0.001);
  // The response time joined the moments; calibrated.json holds each team's handle time.
  CHECK(std::any_of(result->moments.begin(), result->moments.end(), [](const calibrate::MomentFit& m) {
    return m.scope == "all" && m.metric == "response_time_hours";
  }));
  for (std::size_t t = 0; t < base["sales"]["teams"].size(); ++t) {
    const std::string pointer = fmt::format("/sales/teams/{}/handle_time/mean_minutes", t);
    const auto change =
        std::find_if(result->changes.begin(), result->changes.end(), [&](const auto& c) { return c.first == pointer; });
    REQUIRE(change != result->changes.end());
    CHECK(change->second == base.at(nlohmann::json::json_pointer(pointer)).get<double>() * scale.estimate);
  }
}

TEST_CASE("calibrate names a pattern that matches no field", "[calibrate]") {
  TempDir dir;
  const crm::ObservedFunnel observed = observed_export(small_document(), 4242, dir.path());
  calibrate::CalibrationOptions options = fast_options(1);
  options.free = {"/sales/teams/*/no_such_field"};
  try {
    (void)calibrate::calibrate(small_document(), "paid_search_only", observed, options);
    FAIL("no error");
  } catch (const calibrate::FreeParameterError& e) {
    CHECK(std::string(e.what()).find("/sales/teams/*/no_such_field") != std::string::npos);
    CHECK(std::string(e.what()).find("matches fields of the base scenario, found none") != std::string::npos);
  }
}

TEST_CASE("calibrate rejects a base that lacks the truth's faster behaviour and names the moment",
          "[calibrate][release]") {
  TempDir dir;
  const nlohmann::json base = small_document();
  // The truth: paid_search's leads act three times as often as the base's (every behavioural
  // event's rate), a mechanism neither free parameter can change.
  nlohmann::json truth = base;
  nlohmann::json events = base["profile_defaults"]["events"];
  for (auto& [name, event] : events.items())
    for (const char* key : {"rate_at_readiness_0", "rate_at_readiness_1"}) event[key] = 3.0 * event[key].get<double>();
  truth["sources"][0]["profile"]["events"] = events;
  const crm::ObservedFunnel observed = observed_export(truth, 4242, dir.path());
  const auto result = calibrate::calibrate(base, "paid_search_only", observed, fast_options(2));
  REQUIRE(result);
  INFO(result->verdict);
  CHECK(result->rejected);
  CHECK(result->p_value < 0.01);
  // The failing moments are named in target order: lead_to_mql_rate may come before.
  CHECK(result->verdict.find("the model cannot reproduce paid_search's ") != std::string::npos);
  CHECK(result->verdict.find("paid_search's time_to_mql_days: observed ") != std::string::npos);
}

TEST_CASE("calibrate gives the same bytes on 1 and 2 threads", "[calibrate]") {
  TempDir dir;
  const nlohmann::json base = small_document(21);
  const crm::ObservedFunnel observed = observed_export(base, 4242, dir.path());
  calibrate::CalibrationOptions options = fast_options(1);
  options.replications = 4;
  options.max_evaluations = 6;
  const auto one = calibrate::calibrate(base, "paid_search_only", observed, options);
  options.threads = 2;
  const auto two = calibrate::calibrate(base, "paid_search_only", observed, options);
  REQUIRE(one);
  REQUIRE(two);
  CHECK(calibrate::calibration_files(*one, base, "base.json") == calibrate::calibration_files(*two, base, "base.json"));
  // calibrated.json: the base's --set values its file lacks, then the fit, sources by name.
  const ResultSetFiles files =
      calibrate::calibration_files(*one, base, "base.json", {{"/horizon_days", 21}, {kAlpha, 9.0}});
  const nlohmann::json calibrated = nlohmann::json::parse(files.at(0).second);
  CHECK(calibrated["extends"] == "base.json");
  CHECK(calibrated["horizon_days"] == 21);
  CHECK(calibrated["sources"][0]["name"] == "paid_search");
  const auto alpha =
      std::find_if(one->changes.begin(), one->changes.end(), [](const auto& c) { return c.first == kAlpha; });
  REQUIRE(alpha != one->changes.end());
  CHECK(calibrated["sources"][0]["profile"]["readiness"]["alpha"] == alpha->second);  // the fit wins
  CHECK_FALSE(calibrated["sources"][0].contains("cost_per_lead"));
}

TEST_CASE("calibrate names the free parameter and the column an export lacks", "[calibrate]") {
  TempDir dir;
  crm::ObservedFunnel observed = observed_export(baseline_document(), 4242, dir.path());
  // The export holds no webinar leads.
  std::erase_if(observed.scopes, [](const crm::ObservedScope& s) { return s.name == "webinar"; });
  calibrate::CalibrationOptions options = fast_options(1);
  options.free = {"/sources/2/profile/readiness/alpha"};
  CHECK_THROWS_WITH(calibrate::calibrate(baseline_document(), "saas_baseline", observed, options),
                    "/sources/2/profile/readiness/alpha: needs webinar's lead_to_mql_rate, which the export "
                    "does not record: no record has 'webinar' in column 'Original Source' (Salesforce: 'Lead "
                    "Source')");
  options.free = {"/sources/0/name"};
  CHECK_THROWS_AS(calibrate::calibrate(baseline_document(), "saas_baseline", observed, options),
                  calibrate::FreeParameterError);
}

TEST_CASE("calibrate through the CLI: a bad free parameter exits 2 and writes nothing", "[calibrate][cli]") {
  TempDir dir;
  const std::filesystem::path exported = dir.path() / "export", out = dir.path() / "fit";
  std::string export_args = "export-crm scenarios/saas_baseline.json --format salesforce --quiet --out '";
  export_args += exported.string();
  export_args += "'";
  REQUIRE(cli(export_args).exit_code == 0);
  std::string args =
      "calibrate scenarios/saas_baseline.json --free /sources/0/name --replications 4 --quiet --observed '";
  args += exported.string();
  args += "' --out '";
  args += out.string();
  args += "'";
  const CliResult r = cli(args);
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("--free /sources/0/name: expected a positive number in the base scenario, found \"paid_search\"") !=
        std::string::npos);
  CHECK_FALSE(std::filesystem::exists(out));
}

TEST_CASE("calibrate on an observe result folder gives the fit calibrating on the export gives",
          "[calibrate][cli][release]") {
  TempDir dir;
  const std::filesystem::path scenario = dir.path() / "small.json", exported = dir.path() / "export",
                              observed = dir.path() / "observed", run = dir.path() / "run";
  std::ofstream(scenario) << small_document(21).dump(2);
  const auto q = [](const std::filesystem::path& p) { return fmt::format("'{}'", p.string()); };
  REQUIRE(cli(fmt::format("export-crm {} --format hubspot --quiet --out {}", q(scenario), q(exported))).exit_code == 0);
  REQUIRE(cli(fmt::format("observe {} --mapping {} --quiet --out {}", q(exported), q(exported / "mapping.json"),
                          q(observed)))
              .exit_code == 0);
  const auto calibrate = [&](const std::filesystem::path& input, const std::string& rest) {
    return cli(fmt::format("calibrate {} --free {} --replications 4 --seed 7 --threads 2 --quiet --observed {} {}",
                           q(scenario), kAlpha, q(input), rest));
  };
  const CliResult from_export = calibrate(exported, fmt::format("--out {}", q(dir.path() / "a")));
  INFO(from_export.err);
  REQUIRE(from_export.exit_code == 0);
  const CliResult from_folder = calibrate(observed, fmt::format("--out {}", q(dir.path() / "b")));
  INFO(from_folder.err);
  REQUIRE(from_folder.exit_code == 0);
  // The same fit, number for number, the distributions of time to MQL and response time included:
  // the folder's samples.csv holds the samples behind them, each the same double.
  const std::string fit_a = read_file(dir.path() / "a" / "fit.json"), fit_b = read_file(dir.path() / "b" / "fit.json");
  const nlohmann::json a = nlohmann::json::parse(fit_a), b = nlohmann::json::parse(fit_b);
  CHECK_FALSE(a["distributions"].empty());
  CHECK(a["distributions"] == b["distributions"]);
  CHECK(fit_a == fit_b);
  // Without samples.csv (a folder observe wrote before it kept them) the fit has no distributions,
  // and being another result, another run_id; everything else is the same.
  std::filesystem::remove(observed / "samples.csv");
  const CliResult without = calibrate(observed, fmt::format("--out {}", q(dir.path() / "c")));
  REQUIRE(without.exit_code == 0);
  nlohmann::json c = nlohmann::json::parse(read_file(dir.path() / "c" / "fit.json")), a_rest = a;
  CHECK(c["distributions"].empty());
  CHECK(c["run_id"] != a["run_id"]);
  for (const char* key : {"distributions", "run_id"}) {
    c.erase(key);
    a_rest.erase(key);
  }
  CHECK(c.dump(2) == a_rest.dump(2));
  // The weekly series too: the folder's weekly.csv is read back.
  CHECK_FALSE(b["weeks"].empty());
  CHECK(read_file(dir.path() / "a" / "calibrated.json") == read_file(dir.path() / "b" / "calibrated.json"));
  // observe's window is the folder's: --to belongs to observe.
  const CliResult with_to = calibrate(observed, "--to 2025-02-01");
  CHECK(with_to.exit_code == 2);
  CHECK(with_to.err.find("--to: expected no --to with an observe result folder") != std::string::npos);
  // A run's folder is not an observed one.
  REQUIRE(cli(fmt::format("run {} --replications 2 --quiet --out {}", q(scenario), q(run))).exit_code == 0);
  const CliResult not_observed = calibrate(run, "");
  CHECK(not_observed.exit_code == 2);
  CHECK(not_observed.err.find("summary.json /kind: expected \"observed\"") != std::string::npos);
}

TEST_CASE("calibrate recovers a source's behaviour-rate scale, absent from the base, from its time to MQL",
          "[calibrate][release]") {
  TempDir dir;
  const char* const scale = "/sources/0/profile/event_rate_scale";
  nlohmann::json truth = small_document();
  truth["sources"][0]["profile"]["event_rate_scale"] = 1.4;  // paid_search's leads act 1.4x as often
  const crm::ObservedFunnel observed = observed_export(truth, 4242, dir.path());
  const nlohmann::json base = small_document();  // no event_rate_scale: 1
  REQUIRE(!base.contains(nlohmann::json::json_pointer(scale)));
  calibrate::CalibrationOptions options = fast_options(2);
  options.free = {scale, kMidpoint};
  const auto result = calibrate::calibrate(base, "paid_search_only", observed, options);
  REQUIRE(result);
  const auto fitted = std::find_if(result->parameters.begin(), result->parameters.end(),
                                   [&](const calibrate::ParameterEstimate& p) { return p.pointer == scale; });
  REQUIRE(fitted != result->parameters.end());
  INFO(fitted->estimate << " (se " << fitted->se << ") in " << fitted->ci_low << " .. " << fitted->ci_high << "; "
                        << result->verdict);
  CHECK(fitted->how == "fitted");
  CHECK(fitted->base == 1.0);  // the loader's value where the base leaves it out
  CHECK(fitted->ci_low < 1.4);
  CHECK(fitted->ci_high > 1.4);
  CHECK(fitted->ci_low > 1.0);  // the export tells the truth from the base
  require_recovery(*result, truth, {1.4, 0.55});
  // calibrated.json writes the field the base lacks.
  const ResultSetFiles files = calibrate::calibration_files(*result, base, "base.json");
  const auto calibrated =
      std::find_if(files.begin(), files.end(), [](const auto& f) { return f.first == "calibrated.json"; });
  REQUIRE(calibrated != files.end());
  CHECK(nlohmann::json::parse(calibrated->second).at(nlohmann::json::json_pointer(scale)).get<double>() ==
        fitted->estimate);
}

TEST_CASE("calibrate's default set holds each source's behaviour-rate scale while the moments outnumber the parameters",
          "[calibrate][release]") {
  TempDir dir;
  const auto fitted_of = [](const calibrate::CalibrationResult& result) {
    std::vector<std::string> fitted;
    for (const calibrate::ParameterEstimate& p : result.parameters)
      if (p.how == "fitted") fitted.push_back(p.pointer);
    return fitted;
  };
  calibrate::CalibrationOptions options = fast_options(2);
  options.free.clear();  // the default set
  options.replications = 4;
  options.max_evaluations = 6;  // the set is the claim, not the fit
  const std::string handle_times = "/sales/teams/*/handle_time/mean_minutes";
  // paid_search and webinar: 2 x 3 moments and the response time, 7, for 6 parameters.
  nlohmann::json two = small_document();
  two["sources"].push_back(baseline_document()["sources"][2]);
  two["warmup_days"] = 0;
  const auto both = calibrate::calibrate(two, "two_sources", observed_export(two, 4242, dir.path() / "two"), options);
  REQUIRE(both);
  CHECK(fitted_of(*both) == std::vector<std::string>{kAlpha, "/sources/1/profile/readiness/alpha",
                                                     "/sources/0/profile/event_rate_scale",
                                                     "/sources/1/profile/event_rate_scale", kMidpoint, handle_times});
  // paid_search alone: 4 moments, which alpha, the scale, the midpoint and the handle time would
  // use up; the scale is left out.
  nlohmann::json one = small_document();
  one["warmup_days"] = 0;
  const auto alone =
      calibrate::calibrate(one, "paid_search_only", observed_export(one, 4242, dir.path() / "one"), options);
  REQUIRE(alone);
  CHECK(fitted_of(*alone) == std::vector<std::string>{kAlpha, kMidpoint, handle_times});
  CHECK(alone->degrees_of_freedom == 1);
}
