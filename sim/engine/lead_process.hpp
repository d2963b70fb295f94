#pragma once
/// One lead's own journey from its start (arrival, or re-entry into nurture after a
/// recycle) to MQL, or to the end of the horizon.
///
/// A lead's process touches nothing shared, so it runs as a tight loop over its own events
/// (a k-way merge of one Poisson process per event type, plus intent signals and an SDR
/// follow-up) instead of paying for a global event queue; leads meet only where they compete
/// for capacity, downstream of the MQL. The events and their tie order: lead_events.hpp.
///
/// Nurture changes the event rates piecewise: while in a track every rate is multiplied by the
/// track's multiplier, afterwards by the dormant multiplier. Event times are drawn exactly by
/// inverting the piecewise cumulative rate, so the same unit exponentials give the same events
/// (just sooner or later) when a variant changes a track: common random numbers hold.
///
/// Draw order per lead (each family in its own stream, see core/stream_purposes.hpp):
///   readiness stream: z_r ~ N(0,1) -> r = Q_beta(Phi(z_r)); then u_segment; then u_accept.
///   attribute:<name>: eps ~ N(0,1); present when rho*z_r + sqrt(1-rho^2)*eps > Phi^-1(1-p).
///   event:<name>:     unit-rate exponential gaps, mapped through the inverse cumulative rate.
/// A recycled journey k >= 1 draws its events, signals and acceptance coin from streams whose
/// tags are mixed with k, so each second chance is fresh but reproducible.
#include <cstdint>
#include <limits>
#include <vector>

#include "engine/lead_events.hpp"
#include "funnelsim/model/model.hpp"
#include "core/random.hpp"

namespace funnelsim {

enum class MqlPath : std::uint8_t { none, instant, engagement, sdr_qualified, signal };
inline constexpr std::size_t kMqlPathCount = 4;  ///< paths other than none
/// Index 0..3 of a path (instant, engagement, sdr_qualified, signal).
inline std::size_t path_index(MqlPath p) { return static_cast<std::size_t>(p) - 1; }

enum class JourneyReason : std::uint8_t { new_lead, not_ready, cold };

/// Where a journey starts.
struct JourneyStart {
  double start_day = 0.0;
  int cycle = 0;  ///< 0 = the lead's first journey; k = after its k-th recycle
  JourneyReason reason = JourneyReason::new_lead;
  double initial_points = 0.0;     ///< engagement points a backlog lead starts with
  bool backlog = false;            ///< part of the starting state, not a new arrival
  double first_arrival_day = 0.0;  ///< when the lead first arrived (recycled journeys; cycle 0 uses start_day)
  /// The lead's first arrival: this journey's start, or the first journey's for a recycled one.
  double first_arrival() const noexcept { return cycle == 0 ? start_day : first_arrival_day; }
};

struct LeadOutcome {
  double arrival_day = 0.0;  ///< start of this journey
  double mql_day = 0.0;      ///< meaningful when path != none
  double readiness = 0.0;
  double accept_draw = 0.0;  ///< the journey's acceptance coin, uniform in [0,1)
  double score = 0.0;        ///< total score at MQL time (for score-ordered queues)
  double fit = 0.0;
  MqlPath path = MqlPath::none;
  bool disqualified = false;
  bool ready = false;  ///< sales would accept this lead: accept_draw < P(accept | readiness)
  int segment = 0;
  int track = -1;  ///< nurture track entered at the start, -1 none
  double track_end_day = 0.0;
  double touches = 0.0;      ///< nurture touches sent within the measured horizon
  std::uint32_t events = 0;  ///< behavioural events simulated
  /// The highest fit + engagement score the journey's MQL checks saw (before the total cap): a
  /// journey without an MQL runs the same under any threshold this stayed below.
  double peak_score = -std::numeric_limits<double>::infinity();
  // With sales teams, the SDR follow-up is a conversation the desk holds when a rep is free
  // (sales_process.hpp): the journey goes on without it, and these say what it would be.
  double follow_up_day = kNoFollowUp;  ///< when the follow-up came due; kNoFollowUp: none in this journey
  double follow_up_score = 0.0;        ///< the score then (what a qualified follow-up carries to the queue)
  bool follow_up_qualifies = false;    ///< the conversation's coin: it qualifies the lead when held
  static constexpr double kNoFollowUp = std::numeric_limits<double>::infinity();
  bool has_follow_up() const noexcept { return follow_up_day < kNoFollowUp; }
};

/// Nurture touches of a journey in `track` (-1: none) that started on `start_day` and left it on
/// `exit_day` (MQL, or the horizon's end), counting only those inside the measured window.
double journey_touches(const CompiledModel& model, int track, double start_day, double exit_day) noexcept;

/// The segment a uniform draw picks from the source's cumulative mix (segments in name order).
inline std::size_t segment_of(const CompiledSource& source, double u) noexcept {
  std::size_t segment = 0;
  while (segment + 1 < source.segments.size() && u >= source.segments[segment].cumulative_weight) ++segment;
  return segment;
}

/// Simulates journeys; owns scratch space sized once per model and reused for every lead, so
/// the loop does not allocate. One per thread.
class LeadSimulator {
 public:
  explicit LeadSimulator(const CompiledModel& model);

  LeadOutcome simulate(const CompiledSource& source, std::size_t source_index, const ReplicationStreams& streams,
                       std::uint64_t lead_id, const JourneyStart& start) noexcept;

  /// The first track whose entry rule admits this lead, or -1.
  int choose_track(std::size_t source, int segment, double score, JourneyReason reason) const noexcept;

 private:
  struct WindowedPoint {
    double day;
    double points;
    int group;
  };
  /// Per-event-type state of the merge.
  struct EventClock {
    RandomStream stream;
    double rate_per_day;       ///< base rate at the journey start
    double cumulative_target;  ///< sum of unit exponentials drawn so far
    double mass_before;        ///< cumulative rate mass before the current segment
    int segment;               ///< current piece of the rate multiplier
    double piece_decay;        ///< 2^(-a/h) at the current piece's start age a (1 for constant rates)
    double piece_mass;         ///< rate mass of the current piece (inf when unbounded)
    double after_day;          ///< the event after the next one (drawn ahead; inf past the horizon)
  };

  /// One journey's state besides the clocks: what the events read and change.
  struct Journey {
    const CompiledSource& source;
    const ReplicationStreams& streams;
    std::uint64_t lead_id;
    const Thresholds& thresholds;
    double fit;
    double signal_day;     ///< the first intent signal (inf = none)
    double follow_up_day;  ///< the SDR follow-up (inf = none, or done)
    LeadOutcome& out;
  };
  struct NextEvent {
    LeadEvent kind;
    double day;
    std::size_t type;  ///< the event type, for behaviour
  };

  void start_clocks(Journey& j, int cycle) noexcept;
  NextEvent next_event(const Journey& j) const noexcept;
  // Each returns true when the event makes the lead an MQL, which ends the journey.
  bool event_follow_up(Journey& j, double day) noexcept;
  bool event_signal(Journey& j, double day) noexcept;
  bool event_behaviour(Journey& j, std::size_t type, double day) noexcept;
  bool become_mql(Journey& j, MqlPath path, double day) noexcept;
  /// The same, when the points are already decayed to `day` and their engagement score known.
  bool become_mql(Journey& j, MqlPath path, double day, double engagement) noexcept;

  /// Draws the clock's next event: its absolute day (inf = none).
  double advance(EventClock& clock, const CompiledEvent& event) noexcept;
  void enter_piece(EventClock& clock, const CompiledEvent& event, int piece) const noexcept;
  double engagement_score() const noexcept;
  bool meets_rule(double fit, double engagement, const Thresholds& t) const noexcept;
  /// Decays the points to `day`, adds the event's, and returns the engagement score.
  double add_points(const CompiledEvent& event, double day) noexcept;
  /// Decays the points to `day` (half-life, or the window's points still inside it).
  void decay_to(double day) noexcept;

  const CompiledModel& model_;
  // The clocks of the journey's event types, the source's first ones (sized once to the most any
  // source has). Their next event days sit apart, in one line, for next_event's scan.
  std::vector<EventClock> clocks_;
  std::vector<double> next_day_;
  std::vector<double> group_points_;
  std::vector<WindowedPoint> window_;  // capacity grows to the busiest lead seen, then stays
  std::size_t window_front_ = 0;
  double last_decay_day_ = 0.0;
  // The journey's rate multiplier: pieces starting at ages piece_start_[i] (days since start).
  double start_day_ = 0.0;
  double piece_start_[2] = {0.0, 0.0};
  double piece_multiplier_[2] = {1.0, 1.0};
  int pieces_ = 1;
};

}  // namespace funnelsim
