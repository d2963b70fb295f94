// calibrate: parameter recovery from a synthetic export (export-crm -> observe -> calibrate),
// the errors of a free parameter the export cannot identify, and bit-identical results on 1 and
// 2 threads.
#include <catch2/catch.hpp>
#include <cmath>

#include "crm_support.hpp"
#include "funnelsim/calibrate/calibrate.hpp"
#include "funnelsim/core/usage_error.hpp"

using namespace funnelsim;
using namespace funnelsim::test;

namespace {

nlohmann::json baseline_document() {
  return read_scenario_document(std::filesystem::path(FUNNELSIM_SOURCE_DIR) / "scenarios" / "saas_baseline.json");
}

/// The observed funnel of replication 0 of saas_baseline under `seed`, read back from its export.
crm::ObservedFunnel observed_export(std::uint64_t seed, const std::filesystem::path& dir) {
  const RunnableScenario truth(baseline_document(), "saas_baseline");
  const std::optional<crm::CrmExport> exported = crm::export_replication(truth, seed, 0, {crm::CrmFormat::hubspot});
  REQUIRE(exported);
  write_export(*exported, dir);
  return read_back(dir).funnel;
}

const char* const kAlpha = "/sources/0/profile/readiness/alpha";  // paid_search, truth 1.8
const char* const kMidpoint = "/sales_acceptance/midpoint";       // truth 0.55

calibrate::CalibrationOptions small_options(int threads) {
  calibrate::CalibrationOptions options;
  options.seed = 99;  // not the export's seed: the simulation does not see the observed leads
  options.replications = 24;
  options.threads = threads;
  options.free = {kAlpha, kMidpoint};
  options.starts = 1;
  options.max_evaluations = 40;
  return options;
}

}  // namespace

TEST_CASE("calibrate recovers paid_search's readiness and the acceptance midpoint of an export", "[calibrate]") {
  TempDir dir;
  const crm::ObservedFunnel observed = observed_export(4242, dir.path());
  nlohmann::json base = baseline_document();  // started away from the truth
  base["sources"][0]["profile"]["readiness"]["alpha"] = 2.5;
  base["sales_acceptance"]["midpoint"] = 0.65;
  const std::optional<calibrate::CalibrationResult> result =
      calibrate::calibrate(base, "saas_baseline", observed, small_options(2));
  REQUIRE(result);
  const double truth[] = {1.8, 0.55};
  std::size_t fitted = 0;
  for (const calibrate::ParameterEstimate& p : result->parameters) {
    INFO(p.pointer << ": " << p.estimate << " in " << p.ci_low << " .. " << p.ci_high);
    if (p.how == "direct") {
      // Each source's leads per week, from its observed count: the truth within the interval.
      const std::size_t s = std::stoul(p.pointer.substr(9));
      const double rate = baseline_document()["sources"][s]["leads_per_week"].get<double>();
      CHECK(p.ci_low <= rate);
      CHECK(rate <= p.ci_high);
      continue;
    }
    CHECK(p.ci_low < p.ci_high);
    CHECK(p.ci_low <= truth[fitted]);
    CHECK(truth[fitted] <= p.ci_high);
    ++fitted;
  }
  CHECK(fitted == 2);
  // The model is the one that made the data: the fit is not rejected.
  CHECK(result->degrees_of_freedom == 18 - 2);
  INFO(result->verdict);
  CHECK_FALSE(result->rejected);
  CHECK(result->correlation.size() == 2);
  CHECK(std::abs(result->correlation[0][1]) <= 1.0);
}

TEST_CASE("calibrate gives the same bytes on 1 and 2 threads", "[calibrate]") {
  TempDir dir;
  const crm::ObservedFunnel observed = observed_export(4242, dir.path());
  const nlohmann::json base = baseline_document();
  calibrate::CalibrationOptions options = small_options(1);
  options.max_evaluations = 8;
  const auto one = calibrate::calibrate(base, "saas_baseline", observed, options);
  options.threads = 2;
  const auto two = calibrate::calibrate(base, "saas_baseline", observed, options);
  REQUIRE(one);
  REQUIRE(two);
  CHECK(calibrate::calibration_files(*one, base, "saas_baseline.json") ==
        calibrate::calibration_files(*two, base, "saas_baseline.json"));
}

TEST_CASE("calibrate names the free parameter and the column an export lacks", "[calibrate]") {
  TempDir dir;
  crm::ObservedFunnel observed = observed_export(4242, dir.path());
  // The export holds no webinar leads.
  std::erase_if(observed.scopes, [](const crm::ObservedScope& s) { return s.name == "webinar"; });
  calibrate::CalibrationOptions options = small_options(1);
  options.free = {"/sources/2/profile/readiness/alpha"};
  CHECK_THROWS_WITH(calibrate::calibrate(baseline_document(), "saas_baseline", observed, options),
                    "--free /sources/2/profile/readiness/alpha: needs webinar's lead_to_mql_rate, which the export "
                    "does not record: no record has 'webinar' in column 'Original Source' (Salesforce: 'Lead "
                    "Source')");
  options.free = {"/sources/0/name"};
  CHECK_THROWS_AS(calibrate::calibrate(baseline_document(), "saas_baseline", observed, options), UsageError);
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
