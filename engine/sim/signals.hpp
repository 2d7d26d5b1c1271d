#pragma once
// Ctrl-C and SIGTERM set a flag that the step loop polls between steps; the loop then
// unwinds with clustersim::Interrupted, which lets the writer remove its temporary file.
// A second signal falls back to the default action (immediate exit).

namespace clustersim::sim {

class InterruptGuard {
 public:
  InterruptGuard();
  ~InterruptGuard();
  InterruptGuard(const InterruptGuard&) = delete;
  InterruptGuard& operator=(const InterruptGuard&) = delete;
  /// Throws clustersim::Interrupted when a signal has arrived.
  static void check();
  static bool requested();
};

}  // namespace clustersim::sim
