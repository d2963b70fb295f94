#pragma once
/// The validated, typed scenario: immutable once loaded, passed by const&.
/// Field meanings, units and defaults are documented in scenarios/schema.json.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace funnelsim {

struct ReadinessSpec {
  enum class Distribution { beta, fixed };
  Distribution distribution = Distribution::beta;
  double alpha = 2.0;
  double beta = 5.0;
  double value = 0.5;
  /// E[r]: alpha / (alpha + beta) or value.
  double mean() const noexcept;
};

struct AttributeSpec {
  std::string name;
  double probability = 0.0;
  double readiness_correlation = 0.0;
};

struct EventTypeSpec {
  std::string name;
  double rate_at_readiness_0 = 0.0;  ///< events per week
  double rate_at_readiness_1 = 0.0;  ///< events per week
  std::optional<double> half_life_days;
};

struct SegmentWeight {
  std::string segment;
  double weight = 0.0;  ///< normalised to sum to 1 within the source
};

struct LeadProfile {
  std::vector<SegmentWeight> segment_mix;
  ReadinessSpec readiness;
  std::vector<AttributeSpec> attributes;                                      ///< sorted by name
  std::vector<EventTypeSpec> events;                                          ///< sorted by name
  double signal_rate_at_readiness_0 = 0.0, signal_rate_at_readiness_1 = 0.0;  ///< intent signals per week
  std::optional<double> signal_half_life_days;                                ///< absent: a constant rate
  /// Multiplies both rates of every event type (not the intent signals), where the model is compiled.
  double event_rate_scale = 1.0;
};

struct SourceSpec {
  std::string name;
  std::string description;
  double leads_per_week = 0.0;
  std::vector<double> week_multipliers;
  std::array<double, 7> day_of_week_weights{1, 1, 1, 1, 1, 1, 1};  ///< Monday first, mean 1
  double overdispersion = 0.0;
  double cost_per_lead = 0.0;
  std::optional<double> spend_per_week;  ///< when set, spend is fixed and cost_per_lead is 0
  /// When set, leads_per_week was bought by this budget through the spend curve (and
  /// spend_per_week equals it).
  std::optional<double> budget_per_week;
  LeadProfile profile;
};

struct Thresholds {
  double mql = 65.0;
  double fit = 20.0;
  double engagement = 30.0;
};

struct ThresholdOverride {
  std::optional<double> mql, fit, engagement;
  Thresholds apply(Thresholds base) const noexcept;
};

struct ScoringSpec {
  enum class Rule { threshold, fit_and_engagement };
  enum class Decay { none, half_life, window };
  struct NamedValue {
    std::string name;
    double value = 0.0;
  };
  struct NamedOverride {
    std::string name;
    ThresholdOverride value;
  };

  std::vector<NamedValue> attribute_points;
  std::vector<NamedValue> event_points;
  std::vector<std::pair<std::string, std::string>> event_groups;  ///< event -> group
  std::optional<double> fit_cap, engagement_cap, total_cap;
  std::vector<NamedValue> group_caps;
  Decay decay = Decay::none;
  double half_life_days = 30.0;
  double window_days = 30.0;
  std::vector<std::string> disqualifiers;
  std::vector<std::string> instant_mql_events;
  Rule rule = Rule::threshold;
  Thresholds thresholds;
  std::vector<NamedOverride> by_segment;
  std::vector<NamedOverride> by_source;
  struct SdrFollowUp {
    double min_fit = 30.0, after_days = 7.0, qualify_probability = 0.2;
  };
  std::optional<SdrFollowUp> sdr_follow_up;

  /// Thresholds for a lead of this source and segment: source override, then segment, then global.
  Thresholds thresholds_for(const std::string& source, const std::string& segment) const;
};

struct SalesAcceptanceSpec {
  enum class Model { linear, logistic };
  Model model = Model::linear;
  double at_readiness_0 = 0.0;
  double at_readiness_1 = 1.0;
  double midpoint = 0.5;
  double steepness = 10.0;
  double ceiling = 1.0;
  double bad_fit_below_readiness = 0.25;
  /// P(sales accepts | readiness r), in [0, 1].
  double probability(double readiness) const noexcept;
};

struct CalendarSpec {
  bool always_open = false;
  double start_hour = 9.0, end_hour = 17.0;
  std::array<bool, 7> working_days{true, true, true, true, true, false, false};  ///< Monday first
  std::vector<int> holidays;                                                     ///< day indices
};

struct HandleTimeSpec {
  enum class Distribution { fixed, exponential, lognormal, gamma };
  Distribution distribution = Distribution::lognormal;
  double mean_minutes = 20.0;
  double cv = 0.6;
};

struct ContactSpec {
  int max_attempts = 6;
  std::vector<double> retry_hours{1, 4, 24, 48, 72};
  double reach_initial = 0.5, reach_floor = 0.1, reach_half_life_hours = 48.0;
  enum class Patience { none, fixed, exponential };
  Patience patience = Patience::fixed;
  double patience_mean_days = 21.0;
};

struct TeamSpec {
  enum class Discipline { fifo, highest_score, instant_first };
  std::string name;
  int headcount = 0;
  CalendarSpec calendar;
  HandleTimeSpec handle_time;
  std::optional<int> daily_cap_per_rep;
  std::vector<double> strictness;  ///< exactly one per rep (a shorter list as written repeats: see docs/model.md)
  Discipline discipline = Discipline::fifo;
  ContactSpec contact;
  double sla_hours_instant = 5.0 / 60.0, sla_hours_engagement = 24.0;
  double cost_per_rep_per_week = 0.0;
};

struct RouteSpec {
  std::optional<std::string> source, segment;
  std::string team;
};

struct SpeedToLeadSpec {
  enum class Preset { none, steep, mild, table };
  Preset preset = Preset::mild;
  std::vector<std::pair<double, double>> table;  ///< (hours, multiplier), hours increasing
};

struct SalesSpec {
  std::vector<TeamSpec> teams;
  std::vector<RouteSpec> routing;
  SpeedToLeadSpec speed_to_lead;
};

struct ProbabilityLine {
  double at_readiness_0 = 0.0, at_readiness_1 = 0.0;
  double at(double readiness) const noexcept { return at_readiness_0 + (at_readiness_1 - at_readiness_0) * readiness; }
};

/// A positive quantity given by mean and coefficient of variation, overridable by segment.
struct SegmentedDistribution {
  struct Value {
    double mean = 1.0, cv = 1.0;
  };
  Value base;
  std::vector<std::pair<std::string, Value>> by_segment;
  Value for_segment(const std::string& segment) const;
};

struct AccountExecutiveSpec {
  int headcount = 4;
  int max_open_per_ae = 20;
  double patience_days = 14.0;
  double cost_per_ae_per_week = 0.0;
};

struct PipelineSpec {
  ProbabilityLine opportunity_rate{0.3, 0.9};
  std::vector<std::pair<std::string, double>> opportunity_rate_by_source;
  ProbabilityLine win_rate{0.05, 0.45};
  SegmentedDistribution amount{{55000.0, 0.8}, {}};
  SegmentedDistribution cycle_days{{60.0, 0.6}, {}};
  std::optional<double> coverage_target;
  std::optional<AccountExecutiveSpec> account_executives;
};

struct TrackSpec {
  std::string name;
  std::vector<std::string> sources, segments;  ///< empty = any
  double min_score = -1e9, max_score = 1e9;
  bool for_new = true, for_not_ready = false, for_cold = false;
  double duration_days = 28.0;
  double touches_per_week = 1.5;
  double lift_per_touch = 0.2;
  double cost_per_touch = 0.0;
};

struct NurtureSpec {
  std::vector<TrackSpec> tracks;
  double dormant_rate_multiplier = 0.3;
  bool recycling = false;
  bool recycle_not_ready = true, recycle_cold = false;
  double cooldown_days = 30.0;
  int max_recycles = 1;
};

struct BacklogSpec {
  std::string source;
  int leads_in_nurture = 0;
  double nurture_score_min = 0.0, nurture_score_max = 30.0;
  int mqls_waiting = 0;
  int open_opportunities = 0;
};

struct Scenario {
  std::string name;
  std::string description;
  int horizon_days = 90;
  int warmup_days = 0;
  bool warmup_auto = false;  ///< "warmup_days": "auto", not worked out yet (warmup_days is then 0)
  int start_weekday = 0;     ///< 0 = Monday
  std::uint64_t seed = 1;
  std::uint64_t replications = 200;
  std::vector<SourceSpec> sources;
  ScoringSpec scoring;
  SalesAcceptanceSpec sales_acceptance;
  std::optional<SalesSpec> sales;        ///< absent: decisions at MQL time, no capacity
  std::optional<PipelineSpec> pipeline;  ///< absent: no opportunities
  std::optional<NurtureSpec> nurture;    ///< absent: no tracks, no recycling
  std::vector<BacklogSpec> backlog;

  /// Number of weekly buckets: ceil(horizon_days / 7).
  int weeks() const noexcept { return (horizon_days + 6) / 7; }
};

}  // namespace funnelsim
