#pragma once
/// The sales handoff: MQLs compete for reps with working hours and limited capacity.
///
/// This is the only global event queue in a replication: lead processes run on their own and
/// produce MQL records; here they are routed to teams, wait in queues, get contact attempts
/// with retries, go cold when their patience runs out, and are accepted or rejected with a
/// reason. Event order: event_order.hpp.
#include <cstdint>
#include <span>
#include <vector>

#include "engine/event_order.hpp"
#include "engine/lead_process.hpp"
#include "funnelsim/metrics/metrics.hpp"
#include "funnelsim/model/model.hpp"
#include "core/random.hpp"

namespace funnelsim {

/// What the lead process hands to sales.
struct MqlRecord {
  double mql_day = 0.0;
  double readiness = 0.0;
  double accept_draw = 0.0;
  double score = 0.0;
  std::uint64_t lead_id = 0;
  std::uint32_t source = 0;
  std::uint32_t segment = 0;
  MqlPath path = MqlPath::none;
  bool ready = false;
  std::uint8_t cycle = 0;     ///< 0 = first journey; k = after the k-th recycle
  bool carried_over = false;  ///< already an MQL when the horizon began (backlog): not a new MQL
  double fit = 0.0;
  double first_arrival_day = 0.0;  ///< when the lead first arrived (before any recycle)
};

enum class Resolution : std::uint8_t { open, sql, bad_fit, not_ready, unreachable, cold };

/// What became of one MQL by the end of the horizon.
struct MqlOutcome {
  double first_attempt_day = 0.0;  ///< valid when attempts > 0
  double last_attempt_day = 0.0;   ///< valid when attempts > 0
  double resolution_day = 0.0;     ///< valid unless open
  double wait_days = 0.0;          ///< total time waiting in queues (every entry)
  double busy_days = 0.0;          ///< rep time its attempts took within the horizon
  std::uint32_t entries = 0;
  std::uint32_t attempts = 0;
  std::uint32_t team = 0;
  std::uint32_t first_rep = 0;  ///< the rep (within the team) who made the first attempt
  Resolution resolution = Resolution::open;
  bool recycled = false;  ///< rejected as not ready or cold, and sent back to nurture
};

/// An SDR follow-up for the desk (scoring.sdr_follow_up with sales teams): a conversation with a
/// high-fit lead that was not an MQL when it came due. It waits in the queue of the team the lead
/// would be routed to, like an MQL, and takes a rep's handle time within working hours; when it is
/// held its coin decides whether it qualifies the lead (an MQL on the SDR-qualified path at the
/// conversation's end). A lead that becomes an MQL on its own first leaves the queue.
struct FollowUpRecord {
  MqlRecord lead;        ///< the lead, with its own MQL of the journey (path none: none in the horizon)
  double due_day = 0.0;  ///< when the follow-up came due
  double score = 0.0;    ///< the lead's score then: what an SDR-qualified MQL carries to the queue
  bool qualifies = false;
};

/// What became of one follow-up.
struct FollowUpOutcome {
  static constexpr std::uint32_t kNoMql = 0xFFFFFFFF;
  double start_day = 0.0;  ///< valid when held
  double busy_days = 0.0;  ///< rep time the conversation took within the window
  std::uint32_t team = 0;
  std::uint32_t mql = kNoMql;  ///< the MQL the lead became (either path): its index in the MQL list
  bool held = false;           ///< a rep had the conversation
};

/// Decides what happens to a lead rejected as not ready or gone cold: whether it re-enters
/// nurture, and if so whether (and when) it becomes an MQL again within the horizon.
class MqlRecycler {
 public:
  struct Result {
    bool recycled = false;
    bool has_next = false;
    MqlRecord next;
  };
  virtual ~MqlRecycler() = default;
  virtual Result recycle(const MqlRecord& mql, Resolution why, double day) = 0;
};

/// Reusable per-thread state; run() allocates only when a replication has more MQLs or
/// events than any before it on this thread.
class SalesSimulator {
 public:
  explicit SalesSimulator(const CompiledModel& model);

  /// `mqls` must be sorted by (mql_day, source, lead_id); recycled MQLs are appended to it as
  /// they arise. Fills `outcomes` (one per MQL) and the team and rep counts (teams in scenario
  /// order; reps team after team), counting only what happens in the measured window.
  /// `recycler` may be null (no recycling). `follow_ups` (any order) are held as reps get to them,
  /// and the MQLs they lead to appended to `mqls`; `follow_up_outcomes` gets one per follow-up.
  /// Returns the number of events processed.
  std::uint64_t run(const ReplicationStreams& streams, std::vector<MqlRecord>& mqls, std::vector<MqlOutcome>& outcomes,
                    std::vector<TeamCounts>& teams, std::vector<RepCounts>& reps, MqlRecycler* recycler,
                    std::span<const FollowUpRecord> follow_ups = {},
                    std::vector<FollowUpOutcome>* follow_up_outcomes = nullptr);

 private:
  struct Event {
    double time;
    std::uint64_t order;
    std::uint32_t target;  ///< lead index (or follow-up index | kFollowUp), or team index for shift events
    std::uint32_t token;   ///< rep index for attempt_done; lead token for retry_ready; kDue or kOwnMql
    SalesEvent kind;
  };
  /// A follow-up shares the events and the queue of MQLs: its index carries this bit. Its
  /// mql_arrival events say whether it comes due or the lead became an MQL on its own.
  static constexpr std::uint32_t kFollowUp = 0x80000000;
  static constexpr std::uint32_t kDue = 0, kOwnMql = 1;
  struct QueueItem {
    double key;       ///< smaller first
    double enqueued;  ///< then longest waiting
    std::uint64_t sequence;
    std::uint32_t lead;
    std::uint32_t token;
  };
  // The heaps keep the greatest on top, so these say which of two comes later.
  struct EventLater {  ///< by (time, order): event_order.hpp
    bool operator()(const Event& a, const Event& b) const noexcept {
      return a.time > b.time || (a.time == b.time && a.order > b.order);
    }
  };
  struct ServedLater {  ///< by key, then longest waiting, then first in
    bool operator()(const QueueItem& a, const QueueItem& b) const noexcept {
      return a.key > b.key ||
             (a.key == b.key && (a.enqueued > b.enqueued || (a.enqueued == b.enqueued && a.sequence > b.sequence)));
    }
  };
  enum class Phase : std::uint8_t { waiting, in_service, retry_wait, resolved };
  struct LeadState {
    RandomStream handle_stream;
    RandomStream reach_stream;
    double enqueued_day;
    double deadline;
    double attempt_start;
    std::uint32_t token;
    std::uint32_t rep;
    Phase phase;
    bool measured;  ///< its current queue entry falls in the measured window
  };
  struct FollowUpState {
    RandomStream handle_stream;
    double enqueued_day;
    std::uint32_t token;
    Phase phase;
    bool measured;  ///< it joined the queue in the measured window
    bool settled;   ///< the lead is an MQL (by the conversation or on its own): nothing left to decide
  };
  struct RepState {
    int attempts_today = 0;
    bool busy = false;
    bool capped = false;
  };
  struct TeamState {
    std::vector<QueueItem> queue;          // binary heap
    std::vector<std::uint32_t> free_reps;  // ring buffer of idle reps, longest idle first
    std::size_t free_head = 0, free_count = 0;
    std::size_t waiting = 0;
    std::size_t next_shift = 0;
    double last_change = 0.0;
    bool open = false;
    std::uint32_t first_rep = 0;
  };

  void schedule(double time, SalesEvent kind, std::uint32_t target, std::uint32_t token);
  void arrive(std::uint32_t lead, double now);
  /// A new MQL (recycled, or from a follow-up) joins the list; it arrives at `day`.
  std::uint32_t add_mql(const MqlRecord& mql, double day);
  void follow_up_due(std::uint32_t f, double now);
  void follow_up_lead_mql(std::uint32_t f, double now);
  void start_follow_up(std::uint32_t f, std::uint32_t rep, double now);
  void finish_follow_up(std::uint32_t rep, std::uint32_t f, double now);
  void leave_queue_follow_up(std::uint32_t f, double now);
  /// A rep's work ends: free again, unless the daily cap is reached.
  void free_rep(std::uint32_t team, std::uint32_t rep);
  /// Puts an item in a team's queue, ordered by the team's discipline.
  void push_queue(std::uint32_t team, double key, double now, std::uint32_t item, std::uint32_t token, bool measured);
  /// Starts `rep`'s handle time at `now`; returns when it ends. Books busy hours (within the window).
  double occupy_rep(std::uint32_t team, std::uint32_t rep, RandomStream& handle, double now, double& busy_days);
  void enqueue(std::uint32_t lead, double now);
  void dispatch(std::uint32_t team, double now);
  void start_attempt(std::uint32_t lead, std::uint32_t rep, double now);
  void finish_attempt(std::uint32_t rep, std::uint32_t lead, double now);
  void go_cold(std::uint32_t lead, double now);
  void resolve(std::uint32_t lead, Resolution r, double now);
  void release_rep(std::uint32_t team, std::uint32_t rep);
  void touch_queue(std::uint32_t team, double now);
  void leave_queue(std::uint32_t lead, double now);
  void end_wait(std::uint32_t lead, double now);
  /// A measured queue entry's wait, in its team's counts.
  void book_wait(std::uint32_t team, double wait_days);
  void finish_horizon();

  const CompiledModel& model_;
  const ReplicationStreams* streams_ = nullptr;
  std::vector<MqlRecord>* mqls_ = nullptr;
  MqlRecycler* recycler_ = nullptr;
  double window_start_ = 0.0;
  std::vector<MqlOutcome>* outcomes_ = nullptr;
  std::vector<TeamCounts>* team_counts_ = nullptr;
  std::vector<RepCounts>* rep_counts_ = nullptr;
  std::vector<Event> events_;  // binary heap
  std::vector<LeadState> leads_;
  std::span<const FollowUpRecord> follow_ups_;
  std::vector<FollowUpOutcome>* follow_up_outcomes_ = nullptr;  // the caller's, or own_follow_up_outcomes_
  std::vector<FollowUpOutcome> own_follow_up_outcomes_;
  std::vector<FollowUpState> follow_up_states_;
  std::vector<RepState> reps_;
  std::vector<TeamState> teams_;
  std::vector<std::uint32_t> rep_team_;
  std::uint64_t sequence_ = 0;
  double horizon_ = 0.0;
};

}  // namespace funnelsim
