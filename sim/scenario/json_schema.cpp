#include "scenario/json_schema.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <numeric>
#include <optional>
#include <bitset>
#include <set>
#include <stdexcept>
#include <unordered_map>

#include "core/json_pointer_token.hpp"

namespace funnelsim {

using nlohmann::json;

namespace {
constexpr std::string_view kRefPrefix = "#/$defs/";  // the only $ref form supported
}

namespace detail {

/// A "pattern" checked without a backtracking regex (std::regex recurses once per character and
/// overflows the stack on long strings). The subset: optional ^ and $ anchors around a sequence of
/// atoms (a literal character or a [class] of characters and ranges), each optionally followed by
/// *, +, ? or {n}. Matching simulates the automaton over every atom at once: linear in the text,
/// no recursion. Without ^ (or $) it searches, as JSON Schema's pattern does.
class Pattern {
 public:
  /// Throws std::invalid_argument naming what is not supported.
  explicit Pattern(std::string_view pattern) {
    if (!pattern.empty() && pattern.front() == '^') {
      anchored_start_ = true;
      pattern.remove_prefix(1);
    }
    if (!pattern.empty() && pattern.back() == '$') {
      anchored_end_ = true;
      pattern.remove_suffix(1);
    }
    for (std::size_t i = 0; i < pattern.size();) {
      Atom atom;
      if (pattern[i] == '[') {
        const std::size_t close = pattern.find(']', i + 1);
        if (close == std::string_view::npos || close == i + 1) throw std::invalid_argument("has an unclosed [class]");
        for (std::size_t k = i + 1; k < close; ++k) {
          if (k + 2 < close && pattern[k + 1] == '-') {
            for (int c = static_cast<unsigned char>(pattern[k]); c <= static_cast<unsigned char>(pattern[k + 2]); ++c)
              atom.chars.set(static_cast<std::size_t>(c));
            k += 2;
          } else {
            atom.chars.set(static_cast<unsigned char>(pattern[k]));
          }
        }
        i = close + 1;
      } else if (std::string_view("\\.()|?+*{}^$[]").find(pattern[i]) != std::string_view::npos) {
        throw std::invalid_argument(
            fmt::format("uses '{}' where this validator supports only [classes], literal characters, *, +, ? and {{n}}",
                        pattern[i]));
      } else {
        atom.chars.set(static_cast<unsigned char>(pattern[i++]));
      }
      std::size_t copies = 1;
      if (i < pattern.size() && (pattern[i] == '*' || pattern[i] == '?')) {
        (pattern[i] == '*' ? atom.repeated : atom.optional) = true;
        ++i;
      } else if (i < pattern.size() && pattern[i] == '+') {
        atoms_.push_back(atom);
        atom.repeated = true;
        ++i;
      } else if (i < pattern.size() && pattern[i] == '{') {
        const std::size_t close = pattern.find('}', i);
        const auto digits = pattern.substr(i + 1, close == std::string_view::npos ? 0 : close - i - 1);
        const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), copies);
        if (close == std::string_view::npos || digits.empty() || ec != std::errc() ||
            end != digits.data() + digits.size() || copies > 1000)
          throw std::invalid_argument("has a {n} that is not a count up to 1000");
        i = close + 1;
      }
      atoms_.insert(atoms_.end(), copies, atom);
    }
  }

  bool matches(std::string_view text) const {
    // states[k]: the atoms before k have matched the text read so far (since some start).
    std::vector<char> states(atoms_.size() + 1, 0), next(atoms_.size() + 1, 0);
    states[0] = 1;
    close(states);
    for (char ch : text) {
      if (states.back() && !anchored_end_) return true;
      std::fill(next.begin(), next.end(), 0);
      if (!anchored_start_) next[0] = 1;
      for (std::size_t k = 0; k < atoms_.size(); ++k) {
        if (!states[k] || !atoms_[k].chars.test(static_cast<unsigned char>(ch))) continue;
        next[atoms_[k].repeated ? k : k + 1] = 1;
      }
      close(next);
      states.swap(next);
    }
    return states.back() != 0;
  }

 private:
  struct Atom {
    std::bitset<256> chars;
    bool repeated = false;  // *: any number of times
    bool optional = false;  // ?: once or not at all
  };
  // A repeated or optional atom may also match nothing (in order: k + 1 sees the skip from k).
  void close(std::vector<char>& states) const {
    for (std::size_t k = 0; k < atoms_.size(); ++k)
      if (states[k] && (atoms_[k].repeated || atoms_[k].optional)) states[k + 1] = 1;
  }
  std::vector<Atom> atoms_;
  bool anchored_start_ = false;
  bool anchored_end_ = false;
};

struct CompiledSchema {
  json root;
  // Keyed by the schema object that holds "pattern"; `root` never moves once built, because a
  // CompiledSchema only lives behind a shared_ptr.
  std::unordered_map<const json*, Pattern> patterns;

  const json& resolve(const json& schema) const {  // cycles were rejected at construction
    const json* s = &schema;
    while (s->is_object() && s->contains("$ref")) {
      s = &root["$defs"][s->at("$ref").get<std::string>().substr(kRefPrefix.size())];
    }
    return *s;
  }

  // The schema for the value under `key` of an object governed by `s`, or nullptr if only
  // `additionalProperties: true/false` (or nothing) speaks about it.
  const json* property_schema(const json& s, const std::string& key) const {
    if (auto props = s.find("properties"); props != s.end() && props->contains(key)) {
      return &props->at(key);
    }
    auto extra = s.find("additionalProperties");
    return extra != s.end() && extra->is_object() ? &*extra : nullptr;
  }
};
}  // namespace detail

namespace {

constexpr std::string_view kTypes[] = {"object", "array", "string", "number", "integer", "boolean", "null"};
constexpr std::size_t kShownChars = 40;

struct Bound {
  std::string_view keyword;
  std::string_view op;
  bool (*holds)(double value, double limit);
};
constexpr Bound kBounds[] = {
    {"minimum", ">=", [](double v, double l) { return v >= l; }},
    {"exclusiveMinimum", ">", [](double v, double l) { return v > l; }},
    {"maximum", "<=", [](double v, double l) { return v <= l; }},
    {"exclusiveMaximum", "<", [](double v, double l) { return v < l; }},
};

std::string join(const std::vector<std::string>& parts, std::string_view separator) {
  std::string out;
  for (const auto& part : parts) out += (out.empty() ? "" : std::string(separator)) + part;
  return out;
}

std::string child_path(const std::string& path, std::string_view token) {
  return path + "/" + escape_pointer_token(token);
}

bool is_utf8_continuation(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

std::size_t utf8_length(std::string_view s) {
  return static_cast<std::size_t>(std::count_if(s.begin(), s.end(), [](char c) { return !is_utf8_continuation(c); }));
}

// The first `n` code points of `s` (never splits a multi-byte character).
std::string_view utf8_prefix(std::string_view s, std::size_t n) {
  std::size_t end = 0;
  for (std::size_t seen = 0; end < s.size(); ++end) {
    if (!is_utf8_continuation(s[end]) && seen++ == n) break;
  }
  return s.substr(0, end);
}

// Invalid UTF-8 can only come from documents built in code; show it rather than throw.
std::string dump(const json& v) { return v.dump(-1, ' ', false, json::error_handler_t::replace); }

std::string plural(std::size_t n, std::string_view noun) { return fmt::format("{} {}{}", n, noun, n == 1 ? "" : "s"); }

std::string quote_string(std::string_view s) {
  if (utf8_length(s) <= kShownChars) return dump(json(s));
  std::string text = dump(json(utf8_prefix(s, kShownChars)));
  return text.insert(text.size() - 1, "...");
}

std::string render(const json& v) {
  if (v.is_string()) return quote_string(v.get_ref<const std::string&>());
  if (v.is_object()) return "an object";
  if (v.is_array()) return fmt::format("an array of {}", plural(v.size(), "item"));
  return dump(v);
}

// Like render, but containers are shown as JSON: for duplicates, "an object" would say nothing.
std::string render_literal(const json& v) {
  if (v.is_string()) return render(v);
  const std::string text = dump(v);
  return utf8_length(text) <= kShownChars ? text : std::string(utf8_prefix(text, kShownChars)) + "...";
}

std::string format_number(const json& n) {
  if (n.is_number_unsigned()) return fmt::format("{}", n.get<std::uint64_t>());
  if (n.is_number_integer()) return fmt::format("{}", n.get<std::int64_t>());
  return fmt::format("{}", n.get<double>());
}

std::vector<std::string> type_list(const json& s) {
  auto type = s.find("type");
  if (type == s.end()) return {};
  return type->is_string() ? std::vector{type->get<std::string>()} : type->get<std::vector<std::string>>();
}

std::string type_phrase(std::string_view type) {
  if (type == "null") return "null";
  return fmt::format("{} {}", type == "integer" || type == "object" || type == "array" ? "an" : "a", type);
}

bool has_type(const json& v, std::string_view type) {
  if (type == "integer") {
    return v.is_number_integer() ||
           (v.is_number_float() && std::isfinite(v.get<double>()) && std::trunc(v.get<double>()) == v.get<double>());
  }
  return type == v.type_name();  // nlohmann's names match JSON Schema's for the other types
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  std::iota(row.begin(), row.end(), std::size_t{0});
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates) {
  const std::string match = closest_match(word, candidates);
  return match.empty() ? "" : fmt::format(" (did you mean {}?)", dump(json(match)));
}

bool is_type_name(const json& v) {
  return v.is_string() &&
         std::find(std::begin(kTypes), std::end(kTypes), v.get_ref<const std::string&>()) != std::end(kTypes);
}

// Every supported keyword with the shape its value must have; anything else is rejected.
struct Keyword {
  std::string_view name;
  bool annotation;
  std::string_view shape;
  bool (*fits)(const json& value);
};
constexpr auto kAny = [](const json&) { return true; };
constexpr auto kNumber = [](const json& v) { return v.is_number(); };
constexpr auto kCount = [](const json& v) { return v.is_number_integer() && v.get<std::int64_t>() >= 0; };
constexpr auto kObject = [](const json& v) { return v.is_object(); };
constexpr Keyword kKeywords[] = {
    {"$schema", true, "", kAny},
    {"$id", true, "", kAny},
    {"$comment", true, "", kAny},
    {"title", true, "", kAny},
    {"description", true, "", kAny},
    {"default", true, "", kAny},
    {"examples", true, "", kAny},
    {"x-unit", true, "", kAny},
    {"$defs", false, "an object", kObject},
    {"properties", false, "an object", kObject},
    {"$ref", false, "of the form \"#/$defs/Name\"",
     [](const json& v) { return v.is_string() && v.get_ref<const std::string&>().starts_with(kRefPrefix); }},
    {"type", false, "a JSON type name or an array of them",
     [](const json& v) {
       return is_type_name(v) || (v.is_array() && !v.empty() && std::all_of(v.begin(), v.end(), is_type_name));
     }},
    {"required", false, "an array of strings",
     [](const json& v) {
       return v.is_array() && std::all_of(v.begin(), v.end(), [](const json& x) { return x.is_string(); });
     }},
    {"additionalProperties", false, "", kAny},
    {"propertyNames", false, "", kAny},
    {"items", false, "", kAny},
    {"minProperties", false, "a non-negative integer", kCount},
    {"minItems", false, "a non-negative integer", kCount},
    {"maxItems", false, "a non-negative integer", kCount},
    {"minLength", false, "a non-negative integer", kCount},
    {"maxLength", false, "a non-negative integer", kCount},
    {"uniqueItems", false, "a boolean", [](const json& v) { return v.is_boolean(); }},
    {"minimum", false, "a number", kNumber},
    {"maximum", false, "a number", kNumber},
    {"exclusiveMinimum", false, "a number", kNumber},
    {"exclusiveMaximum", false, "a number", kNumber},
    {"enum", false, "a non-empty array", [](const json& v) { return v.is_array() && !v.empty(); }},
    {"const", false, "", kAny},
    {"pattern", false, "a string", [](const json& v) { return v.is_string(); }}};

const Keyword* find_keyword(std::string_view name) {
  auto it = std::find_if(std::begin(kKeywords), std::end(kKeywords), [&](const Keyword& k) { return k.name == name; });
  return it == std::end(kKeywords) ? nullptr : &*it;
}

bool is_annotation(std::string_view name) {
  const Keyword* keyword = find_keyword(name);
  return keyword && keyword->annotation;
}

// Checks a schema once, at construction, and compiles its patterns.
class SchemaChecker {
 public:
  explicit SchemaChecker(detail::CompiledSchema& compiled) : c_(compiled) {}

  void check(const json& s, const std::string& path) {
    if (!s.is_object()) {
      fail(path, "a schema must be an object (boolean schemas only as additionalProperties)");
    }
    for (const auto& item : s.items()) {
      const Keyword* keyword = find_keyword(item.key());
      if (!keyword) fail(path, fmt::format("keyword \"{}\" is not supported", item.key()));
      if (!keyword->fits(item.value())) {
        fail(path, fmt::format("\"{}\" must be {}", item.key(), keyword->shape));
      }
    }
    if (s.contains("$ref")) check_ref(s, path);
    if (s.contains("$defs") && !path.empty()) fail(path, "\"$defs\" is only supported at the schema root");
    if (s.contains("pattern")) compile_pattern(s, path);
    for (const char* group : {"$defs", "properties"}) {
      if (!s.contains(group)) continue;
      for (const auto& item : s[group].items()) {
        check(item.value(), child_path(child_path(path, group), item.key()));
      }
    }
    if (s.contains("items")) check(s["items"], path + "/items");
    if (s.contains("additionalProperties") && !s["additionalProperties"].is_boolean()) {
      check(s["additionalProperties"], path + "/additionalProperties");
    }
    if (s.contains("propertyNames")) check_property_names(s["propertyNames"], path + "/propertyNames");
  }

  // A chain of pure $refs must end; resolve() relies on it.
  void check_ref_cycles() const {
    if (!c_.root.contains("$defs")) return;
    for (const auto& item : c_.root["$defs"].items()) {
      const json* s = &item.value();
      for (std::size_t steps = 0; s->contains("$ref"); ++steps) {
        if (steps > c_.root["$defs"].size()) {
          fail(child_path("/$defs", item.key()), "\"$ref\" chain is a cycle");
        }
        s = &c_.root["$defs"][s->at("$ref").get<std::string>().substr(kRefPrefix.size())];
      }
    }
  }

 private:
  [[noreturn]] static void fail(const std::string& path, std::string_view what) {
    throw std::invalid_argument(fmt::format("JSON schema at #{}: {}", path, what));
  }

  void compile_pattern(const json& s, const std::string& path) {
    try {
      c_.patterns.emplace(&s, detail::Pattern(s["pattern"].get<std::string>()));
    } catch (const std::invalid_argument& e) {
      fail(path, fmt::format("\"pattern\" {}", e.what()));
    }
  }

  void check_ref(const json& s, const std::string& path) const {
    const std::string& ref = s["$ref"].get_ref<const std::string&>();
    if (!c_.root.contains("$defs") || !c_.root["$defs"].contains(ref.substr(kRefPrefix.size()))) {
      fail(path, fmt::format("\"$ref\" target {} does not exist", ref));
    }
    for (const auto& item : s.items()) {
      if (item.key() != "$ref" && item.key() != "$defs" && !is_annotation(item.key())) {
        fail(path, fmt::format("keyword \"{}\" beside \"$ref\" is not supported", item.key()));
      }
    }
  }

  void check_property_names(const json& s, const std::string& path) {
    if (!s.is_object() || !s.contains("pattern")) {
      fail(path, "propertyNames must be a schema with \"pattern\"");
    }
    for (const auto& item : s.items()) {
      if (item.key() != "pattern" && item.key() != "maxLength" && !is_annotation(item.key())) {
        fail(path, fmt::format("keyword \"{}\" is not supported in propertyNames (only \"pattern\" and \"maxLength\")",
                               item.key()));
      }
    }
    check(s, path);
  }

  detail::CompiledSchema& c_;
};

// One validate() call's state: the issues found so far.
class Validator {
 public:
  explicit Validator(const detail::CompiledSchema& compiled) : c_(compiled) {}

  std::vector<Issue> run(const json& doc) && {
    check_node(c_.root, doc, "");
    return std::move(issues_);
  }

 private:
  void add(const std::string& path, std::string expected, std::string found) {
    issues_.push_back({path, std::move(expected), std::move(found)});
  }

  void check_node(const json& schema, const json& v, const std::string& path) {
    const json& s = c_.resolve(schema);
    if (!check_type(s, v, path)) return;  // every further message would be noise
    check_enum_and_const(s, v, path);
    if (v.is_number()) check_number(s, v, path);
    if (v.is_string()) check_string(s, v, path);
    if (v.is_object()) check_object(s, v, path);
    if (v.is_array()) check_array(s, v, path);
  }

  bool check_type(const json& s, const json& v, const std::string& path) {
    const std::vector<std::string> types = type_list(s);
    if (types.empty() || std::any_of(types.begin(), types.end(), [&](const auto& t) { return has_type(v, t); })) {
      return true;
    }
    std::vector<std::string> phrases;
    std::transform(types.begin(), types.end(), std::back_inserter(phrases), type_phrase);
    add(path, join(phrases, " or "), render(v));
    return false;
  }

  void check_enum_and_const(const json& s, const json& v, const std::string& path) {
    if (auto values = s.find("enum");
        values != s.end() && std::find(values->begin(), values->end(), v) == values->end()) {
      std::vector<std::string> dumped, words;
      for (const json& value : *values) {
        dumped.push_back(dump(value));
        if (value.is_string()) words.push_back(value.get<std::string>());
      }
      const std::string hint = v.is_string() ? did_you_mean(v.get_ref<const std::string&>(), words) : "";
      add(path, fmt::format("one of {}{}", join(dumped, ", "), hint), render(v));
    }
    if (auto value = s.find("const"); value != s.end() && *value != v) {
      add(path, fmt::format("the value {}", dump(*value)), render(v));
    }
  }

  void check_number(const json& s, const json& v, const std::string& path) {
    const std::vector<std::string> types = type_list(s);
    const bool integral =
        std::count(types.begin(), types.end(), "integer") && !std::count(types.begin(), types.end(), "number");
    for (const auto& bound : kBounds) {
      auto limit = s.find(bound.keyword);
      if (limit == s.end() || bound.holds(v.get<double>(), limit->get<double>())) continue;
      add(path, fmt::format("{} {} {}", integral ? "an integer" : "a number", bound.op, format_number(*limit)),
          render(v));
    }
  }

  // minLength/maxLength, minItems/maxItems, minProperties: "<what> at least|at most N <noun>s".
  void check_count(const json& s, std::string_view min_keyword, std::string_view max_keyword, std::size_t count,
                   std::string_view what, std::string_view noun, const std::string& found, const std::string& path) {
    if (auto min = s.find(min_keyword); min != s.end() && count < min->get<std::size_t>()) {
      add(path, fmt::format("{} at least {}", what, plural(min->get<std::size_t>(), noun)), found);
    }
    if (max_keyword.empty()) return;
    if (auto max = s.find(max_keyword); max != s.end() && count > max->get<std::size_t>()) {
      add(path, fmt::format("{} at most {}", what, plural(max->get<std::size_t>(), noun)), found);
    }
  }

  void check_string(const json& s, const json& v, const std::string& path) {
    const auto& text = v.get_ref<const std::string&>();
    check_count(s, "minLength", "maxLength", utf8_length(text), "a string of", "character", render(v), path);
    if (auto re = c_.patterns.find(&s); re != c_.patterns.end() && !re->second.matches(text)) {
      add(path, fmt::format("a string matching {}", s["pattern"].get<std::string>()), render(v));
    }
  }

  void check_object(const json& s, const json& v, const std::string& path) {
    check_count(s, "minProperties", {}, v.size(), "an object with", "key",
                fmt::format("an object with {}", plural(v.size(), "key")), path);
    std::set<std::string> keys;  // present keys and missing required ones, in document order
    for (const auto& item : v.items()) keys.insert(item.key());
    if (s.contains("required")) {
      for (const json& name : s["required"]) keys.insert(name.get<std::string>());
    }
    for (const std::string& key : keys) {
      const std::string key_path = child_path(path, key);
      auto value = v.find(key);
      if (value == v.end()) {
        add(key_path, "a value (this field is required)", "nothing");
        continue;
      }
      check_key_name(s, key, path, key_path);
      if (const json* sub = c_.property_schema(s, key)) {
        check_node(*sub, *value, key_path);
      } else if (s.value("additionalProperties", json(true)) == false) {
        add(key_path, known_keys(s, key), fmt::format("unknown key {}", quote_string(key)));
      }
    }
  }

  void check_key_name(const json& s, const std::string& key, const std::string& object_path,
                      const std::string& key_path) {
    if (!s.contains("propertyNames")) return;
    const json& names = s["propertyNames"];
    // Named at the object: a 26,000-character key would make a 26,000-character pointer.
    check_count(names, "minLength", "maxLength", utf8_length(key), "keys of", "character",
                fmt::format("a key of {} characters: {}", utf8_length(key), quote_string(key)), object_path);
    if (!c_.patterns.at(&names).matches(key)) {
      add(key_path, fmt::format("a key matching {}", names["pattern"].get<std::string>()), quote_string(key));
    }
  }

  static std::string known_keys(const json& s, const std::string& key) {
    std::vector<std::string> names;
    if (s.contains("properties")) {
      for (const auto& item : s["properties"].items()) names.push_back(item.key());
    }
    if (names.empty()) return "no keys at all";
    const std::string hint = did_you_mean(key, names);
    constexpr std::size_t kListed = 16;  // enough for every object in the scenario schema
    const bool cut = names.size() > kListed;
    if (cut) names.resize(kListed);
    return fmt::format("one of the known keys: {}{}{}", join(names, ", "), cut ? ", ..." : "", hint);
  }

  void check_array(const json& s, const json& v, const std::string& path) {
    check_count(s, "minItems", "maxItems", v.size(), "an array of", "item", render(v), path);
    const bool unique = s.value("uniqueItems", false);
    const json* items = s.contains("items") ? &s["items"] : nullptr;
    for (std::size_t i = 0; i < v.size(); ++i) {
      const std::string item_path = child_path(path, std::to_string(i));
      const auto earlier_end = v.begin() + static_cast<std::ptrdiff_t>(i);
      if (unique && std::find(v.begin(), earlier_end, v[i]) != earlier_end) {
        add(item_path, "an item unlike the earlier ones", render_literal(v[i]));
      }
      if (items) check_node(*items, v[i], item_path);
    }
  }

  const detail::CompiledSchema& c_;
  std::vector<Issue> issues_;
};

const json* find_default(const detail::CompiledSchema& c, const json& schema) {
  for (const json* s : {&schema, &c.resolve(schema)}) {
    if (s->is_object() && s->contains("default")) return &s->at("default");
  }
  return nullptr;
}

void fill_defaults(const detail::CompiledSchema& c, const json& schema, json& value) {
  const json& s = c.resolve(schema);
  if (value.is_object()) {
    if (s.contains("properties")) {
      for (const auto& item : s["properties"].items()) {
        const json* fallback = value.contains(item.key()) ? nullptr : find_default(c, item.value());
        if (fallback) value[item.key()] = *fallback;
      }
    }
    // After inserting, so that defaults inside an inserted default object are filled too.
    for (auto& item : value.items()) {
      if (const json* sub = c.property_schema(s, item.key())) fill_defaults(c, *sub, item.value());
    }
  } else if (value.is_array() && s.contains("items")) {
    for (json& element : value) fill_defaults(c, s["items"], element);
  }
}

std::optional<std::size_t> parse_index(std::string_view token) {
  std::size_t index = 0;
  const auto [end, error] = std::from_chars(token.data(), token.data() + token.size(), index);
  if (token.empty() || error != std::errc() || end != token.data() + token.size()) return std::nullopt;
  return index;
}

// Where nlohmann stopped: 1-based line and column (in code points) of byte `byte` (1-based).
std::pair<std::size_t, std::size_t> line_and_column(std::string_view text, std::size_t byte) {
  const std::string_view before = text.substr(0, std::min(byte == 0 ? 0 : byte - 1, text.size()));
  const std::size_t line_start = before.rfind('\n') == std::string_view::npos ? 0 : before.rfind('\n') + 1;
  return {1 + static_cast<std::size_t>(std::count(before.begin(), before.end(), '\n')),
          1 + utf8_length(before.substr(line_start))};
}

// "[json.exception.parse_error.101] parse error at line 1, column 9: syntax error while parsing
// object key - unexpected '}'; expected string literal" -> "unexpected '}'; expected string
// literal". The "; last read: '...'" part echoes raw input, so it is dropped.
std::string short_reason(std::string message) {
  if (auto id_end = message.find("] "); id_end != std::string::npos) message.erase(0, id_end + 2);
  if (auto dash = message.find(" - "); dash != std::string::npos) {
    message.erase(0, dash + 3);
  } else if (auto colon = message.find(": "); colon != std::string::npos) {
    message.erase(0, colon + 2);
  }
  if (auto last = message.find("; last read: '"); last != std::string::npos) {
    const auto end = message.find("'; ", last + 14);
    message.erase(last, end == std::string::npos ? std::string::npos : end + 1 - last);
  }
  return message;
}

constexpr std::string_view kDepthExpected = "arrays and objects nested at most 64 levels deep";
static_assert(kMaxJsonDepth == 64, "kDepthExpected states the limit");

// A parser callback that refuses repeated keys and deep nesting while nlohmann builds the
// document, tracking where it is as a JSON Pointer. Exceptions it throws leave json::parse.
class StructureCheck {
 public:
  bool operator()(int /*depth*/, json::parse_event_t event, json& parsed) {
    switch (event) {
      case json::parse_event_t::object_start:
      case json::parse_event_t::array_start:
        if (frames_.size() >= kMaxJsonDepth)
          throw ScenarioError({{path(), std::string(kDepthExpected), "a 65th level"}});
        frames_.push_back(Frame{event == json::parse_event_t::object_start, 0, {}, {}});
        break;
      case json::parse_event_t::key: {
        Frame& top = frames_.back();
        top.key = parsed.get<std::string>();
        if (!top.keys.insert(top.key).second)
          throw ScenarioError({{path(), "each key once in an object", fmt::format("the key {} again", dump(parsed))}});
        break;
      }
      case json::parse_event_t::object_end:
      case json::parse_event_t::array_end:
        frames_.pop_back();
        [[fallthrough]];
      case json::parse_event_t::value:
        if (!frames_.empty() && !frames_.back().object) ++frames_.back().index;
        break;
    }
    return true;
  }

 private:
  struct Frame {
    bool object;
    std::size_t index;  // arrays: the element being read
    std::string key;    // objects: the key being read
    std::set<std::string> keys;
  };

  std::string path() const {
    std::string out;
    for (const Frame& f : frames_) out = f.object ? child_path(out, f.key) : child_path(out, std::to_string(f.index));
    return out;
  }

  std::vector<Frame> frames_;
};

}  // namespace

std::optional<Issue> json_depth_issue(const json& doc) {
  struct Pending {
    const json* value;
    std::string path;
    std::size_t depth;  // containers from the root down to and including this one
  };
  std::vector<Pending> stack{{&doc, "", 1}};
  while (!stack.empty()) {
    Pending p = std::move(stack.back());
    stack.pop_back();
    if (!p.value->is_structured()) continue;
    if (p.depth > kMaxJsonDepth) return Issue{p.path, std::string(kDepthExpected), "a 65th level"};
    // Children pushed last-first, so the first offender found is the first in document order.
    const std::size_t first = stack.size();
    if (p.value->is_object()) {
      for (const auto& item : p.value->items())
        stack.push_back({&item.value(), child_path(p.path, item.key()), p.depth + 1});
    } else {
      for (std::size_t i = 0; i < p.value->size(); ++i)
        stack.push_back({&(*p.value)[i], child_path(p.path, std::to_string(i)), p.depth + 1});
    }
    std::reverse(stack.begin() + static_cast<std::ptrdiff_t>(first), stack.end());
  }
  return std::nullopt;
}

JsonSchema::JsonSchema(json schema) {
  auto compiled = std::make_shared<detail::CompiledSchema>();
  compiled->root = std::move(schema);
  SchemaChecker checker(*compiled);
  checker.check(compiled->root, "");
  checker.check_ref_cycles();
  compiled_ = std::move(compiled);
}

std::vector<Issue> JsonSchema::validate(const json& doc) const { return Validator(*compiled_).run(doc); }

json JsonSchema::with_defaults(const json& doc) const {
  json out = doc;
  fill_defaults(*compiled_, compiled_->root, out);
  return out;
}

const json* JsonSchema::schema_at(const json& doc, std::string_view pointer) const {
  if (!pointer.empty() && pointer.front() != '/') return nullptr;
  const json* s = &compiled_->resolve(compiled_->root);
  const json* value = &doc;  // nullptr once the path leaves the document
  while (!pointer.empty()) {
    pointer.remove_prefix(1);
    const std::string token = unescape_pointer_token(pointer.substr(0, pointer.find('/')));
    pointer.remove_prefix(std::min(pointer.size(), pointer.find('/')));
    // The document says whether this level is an array; without it, the schema has to.
    const std::optional<std::size_t> index = parse_index(token);
    const bool array = value ? value->is_array() : s->contains("items") && !s->contains("properties") && index;
    const json* sub =
        array ? (s->contains("items") ? &s->at("items") : nullptr) : compiled_->property_schema(*s, token);
    if (!sub) return nullptr;
    if (value && array) {
      value = index && *index < value->size() ? &(*value)[*index] : nullptr;
    } else if (value) {
      value = value->is_object() && value->contains(token) ? &value->at(token) : nullptr;
    }
    s = &compiled_->resolve(*sub);
  }
  return s;
}

std::string closest_match(std::string_view word, const std::vector<std::string>& candidates) {
  const std::size_t limit = std::max<std::size_t>(2, word.size() / 3);
  const std::string* best = nullptr;
  std::size_t best_distance = limit + 1;
  for (const std::string& candidate : candidates) {
    const std::size_t distance = edit_distance(word, candidate);
    if (distance < best_distance) {  // strict: ties keep the earlier candidate
      best = &candidate;
      best_distance = distance;
    }
  }
  return best ? *best : std::string();
}

json parse_json_text(std::string_view text) {
  // Editors that save "Unicode" often mean UTF-16; nlohmann would only say "invalid literal".
  if (text.starts_with("\xFF\xFE") || text.starts_with("\xFE\xFF"))
    throw ScenarioError({{"", "JSON in UTF-8", "a UTF-16 byte order mark (save the file as UTF-8)"}});
  try {
    json doc = json::parse(text, StructureCheck{});
    // nlohmann reads a NUL byte outside a string as the end of the input, accepting what follows.
    if (const std::size_t nul = text.find('\0'); nul != std::string_view::npos) {
      const auto [line, column] = line_and_column(text, nul + 1);
      throw ScenarioError(
          {{"", "valid JSON",
            fmt::format("a NUL byte at line {}, column {} (JSON text cannot hold one)", line, column)}});
    }
    return doc;
  } catch (const json::parse_error& e) {
    const auto [line, column] = line_and_column(text, e.byte);
    throw ScenarioError(
        {{"", "valid JSON",
          fmt::format("syntax error at line {}, column {}: {}", line, column, short_reason(e.what()))}});
  } catch (const json::out_of_range& e) {  // number overflow: nlohmann reports no position
    throw ScenarioError({{"", "valid JSON", short_reason(e.what())}});
  }
}

}  // namespace funnelsim
