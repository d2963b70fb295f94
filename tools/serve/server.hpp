#pragma once
// funnelsim serve's request handling, without sockets: a Request in, a Response out, so that the
// API can be unit-tested and fuzzed in-process. tools/cli/cmd_serve.cpp puts it behind
// cpp-httplib. docs/server.md documents the API.
//
// A request that simulates (a run, a plan) comes back as a Response holding a Job; execute() runs
// it under the server's limits: one running simulation per client (a newer one cancels it), a
// bounded queue in front of one simulation at a time, a wall-clock cap per job, and a tick that
// reports progress and says whether the client is still there.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "funnelsim/whatif/run.hpp"
#include "levers.hpp"
#include "workshop.hpp"

namespace funnelsim::server {

struct ServerConfig {
  std::vector<std::filesystem::path> scenarios;  ///< the only scenarios a client can name
  std::string host = "127.0.0.1";                ///< what the Host header must name (with the port)
  int port = 8080;
  std::string token;                ///< required on every request when non-empty
  std::filesystem::path state_dir;  ///< where sessions are kept; empty: in memory only
  std::uint64_t default_replications = 200;
  std::uint64_t max_replications = 1000;
  int max_horizon_days = 730;
  std::size_t max_body_bytes = 64 * 1024;
  int max_json_depth = 16;
  std::size_t max_queue = 64;  ///< simulations running or waiting, over all clients
  double max_seconds = 120;    ///< wall clock per simulation job, queueing excluded
  int threads = 0;             ///< per simulation; 0: all cores
};

/// Whether `host` names this machine's loopback interface (no token needed there).
bool is_loopback_host(const std::string& host);

struct Request {
  std::string method;  ///< "GET", "POST"
  std::string path;    ///< without the query
  std::map<std::string, std::string> query;
  std::string host;           ///< the Host header
  std::string content_type;   ///< the Content-Type header
  std::string authorization;  ///< the Authorization header ("Bearer TOKEN")
  std::string cookie;         ///< the Cookie header
  std::string client;         ///< X-Funnelsim-Client, else the peer address
  std::string body;
};

/// A simulation to run under the limits (execute). `ndjson`: the response is a stream of JSON
/// lines, {"progress": f} while it runs and one last line with the result or the error; else the
/// body is the result alone.
struct Job {
  std::string client;
  /// A newer job of the same client cancels this one (an explore run); else the client waits for
  /// it (a plan is a record, never dropped): a second job meanwhile is refused with 429.
  bool replaceable = true;
  bool ndjson = true;
  std::string content_type = "application/x-ndjson";
  /// Returns the result body; throws std::runtime_error for a failure the client should read.
  std::function<std::string(const WhatIfOptions&)> work;
};

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  std::shared_ptr<Job> job;  ///< when set: execute() it for the body
};

/// How a job ended.
struct JobOutcome {
  int status = 200;  ///< 200, or 503 (queue full), 504 (over the time cap), 409 (cancelled), 429 (the client's
                     ///< previous job still runs), 400 (bad input), 500
  std::string body;  ///< the result, or {"error": ...}
};

class Server {
 public:
  /// Reads every scenario (their warm-ups are worked out here, once) and the sessions in
  /// state_dir. Throws ScenarioError / UsageError for a bad scenario or configuration.
  explicit Server(ServerConfig config);
  ~Server();

  Response handle(const Request& request);

  /// Runs `job`; `tick(fraction done)` is called about every 100 ms from this thread and returns
  /// false when the client has gone (the run is cancelled).
  JobOutcome execute(const Job& job, const std::function<bool(double)>& tick = {});

  /// Stops every running and waiting job (they end cancelled) and saves every session.
  void shutdown();

  /// Things worth telling whoever started the server (a session file that could not be read...).
  const std::vector<std::string>& notes() const { return notes_; }
  const ServerConfig& config() const { return config_; }
  /// Jobs running and waiting now.
  std::size_t jobs_in_flight() const;

 private:
  struct Catalogue;
  struct Gate;
  Response route(const Request& request);
  Response run_endpoint(const Request& request);
  Response sessions_endpoint(const Request& request, const std::vector<std::string>& parts);
  std::optional<Response> refuse(const Request& request) const;

  ServerConfig config_;
  std::unique_ptr<Catalogue> catalogue_;
  std::unique_ptr<Gate> gate_;
  SessionStore sessions_;
  std::vector<std::string> notes_;
};

}  // namespace funnelsim::server
