// The workshop's levers (levers.hpp). Each lever reads its current value from the document and
// writes the fields it names; ranges come from the schema (numeric_field), narrowed to what a
// slider can sensibly offer.
#include "levers.hpp"

#include <algorithm>
#include <cmath>
#include <string_view>

#include <fmt/format.h>

#include "funnelsim/scenario/error.hpp"
#include "funnelsim/scenario/loader.hpp"

namespace funnelsim::server {
namespace {

using nlohmann::json;

std::string team_pointer(std::size_t team, std::string_view field) {
  return fmt::format("/sales/teams/{}/{}", team, field);
}

Lever make_lever(std::string id, std::string label, std::string kind, std::string group,
                 std::vector<std::string> pointers) {
  Lever lever;
  lever.id = std::move(id);
  lever.label = std::move(label);
  lever.kind = std::move(kind);
  lever.group = std::move(group);
  lever.pointers = std::move(pointers);
  return lever;
}

const json* at(const json& document, const std::string& pointer) {
  const json::json_pointer p(pointer);
  return document.contains(p) ? &document.at(p) : nullptr;
}

/// A number lever on one field, its slider range the schema's bounds within [low, high].
void add_number(std::vector<Lever>& out, const json& document, std::string id, std::string group,
                const std::string& pointer, double low, double high, double step) {
  const json* current = at(document, pointer);
  if (current == nullptr || !current->is_number()) return;
  Lever lever = make_lever(std::move(id), parameter_title(document, pointer), "number", std::move(group), {pointer});
  const auto field = numeric_field(document, pointer);
  lever.min = field ? std::max(low, field->lower) : low;
  lever.max = field ? std::min(high, field->upper) : high;
  lever.step = field && field->integer ? std::max(1.0, step) : step;
  lever.max = std::max(lever.max, current->get<double>());
  lever.min = std::min(lever.min, current->get<double>());
  lever.value = *current;
  out.push_back(std::move(lever));
}

bool buys_leads(const json& source) {
  const auto number = [&](const char* key) { return source.contains(key) && source[key].is_number(); };
  return number("budget_per_week") || (number("leads_per_week") && number("cost_per_lead"));
}

double weekly_budget(const json& source) {
  if (source.contains("budget_per_week") && source["budget_per_week"].is_number())
    return source["budget_per_week"].get<double>();
  return source["leads_per_week"].get<double>() * source["cost_per_lead"].get<double>();
}

[[noreturn]] void bad_lever(const std::string& id, std::string expected, std::string found) {
  throw ScenarioError({{"/levers/" + id, std::move(expected), std::move(found)}});
}

std::string found_text(const json& value) {
  std::string text = value.dump(-1, ' ', false, json::error_handler_t::replace);
  if (text.size() > 60) text = text.substr(0, 57) + "...";
  return fmt::format("{} {}", value.type_name(), text);
}

/// Moves `amount` a week out of (sign -1) or into (+1) a source's channel budget: its budget when
/// it has one (a spend curve turns it into leads), else its leads at its cost per lead.
void shift_budget(json& source, double amount, int sign) {
  if (source.contains("budget_per_week") && source["budget_per_week"].is_number()) {
    source["budget_per_week"] = source["budget_per_week"].get<double>() + sign * amount;
  } else {
    const double cost = source["cost_per_lead"].get<double>();
    source["leads_per_week"] = source["leads_per_week"].get<double>() + sign * amount / cost;
  }
}

}  // namespace

std::vector<Lever> levers_of(const json& document) {
  std::vector<Lever> out;
  add_number(out, document, "threshold", "Scoring", "/scoring/mql_threshold", 20, 100, 1);

  const json* teams = at(document, "/sales/teams");
  if (teams != nullptr && teams->is_array()) {
    for (std::size_t t = 0; t < teams->size(); ++t) {
      const json& team = (*teams)[t];
      const std::string name = team.value("name", fmt::format("team {}", t + 1));
      const std::string group = "Sales desk: " + name;
      add_number(out, document, "sdrs." + name, group, team_pointer(t, "headcount"), 1, 12, 1);
      add_number(out, document, "sla_hours." + name, group, team_pointer(t, "sla_hours/engagement"), 1, 72, 1);
      Lever discipline =
          make_lever("discipline." + name, parameter_title(document, team_pointer(t, "queue_discipline")), "choice",
                     group, {team_pointer(t, "queue_discipline")});
      discipline.choices = {{"fifo", "FIFO (longest waiting)"},
                            {"instant_first", "Demo requests first"},
                            {"highest_score", "Highest score first"}};
      discipline.value = team.value("queue_discipline", "fifo");
      out.push_back(std::move(discipline));
    }
  }

  if (const json* nurture = at(document, "/nurture"); nurture != nullptr && nurture->is_object()) {
    Lever on = make_lever("nurture", "Nurture programme", "toggle", "Nurture and recycling", {"/nurture"});
    on.value = true;
    out.push_back(std::move(on));
    if (const json* enabled = at(document, "/nurture/recycling/enabled"); enabled && enabled->is_boolean()) {
      Lever recycling = make_lever("recycling", "Recycling of rejected leads", "toggle", "Nurture and recycling",
                                   {"/nurture/recycling/enabled"});
      recycling.value = *enabled;
      out.push_back(std::move(recycling));
      add_number(out, document, "recycle_cooldown", "Nurture and recycling", "/nurture/recycling/cooldown_days", 0, 120,
                 1);
    }
  }

  const json* sources = at(document, "/sources");
  std::vector<std::pair<std::string, std::string>> channels;
  double largest = 0;
  if (sources != nullptr && sources->is_array())
    for (const json& source : *sources)
      if (source.is_object() && source.contains("name") && source["name"].is_string() && buys_leads(source)) {
        channels.emplace_back(source["name"].get<std::string>(), source["name"].get<std::string>());
        largest = std::max(largest, weekly_budget(source));
      }
  if (channels.size() >= 2) {
    const std::vector<std::string> pointers{"/sources"};
    Lever from = make_lever("budget_from", "Move budget from", "choice", "Weekly budget", pointers);
    from.choices = channels;
    from.value = channels[channels.size() - 1].first;
    Lever to = make_lever("budget_to", "Move budget to", "choice", "Weekly budget", pointers);
    to.choices = channels;
    to.value = channels[0].first;
    Lever amount = make_lever("budget_shift", "Weekly budget moved ($ per week)", "number", "Weekly budget", pointers);
    amount.max = std::floor(largest / 100) * 100;
    amount.step = 100;
    amount.value = 0;
    out.push_back(std::move(from));
    out.push_back(std::move(to));
    out.push_back(std::move(amount));
  }
  return out;
}

json levers_json(const std::vector<Lever>& levers) {
  json out = json::array();
  for (const Lever& lever : levers) {
    json item{{"id", lever.id},       {"label", lever.label},       {"kind", lever.kind},
              {"group", lever.group}, {"pointers", lever.pointers}, {"value", lever.value}};
    if (lever.kind == "number") {
      item["min"] = lever.min;
      item["max"] = lever.max;
      item["step"] = lever.step;
    }
    if (lever.kind == "choice") {
      item["choices"] = json::array();
      for (const auto& [value, label] : lever.choices) item["choices"].push_back({{"value", value}, {"label", label}});
    }
    out.push_back(std::move(item));
  }
  return out;
}

json apply_levers(const json& document, const json& settings) {
  if (!settings.is_object()) throw ScenarioError({{"/levers", "an object of lever settings", found_text(settings)}});
  const std::vector<Lever> levers = levers_of(document);
  const auto find = [&](const std::string& id) -> const Lever* {
    for (const Lever& lever : levers)
      if (lever.id == id) return &lever;
    return nullptr;
  };
  json out = document;
  std::string from, to;
  double shift = 0;
  bool nurture = true;
  for (const auto& [id, value] : settings.items()) {
    const Lever* lever = find(id);
    if (lever == nullptr) {
      std::string known;
      for (const Lever& l : levers) known += (known.empty() ? "" : ", ") + l.id;
      bad_lever(id, "a lever of this scenario (" + known + ")", "\"" + id + "\"");
    }
    if (lever->kind == "number") {
      if (!value.is_number() || !std::isfinite(value.get<double>())) bad_lever(id, "a number", found_text(value));
      if (id == "budget_shift") {
        shift = value.get<double>();
        if (shift < 0) bad_lever(id, "a non-negative amount per week", fmt::format("{}", shift));
        continue;
      }
      out[json::json_pointer(lever->pointers[0])] = value;
    } else if (lever->kind == "toggle") {
      if (!value.is_boolean()) bad_lever(id, "true or false", found_text(value));
      if (id == "nurture")
        nurture = value.get<bool>();
      else
        out[json::json_pointer(lever->pointers[0])] = value;
    } else {
      const json& given = value;  // clang 14 cannot capture a structured binding
      const bool known = given.is_string() && std::any_of(lever->choices.begin(), lever->choices.end(),
                                                          [&](auto& c) { return c.first == given.get<std::string>(); });
      if (!known) {
        std::string choices;
        for (const auto& c : lever->choices) choices += (choices.empty() ? "" : ", ") + c.first;
        bad_lever(id, "one of " + choices, found_text(value));
      }
      if (id == "budget_from")
        from = value.get<std::string>();
      else if (id == "budget_to")
        to = value.get<std::string>();
      else
        out[json::json_pointer(lever->pointers[0])] = value;
    }
  }
  if (shift > 0) {
    const Lever* from_lever = find("budget_from");
    if (from.empty()) from = from_lever->value.get<std::string>();
    if (to.empty()) to = find("budget_to")->value.get<std::string>();
    if (from == to) bad_lever("budget_to", "a channel other than the one the budget moves from", "\"" + to + "\"");
    for (json& source : out["sources"]) {
      const std::string name = source["name"].get<std::string>();
      if (name == from) {
        const double budget = weekly_budget(source);
        if (shift > budget)
          bad_lever("budget_shift", fmt::format("at most {}'s weekly budget, {:.0f}", from, budget),
                    fmt::format("{}", shift));
        shift_budget(source, shift, -1);
      } else if (name == to) {
        shift_budget(source, shift, +1);
      }
    }
  }
  if (!nurture) out.erase("nurture");
  return out;
}

}  // namespace funnelsim::server
