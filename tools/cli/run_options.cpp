#include "run_options.hpp"

#include <charconv>
#include <cstdint>
#include <filesystem>

#include <fmt/format.h>

#include "funnelsim/output/run_output.hpp"
#include "option_error.hpp"
#include "terminal.hpp"

namespace funnelsim::cli {

void add_scenario_options(CLI::App& cmd, ScenarioOptions& opts, bool with_run_controls) {
  cmd.add_option("scenario", opts.scenario, "Scenario JSON file")->required();
  add_set_option(cmd, opts, "Override a field: --set /json/pointer=value (repeatable)");
  if (with_run_controls) add_run_controls(cmd, opts);
}

void add_set_option(CLI::App& cmd, ScenarioOptions& opts, const std::string& help) {
  // One value per --set, so that `--set /a=1 scenario.json` leaves the scenario positional.
  cmd.add_option("--set", opts.sets, help)->allow_extra_args(false);
}

namespace {

constexpr std::uint64_t kMaxSeed = (std::uint64_t{1} << 53) - 1;  // as the scenario's "seed" (exact in any JSON reader)
constexpr std::uint64_t kMaxFirstReplication = (std::uint64_t{1} << 53) - 1;  // far from wrapping when counted on

/// A whole number from 0 to `max`, written as digits: CLI11 alone reads "-1" into an unsigned
/// option as 2^64 - 1.
CLI::Validator whole_number_up_to(std::uint64_t max) {
  return CLI::Validator(
      [max](std::string& text) -> std::string {
        std::uint64_t value = 0;
        const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
        if (text.empty() || ec != std::errc() || end != text.data() + text.size() || value > max)
          return fmt::format("expected a whole number from 0 to {}, found {}", max, text);
        return {};
      },
      fmt::format("0..{}", max));
}

}  // namespace

void add_run_controls(CLI::App& cmd, ScenarioOptions& opts, bool with_first_replication) {
  cmd.add_option("--replications", opts.replications, "Replications (default: the scenario's)")
      ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{100000000}));
  cmd.add_option("--seed", opts.seed, "Master seed (default: the scenario's)")->check(whole_number_up_to(kMaxSeed));
  if (with_first_replication)
    cmd.add_option("--first-replication", opts.first_replication,
                   "Index of the first replication, to split one run across machines")
        ->check(whole_number_up_to(kMaxFirstReplication));
  cmd.add_option("--threads", opts.threads, "Worker threads (default: all cores)")->check(CLI::Range(1, 1024));
  cmd.add_option("--warmup", opts.warmup,
                 "Warm-up before the horizon: auto (the rule picks it from the model, see docs/model.md) or DAYS; "
                 "sets /warmup_days after every --set")
      ->check(CLI::Validator(
          [](std::string& text) -> std::string {
            if (text == "auto") return {};
            int days = -1;
            const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), days);
            if (text.empty() || ec != std::errc() || end != text.data() + text.size() || days < 0 || days > 3650)
              return fmt::format("expected auto or a whole number of days from 0 to 3650, found {}", text);
            return {};
          },
          "auto|0..3650"));
}

std::vector<Override> parse_overrides(const std::vector<std::string>& sets) {
  std::vector<Override> overrides;
  for (const auto& s : sets) overrides.push_back(naming_overrides("--set", [&] { return Override::parse(s); }));
  return overrides;
}

std::vector<Override> scenario_overrides(const ScenarioOptions& opts) {
  std::vector<Override> overrides = parse_overrides(opts.sets);
  if (!opts.warmup.empty()) overrides.push_back(Override{"/warmup_days", opts.warmup});
  return overrides;
}

std::string fallback_name_of(const std::string& file) { return std::filesystem::path(file).stem().string(); }

std::optional<WarmupChoice> choose_warmup_for(const nlohmann::json& document, const std::string& file, bool quiet,
                                              const std::atomic<bool>* cancel) {
  std::optional<WarmupChoice> choice = choose_warmup(document, fallback_name_of(file), cancel);
  if (choice && choice->automatic && !quiet) print_text(stderr, "funnelsim: " + warmup_note(*choice) + "\n");
  return choice;
}

void add_metrics_option(CLI::App& cmd, ScenarioOptions& opts) {
  cmd.add_option("--metrics", opts.metrics,
                 "Metrics the table and the report show, in this order: a,b,c (whole-funnel, team or rep metric "
                 "names; default: the usual selection)");
}

std::vector<std::string> chosen_metrics(const ScenarioOptions& opts) {
  if (opts.metrics.empty()) return {};
  return for_option("--metrics", [&] { return parse_metric_list(opts.metrics); });
}

WhatIfOptions whatif_options(const ScenarioOptions& opts) {
  WhatIfOptions options;
  options.seed = opts.seed;
  options.replications = opts.replications;
  options.first_replication = opts.first_replication;
  options.threads = opts.threads;
  if (!opts.precision.empty())
    options.precision = for_option("--precision", [&] { return parse_precision(opts.precision); });
  return options;
}

nlohmann::json read_document(const std::string& file, const std::vector<Override>& overrides) {
  return naming_overrides("--set", [&] { return read_scenario_document(file, overrides); });
}

ScenarioInput read_input(const std::string& file, const std::vector<Override>& overrides) {
  return naming_overrides("--set", [&] { return read_scenario_input(file, overrides); });
}

RunnableScenario load_runnable(const std::string& file, const std::vector<Override>& overrides,
                               const std::optional<WarmupChoice>& warmup) {
  ScenarioInput input = read_input(file, overrides);
  return RunnableScenario(std::move(input.document), fallback_name_of(file), std::move(input.origin), warmup);
}

}  // namespace funnelsim::cli
