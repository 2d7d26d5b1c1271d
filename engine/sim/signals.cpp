#include "engine/sim/signals.hpp"

#include <csignal>

#include "engine/core/error.hpp"

namespace clustersim::sim {

namespace {
volatile std::sig_atomic_t g_requested = 0;
void (*g_previous_int)(int) = SIG_DFL;
void (*g_previous_term)(int) = SIG_DFL;

extern "C" void on_signal(int signal_number) {
  g_requested = 1;
  std::signal(signal_number, SIG_DFL);  // a second Ctrl-C really stops the process
}
}  // namespace

InterruptGuard::InterruptGuard() {
  g_requested = 0;
  g_previous_int = std::signal(SIGINT, on_signal);
  g_previous_term = std::signal(SIGTERM, on_signal);
}

InterruptGuard::~InterruptGuard() {
  std::signal(SIGINT, g_previous_int);
  std::signal(SIGTERM, g_previous_term);
}

bool InterruptGuard::requested() { return g_requested != 0; }

void InterruptGuard::check() {
  if (requested()) throw Interrupted();
}

}  // namespace clustersim::sim
