#include "interrupt.hpp"

#include <csignal>
#include <cstdio>

#include <fmt/format.h>

namespace funnelsim::cli {
namespace {

// Only async-signal-safe work in the handler: two lock-free stores.
std::atomic<bool> g_interrupted{false};
volatile std::sig_atomic_t g_signal = 0;
static_assert(std::atomic<bool>::is_always_lock_free);

struct sigaction g_previous[2];
constexpr int kSignals[2] = {SIGINT, SIGTERM};

extern "C" void on_signal(int signal) {
  g_signal = signal;
  g_interrupted.store(true, std::memory_order_relaxed);
}

}  // namespace

InterruptGuard::InterruptGuard() {
  g_interrupted.store(false);
  g_signal = 0;
  struct sigaction action {};
  action.sa_handler = on_signal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESETHAND;  // a second signal takes the default action: end at once
  for (int i = 0; i < 2; ++i) sigaction(kSignals[i], &action, &g_previous[i]);
}

InterruptGuard::~InterruptGuard() {
  for (int i = 0; i < 2; ++i) sigaction(kSignals[i], &g_previous[i], nullptr);
}

const std::atomic<bool>* InterruptGuard::flag() const noexcept { return &g_interrupted; }

int InterruptGuard::signal() const noexcept { return g_signal; }

int InterruptGuard::report() const {
  fmt::print(stderr, "funnelsim: interrupted by {}; nothing written\n", signal() == SIGTERM ? "SIGTERM" : "SIGINT");
  return exit_code();
}

}  // namespace funnelsim::cli
