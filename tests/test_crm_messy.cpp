// --messy: every planted defect is found and counted exactly, in both CRMs.
#include <catch2/catch.hpp>

#include "crm_support.hpp"

using namespace funnelsim;
using namespace funnelsim::test;

namespace {

void check_found(const std::string& name, crm::CrmFormat format, std::uint64_t replication) {
  INFO(name << " in " << crm::format_name(format));
  const RunnableScenario scenario = shipped(name);
  crm::ExportOptions options{format};
  options.messy = true;
  const auto exported = crm::export_replication(scenario, scenario.scenario().seed, replication, options);
  REQUIRE(exported);
  REQUIRE(exported->messy);
  const crm::MessyCounts& planted = *exported->messy;
  TempDir dir;
  write_export(*exported, dir.path());
  const ReadBack back = read_back(dir.path());
  const crm::DataQuality& q = back.data.quality;
  CHECK(q.missing_stage_date == planted.missing_stage_date);
  CHECK(q.skipped_stage == planted.skipped_stage);
  CHECK(q.date_before_creation == planted.date_before_creation);
  CHECK(q.other_date_layout_rows == planted.mixed_date_formats);
  CHECK(q.duplicate_contacts == planted.duplicate_contacts);
  CHECK(q.unmapped_source_rows == planted.unknown_source);
  // Nothing else was wrong.
  CHECK(q.sql_before_mql == 0);
  CHECK(q.opportunity_before_sql == 0);
  CHECK(q.customer_before_opportunity == 0);
  CHECK(q.not_leads == 0);
  CHECK(q.close_before_create == 0);
  CHECK(q.excluded() ==
        planted.missing_stage_date + planted.skipped_stage + planted.date_before_creation + planted.duplicate_contacts);
  // messy.json says the same.
  const nlohmann::json messy = nlohmann::json::parse(read_file(dir / "messy.json"));
  CHECK(messy["planted"]["duplicate_contacts"] == planted.duplicate_contacts);
  CHECK(messy["rates"]["mixed_date_formats"] == crm::MessyRates::mixed_date_formats);
  // The same inputs, the same bytes.
  const auto again = crm::export_replication(scenario, scenario.scenario().seed, replication, options);
  CHECK(again->files == exported->files);
}

}  // namespace

TEST_CASE("crm messy: each planted defect is found and counted exactly", "[crm][messy]") {
  for (crm::CrmFormat format : {crm::CrmFormat::hubspot, crm::CrmFormat::salesforce}) {
    check_found("saas_baseline", format, 0);
    check_found("nurture_recycle", format, 1);
  }
}

TEST_CASE("crm messy: every kind of defect is planted on the baseline", "[crm][messy]") {
  // So the exact counts above are not counts of nothing.
  for (crm::CrmFormat format : {crm::CrmFormat::hubspot, crm::CrmFormat::salesforce}) {
    const RunnableScenario scenario = shipped("saas_baseline");
    crm::ExportOptions options{format};
    options.messy = true;
    const auto e = crm::export_replication(scenario, scenario.scenario().seed, 0, options);
    const crm::MessyCounts& m = *e->messy;
    CHECK(m.missing_stage_date > 0);
    CHECK(m.skipped_stage > 0);
    CHECK(m.date_before_creation > 0);
    CHECK(m.mixed_date_formats > 0);
    CHECK(m.duplicate_contacts > 0);
    CHECK(m.unknown_source > 0);
    // At their rates, within 4 standard errors of a binomial count (duplicates and formats apply to
    // every plain lead).
    const double leads = static_cast<double>(e->records.leads.size());
    const double expected = leads * crm::MessyRates::mixed_date_formats;
    CHECK(std::abs(static_cast<double>(m.mixed_date_formats) - expected) <= 4.0 * std::sqrt(expected));
  }
}

TEST_CASE("crm messy: a clean export is byte-identical whatever else ran, and has no messy.json", "[crm][messy]") {
  const RunnableScenario scenario = shipped("sdr_capacity");
  const auto a = crm::export_replication(scenario, 5, 3, {crm::CrmFormat::salesforce});
  const auto b = crm::export_replication(scenario, 5, 3, {crm::CrmFormat::salesforce});
  CHECK(a->files == b->files);
  for (const auto& [name, _] : a->files) CHECK(name != "messy.json");
}
