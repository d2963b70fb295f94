#pragma once
/// One lead's own life from arrival to MQL (or to the end of the horizon).
///
/// A lead's process touches nothing shared, so it runs as a tight loop over its own
/// behavioural events (a k-way merge of one Poisson process per event type) instead of
/// paying for a global event queue; leads meet only where they compete for capacity,
/// downstream of the MQL.
///
/// Draw order per lead (each family in its own stream, see random.hpp):
///   readiness stream: z_r ~ N(0,1) -> r = Q_beta(Phi(z_r)); then u_segment; then u_accept.
///   attribute:<name>: eps ~ N(0,1); present when rho*z_r + sqrt(1-rho^2)*eps > Phi^-1(1-p).
///   event:<name>:     unit-rate exponential gaps, mapped through the inverse cumulative rate.
#include <cstdint>
#include <vector>

#include "funnelsim/model.hpp"
#include "funnelsim/random.hpp"

namespace funnelsim {

enum class MqlPath : std::uint8_t { none, instant, engagement };

struct LeadOutcome {
  double arrival_day = 0.0;
  double mql_day = 0.0;  ///< meaningful when path != none
  double readiness = 0.0;
  double accept_draw = 0.0;  ///< the lead's acceptance coin, uniform in [0,1)
  double score = 0.0;        ///< total score at MQL time (for score-ordered queues)
  MqlPath path = MqlPath::none;
  bool disqualified = false;
  bool ready = false;  ///< sales would accept this lead: accept_draw < P(accept | readiness)
  int segment = 0;
  std::uint32_t events = 0;  ///< behavioural events simulated
};

/// Simulates leads; owns scratch space sized once per model and reused for every lead, so
/// the loop does not allocate. One per thread.
class LeadSimulator {
 public:
  explicit LeadSimulator(const CompiledModel& model);

  LeadOutcome simulate(const CompiledSource& source, const ReplicationStreams& streams, std::uint64_t lead_id,
                       double arrival_day) noexcept;

 private:
  struct WindowedPoint {
    double day;
    double points;
    int group;
  };
  /// Per-event-type state of the merge.
  struct EventClock {
    RandomStream stream;
    double rate_per_day;       ///< at arrival
    double cumulative_target;  ///< sum of unit exponentials drawn so far
    double total_mass;         ///< expected events over an infinite life (inf when constant)
    double next_day;           ///< absolute day of the next event (inf = none)
  };

  void advance(EventClock& clock, const CompiledEvent& event, double arrival_day) noexcept;
  double engagement_score() const noexcept;
  bool meets_rule(double fit, double engagement, const Thresholds& t) const noexcept;
  void add_points(const CompiledEvent& event, double day) noexcept;

  const CompiledModel& model_;
  std::vector<EventClock> clocks_;
  std::vector<double> group_points_;
  std::vector<WindowedPoint> window_;  // capacity grows to the busiest lead seen, then stays
  std::size_t window_front_ = 0;
  double last_decay_day_ = 0.0;
};

}  // namespace funnelsim
