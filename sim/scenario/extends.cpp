#include "scenario/extends.hpp"

#include <fmt/format.h>

#include <fstream>
#include <sstream>
#include <string>
#include <system_error>
#include <vector>

#include "core/sha256.hpp"
#include "funnelsim/scenario/limits.hpp"
#include "funnelsim/scenario/loader.hpp"
#include "scenario/json_schema.hpp"
#include "scenario/scenario_merge.hpp"

namespace funnelsim {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

/// A file in the chain: the path as shown to the user and its identity for cycle detection.
struct Link {
  fs::path shown;
  fs::path identity;
};

std::string describe(const json& v) {
  if (v.is_object()) return "an object";
  if (v.is_array()) return fmt::format("an array of {} item{}", v.size(), v.size() == 1 ? "" : "s");
  return v.dump();
}

std::string chain_text(const std::vector<Link>& chain, const fs::path& repeated) {
  std::string text;
  for (const Link& link : chain) text += link.shown.string() + " -> ";
  return text + repeated.string();
}

fs::path identity_of(const fs::path& file) {
  std::error_code ec;
  fs::path id = fs::weakly_canonical(fs::absolute(file, ec), ec);
  return ec ? fs::absolute(file).lexically_normal() : id;
}

json read_link(const fs::path& file, std::vector<Link>& chain, ScenarioOrigin* origin);

/// `doc` merged onto its base when it names one, `self` naming it and `patch` naming it in merge
/// records; a relative base is found from `folder`. `chain` holds the files that extend it (empty
/// for the document the user gave). Records bases and merges in `origin` when not null.
json resolve_extends(json doc, Link self, const PatchFile& patch, const fs::path& folder, std::vector<Link>& chain,
                     ScenarioOrigin* origin) {
  const bool is_base = !chain.empty();
  if (!doc.is_object() || !doc.contains("extends")) {
    refuse_remove_without_base(doc, patch);
    return doc;
  }

  const json& extends = doc["extends"];
  if (!extends.is_string() || extends.get_ref<const std::string&>().empty())
    throw ScenarioError(
        {Issue{"/extends",
               is_base ? fmt::format("a string: the path of the base scenario file (in {})", self.shown.string())
                       : std::string("a string: the path of the base scenario file"),
               describe(extends)}});
  const fs::path named = extends.get<std::string>();
  const fs::path base = named.is_absolute() ? named : (folder / named).lexically_normal();

  chain.push_back(std::move(self));
  if (chain.size() >= kMaxExtendsDepth)
    throw ScenarioError(
        {Issue{"/extends", fmt::format("a chain of extends of at most {} files", kMaxExtendsDepth),
               fmt::format("a longer chain: {} -> {} -> ...", chain.front().shown.string(), chain[1].shown.string())}});
  const fs::path base_identity = identity_of(base);
  for (const Link& link : chain)
    if (link.identity == base_identity)
      throw ScenarioError({Issue{"/extends", "a chain of extends without cycles", chain_text(chain, base)}});
  json merged = read_link(base, chain, origin);
  chain.pop_back();

  doc.erase("extends");
  merged.erase("name");  // a variant is its own scenario: absent a name, it takes its file's
  merge_scenario_patch(merged, doc, patch, origin ? &origin->merges : nullptr);
  return merged;
}

/// Reads one file of the chain; `chain` holds the files that extend it (empty for the file the
/// user named). Records the file, its base and the merges in `origin` when not null.
json read_link(const fs::path& file, std::vector<Link>& chain, ScenarioOrigin* origin) {
  const bool is_base = !chain.empty();
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    if (!is_base)
      throw ScenarioError({Issue{"", "a readable scenario file", fmt::format("cannot open \"{}\"", file.string())}});
    throw ScenarioError(
        {Issue{"/extends", "a readable base scenario file",
               fmt::format("cannot open \"{}\" (the base of {})", file.string(), chain.back().shown.string())}});
  }
  // Bounded before parsing: a document takes about ten times its text in memory.
  std::string text;
  std::vector<char> chunk(std::size_t{1} << 16);  // on the heap: one per file of the chain
  while (in.read(chunk.data(), chunk.size()) || in.gcount() > 0) {
    text.append(chunk.data(), static_cast<std::size_t>(in.gcount()));
    if (text.size() > kMaxScenarioBytes) {
      std::error_code ec;
      const auto size = fs::file_size(file, ec);
      throw ScenarioError({Issue{is_base ? "/extends" : "", "a scenario file of at most 16 MiB",
                                 ec ? std::string("a larger file") : fmt::format("a file of {} bytes", size)}});
    }
  }
  json doc;
  try {
    doc = parse_json_text(text);
  } catch (const ScenarioError& e) {
    if (!is_base) throw;
    throw ScenarioError({Issue{"/extends", fmt::format("valid JSON in the base scenario \"{}\"", file.string()),
                               e.issues().front().found}});
  }
  if (is_base && !doc.is_object())
    throw ScenarioError(
        {Issue{"/extends", fmt::format("a JSON object in the base scenario \"{}\"", file.string()), describe(doc)}});
  const PatchFile patch{recorded_path(file), file.string(), is_base};
  if (origin) {
    const ScenarioFile record{patch.recorded, sha256_hex(text)};
    if (is_base)
      origin->extends.push_back(record);
    else
      origin->file = record;
  }
  return resolve_extends(std::move(doc), Link{file, identity_of(file)}, patch, file.parent_path(), chain, origin);
}

}  // namespace

json read_extended_document(const fs::path& file, ScenarioOrigin* origin) {
  std::vector<Link> chain;
  return read_link(file, chain, origin);
}

json read_extended_text(std::string_view text, const fs::path& folder, const std::string& name,
                        ScenarioOrigin* origin) {
  if (text.size() > kMaxScenarioBytes)
    throw ScenarioError({Issue{"", "a scenario of at most 16 MiB of JSON text", fmt::format("{} bytes", text.size())}});
  std::vector<Link> chain;
  // No file: nothing up the chain can be this document, so its identity matches none.
  return resolve_extends(parse_json_text(text), Link{name, {}}, PatchFile{name, name, false}, folder, chain, origin);
}

std::vector<fs::path> scenario_files(const fs::path& file) {
  std::vector<fs::path> chain;
  fs::path current = file;
  // Twice the longest chain the reader accepts: a longer one is refused when it is read.
  for (std::size_t depth = 0; depth < 2 * kMaxExtendsDepth && !current.empty(); ++depth) {
    chain.push_back(current);
    std::ifstream in(current, std::ios::binary);
    const json doc = json::parse(in, nullptr, /*allow_exceptions=*/false);
    if (!doc.is_object() || !doc.contains("extends") || !doc["extends"].is_string()) break;
    const fs::path named = doc["extends"].get<std::string>();
    current = named.is_absolute() ? named : (current.parent_path() / named).lexically_normal();
  }
  return chain;
}

}  // namespace funnelsim
