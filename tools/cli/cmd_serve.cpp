// `funnelsim serve SCENARIO... [--port 8080] [--host 127.0.0.1] [--replications N]`: the workshop
// web app (docs/server.md). tools/serve handles the requests; this file puts it behind
// cpp-httplib, prints where it listens, and stops it cleanly on SIGINT/SIGTERM with every session
// saved.
#include <pthread.h>
#include <signal.h>

#include <atomic>
#include <cstdio>
#include <memory>
#include <thread>

#include <fmt/format.h>
#include <httplib.h>

#include "commands.hpp"
#include "funnelsim/core/usage_error.hpp"
#include "server.hpp"
#include "terminal.hpp"
#include "workshop.hpp"

namespace funnelsim::cli {
namespace {

using nlohmann::json;

server::Request request_of(const httplib::Request& in) {
  server::Request r;
  r.method = in.method;
  r.path = in.path;
  for (const auto& [key, value] : in.params) r.query.emplace(key, value);
  r.host = in.get_header_value("Host");
  r.content_type = in.get_header_value("Content-Type");
  r.authorization = in.get_header_value("Authorization");
  r.cookie = in.get_header_value("Cookie");
  // The peer's address first: a client can only replace its own runs.
  r.client = in.remote_addr + "/" + in.get_header_value("X-Funnelsim-Client");
  r.body = in.body;
  return r;
}

void answer(server::Server& server, const httplib::Request& in, httplib::Response& out) {
  server::Response response = server.handle(request_of(in));
  for (const auto& [name, value] : response.headers) out.set_header(name, value);
  if (!response.job) {
    out.status = response.status;
    out.set_content(response.body, response.content_type);
    return;
  }
  const std::shared_ptr<server::Job> job = response.job;
  if (!job->ndjson) {  // a download: its status waits for its end
    const server::JobOutcome outcome = server.execute(*job);
    out.status = outcome.status;
    out.set_content(outcome.body, outcome.status == 200 ? job->content_type : "application/json");
    return;
  }
  // A stream of JSON lines: progress while it runs (which also finds a client that left: the
  // write fails), then the result or the error with its status.
  out.status = 200;
  out.set_chunked_content_provider(job->content_type, [&server, job](std::size_t, httplib::DataSink& sink) {
    const server::JobOutcome outcome = server.execute(*job, [&](double fraction) {
      const std::string line = json{{"progress", fraction}}.dump() + "\n";
      return sink.write(line.data(), line.size());
    });
    std::string last = outcome.body;
    if (outcome.status != 200) {
      json body = json::parse(outcome.body, nullptr, false);
      body["status"] = outcome.status;
      last = body.dump();
    }
    last += "\n";
    sink.write(last.data(), last.size());
    sink.done();
    return true;
  });
}

}  // namespace

Command add_serve_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("serve", "Run the workshop web app: explore levers, run a workshop (docs/server.md)");
  auto config = std::make_shared<server::ServerConfig>();
  auto files = std::make_shared<std::vector<std::string>>();
  auto quiet = std::make_shared<bool>(false);
  cmd->add_option("scenarios", *files, "Scenario files the app offers (clients choose among these by name)")
      ->required()
      ->expected(1, -1)
      ->check(CLI::ExistingFile);
  cmd->add_option("--port", config->port, "Port to listen on (0: any free port)")->capture_default_str();
  cmd->add_option("--host", config->host,
                  "Address to listen on; anything but loopback requires the printed token on every request")
      ->capture_default_str();
  cmd->add_option("--replications", config->default_replications, "Replications per run unless a request asks")
      ->capture_default_str();
  cmd->add_option("--max-replications", config->max_replications, "Most replications a request may ask for")
      ->capture_default_str();
  cmd->add_option("--max-seconds", config->max_seconds, "Most seconds one simulation may run")->capture_default_str();
  cmd->add_option("--state", config->state_dir, "Folder keeping the workshop sessions (one file each)")
      ->capture_default_str();
  cmd->add_option("--token", config->token,
                  "The token clients must send (default on a non-loopback host: a random one)");
  cmd->add_option("--threads", config->threads, "Threads per simulation (0: all cores)")->capture_default_str();
  cmd->add_flag("--quiet", *quiet, "Print only the address");
  config->state_dir = "funnelsim-sessions";
  return [config, files, quiet]() {
    if (config->port < 0 || config->port > 65535)
      throw UsageError("--port", fmt::format("expected a port from 0 to 65535, found {}", config->port));
    if (config->default_replications < 2 || config->default_replications > config->max_replications)
      throw UsageError("--replications", fmt::format("expected 2 to --max-replications ({}), found {}",
                                                     config->max_replications, config->default_replications));
    if (!(config->max_seconds > 0)) throw UsageError("--max-seconds", "expected a positive number of seconds");
    const bool loopback = server::is_loopback_host(config->host);
    if (!loopback && config->token.empty()) config->token = server::random_key();
    for (const auto& f : *files) config->scenarios.emplace_back(f);

    // SIGINT and SIGTERM are taken by one thread (sigwait), so the others never see them.
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

    httplib::Server http;
    // Every connection holds a thread while its simulation waits: enough for a full queue, with
    // room left for the health check and the pages.
    const std::size_t pool = config->max_queue + 16;
    http.new_task_queue = [pool] { return new httplib::ThreadPool(pool); };
    http.set_tcp_nodelay(true);  // small responses leave at once, not after a delayed ACK
    http.set_payload_max_length(config->max_body_bytes * 4);
    http.set_read_timeout(10, 0);
    http.set_write_timeout(10, 0);
    const int port = config->port == 0 ? http.bind_to_any_port(config->host) : config->port;
    if (port < 0 || (config->port != 0 && !http.bind_to_port(config->host, config->port)))
      throw UsageError("--port", fmt::format("expected a port free on {}, found {} taken or not allowed", config->host,
                                             config->port));
    config->port = port;
    server::Server server(*config);  // reads the scenarios and works out their warm-ups
    for (const std::string& note : server.notes()) print_text(stderr, "funnelsim serve: " + note + "\n");
    const auto handler = [&server](const httplib::Request& in, httplib::Response& out) { answer(server, in, out); };
    for (const char* pattern : {".*"}) {
      http.Get(pattern, handler);
      http.Post(pattern, handler);
      http.Put(pattern, handler);
      http.Delete(pattern, handler);
      http.Patch(pattern, handler);
    }
    const std::string shown_host =
        config->host.find(':') != std::string::npos ? "[" + config->host + "]" : config->host;
    const std::string url = fmt::format("http://{}:{}/", shown_host, port);
    print_text(stdout, config->token.empty() ? fmt::format("funnelsim serve: {}\n", url)
                                             : fmt::format("funnelsim serve: {}?token={}\n", url, config->token));
    if (!*quiet)
      print_text(stdout, fmt::format("  scenarios: {}; sessions kept in {}; Ctrl-C stops it\n", files->size(),
                                     config->state_dir.string()));
    std::fflush(stdout);

    std::atomic<int> stopped_by{0};
    std::thread signals([&] {
      int signal = 0;
      sigwait(&stop_signals, &signal);
      stopped_by = signal;
      server.shutdown();  // cancels running simulations, saves every session
      http.stop();
    });
    const bool listened = http.listen_after_bind();
    if (stopped_by == 0) pthread_kill(signals.native_handle(), SIGTERM);
    signals.join();
    if (!*quiet) print_text(stderr, "funnelsim serve: stopped, sessions saved\n");
    return listened || stopped_by != 0 ? 0 : 1;
  };
}

}  // namespace funnelsim::cli
