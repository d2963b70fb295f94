#include "funnelsim/scenario/loader.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <set>

#include <fmt/format.h>

#include "scenario/embedded_schema.hpp"
#include "core/json_pointer_token.hpp"
#include "core/utf8_text.hpp"
#include "scenario/json_schema.hpp"
#include "scenario/extends.hpp"

namespace funnelsim {
namespace {

using nlohmann::json;

const JsonSchema& scenario_schema() {
  static const JsonSchema schema(json::parse(embedded_schema_text()));
  return schema;
}

/// Semantic checks the schema cannot express, collected so the user sees them all at once.
class SemanticChecker {
 public:
  /// `doc` is resolved (profiles merged, defaults filled); `raw` is as written, so problems are
  /// reported where the user wrote them (a source profile or profile_defaults).
  SemanticChecker(const json& doc, const json& raw) : doc_(doc), raw_(raw) {
    for (const auto& source : doc_["sources"]) {
      source_names_.push_back(source["name"].get<std::string>());
      const json& profile = source["profile"];
      for (const auto& [name, _] : profile["attributes"].items()) attributes_.insert(name);
      for (const auto& [name, _] : profile["events"].items()) events_.insert(name);
      for (const auto& [name, _] : profile["segment_mix"].items()) segments_.insert(name);
    }
  }

  std::vector<Issue> run() {
    check_extends();
    check_sources();
    check_scoring();
    if (doc_.contains("sales")) check_sales(doc_["sales"]);
    if (doc_.contains("pipeline")) check_pipeline(doc_["pipeline"]);
    if (doc_.contains("nurture")) check_nurture(doc_["nurture"]);
    check_backlog(doc_["backlog"]);
    return std::move(issues_);
  }

 private:
  void add(std::string path, std::string expected, std::string found) {
    issues_.push_back(Issue{std::move(path), std::move(expected), std::move(found)});
  }

  /// The file loader resolves extends; one still here came from an override or an in-memory document.
  void check_extends() {
    if (raw_.contains("extends"))
      add("/extends", std::string(kExtendsOnlyInFile), quoted(raw_["extends"].get<std::string>()));
  }

  void check_sources() {
    std::set<std::string> seen;
    const json& sources = doc_["sources"];
    for (std::size_t i = 0; i < sources.size(); ++i) {
      const json& s = sources[i];
      const std::string base = fmt::format("/sources/{}", i);
      const auto name = s["name"].get<std::string>();
      if (!seen.insert(name).second) add(base + "/name", "a name not used by an earlier source", quoted(name));
      if (s.contains("cost_per_lead") && s.contains("spend_per_week"))
        add(base + "/spend_per_week", "either cost_per_lead or spend_per_week, not both",
            "both (cost_per_lead is also set)");
      check_volume(s, base);
      double dow_sum = 0.0;
      for (const auto& w : s["day_of_week_weights"]) dow_sum += w.get<double>();
      if (!(dow_sum > 0.0)) add(base + "/day_of_week_weights", "at least one positive weight", "all weights 0");
      const json& raw_source = raw_["sources"][i];
      check_profile(s["profile"], base + "/profile", raw_source.value("profile", json::object()));
    }
  }

  /// The path of a profile field: in the source's own profile when it sets the field there,
  /// else in profile_defaults (reported once, however many sources inherit it).
  std::optional<std::string> locate(const json& raw_profile, const std::string& base, const std::string& tail,
                                    const json::json_pointer& field) {
    if (raw_profile.contains(field)) return base + tail;
    const std::string path = "/profile_defaults" + tail;
    if (!reported_defaults_.insert(path).second) return std::nullopt;
    return path;
  }

  /// A source's volume comes from leads_per_week or from a budget through a spend curve.
  void check_volume(const json& s, const std::string& base) {
    const bool budget = s.contains("budget_per_week");
    if (budget == s.contains("leads_per_week"))
      add(base + (budget ? "/budget_per_week" : "/leads_per_week"),
          "either leads_per_week or budget_per_week (with spend_curve)", budget ? "both" : "neither");
    if (budget && !s.contains("spend_curve"))
      add(base + "/spend_curve", "a spend curve (required with budget_per_week)", "nothing");
    if (!budget && s.contains("spend_curve"))
      add(base + "/spend_curve", "no spend curve without budget_per_week", "a spend curve");
    for (const char* cost : {"cost_per_lead", "spend_per_week"})
      if (budget && s.contains(cost))
        add(base + "/" + cost, "no other cost with budget_per_week (the budget is the spend)", s[cost].dump());
  }

  void check_profile(const json& profile, const std::string& base, const json& raw_profile) {
    double mix_sum = 0.0;
    for (const auto& [_, w] : profile["segment_mix"].items()) mix_sum += w.get<double>();
    if (!(mix_sum > 0.0)) {
      if (auto path = locate(raw_profile, base, "/segment_mix", json::json_pointer("/segment_mix")))
        add(*path, "at least one segment with a positive weight",
            profile["segment_mix"].empty() ? "no segments" : "all weights 0");
    }
    for (const auto& [name, attribute] : profile["attributes"].items()) {
      if (attribute.contains("probability")) continue;
      const std::string tail = "/attributes/" + escape_pointer_token(name);
      if (auto path = locate(raw_profile, base, tail, json::json_pointer(tail)))
        add(*path + "/probability",
            fmt::format("a probability (set it here or in /profile_defaults/attributes/{})", name), "nothing");
    }
  }

  /// A name that must be defined elsewhere: `noun` is e.g. "attribute", `defined_where` says where
  /// such names come from.
  struct NameFamily {
    const std::set<std::string>& known;
    const char* noun;
    const char* defined_where = "defined in a source profile";
  };

  void check_names(const json& object, const std::string& base, const NameFamily& family) {
    for (const auto& [name, _] : object.items()) check_name(name, base + "/" + escape_pointer_token(name), family);
  }

  void check_name(const std::string& name, const std::string& path, const NameFamily& family) {
    if (family.known.count(name)) return;
    const std::vector<std::string> candidates(family.known.begin(), family.known.end());
    const char* article = std::string_view("aeiou").find(family.noun[0]) != std::string_view::npos ? "an" : "a";
    std::string expected = candidates.empty()
                               ? fmt::format("the name of {} {} (none is defined)", article, family.noun)
                               : fmt::format("the name of {} {} {}", article, family.noun, family.defined_where);
    if (auto guess = closest_match(name, candidates); !guess.empty())
      expected += fmt::format(" (did you mean \"{}\"?)", guess);
    add(path, expected, fmt::format("unknown {} \"{}\"", family.noun, name));
  }

  void check_scoring() {
    const json& scoring = doc_["scoring"];
    const NameFamily attributes{attributes_, "attribute"}, events{events_, "event type"};
    check_names(scoring["attribute_points"], "/scoring/attribute_points", attributes);
    check_names(scoring["event_points"], "/scoring/event_points", events);
    check_names(scoring["event_groups"], "/scoring/event_groups", events);
    const json& disqualifiers = scoring["disqualifiers"];
    for (std::size_t i = 0; i < disqualifiers.size(); ++i)
      check_name(disqualifiers[i], fmt::format("/scoring/disqualifiers/{}", i), attributes);
    const json& instant = scoring["instant_mql_events"];
    for (std::size_t i = 0; i < instant.size(); ++i)
      check_name(instant[i], fmt::format("/scoring/instant_mql_events/{}", i), events);

    std::set<std::string> groups;
    for (const auto& event : events_) groups.insert(event);
    for (const auto& [_, group] : scoring["event_groups"].items()) groups.insert(group.get<std::string>());
    check_names(scoring["caps"]["groups"], "/scoring/caps/groups",
                {groups, "event group", "(an event type, or a group named in /scoring/event_groups)"});
    check_names(scoring["by_segment"], "/scoring/by_segment", {segments_, "segment", "named in a segment_mix"});
    const std::set<std::string> sources(source_names_.begin(), source_names_.end());
    check_names(scoring["by_source"], "/scoring/by_source", {sources, "source", "in /sources"});
  }

  void check_sales(const json& sales) {
    std::set<std::string> teams;
    const json& team_list = sales["teams"];
    for (std::size_t i = 0; i < team_list.size(); ++i) {
      const json& t = team_list[i];
      const std::string base = fmt::format("/sales/teams/{}", i);
      if (!teams.insert(t["name"].get<std::string>()).second)
        add(base + "/name", "a name not used by an earlier team", quoted(t["name"]));
      // Per-rep entries repeat for a bigger team (per_rep_value): only an empty list has nothing to repeat.
      const json& strictness = t["strictness"];
      if (strictness.is_array() && strictness.empty() && t["headcount"].get<int>() > 0)
        add(base + "/strictness",
            fmt::format("one number or an array of at least one number per rep (headcount {}; the list repeats when "
                        "the team has more reps)",
                        t["headcount"].get<int>()),
            "an empty array");
      const json& hours = t["calendar"]["hours"];
      if (!(hours[1].get<double>() > hours[0].get<double>()))
        add(base + "/calendar/hours", "[start, end] with end > start", hours.dump());
      if (!t["calendar"]["always_open"].get<bool>() && t["calendar"]["working_days"].empty())
        add(base + "/calendar/working_days", "at least one working day (or always_open)", "no days");
    }
    const std::set<std::string> sources(source_names_.begin(), source_names_.end());
    const json& routing = sales["routing"];
    for (std::size_t i = 0; i < routing.size(); ++i) {
      const std::string base = fmt::format("/sales/routing/{}", i);
      check_name(routing[i]["team"], base + "/team", {teams, "team", "in /sales/teams"});
      if (routing[i].contains("source"))
        check_name(routing[i]["source"], base + "/source", {sources, "source", "in /sources"});
      if (routing[i].contains("segment"))
        check_name(routing[i]["segment"], base + "/segment", {segments_, "segment", "named in a segment_mix"});
    }
    const json& speed = sales["speed_to_lead"];
    if (speed["preset"] == "table") {
      const json& table = speed["table"];
      if (table.empty())
        add("/sales/speed_to_lead/table", "at least one [hours, multiplier] point for preset table", "no points");
      for (std::size_t i = 1; i < table.size(); ++i)
        if (!(table[i][0].get<double>() > table[i - 1][0].get<double>()))
          add(fmt::format("/sales/speed_to_lead/table/{}/0", i), "hours greater than the previous point's",
              table[i][0].dump());
    }
  }

  void check_pipeline(const json& pipeline) {
    const std::set<std::string> sources(source_names_.begin(), source_names_.end());
    check_names(pipeline["opportunity_rate_by_source"], "/pipeline/opportunity_rate_by_source",
                {sources, "source", "in /sources"});
    for (const char* key : {"amount", "cycle_days"})
      check_names(pipeline[key]["by_segment"], fmt::format("/pipeline/{}/by_segment", key),
                  {segments_, "segment", "named in a segment_mix"});
  }

  void check_nurture(const json& nurture) {
    const std::set<std::string> sources(source_names_.begin(), source_names_.end());
    const json& tracks = nurture["tracks"];
    for (std::size_t i = 0; i < tracks.size(); ++i) {
      const std::string base = fmt::format("/nurture/tracks/{}", i);
      const json& t = tracks[i];
      if (t.contains("sources"))
        for (std::size_t k = 0; k < t["sources"].size(); ++k)
          check_name(t["sources"][k], fmt::format("{}/sources/{}", base, k), {sources, "source", "in /sources"});
      if (t.contains("segments"))
        for (std::size_t k = 0; k < t["segments"].size(); ++k)
          check_name(t["segments"][k], fmt::format("{}/segments/{}", base, k),
                     {segments_, "segment", "named in a segment_mix"});
      if (t["min_score"].get<double>() > t["max_score"].get<double>())
        add(base + "/max_score", fmt::format("a number >= min_score ({})", t["min_score"].dump()),
            t["max_score"].dump());
    }
  }

  void check_backlog(const json& backlog) {
    const std::set<std::string> sources(source_names_.begin(), source_names_.end());
    for (std::size_t i = 0; i < backlog.size(); ++i) {
      const std::string base = fmt::format("/backlog/{}", i);
      check_name(backlog[i]["source"], base + "/source", {sources, "source", "in /sources"});
      const json& score = backlog[i]["nurture_score"];
      if (score[0].get<double>() > score[1].get<double>())
        add(base + "/nurture_score", "[min, max] with min <= max", score.dump());
      if (backlog[i]["open_opportunities"].get<int>() > 0 && !doc_.contains("pipeline"))
        add(base + "/open_opportunities", "0 without a pipeline section (opportunities need one)",
            backlog[i]["open_opportunities"].dump());
    }
  }

  const json& doc_;
  const json& raw_;
  std::set<std::string> reported_defaults_;
  std::vector<std::string> source_names_;
  std::set<std::string> attributes_, events_, segments_;
  std::vector<Issue> issues_;
};

std::optional<double> optional_number(const json& value) {
  if (value.is_null()) return std::nullopt;
  return value.get<double>();
}

ThresholdOverride threshold_override_from(const json& j) {
  ThresholdOverride o;
  if (j.contains("mql_threshold")) o.mql = j["mql_threshold"].get<double>();
  if (j.contains("fit_threshold")) o.fit = j["fit_threshold"].get<double>();
  if (j.contains("engagement_threshold")) o.engagement = j["engagement_threshold"].get<double>();
  return o;
}

/// A profile's event_rate_scale where neither the source nor profile_defaults sets it. Not a
/// schema default: a filled-in default would change every resolved scenario (and its sha256).
constexpr double kEventRateScaleAbsent = 1.0;

LeadProfile profile_from(const json& j) {
  LeadProfile p;
  // Weights have no maximum: scaled by the largest first, so that 1e308 + 1e308 cannot
  // overflow the sum to infinity (every share would become 0).
  double largest = 0.0, mix_sum = 0.0;
  for (const auto& [name, w] : j["segment_mix"].items()) largest = std::max(largest, w.get<double>());
  for (const auto& [name, w] : j["segment_mix"].items()) mix_sum += w.get<double>() / largest;
  for (const auto& [name, w] : j["segment_mix"].items())
    p.segment_mix.push_back({name, w.get<double>() / largest / mix_sum});
  const json& r = j["readiness"];
  p.readiness.distribution =
      r["distribution"] == "fixed" ? ReadinessSpec::Distribution::fixed : ReadinessSpec::Distribution::beta;
  p.readiness.alpha = r["alpha"].get<double>();
  p.readiness.beta = r["beta"].get<double>();
  p.readiness.value = r["value"].get<double>();
  for (const auto& [name, a] : j["attributes"].items())
    p.attributes.push_back({name, a["probability"].get<double>(), a["readiness_correlation"].get<double>()});
  if (const json& sig = j["intent_signals"]; !sig.is_null()) {
    p.signal_rate_at_readiness_0 = sig["rate_at_readiness_0"].get<double>();
    p.signal_rate_at_readiness_1 = sig["rate_at_readiness_1"].get<double>();
    if (!sig["half_life_days"].is_null()) p.signal_half_life_days = sig["half_life_days"].get<double>();
  }
  for (const auto& [name, e] : j["events"].items())
    p.events.push_back({name, e["rate_at_readiness_0"].get<double>(), e["rate_at_readiness_1"].get<double>(),
                        optional_number(e["half_life_days"])});
  p.event_rate_scale = j.value("event_rate_scale", kEventRateScaleAbsent);
  return p;
}

SourceSpec source_from(const json& j) {
  SourceSpec s;
  s.name = j["name"].get<std::string>();
  s.description = j.value("description", "");
  if (j.contains("budget_per_week")) {
    // leads = reference_leads * (budget / reference_budget)^elasticity; the budget is the spend.
    const json& curve = j["spend_curve"];
    const double budget = j["budget_per_week"].get<double>();
    s.budget_per_week = budget;
    s.leads_per_week =
        curve["reference_leads_per_week"].get<double>() *
        std::pow(budget / curve["reference_budget_per_week"].get<double>(), curve["elasticity"].get<double>());
  } else {
    s.leads_per_week = j["leads_per_week"].get<double>();
  }
  s.week_multipliers = j["week_multipliers"].get<std::vector<double>>();
  double dow_sum = 0.0;
  for (int d = 0; d < 7; ++d) dow_sum += j["day_of_week_weights"][d].get<double>();
  for (int d = 0; d < 7; ++d) s.day_of_week_weights[d] = 7.0 * j["day_of_week_weights"][d].get<double>() / dow_sum;
  s.overdispersion = j["overdispersion"].get<double>();
  if (j.contains("spend_per_week")) s.spend_per_week = j["spend_per_week"].get<double>();
  if (s.budget_per_week)
    s.spend_per_week = s.budget_per_week;
  else
    s.cost_per_lead = j.value("cost_per_lead", 0.0);
  s.profile = profile_from(j["profile"]);
  return s;
}

std::vector<ScoringSpec::NamedValue> named_values(const json& object) {
  std::vector<ScoringSpec::NamedValue> out;
  for (const auto& [name, v] : object.items()) out.push_back({name, v.get<double>()});
  return out;
}

std::vector<ScoringSpec::NamedOverride> named_overrides(const json& object) {
  std::vector<ScoringSpec::NamedOverride> out;
  for (const auto& [name, v] : object.items()) out.push_back({name, threshold_override_from(v)});
  return out;
}

ScoringSpec scoring_from(const json& j) {
  ScoringSpec s;
  s.attribute_points = named_values(j["attribute_points"]);
  s.event_points = named_values(j["event_points"]);
  for (const auto& [event, group] : j["event_groups"].items()) s.event_groups.emplace_back(event, group);
  const json& caps = j["caps"];
  s.fit_cap = optional_number(caps["fit"]);
  s.engagement_cap = optional_number(caps["engagement"]);
  s.total_cap = optional_number(caps["total"]);
  s.group_caps = named_values(caps["groups"]);
  const json& decay = j["decay"];
  const auto model = decay["model"].get<std::string>();
  s.decay = model == "half_life" ? ScoringSpec::Decay::half_life
            : model == "window"  ? ScoringSpec::Decay::window
                                 : ScoringSpec::Decay::none;
  s.half_life_days = decay["half_life_days"].get<double>();
  s.window_days = decay["window_days"].get<double>();
  s.disqualifiers = j["disqualifiers"].get<std::vector<std::string>>();
  s.instant_mql_events = j["instant_mql_events"].get<std::vector<std::string>>();
  s.rule = j["rule"] == "fit_and_engagement" ? ScoringSpec::Rule::fit_and_engagement : ScoringSpec::Rule::threshold;
  s.thresholds = {j["mql_threshold"].get<double>(), j["fit_threshold"].get<double>(),
                  j["engagement_threshold"].get<double>()};
  s.by_segment = named_overrides(j["by_segment"]);
  s.by_source = named_overrides(j["by_source"]);
  if (const json& f = j["sdr_follow_up"]; !f.is_null())
    s.sdr_follow_up = ScoringSpec::SdrFollowUp{f["min_fit"].get<double>(), f["after_days"].get<double>(),
                                               f["qualify_probability"].get<double>()};
  return s;
}

SalesAcceptanceSpec acceptance_from(const json& j) {
  SalesAcceptanceSpec a;
  a.model = j["model"] == "logistic" ? SalesAcceptanceSpec::Model::logistic : SalesAcceptanceSpec::Model::linear;
  a.at_readiness_0 = j["at_readiness_0"].get<double>();
  a.at_readiness_1 = j["at_readiness_1"].get<double>();
  a.midpoint = j["midpoint"].get<double>();
  a.steepness = j["steepness"].get<double>();
  a.ceiling = j["ceiling"].get<double>();
  a.bad_fit_below_readiness = j["bad_fit_below_readiness"].get<double>();
  return a;
}

int weekday_index(const std::string& name);

bool has(const json& list, const char* value) { return std::find(list.begin(), list.end(), value) != list.end(); }

NurtureSpec nurture_from(const json& j) {
  NurtureSpec n;
  for (const json& t : j["tracks"]) {
    TrackSpec track;
    track.name = t["name"].get<std::string>();
    if (t.contains("sources")) track.sources = t["sources"].get<std::vector<std::string>>();
    if (t.contains("segments")) track.segments = t["segments"].get<std::vector<std::string>>();
    track.min_score = t["min_score"].get<double>();
    track.max_score = t["max_score"].get<double>();
    track.for_new = has(t["reasons"], "new");
    track.for_not_ready = has(t["reasons"], "not_ready");
    track.for_cold = has(t["reasons"], "cold");
    track.duration_days = t["duration_days"].get<double>();
    track.touches_per_week = t["touches_per_week"].get<double>();
    track.lift_per_touch = t["lift_per_touch"].get<double>();
    track.cost_per_touch = t["cost_per_touch"].get<double>();
    n.tracks.push_back(std::move(track));
  }
  n.dormant_rate_multiplier = j["dormant_rate_multiplier"].get<double>();
  const json& r = j["recycling"];
  n.recycling = r["enabled"].get<bool>();
  n.recycle_not_ready = has(r["reasons"], "not_ready");
  n.recycle_cold = has(r["reasons"], "cold");
  n.cooldown_days = r["cooldown_days"].get<double>();
  n.max_recycles = r["max_recycles"].get<int>();
  return n;
}

ProbabilityLine probability_line_from(const json& j) {
  return {j["at_readiness_0"].get<double>(), j["at_readiness_1"].get<double>()};
}

SegmentedDistribution segmented_from(const json& j) {
  SegmentedDistribution d{{j["mean"].get<double>(), j["cv"].get<double>()}, {}};
  for (const auto& [segment, v] : j["by_segment"].items())
    d.by_segment.emplace_back(segment,
                              SegmentedDistribution::Value{v.value("mean", d.base.mean), v.value("cv", d.base.cv)});
  return d;
}

PipelineSpec pipeline_from(const json& j) {
  PipelineSpec p;
  p.opportunity_rate = probability_line_from(j["opportunity_rate"]);
  for (const auto& [source, m] : j["opportunity_rate_by_source"].items())
    p.opportunity_rate_by_source.emplace_back(source, m.get<double>());
  p.win_rate = probability_line_from(j["win_rate"]);
  p.amount = segmented_from(j["amount"]);
  p.cycle_days = segmented_from(j["cycle_days"]);
  if (!j["coverage_target"].is_null()) p.coverage_target = j["coverage_target"].get<double>();
  if (const json& ae = j["account_executives"]; !ae.is_null())
    p.account_executives =
        AccountExecutiveSpec{ae["headcount"].get<int>(), ae["max_open_per_ae"].get<int>(),
                             ae["patience_days"].get<double>(), ae["cost_per_ae_per_week"].get<double>()};
  return p;
}

/// The per-rep rule: a list of per-rep values describes the reps in order and repeats when the team
/// has more reps than entries (rep k takes entry k mod n, so doubling a team doubles each kind of
/// rep); a smaller team takes the first entries. A list as long as the team is read as written.
const json& per_rep_value(const json& list, std::size_t rep) { return list[rep % list.size()]; }

SalesSpec sales_from(const json& j) {
  SalesSpec sales;
  for (const json& t : j["teams"]) {
    TeamSpec team;
    team.name = t["name"].get<std::string>();
    team.headcount = t["headcount"].get<int>();
    const json& cal = t["calendar"];
    team.calendar.always_open = cal["always_open"].get<bool>();
    team.calendar.start_hour = cal["hours"][0].get<double>();
    team.calendar.end_hour = cal["hours"][1].get<double>();
    team.calendar.working_days.fill(false);
    for (const json& day : cal["working_days"])
      team.calendar.working_days[weekday_index(day.get<std::string>())] = true;
    team.calendar.holidays = cal["holidays"].get<std::vector<int>>();
    const json& h = t["handle_time"];
    const auto distribution = h["distribution"].get<std::string>();
    team.handle_time.distribution = distribution == "fixed"         ? HandleTimeSpec::Distribution::fixed
                                    : distribution == "exponential" ? HandleTimeSpec::Distribution::exponential
                                    : distribution == "gamma"       ? HandleTimeSpec::Distribution::gamma
                                                                    : HandleTimeSpec::Distribution::lognormal;
    team.handle_time.mean_minutes = h["mean_minutes"].get<double>();
    team.handle_time.cv = h["cv"].get<double>();
    if (!t["daily_cap_per_rep"].is_null()) team.daily_cap_per_rep = t["daily_cap_per_rep"].get<int>();
    const json& strictness = t["strictness"];
    for (std::size_t rep = 0; rep < static_cast<std::size_t>(team.headcount); ++rep)
      team.strictness.push_back(strictness.is_array() ? per_rep_value(strictness, rep).get<double>()
                                                      : strictness.get<double>());
    const auto discipline = t["queue_discipline"].get<std::string>();
    team.discipline = discipline == "highest_score"   ? TeamSpec::Discipline::highest_score
                      : discipline == "instant_first" ? TeamSpec::Discipline::instant_first
                                                      : TeamSpec::Discipline::fifo;
    const json& c = t["contact"];
    team.contact.max_attempts = c["max_attempts"].get<int>();
    team.contact.retry_hours = c["retry_hours"].get<std::vector<double>>();
    team.contact.reach_initial = c["reach_probability"]["initial"].get<double>();
    team.contact.reach_floor = c["reach_probability"]["floor"].get<double>();
    team.contact.reach_half_life_hours = c["reach_probability"]["half_life_hours"].get<double>();
    const auto patience = c["patience"]["distribution"].get<std::string>();
    team.contact.patience = patience == "none"          ? ContactSpec::Patience::none
                            : patience == "exponential" ? ContactSpec::Patience::exponential
                                                        : ContactSpec::Patience::fixed;
    team.contact.patience_mean_days = c["patience"]["mean_days"].get<double>();
    team.sla_hours_instant = t["sla_hours"]["instant"].get<double>();
    team.sla_hours_engagement = t["sla_hours"]["engagement"].get<double>();
    team.cost_per_rep_per_week = t["cost_per_rep_per_week"].get<double>();
    sales.teams.push_back(std::move(team));
  }
  for (const json& r : j["routing"]) {
    RouteSpec route;
    if (r.contains("source")) route.source = r["source"].get<std::string>();
    if (r.contains("segment")) route.segment = r["segment"].get<std::string>();
    route.team = r["team"].get<std::string>();
    sales.routing.push_back(std::move(route));
  }
  const json& speed = j["speed_to_lead"];
  const auto preset = speed["preset"].get<std::string>();
  sales.speed_to_lead.preset = preset == "none"    ? SpeedToLeadSpec::Preset::none
                               : preset == "steep" ? SpeedToLeadSpec::Preset::steep
                               : preset == "table" ? SpeedToLeadSpec::Preset::table
                                                   : SpeedToLeadSpec::Preset::mild;
  for (const json& point : speed["table"])
    sales.speed_to_lead.table.emplace_back(point[0].get<double>(), point[1].get<double>());
  return sales;
}

/// The offset of the first byte that is not part of well-formed UTF-8 (RFC 3629: no overlong
/// forms, no surrogates, nothing past U+10FFFF), or npos.
std::size_t invalid_utf8_at(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    std::size_t continuation = 0;
    unsigned char low = 0x80, high = 0xBF;  // allowed range of the first continuation byte
    if (c >= 0xC2 && c <= 0xDF)
      continuation = 1;
    else if (c == 0xE0)
      continuation = 2, low = 0xA0;
    else if (c == 0xED)
      continuation = 2, high = 0x9F;
    else if (c >= 0xE1 && c <= 0xEF)
      continuation = 2;
    else if (c == 0xF0)
      continuation = 3, low = 0x90;
    else if (c == 0xF4)
      continuation = 3, high = 0x8F;
    else if (c >= 0xF1 && c <= 0xF3)
      continuation = 3;
    else
      return i;
    for (std::size_t k = 1; k <= continuation; ++k) {
      if (i + k >= s.size()) return i;  // cut short by the end
      const auto b = static_cast<unsigned char>(s[i + k]);
      if (k == 1 ? (b < low || b > high) : (b < 0x80 || b > 0xBF)) return i + k;
    }
    i += continuation + 1;
  }
  return std::string_view::npos;
}

/// json::contains, except that an array token that is no index ("", "x", an index past 2^64)
/// means "not there" instead of throwing nlohmann's parse_error or out_of_range.
bool contains_path(const json& doc, const json::json_pointer& pointer) {
  try {
    return doc.contains(pointer);
  } catch (const json::exception&) {
    return false;
  }
}

int weekday_index(const std::string& name) {
  static const char* names[] = {"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"};
  for (int i = 0; i < 7; ++i)
    if (name == names[i]) return i;
  return 0;  // unreachable: the schema's enum admits only these names
}

}  // namespace

Override Override::parse(std::string_view text) {
  // Not JSON, so nothing else checks it: a string that is not UTF-8 would reach the document
  // and fail only when printed (validate --resolved).
  if (const std::size_t bad = invalid_utf8_at(text); bad != std::string_view::npos)
    throw ScenarioError({Issue{
        "", std::string(kOverrideUtf8),
        fmt::format("byte 0x{:02X} at offset {}, which is not UTF-8", static_cast<unsigned char>(text[bad]), bad)}});
  const auto eq = text.find('=');
  if (eq == std::string_view::npos || eq == 0 || text.front() != '/')
    throw ScenarioError({Issue{"", std::string(kOverrideForm), fmt::format("\"{}\"", text)}});
  return Override{std::string(text.substr(0, eq)), std::string(text.substr(eq + 1))};
}

json Override::json_value() const { return json::accept(value) ? parse_json_text(value) : json(value); }

void apply_overrides(json& doc, const std::vector<Override>& overrides) {
  for (const auto& o : overrides) {
    json::json_pointer pointer;
    try {
      pointer = json::json_pointer(o.pointer);
    } catch (const json::exception&) {
      throw ScenarioError(
          {Issue{o.pointer, fmt::format("a JSON Pointer such as /sources/0/leads_per_week{}", kInOverride),
                 fmt::format("\"{}\"", o.pointer)}});
    }
    json value;
    try {
      value = o.json_value();
    } catch (const ScenarioError& e) {  // JSON, but a repeated key or too deep: say where
      std::vector<Issue> issues = e.issues();
      for (Issue& issue : issues) issue.path = o.pointer + issue.path, issue.expected += kInOverride;
      throw ScenarioError(std::move(issues));
    }
    const auto parent = pointer.parent_pointer();
    const std::string parent_text = parent.to_string().empty() ? "/" : parent.to_string();
    if (!contains_path(doc, parent))
      throw ScenarioError({Issue{o.pointer, fmt::format("a path whose parent {} exists{}", parent_text, kInOverride),
                                 "no such parent"}});
    json& target = doc[parent];
    const std::string last = pointer.back();
    if (target.is_object()) {
      target[last] = std::move(value);
    } else if (target.is_array()) {
      if (last == "-") {
        target.push_back(std::move(value));
        continue;
      }
      std::size_t index = 0;
      auto [end, ec] = std::from_chars(last.data(), last.data() + last.size(), index);
      if (ec != std::errc{} || end != last.data() + last.size() || index >= target.size())
        throw ScenarioError(
            {Issue{o.pointer, fmt::format("an index below {} or - to append{}", target.size(), kInOverride),
                   fmt::format("\"{}\"", last)}});
      target[index] = std::move(value);
    } else {
      throw ScenarioError({Issue{o.pointer, fmt::format("{} to be an object or an array{}", parent_text, kInOverride),
                                 fmt::format("a {}", target.type_name())}});
    }
  }
}

json resolved_scenario_json(const json& doc) {
  // First: validation compares and prints values recursively (see kMaxJsonDepth).
  if (auto issue = json_depth_issue(doc)) throw ScenarioError({*issue});
  if (auto issues = scenario_schema().validate(doc); !issues.empty()) {
    for (Issue& issue : issues) {
      if (issue.found != "an object" || issue.path.empty()) continue;
      const json::json_pointer pointer(issue.path);
      if (doc.contains(pointer) && doc.at(pointer).contains("uncertain"))
        issue.expected +=
            " (an uncertain value is drawn per replication by run, compare, sweep and sensitivity; bench needs fixed "
            "values)";
    }
    throw ScenarioError(std::move(issues));
  }
  json merged = doc;
  const json defaults = doc.value("profile_defaults", json::object());
  for (auto& source : merged["sources"]) {
    // Merging onto an empty object drops nulls in both layers (RFC 7386), so a source can
    // remove an inherited attribute or event with null.
    json profile = json::object();
    profile.merge_patch(defaults);
    if (source.contains("profile")) profile.merge_patch(source["profile"]);
    source["profile"] = std::move(profile);
  }
  json resolved = scenario_schema().with_defaults(merged);
  resolved.erase("profile_defaults");  // merged into every source; erased after defaults re-add it
  if (auto issues = SemanticChecker(resolved, doc).run(); !issues.empty()) throw ScenarioError(std::move(issues));
  return resolved;
}

std::optional<NumericField> numeric_field(const json& doc, std::string_view pointer) {
  const json* schema = scenario_schema().schema_at(doc, pointer);
  if (!schema || !schema->contains("type")) return std::nullopt;
  const json& type = schema->at("type");
  auto allows = [&](const char* name) { return type == name || (type.is_array() && has(type, name)); };
  if (!allows("number") && !allows("integer")) return std::nullopt;
  NumericField field;
  field.integer = !allows("number");
  constexpr double inf = std::numeric_limits<double>::infinity();
  if (auto it = schema->find("minimum"); it != schema->end()) field.lower = it->get<double>();
  if (auto it = schema->find("exclusiveMinimum"); it != schema->end())
    field.lower = std::max(field.lower, std::nextafter(it->get<double>(), inf));
  if (auto it = schema->find("maximum"); it != schema->end()) field.upper = it->get<double>();
  if (auto it = schema->find("exclusiveMaximum"); it != schema->end())
    field.upper = std::min(field.upper, std::nextafter(it->get<double>(), -inf));
  if (auto it = schema->find("default"); it != schema->end() && it->is_number()) field.absent = it->get<double>();
  if (pointer.ends_with("/event_rate_scale")) field.absent = kEventRateScaleAbsent;
  return field;
}

namespace {

/// A snake_case name in words: "paid_social" -> "Paid social", with the funnel's acronyms in
/// capitals ("enterprise_sdr" -> "Enterprise SDR").
std::string words(std::string_view name) {
  static constexpr std::string_view kAcronyms[] = {"sdr", "ae",  "mql", "sql", "smb", "vp",  "cto", "cfo", "ceo",
                                                   "cmo", "b2b", "seo", "ppc", "abm", "sla", "roi", "it"};
  std::string out;
  std::size_t start = 0;
  while (start <= name.size()) {
    const std::size_t end = std::min(name.find('_', start), name.size());
    std::string word(name.substr(start, end - start));
    if (std::find(std::begin(kAcronyms), std::end(kAcronyms), word) != std::end(kAcronyms))
      for (char& c : word) c = static_cast<char>(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
    if (!out.empty()) out += ' ';
    out += word;
    start = end + 1;
  }
  if (!out.empty() && out[0] >= 'a' && out[0] <= 'z') out[0] = static_cast<char>(out[0] - 'a' + 'A');
  return out;
}

/// A title inside a sentence: its first letter small unless it starts an acronym ("MQL threshold").
std::string after_colon(std::string title) {
  if (title.size() >= 2 && title[0] >= 'A' && title[0] <= 'Z' && !(title[1] >= 'A' && title[1] <= 'Z'))
    title[0] = static_cast<char>(title[0] - 'A' + 'a');
  return title;
}

/// A unit as a title shows it: "currency/lead" -> "$ per lead", "leads/week" -> "per week".
std::string unit_words(std::string_view unit) {
  if (unit.empty() || unit == "probability" || unit == "readiness") return {};
  const std::size_t slash = unit.find('/');
  std::string_view of = unit.substr(0, slash);
  const std::string what = of == "currency" ? std::string("$") : of == "leads" ? std::string() : std::string(of);
  if (slash == std::string_view::npos) return what;
  return fmt::format("{}{}per {}", what, what.empty() ? "" : " ", unit.substr(slash + 1));
}

bool is_index(std::string_view token) {
  return !token.empty() && std::all_of(token.begin(), token.end(), [](char c) { return c >= '0' && c <= '9'; });
}

/// A file name as a scenario name: a name must be UTF-8 (every output writes it in JSON).
std::string name_from_file(const std::string& file_name) { return utf8_or_replaced(file_name); }

}  // namespace

std::string parameter_title(const json& doc, std::string_view pointer) {
  const JsonSchema& schema = scenario_schema();
  if (!schema.schema_at(doc, pointer)) return std::string(pointer);
  std::vector<std::string> qualifiers;
  std::string prefix, last_key, title, position;
  const json* node = &doc;
  std::size_t start = 1;
  while (start <= pointer.size()) {
    const std::size_t end = std::min(pointer.find('/', start), pointer.size());
    const std::string token = unescape_pointer_token(pointer.substr(start, end - start));
    const bool leaf = end == pointer.size();
    const json* parent_schema = schema.schema_at(doc, prefix);
    const json* next = nullptr;
    bool field = false;  // a property of an object, not an array item or a named value
    if (node && node->is_array() && is_index(token)) {
      const std::size_t i = static_cast<std::size_t>(std::stoull(token));
      next = i < node->size() ? &(*node)[i] : nullptr;
      if (next && next->is_object() && next->contains("name") && (*next)["name"].is_string())
        qualifiers.push_back(words((*next)["name"].get<std::string>()));
      else if (leaf)
        position = fmt::format(", item {}", i + 1);
      else
        qualifiers.push_back(fmt::format("item {}", i + 1));
    } else {
      if (node && node->is_object() && node->contains(token)) next = &(*node)[token];
      // A key of a name-keyed object (additionalProperties, no property of that name) is a name.
      const bool named_key = parent_schema && parent_schema->contains("additionalProperties") &&
                             (*parent_schema)["additionalProperties"].is_object() &&
                             !(parent_schema->contains("properties") && (*parent_schema)["properties"].contains(token));
      if (named_key)
        qualifiers.push_back(words(token));
      else
        last_key = token, field = true;
    }
    node = next;
    prefix += '/';
    prefix += escape_pointer_token(token);
    if (leaf) {
      const json* own = schema.schema_at(doc, prefix);
      // An array item or a named value takes its container's title (and unit).
      const json* container = field ? nullptr : parent_schema;
      for (const json* s : {own, container})
        if (title.empty() && s && s->contains("title")) title = (*s)["title"].get<std::string>();
      if (title.empty()) {
        std::string unit;
        for (const json* s : {own, container})
          if (unit.empty() && s && s->contains("x-unit")) unit = unit_words((*s)["x-unit"].get<std::string>());
        const std::string key = last_key.empty() ? token : last_key;
        title = words(key);
        if (!unit.empty() && unit != key) title += fmt::format(" ({})", unit);  // not "Replications (replications)"
      }
    }
    start = end + 1;
  }
  title += position;
  if (qualifiers.empty()) return title;
  std::string out;
  for (const std::string& q : qualifiers) out += (out.empty() ? "" : ", ") + q;
  return out + ": " + after_colon(title);
}

Scenario scenario_from_json(const json& doc, const std::string& fallback_name) {
  const json j = resolved_scenario_json(doc);
  Scenario s;
  s.name = j.contains("name") ? j["name"].get<std::string>() : name_from_file(fallback_name);
  s.description = j.value("description", "");
  s.horizon_days = j["horizon_days"].get<int>();
  if (j["warmup_days"].is_string()) {  // "auto": worked out by the warm-up rule before the run
    s.warmup_days = 0;
    s.warmup_auto = true;
  } else {
    s.warmup_days = j["warmup_days"].get<int>();
  }
  s.start_weekday = weekday_index(j["start_weekday"].get<std::string>());
  s.seed = j["seed"].get<std::uint64_t>();
  s.replications = j["replications"].get<std::uint64_t>();
  for (const auto& source : j["sources"]) s.sources.push_back(source_from(source));
  s.scoring = scoring_from(j["scoring"]);
  s.sales_acceptance = acceptance_from(j["sales_acceptance"]);
  if (j.contains("sales")) s.sales = sales_from(j["sales"]);
  if (j.contains("pipeline")) s.pipeline = pipeline_from(j["pipeline"]);
  if (j.contains("nurture")) s.nurture = nurture_from(j["nurture"]);
  for (const json& b : j["backlog"])
    s.backlog.push_back(BacklogSpec{b["source"].get<std::string>(), b["leads_in_nurture"].get<int>(),
                                    b["nurture_score"][0].get<double>(), b["nurture_score"][1].get<double>(),
                                    b["mqls_waiting"].get<int>(), b["open_opportunities"].get<int>()});
  return s;
}

json read_scenario_document(const std::filesystem::path& file, const std::vector<Override>& overrides) {
  json doc = read_extended_document(file);
  apply_overrides(doc, overrides);  // after the merge: overrides have the last word
  return doc;
}

json read_scenario_text(std::string_view text, const std::filesystem::path& folder, const std::string& name,
                        const std::vector<Override>& overrides) {
  json doc = read_extended_text(text, folder, name);
  apply_overrides(doc, overrides);
  return doc;
}

Scenario load_scenario(const std::filesystem::path& file, const std::vector<Override>& overrides) {
  return scenario_from_json(read_scenario_document(file, overrides), file.stem().string());
}

}  // namespace funnelsim
