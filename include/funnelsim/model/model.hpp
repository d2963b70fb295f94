#pragma once
/// The compiled model: a Scenario turned into flat, precomputed tables that the event loop
/// reads without lookups by name, allocation or transcendental set-up work.
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include <optional>

#include "funnelsim/model/pipeline_model.hpp"
#include "funnelsim/model/readiness_quantile.hpp"
#include "funnelsim/model/sales_model.hpp"
#include "funnelsim/scenario/scenario.hpp"

namespace funnelsim {

inline constexpr double kNoCap = std::numeric_limits<double>::infinity();

struct CompiledAttribute {
  std::uint32_t tag = 0;     ///< stream tag of "attribute:<name>"
  double z_threshold = 0.0;  ///< present when rho*z_r + noise_scale*eps > z_threshold
  double rho = 0.0;
  double noise_scale = 1.0;  ///< sqrt(1 - rho^2)
  double points = 0.0;
  bool disqualifies = false;
};

struct CompiledEvent {
  std::uint32_t tag = 0;  ///< stream tag of "event:<name>"
  double rate_per_day_at_0 = 0.0;
  double rate_per_day_slope = 0.0;  ///< rate(r) = at_0 + slope * r
  double half_life_days = 0.0;      ///< 0 = constant rate
  double points = 0.0;
  int group = 0;
  bool instant = false;
};

struct CompiledSegment {
  std::string name;
  double cumulative_weight = 0.0;  ///< upper end of this segment in the source's segment CDF
  Thresholds thresholds;
};

struct CompiledSource {
  std::string name;
  std::uint32_t tag = 0;
  std::vector<double> daily_rate;  ///< expected leads on each day of the horizon (Poisson mean)
  double overdispersion = 0.0;
  double cost_per_lead = 0.0;
  double fixed_spend = 0.0;  ///< spend over the whole horizon when spend_per_week is set
  ReadinessQuantile readiness;
  std::vector<CompiledSegment> segments;
  std::vector<CompiledAttribute> attributes;                     ///< only those that score or disqualify
  std::vector<CompiledEvent> events;                             ///< only those that score or trigger an instant MQL
  double signal_per_day_at_0 = 0.0, signal_per_day_slope = 0.0;  ///< intent signals
  double signal_half_life_days = 0.0;                            ///< 0 = constant rate
};

/// A nurture track, compiled: entry rule and the event-rate multiplier while in the track.
struct CompiledTrack {
  std::vector<char> source_allowed;                ///< by source index
  std::vector<std::vector<char>> segment_allowed;  ///< [source][segment]
  double min_score = -1e9, max_score = 1e9;
  bool for_new = true, for_not_ready = false, for_cold = false;
  double duration_days = 0.0;
  double rate_multiplier = 1.0;      ///< 1 + lift_per_touch * touches_per_week
  double touch_interval_days = 0.0;  ///< 0 = no touches
  double cost_per_touch = 0.0;
};

struct CompiledNurture {
  std::vector<CompiledTrack> tracks;
  double dormant_rate_multiplier = 0.3;
  bool recycling = false, recycle_not_ready = true, recycle_cold = false;
  double cooldown_days = 30.0;
  int max_recycles = 1;
};

struct CompiledScoring {
  ScoringSpec::Rule rule = ScoringSpec::Rule::threshold;
  ScoringSpec::Decay decay = ScoringSpec::Decay::none;
  double half_life_days = 30.0;
  double window_days = 30.0;
  double fit_cap = kNoCap, engagement_cap = kNoCap, total_cap = kNoCap;
  std::vector<double> group_caps;  ///< by group index; the last group holds backlog points
  std::vector<std::string> group_names;
  bool sdr_follow_up = false;
  double follow_up_min_fit = 0.0, follow_up_after_days = 0.0, follow_up_probability = 0.0;
  /// With sales teams the follow-up is a conversation a rep of the lead's team holds when free.
  bool follow_up_takes_rep_time = false;
};

/// Time runs over [0, end_day): a warm-up of window_start days, then the measured horizon.
struct CompiledModel {
  Scenario scenario;
  int horizon_days = 0;  ///< the measured horizon's length
  int window_start = 0;  ///< warm-up days before it
  int end_day = 0;       ///< window_start + horizon_days
  int weeks = 0;         ///< weekly buckets of the measured horizon
  std::vector<CompiledSource> sources;
  CompiledScoring scoring;
  SalesAcceptanceSpec acceptance;
  std::optional<CompiledSales> sales;        ///< absent: decisions at MQL time
  std::optional<CompiledPipeline> pipeline;  ///< absent: no opportunities
  std::optional<CompiledNurture> nurture;    ///< absent: no tracks, no recycling
  std::vector<std::uint32_t> source_tags;
  std::size_t max_events_per_source = 0;  ///< sizes per-thread scratch once
};

/// Builds the compiled model. Throws ScenarioError if two names in one family hash to the
/// same stream tag (vanishingly rare; renaming one fixes it), or when the warm-up is still "auto".
///
/// `tables_from` (optional) is another compiled model whose readiness tables may be reused: a
/// source whose readiness spec is identical to that of the same-named source there copies its
/// table instead of recomputing 4,095 Beta quantiles (nearly all of the compile time). The result
/// is the same either way; models compiled per replication (uncertain inputs) pass the nominal one.
CompiledModel compile_model(const Scenario& scenario, const CompiledModel* tables_from = nullptr);

/// Weekday (0 = Monday) of internal day `day`, so that the horizon's day 0 is start_weekday.
int weekday_of(const Scenario& scenario, int day);

}  // namespace funnelsim
