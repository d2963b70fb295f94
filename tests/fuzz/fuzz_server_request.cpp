// libFuzzer target: funnelsim serve's request handling (tools/serve/server.hpp), in-process, on a
// small scenario with every kind of lever. The input is a request as text:
//   METHOD PATH[?k=v&...]\n(Header: value\n)*\nBODY
// with the headers Host, Content-Type, Authorization and Cookie. Every request must get an
// answer: any status but 500 (handle() turns an escaping exception into a 500, which is a bug).
// Simulations are not run (a request that would start one only gets its job back).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <string_view>
#include <unistd.h>

#include "server.hpp"

namespace {

constexpr const char* kScenario = R"({
  "name": "ws", "horizon_days": 14, "seed": 11, "replications": 4,
  "sources": [
    { "name": "search", "leads_per_week": 30, "cost_per_lead": 50,
      "profile": { "attributes": { "fit": { "probability": 0.3, "readiness_correlation": 0.5 } },
                   "events": { "visit": { "rate_at_readiness_0": 0.5, "rate_at_readiness_1": 20, "half_life_days": 10 } } } },
    { "name": "social", "leads_per_week": 40, "cost_per_lead": 25 }],
  "scoring": { "attribute_points": { "fit": 20 }, "event_points": { "visit": 5 }, "mql_threshold": 60 },
  "sales": { "teams": [ { "name": "desk", "headcount": 1, "queue_discipline": "fifo", "sla_hours": { "engagement": 24 } } ] },
  "nurture": { "tracks": [ { "name": "recycle", "reasons": ["not_ready"], "duration_days": 14, "touches_per_week": 1,
                             "lift_per_touch": 0.1, "cost_per_touch": 0.25 } ],
               "recycling": { "enabled": true, "reasons": ["not_ready"], "cooldown_days": 7, "max_recycles": 1 } }
})";

funnelsim::server::Server& server() {
  static const std::unique_ptr<funnelsim::server::Server> instance = [] {
    const auto file = std::filesystem::temp_directory_path() / ("fuzz_server_" + std::to_string(::getpid()) + ".json");
    std::ofstream(file) << kScenario;
    funnelsim::server::ServerConfig config;
    config.scenarios = {file};
    config.port = 8080;
    config.max_body_bytes = 4096;
    auto made = std::make_unique<funnelsim::server::Server>(config);
    std::filesystem::remove(file);
    return made;
  }();
  return *instance;
}

std::string_view line(std::string_view& text) {
  const std::size_t end = text.find('\n');
  const std::string_view out = text.substr(0, end);
  text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  funnelsim::server::Request request;
  request.host = "127.0.0.1:8080";
  request.client = "fuzz";
  const std::string_view first = line(input);
  const std::size_t space = first.find(' ');
  request.method = std::string(first.substr(0, space));
  std::string_view target = space == std::string_view::npos ? std::string_view{} : first.substr(space + 1);
  const std::size_t question = target.find('?');
  request.path = std::string(target.substr(0, question));
  if (question != std::string_view::npos) {
    std::string_view query = target.substr(question + 1);
    while (!query.empty()) {
      const std::size_t amp = query.find('&');
      const std::string_view pair = query.substr(0, amp);
      const std::size_t eq = pair.find('=');
      request.query[std::string(pair.substr(0, eq))] =
          eq == std::string_view::npos ? "" : std::string(pair.substr(eq + 1));
      query.remove_prefix(amp == std::string_view::npos ? query.size() : amp + 1);
    }
  }
  for (std::string_view header = line(input); !header.empty(); header = line(input)) {
    const std::size_t colon = header.find(": ");
    if (colon == std::string_view::npos) continue;
    const std::string_view name = header.substr(0, colon), value = header.substr(colon + 2);
    if (name == "Host") request.host = std::string(value);
    if (name == "Content-Type") request.content_type = std::string(value);
    if (name == "Authorization") request.authorization = std::string(value);
    if (name == "Cookie") request.cookie = std::string(value);
  }
  request.body = std::string(input);
  const funnelsim::server::Response response = server().handle(request);
  if (response.status == 500 || response.status < 200 || response.status > 599) std::abort();
  return 0;
}
