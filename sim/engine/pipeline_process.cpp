#include "engine/pipeline_process.hpp"

#include <algorithm>
#include <cmath>
#include <functional>

#include <boost/random/gamma_distribution.hpp>
#include <boost/random/lognormal_distribution.hpp>

#include "core/stream_purposes.hpp"

namespace funnelsim {
void PipelineSimulator::open(bool track_slots, std::size_t i, double day, std::vector<OpportunityOutcome>& outcomes,
                             double horizon_days) {
  OpportunityOutcome& o = outcomes[i];
  o.created = true;
  o.lost_no_capacity = false;
  o.created_day = day;
  o.close_day = day + cycle_draws_[i];
  o.closed = o.close_day < horizon_days;
  o.won = o.closed && would_win_[i];
  if (track_slots) {
    open_closes_.push_back(o.close_day);
    std::push_heap(open_closes_.begin(), open_closes_.end(), std::greater<>());
  }
}

void PipelineSimulator::run(const CompiledPipeline& pipeline, const std::vector<std::uint32_t>& source_tags,
                            double horizon_days, const ReplicationStreams& streams, std::span<const SqlRecord> sqls,
                            std::vector<OpportunityOutcome>& outcomes, std::span<const double> open_at_start) {
  outcomes.assign(sqls.size(), OpportunityOutcome{});
  cycle_draws_.resize(sqls.size());
  would_win_.resize(sqls.size());
  open_closes_.assign(open_at_start.begin(), open_at_start.end());
  std::make_heap(open_closes_.begin(), open_closes_.end(), std::greater<>());
  waiting_.clear();
  std::size_t waiting_head = 0;
  // A slot count of size_t(-1) marks zero AEs: nothing can ever be opened.
  const bool no_aes = pipeline.ae_slots == std::size_t(-1);
  const std::size_t slots = no_aes ? 0 : pipeline.ae_slots;

  // Frees slots whose opportunities closed by `day`, giving each to the longest-waiting SQL
  // still within its patience.
  auto release_until = [&](double day) {
    while (!open_closes_.empty() && open_closes_.front() <= day) {
      const double freed = open_closes_.front();
      std::pop_heap(open_closes_.begin(), open_closes_.end(), std::greater<>());
      open_closes_.pop_back();
      while (waiting_head < waiting_.size()) {
        const std::size_t w = waiting_[waiting_head++];
        if (freed <= sqls[w].sql_day + pipeline.ae_patience_days) {
          open(true, w, freed, outcomes, horizon_days);
          break;
        }
      }
    }
  };

  for (std::size_t i = 0; i < sqls.size(); ++i) {
    const SqlRecord& sql = sqls[i];
    OpportunityOutcome& o = outcomes[i];
    RandomStream stream = streams.stream(source_tags[sql.source], sql.lead_id, purpose::PIPELINE);
    const double u_opportunity = stream.uniform();
    const double u_win = stream.uniform();
    const auto& amount = pipeline.amount[sql.source][sql.segment];
    const auto& cycle = pipeline.cycle[sql.source][sql.segment];
    o.amount = boost::random::lognormal_distribution<double>(amount.mu, amount.sigma)(stream);
    cycle_draws_[i] = boost::random::gamma_distribution<double>(cycle.shape, cycle.scale)(stream);
    o.win_probability = std::clamp(pipeline.win_rate.at(sql.readiness), 0.0, 1.0);
    would_win_[i] = u_win < o.win_probability;
    const double p_opportunity =
        std::clamp(pipeline.opportunity_rate.at(sql.readiness) * pipeline.source_multiplier[sql.source], 0.0, 1.0);
    if (!(u_opportunity < p_opportunity)) continue;
    if (pipeline.ae_slots == 0) {  // unlimited AE capacity
      open(false, i, sql.sql_day, outcomes, horizon_days);
      continue;
    }
    release_until(sql.sql_day);
    if (!no_aes && open_closes_.size() < slots && waiting_head == waiting_.size()) {
      open(true, i, sql.sql_day, outcomes, horizon_days);
    } else {
      o.lost_no_capacity = true;  // until a slot frees within its patience
      waiting_.push_back(i);
    }
  }
  if (pipeline.ae_slots == 0) return;
  release_until(horizon_days);
  // Still waiting at the horizon with patience left: pending, not lost.
  for (std::size_t k = waiting_head; k < waiting_.size(); ++k) {
    const std::size_t w = waiting_[k];
    if (sqls[w].sql_day + pipeline.ae_patience_days >= horizon_days) outcomes[w].lost_no_capacity = false;
  }
}

}  // namespace funnelsim
