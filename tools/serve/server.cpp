// funnelsim serve's request handling (server.hpp): the guards every request passes, the routes,
// and the limits simulations run under.
#include "server.hpp"

#include <algorithm>
#include <cmath>
#include <deque>
#include <future>
#include <thread>

#include <fmt/format.h>

#include "catalogue.hpp"
#include "funnelsim/core/usage_error.hpp"
#include "funnelsim/metrics/metrics.hpp"
#include "funnelsim/output/result_set.hpp"
#include "funnelsim/output/comparison_output.hpp"
#include "funnelsim/report/report.hpp"
#include "funnelsim/scenario/error.hpp"
#include "funnelsim/whatif/objective.hpp"
#include "page.hpp"
#include "recent_results.hpp"
#include "simulation_priority.hpp"

namespace funnelsim::server {

using nlohmann::json;

namespace {

/// A job whose run was cancelled: by a newer request of its client, its client leaving, the time
/// cap or the server stopping.
struct Cancelled {};

/// A refusal with its HTTP status; the body names the field.
struct HttpError {
  int status;
  std::string message;
  std::string pointer;
};

Response json_response(int status, const json& body) {
  Response r;
  r.status = status;
  r.body = body.dump(-1, ' ', false, json::error_handler_t::replace) + "\n";
  return r;
}

Response error_response(int status, const std::string& message, const std::string& pointer = {},
                        const std::vector<Issue>& issues = {}) {
  json body{{"error", message}};
  if (!pointer.empty()) body["pointer"] = pointer;
  if (!issues.empty()) {
    body["issues"] = json::array();
    for (const Issue& i : issues)
      body["issues"].push_back({{"pointer", i.path}, {"expected", i.expected}, {"found", i.found}});
  }
  return json_response(status, body);
}

std::vector<std::string> split_path(const std::string& path) {
  std::vector<std::string> parts;
  std::size_t start = 1;
  while (start <= path.size()) {
    const std::size_t end = std::min(path.find('/', start), path.size());
    if (end > start) parts.push_back(path.substr(start, end - start));
    start = end + 1;
  }
  return parts;
}

bool same_secret(const std::string& given, const std::string& secret) {
  // Constant time in the secret's length: how much of a guess matched does not show.
  if (given.size() != secret.size()) return false;
  unsigned char diff = 0;
  for (std::size_t i = 0; i < secret.size(); ++i) diff |= static_cast<unsigned char>(given[i] ^ secret[i]);
  return diff == 0;
}

std::string cookie_value(const std::string& cookies, const std::string& name) {
  std::size_t at = 0;
  while (at < cookies.size()) {
    const std::size_t end = std::min(cookies.find(';', at), cookies.size());
    std::string item = cookies.substr(at, end - at);
    item.erase(0, item.find_first_not_of(' '));
    if (item.size() > name.size() && item.compare(0, name.size(), name) == 0 && item[name.size()] == '=')
      return item.substr(name.size() + 1);
    at = end + 1;
  }
  return {};
}

/// The request body as JSON, nested at most `depth` deep: a 400 naming "body" otherwise.
json parse_body(const Request& request, int depth) {
  if (request.body.empty()) return json::object();
  try {
    return json::parse(request.body, [depth](int level, json::parse_event_t event, json&) {
      if ((event == json::parse_event_t::object_start || event == json::parse_event_t::array_start) && level >= depth)
        throw HttpError{
            400, fmt::format("body: expected JSON nested at most {} levels deep, found deeper nesting", depth), ""};
      return true;
    });
  } catch (const json::parse_error& e) {
    throw HttpError{400, fmt::format("body: expected JSON, found a syntax error at byte {}", e.byte), ""};
  } catch (const json::out_of_range&) {  // a number beyond a double, such as 1e649
    throw HttpError{400, "body: expected JSON numbers within a double's range, found a larger one", ""};
  }
}

void require_object(const json& body) {
  if (!body.is_object())
    throw HttpError{400, fmt::format("body: expected a JSON object, found {}", body.type_name()), ""};
}

std::string string_field(const json& body, const std::string& key, bool required, std::size_t max_bytes = 400) {
  if (!body.contains(key)) {
    if (required) throw HttpError{400, fmt::format("/{}: expected a string, found nothing", key), "/" + key};
    return {};
  }
  const json& value = body[key];
  if (!value.is_string())
    throw HttpError{400, fmt::format("/{}: expected a string, found {}", key, value.type_name()), "/" + key};
  const std::string text = value.get<std::string>();
  if (text.size() > max_bytes)
    throw HttpError{400, fmt::format("/{}: expected at most {} bytes, found {}", key, max_bytes, text.size()),
                    "/" + key};
  return text;
}

void check_fields(const json& body, std::initializer_list<std::string_view> known) {
  for (const auto& [key, value] : body.items())
    if (std::find(known.begin(), known.end(), key) == known.end()) {
      std::string list;
      for (const auto k : known) list += fmt::format("{}{}", list.empty() ? "" : ", ", k);
      throw HttpError{400,
                      fmt::format("/{}: expected one of the fields {}, found an unknown field", json(key).dump(), list),
                      "/" + key};
    }
}

}  // namespace

bool is_loopback_host(const std::string& host) {
  return host == "127.0.0.1" || host == "localhost" || host == "::1" || host == "[::1]" || host.starts_with("127.");
}

// ---- the scenarios, and the gate simulations pass ------------------------------------------

struct Server::Catalogue {
  std::vector<ScenarioEntry> entries;
  BaseRuns base_runs;
  RecentResults explored{64};  // about 8 KB each
  const ScenarioEntry* find(const std::string& name) const {
    for (const ScenarioEntry& e : entries)
      if (e.name == name) return &e;
    return nullptr;
  }
  std::string names() const {
    std::string list;
    for (const ScenarioEntry& e : entries) list += (list.empty() ? "" : ", ") + e.name;
    return list;
  }
};

struct Server::Gate {
  std::mutex mutex;
  std::condition_variable changed;
  // Running and waiting; changed under the mutex, read without it (the health check never waits).
  std::atomic<std::size_t> in_flight = 0;
  bool running = false, stopping = false;
  std::uint64_t next_ticket = 0;
  std::deque<std::uint64_t> waiting;
  std::map<std::string, std::shared_ptr<std::atomic<bool>>> by_client;  // each client's newest job
};

Server::Server(ServerConfig config)
    : config_(std::move(config)),
      catalogue_(std::make_unique<Catalogue>()),
      gate_(std::make_unique<Gate>()),
      sessions_(config_.state_dir) {
  if (config_.scenarios.empty()) throw UsageError("serve: expected at least one scenario file, found none");
  for (const auto& file : config_.scenarios) {
    ScenarioEntry entry = read_entry(file);
    if (catalogue_->find(entry.name) != nullptr)
      throw UsageError(file.string(),
                       fmt::format("expected scenario files with distinct names, found {} twice", entry.name));
    if (entry.horizon_days > config_.max_horizon_days)
      throw UsageError(file.string(), fmt::format("expected a horizon of at most {} days (the server's cap), found {}",
                                                  config_.max_horizon_days, entry.horizon_days));
    catalogue_->entries.push_back(std::move(entry));
  }
  notes_ = sessions_.load();
}

Server::~Server() = default;

std::size_t Server::jobs_in_flight() const { return gate_->in_flight.load(std::memory_order_relaxed); }

void Server::shutdown() {
  {
    const std::lock_guard lock(gate_->mutex);
    gate_->stopping = true;
    for (auto& [client, flag] : gate_->by_client) *flag = true;
  }
  gate_->changed.notify_all();
  // Jobs see the flag within one event loop check; wait until none is left.
  std::unique_lock lock(gate_->mutex);
  gate_->changed.wait_for(lock, std::chrono::seconds(30), [&] { return gate_->in_flight == 0; });
  lock.unlock();
  sessions_.save_all();
}

JobOutcome Server::execute(const Job& job, const std::function<bool(double)>& tick) {
  Gate& gate = *gate_;
  auto cancel = std::make_shared<std::atomic<bool>>(false);
  std::uint64_t ticket = 0;
  {
    const std::lock_guard lock(gate.mutex);
    if (gate.stopping) return {503, json{{"error", "the server is stopping"}}.dump()};
    if (gate.in_flight >= config_.max_queue)
      return {503,
              json{{"error", fmt::format("the server is busy ({} simulations running or waiting): try again shortly",
                                         gate.in_flight.load())}}
                  .dump()};
    auto& current = gate.by_client[job.client];
    if (current && !job.replaceable)
      return {429,
              json{{"error", "one simulation at a time per client: wait for the result of the previous one"}}.dump()};
    if (current) *current = true;  // a newer request replaces the client's running one
    current = cancel;
    ++gate.in_flight;
    ticket = gate.next_ticket++;
    gate.waiting.push_back(ticket);
  }
  const auto leave = [&] {
    const std::lock_guard lock(gate.mutex);
    --gate.in_flight;
    const auto found = gate.by_client.find(job.client);
    if (found != gate.by_client.end() && found->second == cancel) gate.by_client.erase(found);
    gate.changed.notify_all();
  };
  const auto cancelled = [&](bool timed_out) -> JobOutcome {
    if (timed_out)
      return {504, json{{"error", fmt::format("stopped after {:g} s, the server's cap per simulation: ask for fewer "
                                              "replications",
                                              config_.max_seconds)}}
                       .dump()};
    return {409, json{{"error",
                       "cancelled: a newer request of the same client, the client leaving or the server "
                       "stopping replaced it"}}
                     .dump()};
  };

  // Wait for the turn: first in line and nothing running.
  for (;;) {
    std::unique_lock lock(gate.mutex);
    if (*cancel || gate.stopping) {
      gate.waiting.erase(std::find(gate.waiting.begin(), gate.waiting.end(), ticket));
      lock.unlock();
      leave();
      return cancelled(false);
    }
    if (!gate.running && gate.waiting.front() == ticket) {
      gate.waiting.pop_front();
      gate.running = true;
      break;
    }
    gate.changed.wait_for(lock, std::chrono::milliseconds(100));
    lock.unlock();
    if (tick && !tick(0.0)) *cancel = true;
  }

  std::atomic<std::uint64_t> done{0}, total{0};
  WhatIfOptions options;
  options.threads = config_.threads;
  options.cancel = cancel.get();
  options.progress = [&](std::uint64_t d, std::uint64_t t) {
    done.store(d, std::memory_order_relaxed);
    total.store(t, std::memory_order_relaxed);
  };
  // The simulation yields to the HTTP threads (a health check answers at once), same numbers.
  std::packaged_task<std::string()> task([&] {
    std::string body;
    run_at_simulation_priority(config_.threads, [&] { body = job.work(options); });
    return body;
  });
  std::future<std::string> result = task.get_future();
  std::thread worker(std::move(task));
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(config_.max_seconds);
  bool timed_out = false;
  while (result.wait_for(std::chrono::milliseconds(100)) != std::future_status::ready) {
    const std::uint64_t t = total.load(std::memory_order_relaxed);
    const double fraction =
        t == 0 ? 0.0 : static_cast<double>(done.load(std::memory_order_relaxed)) / static_cast<double>(t);
    if (tick && !tick(fraction)) *cancel = true;
    if (!timed_out && std::chrono::steady_clock::now() > deadline) {
      timed_out = true;
      *cancel = true;
    }
  }
  worker.join();
  {
    const std::lock_guard lock(gate.mutex);
    gate.running = false;
  }
  leave();
  try {
    return {200, result.get()};
  } catch (const Cancelled&) {
    return cancelled(timed_out);
  } catch (const ScenarioError& e) {
    return {400, json{{"error", e.what()}, {"pointer", e.issues().empty() ? "" : e.issues()[0].path}}.dump()};
  } catch (const std::exception& e) {
    return {500, json{{"error", fmt::format("internal error: {}", e.what())}}.dump(-1, ' ', false,
                                                                                   json::error_handler_t::replace)};
  }
}

// ---- guards ---------------------------------------------------------------------------------

std::optional<Response> Server::refuse(const Request& request) const {
  // DNS rebinding: a page of another origin can point a name it controls at 127.0.0.1, but its
  // requests still carry that name in Host.
  const std::string port = fmt::format(":{}", config_.port);
  std::vector<std::string> allowed{"localhost" + port, "127.0.0.1" + port, "[::1]" + port};
  if (!is_loopback_host(config_.host)) {
    const bool v6 = config_.host.find(':') != std::string::npos && !config_.host.starts_with("[");
    allowed.push_back((v6 ? "[" + config_.host + "]" : config_.host) + port);
  }
  if (std::find(allowed.begin(), allowed.end(), request.host) == allowed.end()) {
    std::string list;
    for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
    return error_response(403,
                          fmt::format("Host header: expected one of {} (the server's own names, a defence against DNS "
                                      "rebinding), found {}",
                                      list, json(request.host).dump(-1, ' ', false, json::error_handler_t::replace)),
                          "Host");
  }
  if (!config_.token.empty()) {
    const std::string bearer = request.authorization.starts_with("Bearer ") ? request.authorization.substr(7) : "";
    const auto query = request.query.find("token");
    const bool ok = same_secret(bearer, config_.token) ||
                    same_secret(cookie_value(request.cookie, "funnelsim_token"), config_.token) ||
                    (query != request.query.end() && same_secret(query->second, config_.token));
    if (!ok)
      return error_response(401,
                            "token: expected the token funnelsim serve printed at start (Authorization: Bearer TOKEN, "
                            "or ?token=TOKEN on the page's address), found none or another",
                            "Authorization");
  }
  if (request.body.size() > config_.max_body_bytes)
    return error_response(
        413, fmt::format("body: expected at most {} bytes, found {}", config_.max_body_bytes, request.body.size()));
  if (request.method == "POST" && !request.content_type.starts_with("application/json"))
    return error_response(415,
                          fmt::format("Content-Type: expected application/json, found {}",
                                      json(request.content_type).dump(-1, ' ', false, json::error_handler_t::replace)),
                          "Content-Type");
  return std::nullopt;
}

Response Server::handle(const Request& request) {
  Response response;
  if (auto refused = refuse(request)) return *refused;
  // Every path and query this server answers is printable ASCII. Anything else is refused here,
  // before a message could echo it: JSON text must be UTF-8 (the fuzz target found a session
  // code of 0xff bytes answered with a 500).
  const auto printable = [](const std::string& text) {
    return std::all_of(text.begin(), text.end(), [](char c) {
      const auto u = static_cast<unsigned char>(c);
      return u >= 0x20 && u <= 0x7e;
    });
  };
  bool ascii = printable(request.path);
  for (const auto& [key, value] : request.query) ascii = ascii && printable(key) && printable(value);
  try {
    if (!ascii) throw HttpError{400, "the request path and query: expected printable ASCII only", ""};
    response = route(request);
  } catch (const HttpError& e) {
    response = error_response(e.status, e.message, e.pointer);
  } catch (const ScenarioError& e) {
    response = error_response(400, e.what(), e.issues().empty() ? "" : e.issues()[0].path, e.issues());
  } catch (const UsageError& e) {
    response = error_response(400, e.what(), e.subject());
  } catch (const std::exception& e) {  // a bug: the fuzz target treats any 500 as one
    response = error_response(500, fmt::format("internal error: {}", e.what()));
  }
  // Nothing but this server's own files may load, run or be framed (the chart libraries evaluate
  // their expressions, hence 'unsafe-eval'); no response is cached or sniffed.
  response.headers.emplace_back(
      "Content-Security-Policy",
      "default-src 'self'; script-src 'self' 'unsafe-eval'; style-src 'self' 'unsafe-inline'; "
      "img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; "
      "form-action 'none'");
  response.headers.emplace_back("X-Content-Type-Options", "nosniff");
  response.headers.emplace_back("Cache-Control", "no-store");
  response.headers.emplace_back("Referrer-Policy", "no-referrer");
  // A page given the token on its address keeps it in a cookie for its scripts and requests.
  if (!config_.token.empty() && request.query.contains("token") && response.status == 200)
    response.headers.emplace_back("Set-Cookie",
                                  "funnelsim_token=" + config_.token + "; Path=/; HttpOnly; SameSite=Strict");
  return response;
}

Response Server::route(const Request& request) {
  const std::vector<std::string> parts = split_path(request.path);
  const auto method = [&](const char* expected) {
    if (request.method != expected)
      throw HttpError{405, fmt::format("{}: expected {}, found {}", request.path, expected, request.method), ""};
  };
  const auto page = [&](const std::string& name) -> Response {
    const auto file = page_file(name);
    if (!file) throw HttpError{404, fmt::format("{}: no such file", request.path), ""};
    Response r;
    r.content_type = file->content_type;
    r.body = file->text;
    return r;
  };
  if (parts.empty() || (parts.size() == 2 && parts[0] == "j")) {
    method("GET");
    return page("index.html");
  }
  if (parts[0] == "assets" && parts.size() == 2) {
    method("GET");
    return page(parts[1]);
  }
  if (parts[0] != "api" || parts.size() < 2) throw HttpError{404, fmt::format("{}: no such page", request.path), ""};
  const std::string& what = parts[1];
  if (what == "health" && parts.size() == 2) {
    method("GET");
    return json_response(200, {{"ok", true}, {"jobs", jobs_in_flight()}});
  }
  if (what == "metrics" && parts.size() == 2) {
    method("GET");
    return json_response(200, {{"metrics", shown_metric_defs()}});
  }
  if (what == "scenarios" && parts.size() == 2) {
    method("GET");
    json list = json::array();
    for (const ScenarioEntry& e : catalogue_->entries)
      list.push_back({{"name", e.name}, {"description", e.description}});
    return json_response(200, {{"scenarios", list},
                               {"default_replications", config_.default_replications},
                               {"max_replications", config_.max_replications}});
  }
  if (what == "scenarios" && parts.size() == 3) {
    method("GET");
    const ScenarioEntry* entry = catalogue_->find(parts[2]);
    if (entry == nullptr)
      throw HttpError{
          404, fmt::format("scenario: expected one of {}, found {}", catalogue_->names(), json(parts[2]).dump()), ""};
    return json_response(200, {{"name", entry->name},
                               {"description", entry->description},
                               {"seed", entry->seed},
                               {"horizon_days", entry->horizon_days},
                               {"warmup_days", entry->warmup.days},
                               {"levers", levers_json(entry->levers)}});
  }
  if (what == "run" && parts.size() == 2) {
    method("POST");
    return run_endpoint(request);
  }
  if (what == "sessions") return sessions_endpoint(request, parts);
  throw HttpError{404, fmt::format("{}: no such endpoint", request.path), ""};
}

// ---- explore --------------------------------------------------------------------------------

namespace {

std::uint64_t replications_field(const json& body, std::uint64_t fallback, std::uint64_t cap) {
  if (!body.contains("replications")) return fallback;
  const json& value = body["replications"];
  if (!value.is_number_integer() || value.get<std::int64_t>() < 2 || value.get<std::uint64_t>() > cap)
    throw HttpError{
        400,
        fmt::format("/replications: expected an integer from 2 to {} (the server's cap), found {}", cap, value.dump()),
        "/replications"};
  return value.get<std::uint64_t>();
}

/// Progress over the phases of a job: phase k of n reports (k + done/total) / n.
WhatIfOptions phase(const WhatIfOptions& options, int k, int n) {
  WhatIfOptions o = options;
  const auto report = options.progress;
  o.progress = [report, k, n](std::uint64_t d, std::uint64_t t) {
    if (report) report(static_cast<std::uint64_t>(k) * t + d, static_cast<std::uint64_t>(n) * t);
  };
  return o;
}

/// A plan's run, taking from its base's lead phase every source the plan leaves alone.
ScenarioRun run_or_cancel(const nlohmann::json& document, const std::string& name, const WhatIfOptions& options,
                          const BaseRun& base) {
  WhatIfOptions sharing = options;
  sharing.reuse_lead_phase = &base.lead_phase;
  std::optional<ScenarioRun> run = run_scenario(runnable(document, name), sharing);
  if (!run) throw Cancelled{};
  return std::move(*run);
}

}  // namespace

Response Server::run_endpoint(const Request& request) {
  const json body = parse_body(request, config_.max_json_depth);
  require_object(body);
  check_fields(body, {"scenario", "levers", "replications"});
  const std::string name = string_field(body, "scenario", true);
  const ScenarioEntry* entry = catalogue_->find(name);
  if (entry == nullptr)
    throw HttpError{400, fmt::format("/scenario: expected one of {}, found {}", catalogue_->names(), json(name).dump()),
                    "/scenario"};
  const std::uint64_t replications = replications_field(body, config_.default_replications, config_.max_replications);
  const json levers = body.value("levers", json::object());
  const json document = plan_document(*entry, levers, entry->name, replications);  // 400 before anything runs
  auto job = std::make_shared<Job>();
  job->client = request.client;
  Catalogue* catalogue = catalogue_.get();
  job->work = [catalogue, entry, replications, levers, document](const WhatIfOptions& options) {
    const bool changed = !levers.empty();
    json result{{"scenario", entry->name}, {"levers", levers}};
    const std::string key = document.dump();  // the whole run: levers applied, seed, replications
    if (std::optional<json> kept = catalogue->explored.find(key)) {
      result.update(*kept);
    } else {
      auto base = catalogue->base_runs.get(*entry, replications, phase(options, 0, changed ? 2 : 1));
      if (!base) throw Cancelled{};
      json numbers =
          changed ? run_json(run_or_cancel(document, entry->name, phase(options, 1, 2), *base), &base->run, false)
                  : run_json(base->run, &base->run, false);
      result.update(numbers);
      catalogue->explored.keep(key, std::move(numbers));
    }
    return json{{"result", result}}.dump(-1, ' ', false, json::error_handler_t::replace);
  };
  Response r;
  r.content_type = job->content_type;
  r.job = std::move(job);
  return r;
}

// ---- workshop sessions ----------------------------------------------------------------------

Response Server::sessions_endpoint(const Request& request, const std::vector<std::string>& parts) {
  const std::string key = [&] {
    const auto q = request.query.find("key");
    return q != request.query.end() ? q->second : std::string{};
  }();
  if (parts.size() == 2) {  // create
    const auto method_ok = request.method == "POST";
    if (!method_ok) throw HttpError{405, fmt::format("{}: expected POST, found {}", request.path, request.method), ""};
    const json body = parse_body(request, config_.max_json_depth);
    require_object(body);
    check_fields(body, {"scenario", "objective", "pareto", "title", "replications"});
    const std::string name = string_field(body, "scenario", true);
    const ScenarioEntry* entry = catalogue_->find(name);
    if (entry == nullptr)
      throw HttpError{400,
                      fmt::format("/scenario: expected one of {}, found {}", catalogue_->names(), json(name).dump()),
                      "/scenario"};
    const std::string objective_text_given = string_field(body, "objective", true);
    Objective objective;
    try {
      objective = parse_objective(objective_text_given);
    } catch (const UsageError& e) {
      throw HttpError{400, "/objective: " + std::string(e.what()), "/objective"};
    }
    std::string pareto = string_field(body, "pareto", false);
    if (pareto.empty()) {
      const std::size_t x = objective.metric;
      std::size_t y = static_cast<std::size_t>(Metric::sla_attainment);
      for (const Constraint& c : objective.constraints)
        if (c.metric != x && metric_defs()[c.metric].better != Better::neither) {
          y = c.metric;
          break;
        }
      if (y == x)
        y = static_cast<std::size_t>(x == static_cast<std::size_t>(Metric::sqls) ? Metric::sla_attainment
                                                                                 : Metric::sqls);
      pareto = fmt::format("{},{}", metric_defs()[x].name, metric_defs()[y].name);
    }
    try {
      (void)parse_pareto(pareto);
    } catch (const UsageError& e) {
      throw HttpError{400, "/pareto: " + std::string(e.what()), "/pareto"};
    }
    Session session;
    session.title = string_field(body, "title", false, 120);
    if (session.title.empty()) session.title = "Workshop on " + entry->name;
    session.scenario = entry->name;
    session.objective = objective_text(objective);
    session.pareto = pareto;
    session.seed = entry->seed;
    session.replications = replications_field(body, config_.default_replications, config_.max_replications);
    session.facilitator_key = random_key();
    do session.code = random_code(6);
    while (sessions_.find(session.code));
    try {
      sessions_.add(session);
    } catch (const ResultWriteError& e) {
      throw HttpError{500, fmt::format("saving the session failed: {}", e.what()), ""};
    } catch (const std::runtime_error& e) {
      throw HttpError{503, e.what(), ""};
    }
    return json_response(200, {{"session", session_public_json(session)},
                               {"facilitator_key", session.facilitator_key},
                               {"join_path", "/j/" + session.code}});
  }

  const std::string& code = parts[2];
  const std::optional<Session> found = sessions_.find(code);
  if (!found)
    throw HttpError{404, fmt::format("session: expected the code of a session, found {}", json(code).dump()), ""};
  const Session& session = *found;
  const std::string given_key = !request.authorization.empty() && request.authorization.starts_with("Key ")
                                    ? request.authorization.substr(4)
                                    : key;
  const bool facilitator = same_secret(given_key, session.facilitator_key);
  const auto need_facilitator = [&] {
    if (!facilitator)
      throw HttpError{403, "key: expected the facilitator's key of this session (Authorization: Key KEY or ?key=KEY)",
                      ""};
  };
  const std::string sub = parts.size() > 3 ? parts[3] : "";
  const auto method = [&](const char* expected) {
    if (request.method != expected)
      throw HttpError{405, fmt::format("{}: expected {}, found {}", request.path, expected, request.method), ""};
  };
  const ScenarioEntry* entry = catalogue_->find(session.scenario);
  if (entry == nullptr)
    throw HttpError{410,
                    fmt::format("session {}: its scenario {} is not among this server's scenarios ({})", code,
                                json(session.scenario).dump(), catalogue_->names()),
                    ""};

  if (parts.size() == 3) {
    method("GET");
    json out = session_public_json(session);
    out["facilitator"] = facilitator;
    out["levers"] = levers_json(entry->levers);
    return json_response(200, out);
  }
  if (sub == "teams" && parts.size() == 4) {
    method("POST");
    const json body = parse_body(request, config_.max_json_depth);
    require_object(body);
    check_fields(body, {"name"});
    const std::string name = checked_team_name(string_field(body, "name", true));
    Team team{"", name, random_key()};
    std::optional<HttpError> refused;
    sessions_.update(code, [&](Session& s) {
      for (const Team& t : s.teams)
        if (t.name == name) {
          refused = HttpError{
              409, fmt::format("/name: expected a name no other team of this session has, found {}", json(name).dump()),
              "/name"};
          return false;
        }
      if (s.teams.size() >= kMaxTeams) {
        refused =
            HttpError{409, fmt::format("session {}: expected at most {} teams, found it full", code, kMaxTeams), ""};
        return false;
      }
      team.id = fmt::format("t{}", s.teams.size() + 1);
      s.teams.push_back(team);
      return true;
    });
    if (refused) throw *refused;
    return json_response(200, {{"team", {{"id", team.id}, {"name", team.name}}}, {"key", team.key}});
  }
  if (sub == "plans" && parts.size() == 4) {
    method("POST");
    const Team* team = nullptr;
    for (const Team& t : session.teams)
      if (same_secret(given_key, t.key)) team = &t;
    if (team == nullptr)
      throw HttpError{403, "key: expected the key a team got when it joined (Authorization: Key KEY)", ""};
    const json body = parse_body(request, config_.max_json_depth);
    require_object(body);
    check_fields(body, {"levers"});
    const json levers = body.value("levers", json::object());
    const auto own =
        std::count_if(session.plans.begin(), session.plans.end(), [&](const Plan& p) { return p.team_id == team->id; });
    if (static_cast<std::size_t>(own) >= kMaxPlansPerTeam)
      throw HttpError{
          409, fmt::format("team {}: expected at most {} plans, found it at the limit", team->id, kMaxPlansPerTeam),
          ""};
    const std::string label = fmt::format("{} plan {}", team->name, own + 1);
    const json document = plan_document(*entry, levers, label, session.replications);
    auto job = std::make_shared<Job>();
    job->client = "team " + code + "/" + team->id;  // a team's plans run one at a time, none dropped
    job->replaceable = false;
    Catalogue* catalogue = catalogue_.get();
    SessionStore* store = &sessions_;
    const std::string team_id = team->id;
    const std::uint64_t replications = session.replications;
    job->work = [=](const WhatIfOptions& options) {
      auto base = catalogue->base_runs.get(*entry, replications, phase(options, 0, 2));
      if (!base) throw Cancelled{};
      const ScenarioRun run = run_or_cancel(document, label, phase(options, 1, 2), *base);
      Plan plan{"", team_id, label, levers, headline_means(run.summary)};
      bool revealed = false;
      store->update(code, [&](Session& s) {
        const auto k =
            std::count_if(s.plans.begin(), s.plans.end(), [&](const Plan& p) { return p.team_id == team_id; });
        plan.label = fmt::format("{} plan {}", label.substr(0, label.rfind(" plan ")), k + 1);
        plan.id = fmt::format("p{}", s.plans.size() + 1);
        s.plans.push_back(plan);
        revealed = s.revealed;
        return true;
      });
      json result = run_json(run, &base->run, !revealed);
      result["scenario"] = entry->name;
      result["levers"] = levers;
      return json{{"plan", {{"id", plan.id}, {"label", plan.label}}}, {"result", result}}.dump(
          -1, ' ', false, json::error_handler_t::replace);
    };
    Response r;
    r.content_type = job->content_type;
    r.job = std::move(job);
    return r;
  }
  if (sub == "leaderboard" && parts.size() == 4) {
    method("GET");
    json board = leaderboard_json(session);
    board["revealed"] = session.revealed;
    return json_response(200, board);
  }
  if (sub == "debrief" && parts.size() == 4) {
    method("GET");
    need_facilitator();
    return json_response(200, debrief_json(session));
  }
  if (sub == "reveal" && parts.size() == 4) {
    method("POST");
    need_facilitator();
    sessions_.update(code, [](Session& s) {
      s.revealed = true;
      return true;
    });
    return json_response(200, {{"revealed", true}});
  }
  const auto plan_document_of = [&](const Plan& plan) {
    return plan_document(*entry, plan.levers, plan.label, session.replications);
  };
  if (sub == "export.json" && parts.size() == 4) {
    method("GET");
    need_facilitator();
    json variants = json::array();
    for (const Plan& plan : session.plans) {
      json means = json::object();
      for (std::size_t m = 0; m < plan.means.size() && m < metric_defs().size(); ++m)
        means[std::string(metric_defs()[m].name)] = std::isfinite(plan.means[m]) ? json(plan.means[m]) : json(nullptr);
      variants.push_back({{"plan", plan.id},
                          {"label", plan.label},
                          {"team", plan.team_id},
                          {"levers", plan.levers},
                          {"headline", means},
                          {"scenario", plan_document_of(plan)}});
    }
    Response r = json_response(200, {{"session", session_public_json(session)},
                                     {"leaderboard", leaderboard_json(session)},
                                     {"base", plan_document(*entry, json::object(), entry->name, session.replications)},
                                     {"variants", variants}});
    r.headers.emplace_back("Content-Disposition", fmt::format("attachment; filename=\"workshop-{}.json\"", code));
    return r;
  }
  if (sub == "export.html" && parts.size() == 4) {
    method("GET");
    need_facilitator();
    if (session.plans.empty())
      throw HttpError{409, fmt::format("session {}: expected at least one plan, found none", code), ""};
    std::vector<json> documents{plan_document(*entry, json::object(), entry->name, session.replications)};
    std::vector<std::string> labels{entry->name};
    for (const Plan& plan : session.plans) {
      documents.push_back(plan_document_of(plan));
      labels.push_back(plan.label);
    }
    auto job = std::make_shared<Job>();
    job->client = "facilitator " + code;
    job->replaceable = false;
    job->ndjson = false;
    job->content_type = "text/html; charset=utf-8";
    job->work = [documents, labels, code](const WhatIfOptions& options) {
      std::vector<RunnableScenario> scenarios;
      for (std::size_t i = 0; i < documents.size(); ++i) scenarios.push_back(runnable(documents[i], labels[i]));
      const std::optional<ComparisonReport> report = run_comparison(scenarios, labels, options);
      if (!report) throw Cancelled{};
      return html_report({{"compare.json", comparison_json(*report)}}, "funnelsim serve, workshop " + code);
    };
    Response r;
    r.content_type = job->content_type;
    r.job = std::move(job);
    return r;
  }
  if (sub == "plans" && parts.size() == 6 && parts[5] == "scenario.json") {
    method("GET");
    const Plan* plan = nullptr;
    for (const Plan& p : session.plans)
      if (p.id == parts[4]) plan = &p;
    if (plan == nullptr)
      throw HttpError{404, fmt::format("plan: expected a plan of session {}, found {}", code, json(parts[4]).dump()),
                      ""};
    bool allowed = facilitator;
    for (const Team& t : session.teams)
      if (t.id == plan->team_id && same_secret(given_key, t.key)) allowed = true;
    if (!allowed) throw HttpError{403, "key: expected the facilitator's key or the key of the plan's team", ""};
    Response r;
    r.body = plan_document_of(*plan).dump(2) + "\n";
    r.headers.emplace_back("Content-Disposition", fmt::format("attachment; filename=\"{}-{}.json\"", code, plan->id));
    return r;
  }
  throw HttpError{404, fmt::format("{}: no such endpoint", request.path), ""};
}

}  // namespace funnelsim::server
