#include "engine/sim/progress.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>

namespace clustersim::sim {

namespace {
constexpr double kQuietSeconds = 2.0;       // runs shorter than this print nothing
constexpr double kRedrawSeconds = 0.2;      // live-line refresh interval
}  // namespace

Progress::Mode Progress::detect(bool quiet) {
  if (quiet) return Mode::Quiet;
  return ::isatty(STDERR_FILENO) ? Mode::Terminal : Mode::Log;
}

Progress::Progress(Mode mode, std::size_t total_steps, std::string agent_noun)
    : mode_(mode),
      total_steps_(total_steps),
      noun_(std::move(agent_noun)),
      start_(std::chrono::steady_clock::now()),
      last_print_(start_) {}

double Progress::elapsed_seconds() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

void Progress::update(std::size_t steps_done, std::size_t replicate, std::size_t replicates, double agent_steps) {
  if (mode_ == Mode::Quiet || total_steps_ == 0) return;
  const auto now = std::chrono::steady_clock::now();
  const double elapsed = std::chrono::duration<double>(now - start_).count();
  if (elapsed < kQuietSeconds) return;
  const double fraction = static_cast<double>(steps_done) / static_cast<double>(total_steps_);
  const double eta = fraction > 0 ? elapsed * (1.0 - fraction) / fraction : 0.0;
  const std::string text =
      fmt::format("step {}/{} (replicate {}/{}) | {} {}-steps/s | elapsed {} | ETA {}", steps_done, total_steps_,
                  replicate + 1, replicates, format_rate(agent_steps / elapsed), noun_, format_duration(elapsed),
                  format_duration(eta));
  if (mode_ == Mode::Terminal) {
    if (std::chrono::duration<double>(now - last_print_).count() < kRedrawSeconds && steps_done < total_steps_) return;
    last_print_ = now;
    std::fprintf(stderr, "\r\033[K%s", text.c_str());
    std::fflush(stderr);
    line_open_ = true;
  } else {
    // Plain logs: one line at each quarter of the run.
    while (next_log_quarter_ <= 4 && fraction * 4.0 >= next_log_quarter_) {
      spdlog::info("{}", text);
      ++next_log_quarter_;
    }
  }
}

void Progress::finish() {
  if (line_open_) {
    std::fprintf(stderr, "\r\033[K");
    std::fflush(stderr);
    line_open_ = false;
  }
}

std::string format_rate(double per_second) {
  if (!std::isfinite(per_second)) return "-";
  return fmt::format("{:.3g}", per_second);
}

std::string format_duration(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return "-";
  const auto s = static_cast<long long>(std::llround(seconds));
  if (s < 60) return fmt::format("{}s", s);
  if (s < 3600) return fmt::format("{}m{:02}s", s / 60, s % 60);
  return fmt::format("{}h{:02}m", s / 3600, (s % 3600) / 60);
}

}  // namespace clustersim::sim
