#include "descent/train/interrupt.h"

#include <atomic>
#include <csignal>

namespace descent {
namespace {
std::atomic<bool> g_interrupted{false};
std::atomic<int> g_signal{0};
using Handler = void (*)(int);
Handler g_previous_int = SIG_DFL, g_previous_term = SIG_DFL;

extern "C" void on_signal(int signal) {
  g_signal.store(signal);
  g_interrupted.store(true);
  // A second signal of either kind ends the process at once.
  std::signal(SIGINT, SIG_DFL);
  std::signal(SIGTERM, SIG_DFL);
}
}  // namespace

InterruptGuard::InterruptGuard() {
  clear_interrupt();
  g_signal.store(0);
  g_previous_int = std::signal(SIGINT, on_signal);
  g_previous_term = std::signal(SIGTERM, on_signal);
}

InterruptGuard::~InterruptGuard() {
  std::signal(SIGINT, g_previous_int);
  std::signal(SIGTERM, g_previous_term);
}

bool interrupt_requested() { return g_interrupted.load(); }
void request_interrupt() { g_interrupted.store(true); }
void clear_interrupt() { g_interrupted.store(false); }

int interrupt_signal() { return g_signal.load(); }
const char* interrupt_name() {
  const int signal = g_signal.load();
  return signal == SIGTERM ? "SIGTERM" : signal == SIGINT ? "Ctrl-C" : "";
}

}  // namespace descent
