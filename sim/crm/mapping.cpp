#include "funnelsim/crm/mapping.hpp"

#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "core/json_pointer_token.hpp"
#include "funnelsim/core/usage_error.hpp"

namespace funnelsim::crm {
namespace {

using nlohmann::json;

constexpr std::pair<std::string_view, MappedStage> kStageKeys[] = {
    {"subscriber", MappedStage::subscriber},      {"lead", MappedStage::lead},
    {"marketingqualifiedlead", MappedStage::mql}, {"salesqualifiedlead", MappedStage::sql},
    {"opportunity", MappedStage::opportunity},    {"customer", MappedStage::customer},
    {"evangelist", MappedStage::evangelist},      {"other", MappedStage::other}};
constexpr std::pair<std::string_view, LeadStatus> kStatusKeys[] = {{"new", LeadStatus::new_lead},
                                                                   {"open", LeadStatus::open},
                                                                   {"attempted", LeadStatus::attempted},
                                                                   {"connected", LeadStatus::connected},
                                                                   {"bad_fit", LeadStatus::bad_fit},
                                                                   {"not_ready", LeadStatus::not_ready},
                                                                   {"unreachable", LeadStatus::unreachable},
                                                                   {"unresponsive", LeadStatus::unresponsive}};
constexpr std::pair<std::string_view, DealState> kDealStateKeys[] = {
    {"open", DealState::open}, {"won", DealState::won}, {"lost", DealState::lost}};
constexpr std::pair<std::string_view, MqlReason> kReasonKeys[] = {{"demo_request", MqlReason::demo_request},
                                                                  {"lead_score", MqlReason::lead_score},
                                                                  {"sdr_qualified", MqlReason::sdr_qualified},
                                                                  {"intent_signal", MqlReason::intent_signal}};

std::string shown(const json& value) {
  std::string text = value.dump();
  if (text.size() > 80) text = fmt::format("{}...", text.substr(0, 77));
  return text;
}

[[noreturn]] void fail(const std::string& file, const std::string& pointer, const std::string& expected,
                       const std::string& found) {
  throw UsageError(fmt::format("{} {}", file, pointer.empty() ? "/" : pointer),
                   fmt::format("expected {}, found {}", expected, found));
}

std::string escape_token(const std::string& key) { return escape_pointer_token(key); }

template <class Value, std::size_t N>
std::map<std::string, Value> value_map(const json& j, const std::string& file, const std::string& pointer,
                                       const std::pair<std::string_view, Value> (&names)[N]) {
  std::string allowed;
  for (const auto& [name, _] : names) {
    if (!allowed.empty()) allowed += ", ";
    allowed += name;
  }
  if (!j.is_object()) fail(file, pointer, "an object of your values and what each means", shown(j));
  std::map<std::string, Value> out;
  for (const auto& [key, value] : j.items()) {
    const std::string at = fmt::format("{}/{}", pointer, escape_token(key));
    if (!value.is_string()) fail(file, at, fmt::format("one of {}", allowed), shown(value));
    bool found = false;
    for (const auto& [name, v] : names)
      if (value.template get<std::string>() == name) {
        out[key] = v;
        found = true;
      }
    if (!found) fail(file, at, fmt::format("one of {}", allowed), shown(value));
  }
  return out;
}

}  // namespace

Mapping parse_mapping(const json& document, const std::string& file) {
  if (!document.is_object()) fail(file, "", "an object (a funnelsim mapping)", shown(document));
  Mapping m;
  for (const auto& [key, value] : document.items()) {
    const std::string at = fmt::format("/{}", escape_token(key));
    if (key == "run_id") continue;  // export-crm's mapping.json names its export
    if (key == "format") {
      if (!value.is_string() || (value != "hubspot" && value != "salesforce"))
        fail(file, at, "\"hubspot\" or \"salesforce\"", shown(value));
      m.format = parse_format(value.get<std::string>());
    } else if (key == "columns") {
      if (!value.is_object())
        fail(file, at, "an object of funnelsim's column labels and your column names", shown(value));
      for (const auto& [label, column] : value.items()) {
        if (!column.is_string() || column.get<std::string>().empty())
          fail(file, fmt::format("{}/{}", at, escape_token(label)), "the name of a column in your file", shown(column));
        m.columns[label] = column.get<std::string>();
      }
    } else if (key == "lifecycle_stages") {
      m.lifecycle_stages = value_map(value, file, at, kStageKeys);
    } else if (key == "lead_statuses") {
      m.lead_statuses = value_map(value, file, at, kStatusKeys);
    } else if (key == "deal_stages") {
      m.deal_stages = value_map(value, file, at, kDealStateKeys);
    } else if (key == "mql_reasons") {
      m.mql_reasons = value_map(value, file, at, kReasonKeys);
    } else if (key == "sources") {
      if (!value.is_array()) fail(file, at, "an array of {\"source\", \"when\"} rules", shown(value));
      for (std::size_t i = 0; i < value.size(); ++i) {
        const json& rule = value[i];
        const std::string r = fmt::format("{}/{}", at, i);
        if (!rule.is_object()) fail(file, r, "an object {\"source\": NAME, \"when\": {COLUMN: VALUE}}", shown(rule));
        SourceRule out;
        for (const auto& [k, v] : rule.items()) {
          if (k == "source") {
            if (!v.is_string() || v.get<std::string>().empty())
              fail(file, fmt::format("{}/source", r), "a source name", shown(v));
            out.source = v.get<std::string>();
          } else if (k == "when") {
            if (!v.is_object() || v.empty())
              fail(file, fmt::format("{}/when", r), "an object of column names and the values they must have",
                   shown(v));
            for (const auto& [column, text] : v.items()) {
              if (!text.is_string())
                fail(file, fmt::format("{}/when/{}", r, escape_token(column)), "the text the column must hold",
                     shown(text));
              out.when.emplace_back(column, text.get<std::string>());
            }
          } else {
            fail(file, fmt::format("{}/{}", r, escape_token(k)), "one of the keys source, when",
                 fmt::format("unknown key \"{}\"", k));
          }
        }
        if (out.source.empty())
          fail(file, fmt::format("{}/source", r), "a source name (this field is required)", "nothing");
        if (out.when.empty())
          fail(file, fmt::format("{}/when", r), "the columns to match (this field is required)", "nothing");
        m.sources.push_back(std::move(out));
      }
    } else {
      fail(file, at,
           "one of the keys columns, deal_stages, format, lead_statuses, lifecycle_stages, mql_reasons, sources",
           fmt::format("unknown key \"{}\"", key));
    }
  }
  return m;
}

Mapping read_mapping(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw UsageError(path, "expected a readable mapping file (JSON), found none");
  std::ostringstream text;
  text << in.rdbuf();
  const json document = json::parse(text.str(), nullptr, /*allow_exceptions=*/false);
  if (document.is_discarded()) throw UsageError(path, "expected JSON, found text that does not parse");
  return parse_mapping(document, path);
}

}  // namespace funnelsim::crm
