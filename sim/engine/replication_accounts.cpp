#include "engine/replication_accounts.hpp"

#include <limits>

#include "engine/window.hpp"

namespace funnelsim {

ReplicationAccounts::ReplicationAccounts(const CompiledModel& model, WeeklyLedger& ledger)
    : model_(model), ledger_(ledger), tallies_(model.sources.size()) {
  if (model.sales) team_tallies_.resize(model.sales->teams.size());
}

void ReplicationAccounts::start() {
  for (FunnelTally& tally : tallies_) {
    tally.clear();
    tally.counts.has_sales = model_.sales.has_value();
    tally.counts.has_pipeline = model_.pipeline.has_value();
  }
  sqls_.clear();
  rep_cost_total_ = 0.0;
  for (std::vector<double>* v : {&week_response_hours_, &week_responded_, &week_sla_met_, &week_sla_due_})
    v->assign(model_.sources.size() * static_cast<std::size_t>(model_.weeks), 0.0);
}

void ReplicationAccounts::count_journey(std::size_t s, const JourneyStart& start, const LeadOutcome& o) {
  FunnelTally& tally = tallies_[s];
  if (o.track >= 0) tally.counts.nurture_spend += o.touches * model_.nurture->tracks[o.track].cost_per_touch;
  if (o.path == MqlPath::none || !in_window(model_, o.mql_day)) return;
  FunnelCounts& c = tally.counts;
  c.mqls += 1;
  c.mqls_by_path[path_index(o.path)] += 1;
  if (o.ready) c.ready_mqls += 1;
  const double days = o.mql_day - o.arrival_day, from_arrival = o.mql_day - start.first_arrival();
  c.time_to_mql_sum += days;
  c.time_to_mql_from_arrival_sum += from_arrival;
  if (start.cycle > 0) {
    c.mqls_recycled += 1;
    c.recycled_time_to_mql_sum += days;
    c.recycled_time_to_mql_from_arrival_sum += from_arrival;
  }
  tally.time_to_mql_days.push_back(days);
  tally.time_to_mql_by_path[path_index(o.path)].push_back(days);
  ledger_.count_step(s, Series::mqls, o.mql_day);
}

void ReplicationAccounts::count_arrival(std::size_t s, const LeadOutcome& lead) {
  FunnelCounts& c = tallies_[s].counts;
  c.leads += 1;
  ledger_.count_step(s, Series::leads, lead.arrival_day);
  if (lead.disqualified) c.disqualified += 1;
  if (lead.ready) c.ready_leads += 1;
  // Recall follows the lead: did this ready arrival become an MQL within the horizon?
  if (lead.ready && lead.path != MqlPath::none) c.ready_leads_mql += 1;
}

void ReplicationAccounts::count_channel_spend(std::size_t s) {
  const CompiledSource& source = model_.sources[s];
  FunnelCounts& c = tallies_[s].counts;
  c.channel_spend = source.fixed_spend > 0.0 ? source.fixed_spend : c.leads * source.cost_per_lead;
}

void ReplicationAccounts::count_recycled(std::size_t s, double day) {
  if (in_window(model_, day)) tallies_[s].counts.recycled += 1;
}

void ReplicationAccounts::count_backlog_opportunity(std::size_t s, bool closed, bool won, double value) {
  FunnelCounts& c = tallies_[s].counts;
  if (!closed) {
    c.open_opportunities += 1;
    return;
  }
  if (won) {
    c.won_deals += 1;
    c.revenue += value;
  }
}

bool ReplicationAccounts::count_sql(const MqlRecord& mql, double day) {
  sqls_.push_back(SqlRecord{day, mql.readiness, mql.lead_id, mql.source, mql.segment});
  if (!in_window(model_, day)) return false;
  FunnelCounts& c = tallies_[mql.source].counts;
  c.sqls += 1;
  if (mql.cycle > 0) c.sqls_from_recycled += 1;
  ledger_.count_step(mql.source, Series::sqls, day);
  return true;
}

void ReplicationAccounts::count_rejection(std::size_t s, bool bad_fit, double day) {
  FunnelCounts& c = tallies_[s].counts;
  if (in_window(model_, day)) (bad_fit ? c.rejected_bad_fit : c.rejected_not_ready) += 1;
}

void ReplicationAccounts::count_sales(std::span<const MqlRecord> mqls, std::span<const MqlOutcome> outcomes,
                                      std::span<const TeamCounts> team_counts,
                                      std::span<const FollowUpRecord> follow_ups,
                                      std::span<const FollowUpOutcome> follow_up_outcomes) {
  for (std::size_t t = 0; t < team_tallies_.size(); ++t) {
    team_tallies_[t].clear();
    team_tallies_[t].counts = team_counts[t];
  }
  const std::size_t sources = model_.sources.size();
  team_source_busy_.assign(team_tallies_.size() * sources, 0.0);
  team_source_mqls_.assign(team_tallies_.size() * sources, 0.0);
  for (std::size_t i = 0; i < mqls.size(); ++i) {
    count_sale(mqls[i], outcomes[i]);
    team_source_busy_[outcomes[i].team * sources + mqls[i].source] += outcomes[i].busy_days;
    team_source_mqls_[outcomes[i].team * sources + mqls[i].source] += 1;
  }
  // A follow-up's rep time is charged to its lead's source, as an attempt's is.
  for (std::size_t k = 0; k < follow_ups.size(); ++k)
    team_source_busy_[follow_up_outcomes[k].team * sources + follow_ups[k].lead.source] +=
        follow_up_outcomes[k].busy_days;
  allocate_rep_cost();
}

void ReplicationAccounts::count_sale(const MqlRecord& mql, const MqlOutcome& o) {
  FunnelTally& tally = tallies_[mql.source];
  FunnelCounts& c = tally.counts;
  TeamTally& team_tally = team_tallies_[o.team];
  TeamCounts& t = team_tally.counts;
  const CompiledTeam& team = model_.sales->teams[o.team];
  const std::size_t path = mql.path == MqlPath::instant ? 0 : 1;
  const double deadline = mql.mql_day + team.sla_days[path];
  const bool sla_met = o.attempts > 0 && o.first_attempt_day <= deadline;
  // The week's rates: first attempts made in the week, SLA deadlines that fell in it.
  const std::size_t weeks = static_cast<std::size_t>(model_.weeks);
  if (o.attempts > 0 && in_window(model_, o.first_attempt_day)) {
    const std::size_t w = mql.source * weeks + week_of(model_, o.first_attempt_day);
    week_response_hours_[w] += 24.0 * (o.first_attempt_day - mql.mql_day);
    week_responded_[w] += 1;
  }
  if (in_window(model_, deadline)) {
    const std::size_t w = mql.source * weeks + week_of(model_, deadline);
    week_sla_due_[w] += 1;
    week_sla_met_[w] += sla_met;
  }
  if (in_window(model_, mql.mql_day)) {
    if (!mql.carried_over) t.mqls += 1;
    c.queue_entries += o.entries;
    c.queue_wait_hours_sum += 24.0 * o.wait_days;
    c.attempts += o.attempts;
    if (o.attempts > 0) {
      const double hours = 24.0 * (o.first_attempt_day - mql.mql_day);
      c.responded += 1;
      c.response_hours_sum += hours;
      tally.response_hours.push_back(hours);
      t.responded += 1;
      t.response_hours_sum += hours;
      team_tally.response_hours.push_back(hours);
    }
    // An SLA is due once it was met or its deadline passed within the horizon.
    if (o.attempts > 0 || deadline < model_.end_day) {
      c.sla_due[path] += 1;
      t.sla_due += 1;
      c.sla_met[path] += sla_met;
      t.sla_met += sla_met;
    }
  }
  // Unresolved at the horizon's end: the weekly backlog's last snapshot, per team.
  if (mql.mql_day < model_.end_day && (o.resolution == Resolution::open || !(o.resolution_day < model_.end_day)))
    t.backlog_end += 1;
  if (o.resolution == Resolution::sql && count_sql(mql, o.resolution_day)) t.sqls += 1;
  if (o.resolution == Resolution::open || !in_window(model_, o.resolution_day)) return;
  switch (o.resolution) {
    case Resolution::bad_fit:
      c.rejected_bad_fit += 1, t.rejected_bad_fit += 1;
      break;
    case Resolution::not_ready:
      c.rejected_not_ready += 1, t.rejected_not_ready += 1;
      break;
    case Resolution::unreachable:
      c.rejected_unreachable += 1, t.rejected_unreachable += 1;
      break;
    case Resolution::cold:
      c.cold += 1, t.cold += 1;
      break;
    case Resolution::sql:  // counted above
    case Resolution::open:
      break;
  }
}

/// A team's cost is shared among sources by the rep time their leads used (by MQLs routed
/// when the team made no attempt); a team that got no MQLs is charged to the whole funnel only.
void ReplicationAccounts::allocate_rep_cost() {
  const std::size_t sources = model_.sources.size();
  for (std::size_t t = 0; t < team_tallies_.size(); ++t) {
    const double cost = model_.sales->teams[t].rep_cost;
    rep_cost_total_ += cost;
    if (cost == 0.0) continue;
    double busy = 0.0, mqls = 0.0;
    for (std::size_t s = 0; s < sources; ++s)
      busy += team_source_busy_[t * sources + s], mqls += team_source_mqls_[t * sources + s];
    const std::vector<double>& weights = busy > 0.0 ? team_source_busy_ : team_source_mqls_;
    const double total = busy > 0.0 ? busy : mqls;
    if (total == 0.0) continue;
    for (std::size_t s = 0; s < sources; ++s) tallies_[s].counts.rep_cost += cost * weights[t * sources + s] / total;
  }
}

void ReplicationAccounts::count_pipeline(const CompiledPipeline& pipeline, std::span<const SqlRecord> sqls,
                                         std::span<const OpportunityOutcome> opportunities) {
  double created = 0.0;
  for (std::size_t i = 0; i < sqls.size(); ++i) {
    const OpportunityOutcome& o = opportunities[i];
    FunnelCounts& c = tallies_[sqls[i].source].counts;
    if (o.lost_no_capacity && in_window(model_, sqls[i].sql_day)) c.lost_capacity += 1;
    if (!o.created) continue;
    if (!o.closed) c.open_opportunities += 1;
    if (o.won && o.close_day >= model_.window_start) {
      c.won_deals += 1;
      c.revenue += o.amount;
    }
    if (!in_window(model_, o.created_day)) continue;
    created += 1;
    c.opportunities += 1;
    if (o.closed) c.opportunities_closed += 1;
    c.pipeline_value += o.amount;
    c.weighted_pipeline += o.amount * o.win_probability;
  }
  // AE cost follows the opportunities each source brought.
  rep_cost_total_ += pipeline.ae_cost;
  if (pipeline.ae_cost > 0.0 && created > 0.0)
    for (auto& tally : tallies_) tally.counts.rep_cost += pipeline.ae_cost * tally.counts.opportunities / created;
}

void ReplicationAccounts::write_rows(ReplicationTable& table, std::size_t slot, std::span<const RepCounts> reps) {
  const double coverage_target = model_.pipeline ? model_.pipeline->coverage_target : 0.0;
  for (std::size_t s = 0; s < model_.sources.size(); ++s) {
    tallies_[s].counts.in_nurture_end = ledger_.at_end(s, Series::in_nurture);
    tallies_[s].counts.backlog_end = ledger_.at_end(s, Series::in_sales_backlog);
  }
  total_.clear();
  for (std::size_t s = 0; s < model_.sources.size(); ++s) {
    total_.counts.add(tallies_[s].counts);
    const FunnelTally& t = tallies_[s];
    total_.time_to_mql_days.insert(total_.time_to_mql_days.end(), t.time_to_mql_days.begin(), t.time_to_mql_days.end());
    for (std::size_t p = 0; p < kMqlPathCount; ++p)
      total_.time_to_mql_by_path[p].insert(total_.time_to_mql_by_path[p].end(), t.time_to_mql_by_path[p].begin(),
                                           t.time_to_mql_by_path[p].end());
    total_.response_hours.insert(total_.response_hours.end(), t.response_hours.begin(), t.response_hours.end());
    compute_metrics(tallies_[s], coverage_target, table.row(slot, s + 1), table.components(slot, s + 1),
                    SampleOrder::percentiles_only);
  }
  // The whole funnel carries the known total, not a sum of rounded shares (which would also
  // leave out costs no source caused).
  total_.counts.rep_cost = rep_cost_total_;
  compute_metrics(total_, coverage_target, table.row(slot, 0), table.components(slot, 0),
                  SampleOrder::percentiles_only);
  write_weekly_rates(table, slot);
  if (!model_.sales) return;
  const std::size_t first_team = model_.sources.size() + 1;
  const std::size_t first_rep = first_team + team_tallies_.size();
  for (std::size_t t = 0; t < team_tallies_.size(); ++t)
    compute_team_metrics(team_tallies_[t], 24.0 * model_.horizon_days, table.row(slot, first_team + t),
                         table.components(slot, first_team + t), SampleOrder::percentiles_only);
  for (std::size_t r = 0; r < reps.size(); ++r)
    compute_rep_metrics(reps[r], table.row(slot, first_rep + r), table.components(slot, first_rep + r));
}

/// The week's first attempts, response time, SLA deadlines and attainment per source, and the whole
/// funnel's rates (from the summed counts, not an average of the sources' rates; the ledger sums
/// the counts); a rate is undefined (NaN) in a week without any.
void ReplicationAccounts::write_weekly_rates(ReplicationTable& table, std::size_t slot) const {
  const double undefined = std::numeric_limits<double>::quiet_NaN();
  const std::size_t weeks = static_cast<std::size_t>(model_.weeks), sources = model_.sources.size();
  auto rate = [&](double numerator, double denominator) {
    return denominator > 0.0 ? numerator / denominator : undefined;
  };
  auto response = table.weekly(slot, 0, Series::response_time_hours);
  auto sla = table.weekly(slot, 0, Series::sla_attainment);
  for (std::size_t w = 0; w < weeks; ++w) {
    double hours = 0.0, responded = 0.0, met = 0.0, due = 0.0;
    for (std::size_t s = 0; s < sources; ++s) {
      const std::size_t i = s * weeks + w;
      table.weekly(slot, s + 1, Series::first_attempts)[w] = week_responded_[i];
      table.weekly(slot, s + 1, Series::response_time_hours)[w] = rate(week_response_hours_[i], week_responded_[i]);
      table.weekly(slot, s + 1, Series::sla_due)[w] = week_sla_due_[i];
      table.weekly(slot, s + 1, Series::sla_attainment)[w] = rate(week_sla_met_[i], week_sla_due_[i]);
      hours += week_response_hours_[i], responded += week_responded_[i];
      met += week_sla_met_[i], due += week_sla_due_[i];
    }
    response[w] = rate(hours, responded);
    sla[w] = rate(met, due);
  }
}

}  // namespace funnelsim
