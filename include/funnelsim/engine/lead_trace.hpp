#pragma once
/// A replication's leads as a CRM would have recorded them, event by event: who arrived when
/// from which source, each journey's MQL (when, by which path, with what score), what sales did
/// with each MQL (who worked it, when, the outcome) and each SQL's opportunity (amount, dates,
/// won or lost). Nothing a CRM could not know is here: no readiness, no acceptance coin.
///
/// A trace is attached to one replication run alone (run_traced_replication in engine.hpp); a
/// run without one pays a null-pointer test per lead and per journey, nothing per event, and
/// gives the same bits. Times are days of the replication's clock: the warm-up starts at day 0,
/// the measured horizon at day CompiledModel::window_start.
#include <cstdint>

namespace funnelsim {

/// How a lead entered the replication.
enum class TraceOrigin : std::uint8_t {
  arrival,          ///< a new lead from its source (in the warm-up or the horizon)
  backlog_nurture,  ///< part of the starting backlog: a lead already in nurture at the horizon's start
  backlog_mql,      ///< part of the starting backlog: an MQL already waiting for sales
};

/// How a journey became an MQL (docs/model.md, Paths to MQL).
enum class TracePath : std::uint8_t { instant, engagement, sdr_qualified, signal };

/// What became of an MQL by the end of the horizon.
enum class TraceOutcome : std::uint8_t { open, sql, bad_fit, not_ready, unreachable, cold };

/// No team: the scenario has no sales section (decisions at MQL time).
inline constexpr std::uint32_t kNoTeam = 0xFFFFFFFFu;

struct TracedLead {
  std::uint32_t source = 0;  ///< index into the model's sources
  std::uint64_t lead = 0;    ///< the lead's id within its source (stable across variants)
  TraceOrigin origin = TraceOrigin::arrival;
  double created_day = 0.0;   ///< arrival; the horizon's start for the backlog
  std::uint32_t segment = 0;  ///< index into the source's segments (name order)
  double fit = 0.0;           ///< fit points (known from the lead's attributes at once)
  bool disqualified = false;  ///< has a disqualifying attribute: never an MQL
};

/// One journey of a lead: its first from creation, or a re-entry into nurture after a recycle.
struct TracedJourney {
  std::uint32_t source = 0;
  std::uint64_t lead = 0;
  int cycle = 0;  ///< 0 = the first journey; k = after the k-th recycle
  double start_day = 0.0;
  bool mql = false;  ///< became an MQL within the horizon (the fields below are then set)
  double mql_day = 0.0;
  TracePath path = TracePath::engagement;
  double score = 0.0;  ///< total score at the MQL moment
};

/// Sales' work on one MQL (journey `cycle` of the lead).
struct TracedSale {
  std::uint32_t source = 0;
  std::uint64_t lead = 0;
  int cycle = 0;
  std::uint32_t team = kNoTeam;    ///< index into the model's teams
  std::uint32_t first_rep = 0;     ///< rep (within the team) who made the first attempt
  std::uint32_t attempts = 0;      ///< contact attempts started within the horizon
  double first_attempt_day = 0.0;  ///< when attempts > 0
  double last_attempt_day = 0.0;   ///< when attempts > 0
  TraceOutcome outcome = TraceOutcome::open;
  double outcome_day = 0.0;  ///< unless open
  bool recycled = false;     ///< rejected as not ready (or cold) and sent back to nurture
};

/// An SQL's opportunity, or an opportunity of the starting backlog.
struct TracedOpportunity {
  std::uint32_t source = 0;
  std::uint64_t lead = 0;      ///< the SQL's lead; for the backlog, the backlog entity's id
  bool backlog = false;        ///< open at the horizon's start, with no lead behind it in the trace
  bool created = false;        ///< an opportunity was opened (else the SQL never became one)
  bool lost_capacity = false;  ///< would have been one, but no account executive was free in time
  std::uint32_t segment = 0;
  double sql_day = 0.0;  ///< not for the backlog
  double created_day = 0.0;
  double amount = 0.0;
  double close_day = 0.0;  ///< when it closes (or would, past the horizon)
  bool closed = false;     ///< closed within the horizon
  bool won = false;
};

/// Receives a traced replication's records. Calls come from the thread running the replication,
/// in the order things are decided (a lead and its first journey, re-entries as recycles happen,
/// a journey waiting for an SDR follow-up once the sales desk held the conversation, then the
/// sales outcomes, the opportunities last), not in time order.
class LeadTrace {
 public:
  virtual ~LeadTrace() = default;
  virtual void lead(const TracedLead& lead) = 0;
  virtual void journey(const TracedJourney& journey) = 0;
  virtual void sale(const TracedSale& sale) = 0;
  virtual void opportunity(const TracedOpportunity& opportunity) = 0;
};

}  // namespace funnelsim
