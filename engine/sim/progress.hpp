#pragma once
// Progress of a run on stderr: a live line (step, agent-steps/s, ETA) when stderr is a
// terminal, a few plain log lines otherwise, nothing with --quiet. Shown only once the
// run has lasted a couple of seconds, so quick runs stay silent.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

namespace clustersim::sim {

class Progress {
 public:
  enum class Mode { Terminal, Log, Quiet };
  /// Picks Terminal when stderr is a tty, Log otherwise, Quiet when `quiet`.
  static Mode detect(bool quiet);

  Progress(Mode mode, std::size_t total_steps, std::string agent_noun);
  /// Called after each step; `agent_steps` is the running total of agents × steps.
  void update(std::size_t steps_done, std::size_t replicate, std::size_t replicates, double agent_steps);
  /// Clears the live line.
  void finish();

  double elapsed_seconds() const;

 private:
  Mode mode_;
  std::size_t total_steps_;
  std::string noun_;
  std::chrono::steady_clock::time_point start_, last_print_;
  int next_log_quarter_ = 1;
  bool line_open_ = false;
};

/// "1.23e+07"-style compact rate text.
std::string format_rate(double per_second);
/// "1m05s" / "12s".
std::string format_duration(double seconds);

}  // namespace clustersim::sim
