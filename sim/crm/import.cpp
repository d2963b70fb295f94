// read_exports: CSV exports -> CRM records, with what was wrong with them (observe.hpp).
#include <algorithm>
#include <array>
#include <fstream>
#include <map>
#include <set>
#include <unordered_map>

#include <fmt/format.h>

#include "crm/csv_reader.hpp"
#include "crm/date_text.hpp"
#include "crm/import_header.hpp"
#include "crm/import_text.hpp"
#include "crm/layout.hpp"
#include "crm/journeys.hpp"
#include "funnelsim/crm/observe.hpp"

namespace funnelsim::crm {
namespace {

namespace fs = std::filesystem;
constexpr std::string_view kUnmapped = "(unmapped)";
constexpr std::size_t kRoles = Header::kRoles;

std::string column_name(const Mapping& mapping, std::string_view label) {
  const auto it = mapping.columns.find(std::string(label));
  return it == mapping.columns.end() ? std::string(label) : it->second;
}

Header resolve(const FileLayout& layout, const std::vector<std::string>& names, const Mapping& mapping) {
  Header h;
  h.layout = &layout;
  h.names = names;
  h.column.fill(-1);
  for (const ColumnSpec& c : layout.columns)
    h.column[static_cast<std::size_t>(c.role)] = h.find(column_name(mapping, c.label));
  return h;
}

std::size_t missing_required(const Header& h) {
  std::size_t n = 0;
  for (const ColumnSpec& c : h.layout->columns) n += c.required && h.at(c.role) < 0;
  return n;
}

std::size_t present(const Header& h) {
  std::size_t n = 0;
  for (const ColumnSpec& c : h.layout->columns) n += h.at(c.role) >= 0;
  return n;
}

/// Which layout a header is: every required column present (the one with most columns when
/// several are). None: the error names the closest layout's missing columns and lists the header.
Header recognise(const std::string& file, const std::vector<std::string>& names, const ReadOptions& options) {
  std::optional<Header> best, closest;
  for (CrmFormat format : {CrmFormat::hubspot, CrmFormat::salesforce}) {
    const std::optional<CrmFormat> wanted = options.format ? options.format : options.mapping.format;
    if (wanted && *wanted != format) continue;
    for (const FileLayout& layout : layouts(format)) {
      Header h = resolve(layout, names, options.mapping);
      if (missing_required(h) == 0) {
        if (!best || present(h) > present(*best)) best = std::move(h);
      } else if (!closest || missing_required(h) < missing_required(*closest) ||
                 (missing_required(h) == missing_required(*closest) && present(h) > present(*closest))) {
        closest = std::move(h);
      }
    }
  }
  if (best) return *best;
  std::string missing, found;
  for (const ColumnSpec& c : closest->layout->columns)
    if (c.required && closest->at(c.role) < 0)
      missing += fmt::format("{}\"{}\"", missing.empty() ? "" : ", ", column_name(options.mapping, c.label));
  for (std::size_t i = 0; i < names.size() && i < 40; ++i)
    found += fmt::format("{}\"{}\"", i ? ", " : "", printable(names[i]));
  if (names.size() > 40) found += fmt::format(" and {} more", names.size() - 40);
  throw UsageError(file, fmt::format("expected the columns of {} (or another funnelsim export layout), missing "
                                     "{}; found the columns {} (a column named otherwise can be mapped: \"columns\" "
                                     "in the mapping)",
                                     closest->layout->label, missing, found.empty() ? "none" : found));
}

/// Every value a history-tracked field took, in time order.
struct History {
  std::vector<std::pair<Minute, Minute>> starts, mqls, owners;  // (when set, value)
  std::vector<std::pair<Minute, MqlReason>> reasons;
};

/// One lead row as read, before duplicates and defects are judged: only what measuring needs
/// (about 140 bytes a row, whatever else the row holds).
struct RowLead {
  std::uint32_t file = 0, row = 0;
  std::uint64_t email = 0;  // a hash of the e-mail address, 0 when none
  std::uint32_t source = 0, segment = 0;
  std::int32_t history = -1;   // index into histories_
  std::optional<Stage> stage;  // HubSpot's lifecycle stage
  LeadStatus status = LeadStatus::new_lead;
  MqlReason reason = MqlReason::unknown;
  bool converted = false;                                  // Salesforce
  bool opportunity_known = false, customer_known = false;  // the file has these columns
  Dated created, lead_date, mql, sql, opportunity, customer;
  Minute owner_assigned = kNoTime;
  double score = 0.0;
};

struct RowDeal {
  std::uint32_t file = 0, row = 0;
  std::string id;
  std::optional<std::uint32_t> source;
  std::uint32_t segment = 0;
  Dated created, close;
  DealState state = DealState::open;
  double amount = 0.0;
};

class Importer {
 public:
  explicit Importer(const ReadOptions& options) : options_(options) {}

  ObservedData run(const std::vector<fs::path>& inputs) {
    std::vector<fs::path> files = expand(inputs);
    // Headers first: the format, and which file is which, before any row is read.
    std::vector<Header> headers;
    for (const fs::path& f : files) headers.push_back(read_header(f));
    std::optional<CrmFormat> format;
    for (std::size_t i = 0; i < files.size(); ++i) {
      const CrmFormat f = headers[i].layout->format;
      if (format && *format != f)
        throw UsageError(files[i].string(), fmt::format("expected one CRM's exports, found {} beside {}",
                                                        headers[i].layout->label, format_label(*format)));
      format = f;
    }
    format_ = *format;
    quality_.format = format_;
    quality_.format_recognised = !options_.format && !options_.mapping.format;
    bool any_leads = false;
    for (const Header& h : headers) any_leads = any_leads || h.layout->kind == FileKind::leads;
    if (!any_leads)
      throw UsageError(files.front().string(),
                       fmt::format("expected {} among the files, found only {}", layout(format_, FileKind::leads).label,
                                   headers.front().layout->label));
    // History first (it completes lead rows), then leads, then deals (which may take a lead's source).
    for (FileKind kind : {FileKind::history, FileKind::leads, FileKind::deals})
      for (std::size_t i = 0; i < files.size(); ++i)
        if (headers[i].layout->kind == kind) read_file(files[i], headers[i]);
    return finish();
  }

 private:
  static std::string format_label(CrmFormat f) {
    return f == CrmFormat::hubspot ? "HubSpot exports" : "Salesforce exports";
  }

  std::vector<fs::path> expand(const std::vector<fs::path>& inputs) const {
    std::vector<fs::path> out;
    for (const fs::path& p : inputs) {
      std::error_code ec;
      if (fs::is_directory(p, ec)) {
        std::vector<fs::path> csvs;
        for (const auto& entry : fs::directory_iterator(p, ec))
          if (entry.is_regular_file(ec) && entry.path().extension() == ".csv") csvs.push_back(entry.path());
        std::sort(csvs.begin(), csvs.end());
        if (csvs.empty()) throw UsageError(p.string(), "expected a folder holding CSV exports, found no .csv file");
        out.insert(out.end(), csvs.begin(), csvs.end());
      } else if (fs::is_regular_file(p, ec)) {
        out.push_back(p);
      } else {
        throw UsageError(p.string(), "expected a CSV export or a folder of them, found no such file");
      }
    }
    if (out.empty()) throw UsageError("expected at least one export, found none");
    return out;
  }

  Header read_header(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw UsageError(path.string(), "expected a readable file, found one that cannot be opened");
    CsvReader reader(in);
    std::vector<std::string> names;
    try {
      if (!reader.next(names)) throw UsageError(path.string(), "expected a header line, found an empty file");
    } catch (const CsvError& e) {
      throw UsageError(fmt::format("{} row {}", path.string(), e.row()), e.what());
    }
    for (std::string& n : names) n = std::string(trimmed(n));
    return recognise(path.string(), names, options_);
  }

  // ---- rows ---------------------------------------------------------------------------------

  void read_file(const fs::path& path, const Header& h) {
    std::ifstream in(path, std::ios::binary);
    CsvReader reader(in);
    Cells cells;
    const auto file = static_cast<std::uint32_t>(file_names_.size());
    file_names_.push_back(path.string());
    std::uint64_t rows = 0;
    try {
      reader.next(cells);  // the header, recognised already
      std::vector<std::pair<Role, std::uint8_t>> layouts;
      RowContext ctx{path.string(), 0, &h, &cells, options_.date_order, reader.delimiter() == ';', &layouts};
      while (reader.next(cells)) {
        ctx.row = reader.row();
        layouts.clear();
        ++rows;
        switch (h.layout->kind) {
          case FileKind::leads:
            read_lead(ctx, file);
            break;
          case FileKind::deals:
            read_deal(ctx, file);
            break;
          case FileKind::history:
            read_history(ctx);
            break;
        }
      }
    } catch (const CsvError& e) {
      throw UsageError(fmt::format("{} row {} (line {})", path.string(), e.row(), e.line()), e.what());
    }
    quality_.files.push_back({path.filename().string(), std::string(h.layout->label), rows});
    if (h.layout->kind == FileKind::history) quality_.history = true;
    if (h.layout->kind == FileKind::leads && h.at(Role::email) >= 0) quality_.emails = true;
    if (h.layout->kind == FileKind::deals) deals_file_ = true;
  }

  std::uint32_t intern(std::vector<std::string>& names, std::map<std::string, std::uint32_t>& index,
                       const std::string& name) {
    const auto [it, added] = index.emplace(name, static_cast<std::uint32_t>(names.size()));
    if (added) names.push_back(name);
    return it->second;
  }

  /// The source a row belongs to: the first mapping rule all of whose columns match, else
  /// "(unmapped)"; without rules, the source column's value.
  std::optional<std::uint32_t> source_of(const RowContext& ctx, bool count_unmapped) {
    const Header& h = *ctx.header;
    if (options_.mapping.sources.empty()) {
      if (h.at(Role::source) < 0) return std::nullopt;
      const std::string value(trimmed(ctx.cell(Role::source)));
      if (value.empty()) return std::nullopt;
      return intern(sources_, source_index_, printable(value).substr(0, 64));  // a picklist value, not prose
    }
    const std::vector<std::vector<int>>& columns = rule_columns(h);
    for (std::size_t k = 0; k < options_.mapping.sources.size(); ++k) {
      const SourceRule& rule = options_.mapping.sources[k];
      bool all = true;
      for (std::size_t w = 0; w < rule.when.size() && all; ++w) {
        const int c = columns[k][w];
        all = c >= 0 && static_cast<std::size_t>(c) < ctx.cells->size() &&
              trimmed((*ctx.cells)[static_cast<std::size_t>(c)]) == rule.when[w].second;
      }
      if (all) return rule_source_[k];
    }
    if (h.at(Role::source) < 0 || trimmed(ctx.cell(Role::source)).empty()) return std::nullopt;
    if (count_unmapped) {
      std::string value(trimmed(ctx.cell(Role::source)));
      if (h.at(Role::source_detail) >= 0 && !trimmed(ctx.cell(Role::source_detail)).empty())
        value += " / " + std::string(trimmed(ctx.cell(Role::source_detail)));
      ++unmapped_[value.find('@') == std::string::npos ? printable(value).substr(0, 64) : "(a value with @, hidden)"];
      ++quality_.unmapped_source_rows;
    }
    return intern(sources_, source_index_, std::string(kUnmapped));
  }

  /// The columns each source rule reads, in a header (by funnelsim's label, else by name).
  const std::vector<std::vector<int>>& rule_columns(const Header& h) {
    if (rule_header_ == &h) return rule_columns_;
    rule_header_ = &h;
    rule_columns_.clear();
    rule_source_.clear();
    for (const SourceRule& rule : options_.mapping.sources) {
      std::vector<int>& cols = rule_columns_.emplace_back();
      for (const auto& [column, _] : rule.when) {
        int c = h.find(column_name(options_.mapping, column));
        if (c < 0) c = h.find(column);
        cols.push_back(c);
      }
      rule_source_.push_back(intern(sources_, source_index_, rule.source));
    }
    return rule_columns_;
  }

  std::uint32_t segment_of(const RowContext& ctx) {
    const std::string_view text =
        ctx.header->at(Role::segment) < 0 ? std::string_view() : trimmed(ctx.cell(Role::segment));
    if (text == last_segment_text_ && last_segment_ != kNone) return last_segment_;
    last_segment_text_.assign(text);
    last_segment_ = intern(segments_, segment_index_, printable(text).substr(0, 64));
    return last_segment_;
  }

  void read_lead(const RowContext& ctx, std::uint32_t file) {
    RowLead r;
    r.file = file;
    r.row = static_cast<std::uint32_t>(ctx.row);
    const std::string id(ctx.required_text(Role::id, "a record id"));
    if (const auto h = history_index_.find(id); h != history_index_.end()) r.history = h->second;
    if (ctx.header->at(Role::email) >= 0) r.email = email_hash(ctx.cell(Role::email));
    r.created = ctx.date(Role::created, true);
    const std::optional<std::uint32_t> source = source_of(ctx, true);
    r.source = source ? *source : intern(sources_, source_index_, "(none)");
    r.segment = segment_of(ctx);
    if (format_ == CrmFormat::hubspot) {
      r.stage = stage_of(ctx);
    } else {
      const std::string_view text = trimmed(ctx.cell(Role::converted));
      const std::optional<bool> converted = parse_bool(text);
      if (!converted) ctx.fail(Role::converted, "true or false (or 1 or 0)", text);
      r.converted = *converted;
    }
    r.status = status_of(ctx);
    r.lead_date = ctx.date(Role::lead_date, false);
    r.mql = ctx.date(Role::mql_date, false);
    r.sql = ctx.date(Role::sql_date, false);
    r.opportunity = ctx.date(Role::opportunity_date, false);
    r.customer = ctx.date(Role::customer_date, false);
    r.opportunity_known = ctx.header->at(Role::opportunity_date) >= 0;
    r.customer_known = ctx.header->at(Role::customer_date) >= 0;
    r.owner_assigned = ctx.date(Role::owner_assigned, false).minute;
    r.reason = reason_of(ctx.cell(Role::mql_reason), true);
    r.score = ctx.number(Role::score, 0.0);
    ctx.date(Role::last_contacted, false);  // read to be checked, not kept
    const auto row_index = static_cast<std::uint32_t>(leads_.size());
    for (const std::string& deal : split_ids(ctx.cell(Role::deal_ids))) row_of_deal_.emplace(deal, row_index);
    if (const std::string_view deal = trimmed(ctx.cell(Role::converted_opportunity)); !deal.empty())
      row_of_deal_.emplace(std::string(deal), row_index);
    end_row_layouts(ctx);
    leads_.push_back(std::move(r));
  }

  void read_deal(const RowContext& ctx, std::uint32_t file) {
    RowDeal d;
    d.file = file;
    d.row = static_cast<std::uint32_t>(ctx.row);
    d.id = std::string(ctx.required_text(Role::id, "a record id"));
    d.created = ctx.date(Role::created, true);
    d.close = ctx.date(Role::close_date, false);
    d.source = source_of(ctx, false);
    d.segment = segment_of(ctx);
    const std::string_view stage = trimmed(ctx.cell(Role::deal_stage));
    const auto mapped = options_.mapping.deal_stages.find(std::string(stage));
    std::optional<DealState> state =
        mapped != options_.mapping.deal_stages.end() ? std::optional(mapped->second) : parse_deal_stage(stage);
    if (!state) {
      const std::optional<bool> won = parse_bool(trimmed(ctx.cell(Role::won)));
      const std::optional<bool> closed = parse_bool(trimmed(ctx.cell(Role::closed)));
      if (won && closed) state = *won ? DealState::won : *closed ? DealState::lost : DealState::open;
    }
    if (!state)
      ctx.fail(Role::deal_stage,
               "a deal stage funnelsim knows (closed won, closed lost, or an open stage of the default pipelines), or "
               "one the mapping's \"deal_stages\" names",
               stage);
    d.state = *state;
    const std::string_view amount = trimmed(ctx.cell(Role::amount));
    if (amount.empty()) {
      ++quality_.deals_without_amount;
    } else {
      const std::optional<double> value = parse_amount(amount, ctx.delimiter_is_semicolon);
      if (!value) ctx.fail(Role::amount, "an amount (a number, optionally with a currency sign)", amount);
      d.amount = *value;
    }
    end_row_layouts(ctx);
    deals_.push_back(std::move(d));
  }

  /// History: HubSpot's (record, property, value, when) or Salesforce's (record, when, field,
  /// old value, new value), for the fields a recycled lead sets again.
  void read_history(const RowContext& ctx) {
    const std::string id(ctx.required_text(Role::id, "a record id"));
    const Dated when = ctx.date(Role::timestamp, true);
    const std::string_view field = trimmed(ctx.cell(Role::property));
    const Role role = history_role(field);
    if (role == Role::id) return;  // a field observe does not read
    const auto [slot, added] = history_index_.emplace(id, static_cast<std::int32_t>(histories_.size()));
    if (added) histories_.emplace_back();
    History& h = histories_[static_cast<std::size_t>(slot->second)];
    auto add = [&](std::string_view text, Role column) {
      if (trimmed(text).empty()) return;
      if (role == Role::mql_reason) {
        h.reasons.emplace_back(when.minute, reason_of(text, false));
        return;
      }
      const Dated value = ctx.date_text(column, text);
      (role == Role::lead_date  ? h.starts
       : role == Role::mql_date ? h.mqls
                                : h.owners)
          .emplace_back(when.minute, value.minute);
    };
    if (format_ == CrmFormat::hubspot) {
      add(ctx.cell(Role::value), Role::value);
    } else {
      std::vector<std::pair<Minute, Minute>>* list = role == Role::lead_date        ? &h.starts
                                                     : role == Role::mql_date       ? &h.mqls
                                                     : role == Role::owner_assigned ? &h.owners
                                                                                    : nullptr;
      // The old value of a field's first change is the value it was created with.
      const bool first = list ? list->empty() : h.reasons.empty();
      if (first) add(ctx.cell(Role::old_value), Role::old_value);
      add(ctx.cell(Role::new_value), Role::new_value);
    }
  }

  Role history_role(std::string_view field) const {
    for (Role role : {Role::lead_date, Role::mql_date, Role::mql_reason, Role::owner_assigned}) {
      if (field == history_property(format_, role)) return role;
      const std::string_view label = label_of(layout(format_, FileKind::leads), role);
      if (!label.empty() && (field == label || field == column_name(options_.mapping, label))) return role;
    }
    return Role::id;
  }

  std::optional<Stage> stage_of(const RowContext& ctx) {
    const std::string_view text = trimmed(ctx.cell(Role::stage));
    if (text.empty()) return std::nullopt;
    const auto mapped = options_.mapping.lifecycle_stages.find(std::string(text));
    if (mapped != options_.mapping.lifecycle_stages.end()) return static_cast<Stage>(mapped->second);
    const std::optional<Stage> stage = parse_stage(text);
    if (!stage)
      ctx.fail(Role::stage,
               "a lifecycle stage (subscriber, lead, marketingqualifiedlead, salesqualifiedlead, opportunity, "
               "customer, evangelist, other), or one the mapping's \"lifecycle_stages\" names",
               text);
    return stage;
  }

  LeadStatus status_of(const RowContext& ctx) {
    const std::string_view text = trimmed(ctx.cell(Role::status));
    if (text.empty()) return LeadStatus::new_lead;
    const auto mapped = options_.mapping.lead_statuses.find(std::string(text));
    if (mapped != options_.mapping.lead_statuses.end()) return mapped->second;
    if (const std::optional<LeadStatus> s = parse_status(format_, text)) return *s;
    ++quality_.unknown_statuses;
    return LeadStatus::other;
  }

  MqlReason reason_of(std::string_view text, bool count) {
    text = trimmed(text);
    if (text.empty()) return MqlReason::unknown;
    const auto mapped = options_.mapping.mql_reasons.find(std::string(text));
    if (mapped != options_.mapping.mql_reasons.end()) return mapped->second;
    if (const std::optional<MqlReason> r = parse_reason(text)) return *r;
    if (count) ++quality_.unknown_reasons;
    return MqlReason::unknown;
  }

  // ---- date layouts: a row whose times are written unlike the rest of their column ------------

  void end_row_layouts(const RowContext& ctx) {
    for (const auto& [role, layout] : *ctx.layouts) {
      const std::size_t key =
          (static_cast<std::size_t>(ctx.header->layout->kind) * kRoles + static_cast<std::size_t>(role)) *
              kDateLayouts +
          layout;
      ++layout_cells_[key];
      row_layouts_.push_back(static_cast<std::uint16_t>(key));
    }
    ctx.layouts->clear();
    row_layout_ends_.push_back(static_cast<std::uint32_t>(row_layouts_.size()));
  }

  void count_other_layouts() {
    // The most common layout of each column, then the rows with any time in another.
    const std::size_t columns = layout_cells_.size() / kDateLayouts;
    std::vector<std::uint16_t> dominant(columns, 0);
    for (std::size_t col = 0; col < columns; ++col) {
      std::uint64_t most = 0;
      for (std::size_t l = 0; l < kDateLayouts; ++l)
        if (layout_cells_[col * kDateLayouts + l] > most) {
          most = layout_cells_[col * kDateLayouts + l];
          dominant[col] = static_cast<std::uint16_t>(col * kDateLayouts + l);
        }
    }
    std::uint32_t begin = 0;
    for (std::uint32_t end : row_layout_ends_) {
      bool other = false;
      for (std::uint32_t i = begin; i < end; ++i)
        other = other || dominant[row_layouts_[i] / kDateLayouts] != row_layouts_[i];
      quality_.other_date_layout_rows += other;
      begin = end;
    }
    std::map<std::string, std::uint64_t> by_name;
    for (std::size_t key = 0; key < layout_cells_.size(); ++key)
      if (layout_cells_[key] > 0)
        by_name[std::string(layout_name(static_cast<DateLayout>(key % kDateLayouts)))] += layout_cells_[key];
    quality_.date_layouts.assign(by_name.begin(), by_name.end());
  }

  // ---- judging the rows and building the records ----------------------------------------------

  /// The first defect of a lead row, in DataQuality's order (duplicates are judged before).
  std::uint64_t* defect_of(const RowLead& r) {
    const Minute c = r.created.minute;
    auto before = [&](const Dated& d) { return d.minute != kNoTime && earlier(d, r.created); };
    const History* h = history_of(r);
    bool mql_before = before(r.mql), lead_before = before(r.lead_date);
    if (h) {
      for (const auto& [_, m] : h->mqls) mql_before = mql_before || (m != kNoTime && m < c);
      for (const auto& [_, s] : h->starts) lead_before = lead_before || (s != kNoTime && s < c);
    }
    if (mql_before || lead_before || before(r.sql) || before(r.opportunity) || before(r.customer))
      return order_defect(r, quality_.date_before_creation, "a stage date before the record's creation");
    const bool has_mql = r.mql.minute != kNoTime || (h && !h->mqls.empty());
    const bool has_sql = r.sql.minute != kNoTime, has_opp = r.opportunity.minute != kNoTime;
    if (has_sql && has_mql && earlier(r.sql, latest_mql(r, h)))
      return order_defect(r, quality_.sql_before_mql, "an SQL date before the MQL date");
    if (has_opp && has_sql && earlier(r.opportunity, r.sql))
      return order_defect(r, quality_.opportunity_before_sql, "an opportunity date before the SQL date");
    if (r.customer.minute != kNoTime && has_opp && earlier(r.customer, r.opportunity))
      return order_defect(r, quality_.customer_before_opportunity, "a customer date before the opportunity date");
    const bool hubspot = format_ == CrmFormat::hubspot;
    if ((has_sql && !has_mql) || (hubspot && ((has_opp && !has_sql) || (r.customer.minute != kNoTime && !has_opp))))
      return &quality_.skipped_stage;
    // At a stage without its date: HubSpot's lifecycle stage; Salesforce's conversion and status.
    const int stage = hubspot && r.stage ? static_cast<int>(*r.stage) : -1;
    const bool worked = r.status != LeadStatus::new_lead && r.status != LeadStatus::other;
    const bool reached_mql = hubspot
                                 ? stage >= static_cast<int>(Stage::mql) && stage <= static_cast<int>(Stage::evangelist)
                                 : worked || r.converted;
    const bool reached_sql =
        hubspot ? stage >= static_cast<int>(Stage::sql) && stage <= static_cast<int>(Stage::evangelist) : r.converted;
    const bool reached_opp = hubspot && r.opportunity_known && stage >= static_cast<int>(Stage::opportunity) &&
                             stage <= static_cast<int>(Stage::evangelist);
    const bool reached_customer = hubspot && r.customer_known && stage >= static_cast<int>(Stage::customer) &&
                                  stage <= static_cast<int>(Stage::evangelist);
    if ((reached_mql && !has_mql) || (reached_sql && !has_sql) || (reached_opp && !has_opp) ||
        (reached_customer && r.customer.minute == kNoTime))
      return &quality_.missing_stage_date;
    return nullptr;
  }

  std::uint64_t* order_defect(const RowLead& r, std::uint64_t& counter, std::string_view what) {
    if (options_.strict)
      throw UsageError(fmt::format("{} row {}", file_names_[r.file], r.row),
                       fmt::format("expected stage dates in the funnel's order (created, lead, MQL, SQL, opportunity, "
                                   "customer), found {} (without strict checking such rows are left out and "
                                   "counted)",
                                   what));
    return &counter;
  }

  const History* history_of(const RowLead& r) const {
    return r.history < 0 ? nullptr : &histories_[static_cast<std::size_t>(r.history)];
  }

  static Dated latest_mql(const RowLead& r, const History* h) {
    Dated m = r.mql;
    if (h)
      for (const auto& [_, v] : h->mqls)
        if (v != kNoTime && (m.minute == kNoTime || v > m.minute)) m = {v, false};
    return m;
  }

  ObservedData finish() {
    count_other_layouts();
    for (const auto& [value, n] : unmapped_) {
      if (quality_.unmapped_sources.size() == 20) break;
      quality_.unmapped_sources.emplace_back(value, n);
    }
    // Duplicates: the same e-mail address again; the earliest created is the lead.
    std::vector<char> excluded(leads_.size(), 0);
    {
      std::unordered_map<std::uint64_t, std::size_t> first;
      first.reserve(leads_.size());
      for (std::size_t i = 0; i < leads_.size(); ++i) {
        if (leads_[i].email == 0) continue;
        const auto [it, added] = first.emplace(leads_[i].email, i);
        if (added) continue;
        std::size_t& keep = it->second;
        const bool later = leads_[i].created.minute >= leads_[keep].created.minute;
        excluded[later ? i : keep] = 1;
        ++quality_.duplicate_contacts;
        if (!later) keep = i;
      }
    }
    ObservedData out;
    CrmRecords& rec = out.records;
    // Sources in name order, "(unmapped)" and "(none)" last.
    std::vector<std::uint32_t> order(sources_.size());
    for (std::uint32_t i = 0; i < order.size(); ++i) order[i] = i;
    std::sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) {
      const bool sa = sources_[a].front() == '(', sb = sources_[b].front() == '(';
      return sa != sb ? sb : sources_[a] < sources_[b];
    });
    std::vector<std::uint32_t> renumber(sources_.size());
    for (std::uint32_t i = 0; i < order.size(); ++i) {
      renumber[order[i]] = i;
      rec.sources.push_back(sources_[order[i]]);
    }
    rec.segments = segments_;
    rec.deals_recorded = deals_file_;
    std::vector<std::int64_t> lead_of_row(leads_.size(), -1);
    rec.leads.reserve(leads_.size());
    rec.journeys.reserve(leads_.size());
    JourneyInputs in;
    for (std::size_t i = 0; i < leads_.size(); ++i) {
      const RowLead& r = leads_[i];
      if (excluded[i]) continue;
      if (r.stage && (*r.stage == Stage::subscriber || *r.stage == Stage::other)) {
        ++quality_.not_leads;
        continue;
      }
      if (std::uint64_t* defect = defect_of(r)) {
        ++*defect;
        continue;
      }
      Lead lead;
      lead.source = renumber[r.source];
      lead.segment = r.segment;
      lead.created = r.created.minute;
      lead.sql = r.sql.minute;
      lead.status = r.status;
      if (r.status == LeadStatus::new_lead && r.mql.minute != kNoTime) lead.status = LeadStatus::open;
      lead.fit = r.score;
      lead.first_journey = static_cast<std::uint32_t>(rec.journeys.size());
      const std::uint32_t index = static_cast<std::uint32_t>(rec.leads.size());
      in.clear();
      in.created = r.created.minute;
      if (const History* found = history_of(r)) {
        History h = *found;  // in the order the values were set
        const auto by_time = [](const auto& a, const auto& b) { return a.first < b.first; };
        for (auto* list : {&h.starts, &h.mqls, &h.owners}) std::stable_sort(list->begin(), list->end(), by_time);
        std::stable_sort(h.reasons.begin(), h.reasons.end(), by_time);
        const History* hp = &h;
        for (const auto& [_, v] : hp->starts) in.starts.push_back(v);
        for (const auto& [_, v] : hp->mqls) in.mqls.push_back(v);
        for (const auto& [_, v] : hp->owners) in.owners.push_back(v);
        for (const auto& [_, v] : hp->reasons) in.reasons.push_back(v);
      }
      if (in.starts.empty() && r.lead_date.minute != kNoTime) in.starts.push_back(r.lead_date.minute);
      if (in.mqls.empty() && r.mql.minute != kNoTime) {
        in.mqls.push_back(r.mql.minute);
        in.reasons.assign(1, r.reason);
      }
      if (in.owners.empty() && r.owner_assigned != kNoTime) in.owners.push_back(r.owner_assigned);
      build_journeys(in, index, rec.journeys);
      lead.journeys = static_cast<std::uint32_t>(rec.journeys.size()) - lead.first_journey;
      // A date-only SQL (Salesforce's Converted Date) on its MQL's day came after that MQL.
      if (r.sql.date_only)
        for (std::uint32_t k = lead.first_journey; k < rec.journeys.size(); ++k) {
          const Minute m = rec.journeys[k].mql;
          if (m != kNoTime && m > lead.sql && m < lead.sql + kMinutesPerDay) lead.sql = m;
        }
      lead_of_row[i] = static_cast<std::int64_t>(rec.leads.size());
      rec.leads.push_back(lead);
    }
    for (const RowDeal& d : deals_) {
      if (d.close.minute != kNoTime && earlier(d.close, d.created)) {
        if (options_.strict)
          throw UsageError(fmt::format("{} row {}", file_names_[d.file], d.row),
                           "expected a close date on or after the create date, found one before it");
        ++quality_.close_before_create;
        continue;
      }
      if (d.state != DealState::open && d.close.minute == kNoTime) {
        ++quality_.deals_without_close_date;
        continue;
      }
      Deal deal;
      if (const auto row = row_of_deal_.find(d.id); row != row_of_deal_.end()) deal.lead = lead_of_row[row->second];
      if (d.source && rec.sources[renumber[*d.source]] != kUnmapped) {
        deal.source = renumber[*d.source];
      } else if (deal.lead >= 0) {
        deal.source = rec.leads[static_cast<std::size_t>(deal.lead)].source;
      } else {
        const std::uint32_t named = intern(sources_, source_index_, std::string(d.source ? kUnmapped : "(none)"));
        if (named >= renumber.size()) {  // a name no lead had: it joins the list last
          renumber.push_back(static_cast<std::uint32_t>(rec.sources.size()));
          rec.sources.push_back(sources_[named]);
        }
        deal.source = renumber[named];
      }
      deal.segment = d.segment;
      deal.created = d.created.minute;
      // A date-only close date: the deal closed some time that day.
      deal.close = d.close.minute;
      deal.amount = d.amount;
      deal.state = d.state;
      if (deal.lead >= 0)
        rec.leads[static_cast<std::size_t>(deal.lead)].deal = static_cast<std::int64_t>(rec.deals.size());
      rec.deals.push_back(deal);
    }
    out.quality = quality_;
    return out;
  }

  const ReadOptions& options_;
  CrmFormat format_ = CrmFormat::hubspot;
  DataQuality quality_;
  std::vector<std::string> file_names_;
  std::vector<std::string> sources_, segments_;
  std::map<std::string, std::uint32_t> source_index_, segment_index_;
  std::map<std::string, std::uint64_t> unmapped_;
  std::unordered_map<std::string, std::int32_t> history_index_;
  std::vector<History> histories_;
  std::unordered_map<std::string, std::uint32_t> row_of_deal_;  // deal id -> the lead row naming it
  std::vector<RowLead> leads_;
  std::vector<RowDeal> deals_;
  bool deals_file_ = false;
  static constexpr std::uint32_t kNone = 0xFFFFFFFFu;
  std::string last_segment_text_;
  std::uint32_t last_segment_ = kNone;
  const Header* rule_header_ = nullptr;
  std::vector<std::vector<int>> rule_columns_;
  std::vector<std::uint32_t> rule_source_;
  std::vector<std::uint64_t> layout_cells_ = std::vector<std::uint64_t>(3 * kRoles * kDateLayouts, 0);
  std::vector<std::uint16_t> row_layouts_;
  std::vector<std::uint32_t> row_layout_ends_;
};

}  // namespace

ObservedData read_exports(const std::vector<fs::path>& inputs, const ReadOptions& options) {
  return Importer(options).run(inputs);
}

}  // namespace funnelsim::crm
