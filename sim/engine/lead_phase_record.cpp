#include "engine/lead_phase_record.hpp"

#include <stdexcept>

namespace funnelsim {

LeadPhaseRecord::LeadPhaseRecord() : storage_(std::make_unique<Storage>()) {}
LeadPhaseRecord::~LeadPhaseRecord() = default;
LeadPhaseRecord::LeadPhaseRecord(LeadPhaseRecord&&) noexcept = default;
LeadPhaseRecord& LeadPhaseRecord::operator=(LeadPhaseRecord&&) noexcept = default;

bool LeadPhaseRecord::complete() const noexcept { return storage_ && storage_->complete; }

bool LeadPhaseRecord::complete_for(std::uint64_t seed, std::uint64_t first_replication,
                                   std::uint64_t replications) const noexcept {
  return complete() && storage_->shape.seed == seed && storage_->shape.first_replication == first_replication &&
         storage_->shape.replications == replications;
}

LeadPhaseShape lead_phase_shape(const CompiledModel& model, const RunOptions& options) {
  LeadPhaseShape shape;
  shape.seed = options.seed;
  shape.first_replication = options.first_replication;
  shape.replications = options.replications;
  shape.sources = model.sources.size();
  shape.end_day = model.end_day;
  shape.window_start = model.window_start;
  shape.weeks = model.weeks;
  shape.has_sales = model.sales.has_value();
  shape.has_pipeline = model.pipeline.has_value();
  return shape;
}

LeadPhaseRecord::Storage* start_recording(LeadPhaseRecord* record, const LeadPhaseShape& shape, bool with_leads) {
  if (!record) return nullptr;
  LeadPhaseRecord::Storage& storage = record->storage();
  storage.shape = shape;
  storage.complete = false;  // until the run ends uncancelled
  storage.with_leads = with_leads;
  storage.phases.assign(shape.replications * shape.sources, SourcePhase{});
  return &storage;
}

const LeadPhaseRecord::Storage* reusable_record(const LeadPhaseRecord* record, const LeadPhaseShape& shape,
                                                const std::vector<bool>& sources, const std::vector<bool>& leads) {
  if (!record) return nullptr;
  const LeadPhaseRecord::Storage& storage = record->storage();
  if (!storage.complete || !(storage.shape == shape) || sources.size() != shape.sources ||
      !(leads.empty() || leads.size() == shape.sources))
    throw std::invalid_argument(
        "run_replications: the lead phase to reuse is incomplete, or was recorded for another seed, replications or "
        "model shape");
  return &storage;
}

}  // namespace funnelsim
