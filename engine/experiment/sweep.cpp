#include "engine/experiment/sweep.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <deque>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <cstring>
#include <sstream>
#include <thread>

#include "clustersim/version.hpp"
#include "engine/core/error.hpp"
#include "engine/experiment/experiment.hpp"
#include "engine/experiment/plan_file.hpp"
#include "engine/experiment/run_command.hpp"
#include "engine/io/hdf5_merge.hpp"
#include "engine/sim/runner.hpp"
#include "engine/sim/signals.hpp"

#ifdef CLUSTERSIM_WITH_MPI
#include <mpi.h>
#endif

#include "engine/io/atomic_file.hpp"

namespace clustersim::experiment {

namespace fs = std::filesystem;

namespace {

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

/// Write to a temporary name beside `p`, then rename: readers never see a partial file.
/// The temporary is flock()ed while it is written, so io::remove_dead_temporaries leaves it
/// alone while this process lives.
void write_atomically(const fs::path& p, const std::string& text) {
  io::LockedTemporary tmp(p);  // removes the temporary if anything below throws
  std::ofstream out(tmp.path(), std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (!out) throw std::runtime_error("cannot write '" + tmp.path().string() + "': " + std::strerror(errno));
  tmp.commit();
}

/// Done: a run file that verify_run_file accepts (status, merge, resume) or, where only a
/// cheap look is needed, that exists. Damaged: a run file that is unreadable (truncated) or
/// belongs to another run or experiment.
enum class State { Pending, Done, Failed, Damaged };

fs::path plan_file(const fs::path& dir) { return dir / "plan.tsv"; }
fs::path result_file(const fs::path& dir, const std::string& id) { return dir / "runs" / (id + ".h5"); }
fs::path failed_file(const fs::path& dir, const std::string& id) { return dir / "runs" / (id + ".failed"); }
fs::path log_file(const fs::path& dir, const std::string& id) { return dir / "logs" / (id + ".log"); }
fs::path lock_file(const fs::path& dir) { return dir / "sweep.lock"; }

/// The line of plan.tsv that lists `run` (a header line, the column line, then one per run).
std::size_t plan_line(const PlannedRun& run) { return run.index + 3; }

State state_of(const fs::path& dir, const std::string& id) {
  if (fs::exists(result_file(dir, id))) return State::Done;
  if (fs::exists(failed_file(dir, id))) return State::Failed;
  return State::Pending;
}

/// Empty when `file` is a complete run file of `run` in the experiment with SHA-1 `sha`;
/// otherwise what is wrong with it. A truncated HDF5 file fails to open.
std::string run_file_problem(const fs::path& file, const PlannedRun& run, const std::string& sha) {
  record::Layout layout;
  try {
    layout = io::read_layout(file);
  } catch (const std::exception& e) {
    return std::string("cannot be read as a run file (truncated or damaged): ") + e.what();
  }
  auto text = [&](const char* name) {
    for (const auto& a : layout.global_attributes)
      if (a.name == name) {
        if (const auto* v = std::get_if<std::string>(&a.value)) return *v;
      }
    return std::string("(none)");
  };
  const std::string id = text("run_id"), experiment = text("experiment_sha");
  if (id != run.run_id)
    return fmt::format("run_id is '{}', but plan.tsv line {} expects '{}' (the file of another run)", id,
                       plan_line(run), run.run_id);
  if (experiment != sha)
    return fmt::format("experiment_sha is '{}', but plan.tsv says '{}' (a run of another experiment)", experiment, sha);
  return {};
}

/// The state of a run with its result file verified; `problem` says why a file is Damaged.
State verified_state(const fs::path& dir, const PlannedRun& run, const std::string& sha, std::string& problem) {
  const State s = state_of(dir, run.run_id);
  if (s != State::Done) return s;
  problem = run_file_problem(result_file(dir, run.run_id), run, sha);
  return problem.empty() ? State::Done : State::Damaged;
}

std::string format_duration(double seconds) {
  if (!std::isfinite(seconds)) return "?";
  const auto s = static_cast<long long>(std::llround(seconds));
  if (s < 60) return fmt::format("{}s", s);
  if (s < 3600) return fmt::format("{}m{:02}s", s / 60, s % 60);
  return fmt::format("{}h{:02}m", s / 3600, (s % 3600) / 60);
}

double unix_seconds() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

/// The line the sweep appends to a finished run's log; `status` reads it back for its ETA.
constexpr std::string_view kTimingPrefix = "[sweep] run finished: started_unix=";

struct Interval {
  double start = 0.0, seconds = 0.0;
};

std::optional<Interval> read_timing(const fs::path& log) {
  std::ifstream in(log);
  std::optional<Interval> out;
  for (std::string line; std::getline(in, line);) {
    if (!line.starts_with(kTimingPrefix)) continue;
    Interval t;
    if (std::sscanf(line.c_str() + kTimingPrefix.size(), "%lf seconds=%lf", &t.start, &t.seconds) == 2) out = t;
  }
  return out;
}

enum Outcome : std::int64_t { kNone = 0, kDone = 1, kFailed = 2, kInterrupted = 3 };

/// One sweep run as a child process.
struct Launcher {
  fs::path self, dir;
  std::string experiment_sha, command_line;
  std::size_t threads = 1;

  pid_t start(const PlannedRun& run) const {
    std::error_code ec;
    fs::remove(failed_file(dir, run.run_id), ec);
    RunRequest request;
    request.scenario = (dir / run.scenario_file).string();
    request.output = result_file(dir, run.run_id).string();
    request.replicate_index = run.replicate;
    request.threads = threads;
    request.quiet = true;
    request.run_id = run.run_id;
    request.experiment_sha = experiment_sha;
    request.sweep_command_line = command_line;
    std::vector<std::string> args = run_arguments(request);
    args.insert(args.begin(), self.string());
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    const std::string log = log_file(dir, run.run_id).string();
    const pid_t parent = ::getpid();
    const pid_t pid = ::fork();
    if (pid < 0) throw std::runtime_error("fork failed");
    if (pid == 0) {
      // Die with the sweep: a killed sweep leaves no orphan writing into DIR.
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);
      if (::getppid() != parent) ::_exit(127);
      const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      const int null = ::open("/dev/null", O_RDWR);
      if (fd >= 0) {
        ::dup2(fd, 1);
        ::dup2(fd, 2);
      }
      if (null >= 0) ::dup2(null, 0);
      ::execv(argv[0], argv.data());
      ::_exit(127);
    }
    return pid;
  }

  /// Records the outcome of a finished child that started at `started` (unix seconds).
  Outcome finish(const PlannedRun& run, int status, double started) const {
    {
      std::ofstream log(log_file(dir, run.run_id), std::ios::app);
      log << fmt::format("{}{:.3f} seconds={:.3f}\n", kTimingPrefix, started, unix_seconds() - started);
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0 && fs::exists(result_file(dir, run.run_id))) return kDone;
    if (WIFEXITED(status) && WEXITSTATUS(status) == 130) return kInterrupted;
    if (WIFSIGNALED(status) && (WTERMSIG(status) == SIGINT || WTERMSIG(status) == SIGTERM) &&
        sim::InterruptGuard::requested())
      return kInterrupted;
    std::string error;
    std::istringstream log(read_file(log_file(dir, run.run_id)));
    for (std::string line; std::getline(log, line);) {
      const auto at = line.find("error: ");
      if (at != std::string::npos) error = line.substr(at + 7);
    }
    if (error.empty()) {
      error = WIFSIGNALED(status) ? fmt::format("killed by signal {} ({})", WTERMSIG(status), strsignal(WTERMSIG(status)))
                                  : fmt::format("exited with code {}", WEXITSTATUS(status));
    }
    write_atomically(failed_file(dir, run.run_id), error + "\n");
    return kFailed;
  }
};

struct Progress {
  std::size_t total = 0, done = 0, failed = 0, before_done = 0, before_failed = 0, to_run = 0, finished = 0;
  bool quiet = false;
  std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now(), last{};

  void report(bool force) {
    if (quiet) return;
    const auto now = std::chrono::steady_clock::now();
    if (!force && now - last < std::chrono::milliseconds(500)) return;
    last = now;
    const double elapsed = std::chrono::duration<double>(now - start).count();
    const double eta = finished ? elapsed / static_cast<double>(finished) * static_cast<double>(to_run - finished)
                                : std::nan("");
    fmt::print(stderr, "[sweep] {}/{} runs: {} done, {} failed | this session {}/{} | elapsed {} | ETA {}\n",
               done + failed, total, done, failed, finished, to_run, format_duration(elapsed),
               finished == to_run ? "0s" : format_duration(eta));
  }
  void record(Outcome o) {
    if (o == kDone) ++done;
    if (o == kFailed) ++failed;
    if (o == kDone || o == kFailed) ++finished;
    report(false);
  }
};

std::size_t default_threads(std::size_t jobs) {
  std::size_t cores = std::max(1u, std::thread::hardware_concurrency());
  if (const char* local = std::getenv("OMPI_COMM_WORLD_LOCAL_SIZE")) cores /= std::max(1, std::atoi(local));
  return std::max<std::size_t>(1, cores / std::max<std::size_t>(1, jobs));
}

/// Held (shared) by every live sweep process of a directory, released by the kernel when the
/// process dies however it dies: `status` tells a running sweep from a dead one by trying to
/// take it exclusively. Unlike kill(pid, 0), a zombie or a reused pid cannot fool it.
class SweepLock {
 public:
  explicit SweepLock(const fs::path& dir) : fd_(::open(lock_file(dir).c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644)) {
    if (fd_ < 0) throw std::runtime_error("cannot create '" + lock_file(dir).string() + "': " + std::strerror(errno));
    while (::flock(fd_, LOCK_SH) != 0 && errno == EINTR) {
    }
  }
  ~SweepLock() { ::close(fd_); }
  SweepLock(const SweepLock&) = delete;
  SweepLock& operator=(const SweepLock&) = delete;

 private:
  int fd_;
};

/// True when a live sweep process holds DIR/sweep.lock.
bool sweep_running(const fs::path& dir) {
  const int fd = ::open(lock_file(dir).c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  const bool held = ::flock(fd, LOCK_EX | LOCK_NB) != 0 && errno == EWOULDBLOCK;
  ::close(fd);
  return held;
}

/// Temporary files of writers that died (a SIGKILLed run or merge) are never complete;
/// those of live writers (another shard's runs) are kept.
void remove_dead_temporaries(const fs::path& dir) {
  std::set<fs::path> finals = {dir / "merged.h5", plan_file(dir), dir / "experiment.toml"};
  for (const auto& sub : {"runs", "scenarios"})
    for (const auto& entry : fs::directory_iterator(dir / sub)) {
      const std::string name = entry.path().filename().string();
      const auto tmp = name.find(".tmp-");
      if (tmp != std::string::npos) finals.insert(entry.path().parent_path() / name.substr(0, tmp));
    }
  for (const auto& final_path : finals) io::remove_dead_temporaries(final_path);
}

/// Creates the directory and its plan, or checks that an existing one holds this very plan.
void write_or_check_plan(const SweepOptions& o, const Experiment& e, const Plan& plan) {
  const fs::path& dir = o.dir;
  const std::string text = plan_text(e.sha, plan);
  if (fs::exists(plan_file(dir))) {
    read_plan(plan_file(dir), [](const PlanHeader&, const PlannedRun&) {});  // a damaged plan is named as such
    if (read_file(plan_file(dir)) != text) {
      throw UsageError("'" + dir.string() + "' holds a different sweep (its plan.tsv does not match " +
                       o.experiment.string() + " with these --set and --replicates); use another directory");
    }
    return;
  }
  for (const auto& [name, toml] : plan.scenario_files) write_atomically(dir / name, toml);
  write_atomically(dir / "experiment.toml", e.text);
  write_atomically(plan_file(dir), text);
}

/// Creates or checks the directory and returns the indices of the runs this invocation
/// should do. Result files are verified: a damaged one is run again.
std::vector<std::size_t> prepare(const SweepOptions& o, const Experiment& e, const Plan& plan, Progress& progress) {
  const fs::path& dir = o.dir;
  fs::create_directories(dir / "runs");
  fs::create_directories(dir / "logs");
  fs::create_directories(dir / "scenarios");
  write_or_check_plan(o, e, plan);
  remove_dead_temporaries(dir);
  std::vector<std::size_t> to_run;
  std::size_t existing = 0, retried = 0;
  for (const auto& r : plan.runs) {
    std::string problem;
    const State s = verified_state(dir, r, e.sha, problem);
    if (s == State::Done) ++progress.before_done;
    if (s == State::Failed) ++progress.before_failed;
    if (s != State::Pending) ++existing;
    if (r.index % o.shard_count != o.shard_index - 1) continue;
    if (s == State::Damaged && (o.resume || o.retry_failed)) {
      if (!o.quiet) fmt::print(stderr, "[sweep] {}: {}; running it again\n", result_file(dir, r.run_id).string(), problem);
      to_run.push_back(r.index);
    } else if ((s == State::Pending && (o.resume || !o.retry_failed)) || (s == State::Failed && o.retry_failed)) {
      to_run.push_back(r.index);
      retried += s == State::Failed;
    }
  }
  if (existing > 0 && !o.resume && !o.retry_failed)
    throw UsageError("'" + dir.string() + "' already holds results of this sweep (" + std::to_string(existing) +
                     " runs finished); pass --resume to finish it or --retry-failed to rerun failed runs");
  progress.total = plan.runs.size();
  progress.done = progress.before_done;
  // Runs about to be retried are not failed any more until they fail again.
  progress.failed = progress.before_failed - retried;
  progress.to_run = to_run.size();
  return to_run;
}

/// The children running now. Whatever way the sweep leaves (an exception included), every
/// child is stopped and reaped: no zombie, no orphan.
struct Children {
  struct Child {
    std::size_t index;
    double started;  ///< unix seconds
  };
  std::map<pid_t, Child> active;
  ~Children() {
    for (const auto& [pid, child] : active) ::kill(pid, SIGKILL);
    for (const auto& [pid, child] : active) {
      int status = 0;
      while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
      }
    }
  }
};

/// Runs `queue` with up to `jobs` children at a time. `serve` is called between polls (MPI
/// rank 0 hands out work there); it may pop from the queue.
template <class Serve>
void run_local(const Launcher& launcher, const Plan& plan, std::deque<std::size_t>& queue, std::size_t jobs,
               Progress& progress, Serve&& serve) {
  Children children;
  auto& active = children.active;
  bool stopping = false;
  while (true) {
    if (sim::InterruptGuard::requested() && !stopping) {
      stopping = true;
      for (const auto& [pid, child] : active) ::kill(pid, SIGTERM);
    }
    while (!stopping && active.size() < jobs && !queue.empty()) {
      const std::size_t index = queue.front();
      queue.pop_front();
      const double started = unix_seconds();
      active.emplace(launcher.start(plan.runs[index]), Children::Child{index, started});
    }
    int status = 0;
    const pid_t pid = active.empty() ? 0 : ::waitpid(-1, &status, WNOHANG);
    if (pid > 0) {
      const auto it = active.find(pid);
      if (it != active.end()) {
        const Children::Child child = it->second;
        active.erase(it);  // reaped: not to be killed any more
        progress.record(launcher.finish(plan.runs[child.index], status, child.started));
      }
      continue;
    }
    const bool remote_busy = serve(stopping);
    if (active.empty() && (queue.empty() || stopping) && !remote_busy) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
}

#ifdef CLUSTERSIM_WITH_MPI
constexpr int kTagReport = 1, kTagWork = 2;

/// Rank 0's side: answer every waiting worker with the next run or a stop. Returns true
/// while some worker has not been stopped yet.
struct MpiServer {
  int size = 1, stopped = 0;
  bool operator()(std::deque<std::size_t>& queue, bool stopping, Progress& progress) {
    while (true) {
      int flag = 0;
      MPI_Status status;
      MPI_Iprobe(MPI_ANY_SOURCE, kTagReport, MPI_COMM_WORLD, &flag, &status);
      if (!flag) break;
      std::int64_t report[2];
      MPI_Recv(report, 2, MPI_INT64_T, status.MPI_SOURCE, kTagReport, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
      if (report[0] >= 0) progress.record(static_cast<Outcome>(report[1]));
      std::int64_t next = -1;
      if (!stopping && !queue.empty()) {
        next = static_cast<std::int64_t>(queue.front());
        queue.pop_front();
      } else {
        ++stopped;
      }
      MPI_Send(&next, 1, MPI_INT64_T, status.MPI_SOURCE, kTagWork, MPI_COMM_WORLD);
    }
    return stopped < size - 1;
  }
};

void mpi_worker(const Launcher& launcher, const Plan& plan) {
  std::int64_t report[2] = {-1, kNone};
  while (true) {
    MPI_Send(report, 2, MPI_INT64_T, 0, kTagReport, MPI_COMM_WORLD);
    std::int64_t next = -1;
    MPI_Recv(&next, 1, MPI_INT64_T, 0, kTagWork, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    if (next < 0) return;
    const auto& run = plan.runs[static_cast<std::size_t>(next)];
    const double started = unix_seconds();
    const pid_t pid = launcher.start(run);
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    report[0] = next;
    report[1] = launcher.finish(run, status, started);
  }
}

struct MpiSession {
  MpiSession() { MPI_Init(nullptr, nullptr); }
  ~MpiSession() { MPI_Finalize(); }
};
#endif

void print_failures(const fs::path& dir, std::size_t limit) {
  std::size_t shown = 0, failed = 0;
  read_plan(plan_file(dir), [&](const PlanHeader&, const PlannedRun& r) {
    if (state_of(dir, r.run_id) != State::Failed) return;
    ++failed;
    if (shown++ < limit) {
      std::string error = read_file(failed_file(dir, r.run_id));
      while (!error.empty() && error.back() == '\n') error.pop_back();
      fmt::print(stderr, "  failed: run {} ({} {}, replicate {}): {}\n", r.index, r.run_id, r.scenario, r.replicate,
                 error);
    }
  });
  if (failed > limit) fmt::print(stderr, "  ... and {} more (clustersim status {})\n", failed - limit, dir.string());
}

/// The ETA of the pending runs from the finished runs' durations (as recorded in their logs):
/// pending x mean duration / the number of runs that ran at a time (the runs' total time
/// over the time during which at least one ran).
std::string eta_text(std::vector<Interval> finished, std::size_t pending) {
  if (pending == 0) return "0s (nothing pending)";
  if (finished.empty()) return "unknown (no finished run has a recorded duration yet)";
  std::sort(finished.begin(), finished.end(), [](const Interval& a, const Interval& b) { return a.start < b.start; });
  double busy = 0.0, total = 0.0, covered_until = -1e300;
  for (const auto& t : finished) {
    total += t.seconds;
    const double end = t.start + t.seconds;
    if (end > covered_until) busy += end - std::max(t.start, covered_until);
    covered_until = std::max(covered_until, end);
  }
  const double mean = total / static_cast<double>(finished.size());
  const double at_a_time = busy > 0.0 ? std::max(1.0, total / busy) : 1.0;
  return fmt::format("{} ({} pending x {:.3g} s, the mean of {} finished runs, / {:.2g} runs at a time as they ran)",
                     format_duration(static_cast<double>(pending) * mean / at_a_time), pending, mean, finished.size(),
                     at_a_time);
}

/// `sweep --dry-run`: the plan and an estimate of its time, from the agent-steps of every
/// run and the cost per agent-step the model declares. Writes nothing.
void print_dry_run(const SweepOptions& o, const Experiment& e, const config::Schema& schema) {
  const DesignSize size = design_size(e);
  const Plan plan = make_plan(e, schema, o.agent_steps);
  std::string names;
  for (const auto& v : e.scenarios) names += (names.empty() ? "" : ", ") + v.name;
  fmt::print("experiment:    {} (sha1 {})\n", e.file.string(), e.sha);
  fmt::print("scenarios:     {} ({})\n", e.scenarios.size(), names);
  std::string grid;
  for (const auto& [key, values] : e.grid) grid += fmt::format("{}{} ({} values)", grid.empty() ? "" : " x ", key, values.size());
  fmt::print("design points: {:.0f} = grid {:.0f}{} x sample {:.0f}\n", size.design_points(), size.grid_points,
             grid.empty() ? "" : " [" + grid + "]", size.sample_points);
  fmt::print("replicates:    {}{}\n", e.replicates, e.replicates_from_command_line ? " (--replicates)" : "");
  for (const auto& set : e.command_line_sets) fmt::print("--set:         {}\n", set);
  fmt::print("runs:          {}\n", plan.runs.size());
  if (plan.scenario_agent_steps.empty() || !(o.seconds_per_agent_step > 0)) {
    fmt::print("estimate:      none (the model declares no cost per {}-step)\n", o.agent_noun);
  } else {
    std::map<std::string, double> per_file;
    for (std::size_t i = 0; i < plan.scenario_files.size(); ++i)
      per_file[plan.scenario_files[i].first] = plan.scenario_agent_steps[i];
    double agent_steps = 0.0;
    for (const auto& r : plan.runs) agent_steps += per_file[r.scenario_file];
    const std::size_t threads = o.threads ? o.threads : default_threads(o.jobs);
    const double cpu_seconds = agent_steps * o.seconds_per_agent_step;
    const double wall = cpu_seconds / static_cast<double>(threads * o.jobs);
    fmt::print("estimate:      {} ({:.3g} {}-steps x {:.0f} ns per {}-step on one thread = {} of one core, over {} "
               "job(s) x {} thread(s), assuming linear scaling; {}-steps are each run's {}s at the start x its "
               "steps; the cost per {}-step is declared by the model; fixed costs per run, such as building the "
               "world and writing the file, are not counted)\n",
               format_duration(wall), agent_steps, o.agent_noun, o.seconds_per_agent_step * 1e9, o.agent_noun,
               format_duration(cpu_seconds), o.jobs, threads, o.agent_noun, o.agent_noun, o.agent_noun);
  }
  // Runs already finished in DIR (an earlier attempt) measure this machine.
  std::vector<Interval> finished;
  std::error_code ec;
  if (!o.dir.empty())
    for (const auto& entry : fs::directory_iterator(o.dir / "logs", ec))
      if (const auto t = read_timing(entry.path())) finished.push_back(*t);
  if (!finished.empty()) fmt::print("measured:      {} for all runs, from the runs finished in {}\n",
                                    eta_text(std::move(finished), plan.runs.size()), o.dir.string());
  fmt::print("dry run:       nothing was written\n");
}

/// The summary after the runs, and the merge when nothing is pending any more.
std::size_t finish_sweep(const SweepOptions& o, const fs::path& dir, Plan& plan, const Progress& progress) {
  std::size_t done = 0, failed = 0, pending = 0;
  for (const auto& r : plan.runs) {
    const State s = state_of(dir, r.run_id);
    done += s == State::Done;
    failed += s == State::Failed;
    pending += s == State::Pending;
  }
  if (!o.quiet) {
    fmt::print(stderr, "[sweep] summary: {} runs: {} done, {} failed, {} pending; {:.1f} s\n", plan.runs.size(), done,
               failed, pending,
               std::chrono::duration<double>(std::chrono::steady_clock::now() - progress.start).count());
  }
  if (failed) print_failures(dir, 10);
  // The merge reads the plan back from DIR; it need not be held twice.
  plan = Plan{};
  if (pending == 0 && done > 0) {
    merge_sweep(dir, dir / "merged.h5", false, o.command_line);
    if (!o.quiet) fmt::print(stderr, "[sweep] merged: {}\n", (dir / "merged.h5").string());
  }
  return failed;
}


}  // namespace

std::pair<std::size_t, std::size_t> parse_shard(const std::string& text) {
  const auto slash = text.find('/');
  std::size_t i = 0, n = 0;
  bool ok = slash != std::string::npos;
  if (ok) {
    const auto a = std::from_chars(text.data(), text.data() + slash, i);
    const auto b = std::from_chars(text.data() + slash + 1, text.data() + text.size(), n);
    ok = a.ec == std::errc{} && a.ptr == text.data() + slash && b.ec == std::errc{} && b.ptr == text.data() + text.size();
  }
  if (!ok) throw UsageError("--shard: expected I/N (shard I of N, 1 <= I <= N), got '" + text + "'");
  if (n < 1 || i < 1 || i > n)
    throw UsageError("--shard " + text + ": shard index must be between 1 and " + std::to_string(n) + " (I/N with 1 <= I <= N)");
  return {i, n};
}

bool launched_by_mpi() {
#ifdef CLUSTERSIM_WITH_MPI
  return std::getenv("OMPI_COMM_WORLD_SIZE") != nullptr || std::getenv("PMI_SIZE") != nullptr ||
         std::getenv("PMIX_RANK") != nullptr;
#else
  return false;
#endif
}

std::size_t run_sweep(const config::Schema& schema, const SweepOptions& o) {
  // Validate everything before anything runs or is written.
  Experiment e = load_experiment(o.experiment, schema);
  apply_command_line(e, o.sets, o.replicates);
  if (o.dry_run) {
    print_dry_run(o, e, schema);
    return 0;
  }
  if (o.dir.empty()) throw UsageError("sweep: --dir is required (except with --dry-run)");
  Plan plan = make_plan(e, schema);
  sim::InterruptGuard interrupt_guard;
  std::error_code ec;
  Launcher launcher{fs::read_symlink("/proc/self/exe", ec), fs::absolute(o.dir).lexically_normal(), e.sha,
                    o.command_line, o.threads ? o.threads : default_threads(o.jobs)};
  SweepOptions options = o;
  options.dir = launcher.dir;
  Progress progress;
  progress.quiet = o.quiet;

  int rank = 0, size = 1;
#ifdef CLUSTERSIM_WITH_MPI
  std::optional<MpiSession> mpi;
  if (launched_by_mpi()) {
    mpi.emplace();
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
  }
#endif
  std::vector<std::size_t> to_run;
  std::optional<SweepLock> lock;
  int prepared = 1;
  if (rank == 0) {
    try {
      fs::create_directories(launcher.dir);
      lock.emplace(launcher.dir);
      to_run = prepare(options, e, plan, progress);
    } catch (...) {
      prepared = 0;
#ifdef CLUSTERSIM_WITH_MPI
      // Release the workers waiting for the plan, then report the error.
      if (size > 1) MPI_Bcast(&prepared, 1, MPI_INT, 0, MPI_COMM_WORLD);
#endif
      throw;
    }
    if (!o.quiet)
      fmt::print(stderr, "[sweep] {}: {} runs planned ({} done, {} failed before); {} to run{}{}\n", o.dir.string(),
                 plan.runs.size(), progress.before_done, progress.before_failed, to_run.size(),
                 size > 1 ? fmt::format(" over {} MPI ranks", size) : std::string(),
                 o.shard_count > 1 ? fmt::format(" (shard {}/{})", o.shard_index, o.shard_count) : std::string());
  }
  // The resolved scenario texts (one per design point, a few KB each) are on disk now.
  std::vector<std::pair<std::string, std::string>>().swap(plan.scenario_files);
#ifdef CLUSTERSIM_WITH_MPI
  if (size > 1) {
    // Workers wait for the plan and scenario files; a bad directory stops every rank.
    MPI_Bcast(&prepared, 1, MPI_INT, 0, MPI_COMM_WORLD);
    if (rank != 0) {
      if (!prepared) return 0;
      SweepLock worker_lock(launcher.dir);
      mpi_worker(launcher, plan);
      return 0;
    }
  }
#endif
  std::deque<std::size_t> queue(to_run.begin(), to_run.end());
#ifdef CLUSTERSIM_WITH_MPI
  MpiServer server{size, 0};
  run_local(launcher, plan, queue, o.jobs, progress,
            [&](bool stopping) { return size > 1 && server(queue, stopping, progress); });
#else
  run_local(launcher, plan, queue, o.jobs, progress, [](bool) { return false; });
#endif
  progress.report(true);
  sim::InterruptGuard::check();
  return finish_sweep(o, launcher.dir, plan, progress);
}

std::size_t print_status(const fs::path& dir) {
  std::size_t done = 0, failed = 0, pending = 0;
  std::vector<std::string> damaged;
  std::vector<Interval> finished;
  const auto header = read_plan(plan_file(dir), [&](const PlanHeader& h, const PlannedRun& r) {
    std::string problem;
    const State s = verified_state(dir, r, h.experiment_sha, problem);
    done += s == State::Done;
    failed += s == State::Failed;
    pending += s == State::Pending;
    if (s == State::Damaged) damaged.push_back(result_file(dir, r.run_id).string() + ": " + problem);
    if (s == State::Done || s == State::Failed)
      if (const auto t = read_timing(log_file(dir, r.run_id))) finished.push_back(*t);
  });
  fmt::print("sweep:      {}\nexperiment: sha1 {}\nruns:       {}\ndone:       {}\nfailed:     {}\npending:    {}\n",
             dir.string(), header.experiment_sha, header.runs, done, failed, pending);
  if (!damaged.empty()) fmt::print("damaged:    {} (run again by `clustersim sweep ... --resume`)\n", damaged.size());
  fmt::print("running:    {}\n", sweep_running(dir) ? "yes (a live sweep holds " + lock_file(dir).string() + ")" : "no");
  fmt::print("eta:        {}\n", eta_text(std::move(finished), pending + damaged.size()));
  fmt::print("merged:     {}\n", fs::exists(dir / "merged.h5") ? (dir / "merged.h5").string() : "(not yet)");
  for (const auto& d : damaged) fmt::print(stderr, "  damaged: {}\n", d);
  if (failed) print_failures(dir, 1000000);
  return failed + damaged.size();
}

void merge_sweep(const fs::path& dir, const fs::path& output, bool partial, const std::string& command_line) {
  io::MergeInput input;
  {
    // One record per run, reserved exactly: a growing vector would hold up to twice that.
    std::ifstream plan_stream(plan_file(dir), std::ios::binary);
    const auto lines = std::count(std::istreambuf_iterator<char>(plan_stream), std::istreambuf_iterator<char>(), '\n');
    input.runs.reserve(static_cast<std::size_t>(std::max<std::ptrdiff_t>(lines - 2, 0)));
  }
  std::size_t pending = 0;
  std::vector<std::string> damaged;  // "file: problem" of result files that fail verification
  const auto header = read_plan(plan_file(dir), [&](const PlanHeader& h, const PlannedRun& r) {
    io::MergeRun m{r.run_id, r.scenario, "done", "", static_cast<std::int64_t>(r.replicate), r.seed, r.swept,
                   result_file(dir, r.run_id)};
    std::string problem;
    switch (verified_state(dir, r, h.experiment_sha, problem)) {
      case State::Done: break;
      case State::Failed:
        m.status = "failed";
        m.error = read_file(failed_file(dir, r.run_id));
        while (!m.error.empty() && m.error.back() == '\n') m.error.pop_back();
        break;
      case State::Damaged: damaged.push_back(m.file + ": " + problem); [[fallthrough]];
      case State::Pending:
        m.status = "pending";
        ++pending;
        break;
    }
    input.runs.push_back(std::move(m));
  });
  // A run file that is not the run the plan lists is never merged, --partial or not.
  if (!damaged.empty())
    throw UsageError(fmt::format("cannot merge {}: {} run file(s) do not match plan.tsv: {}{}; run them again with "
                                 "`clustersim sweep ... --resume` (it replaces them)",
                                 dir.string(), damaged.size(), damaged.front(),
                                 damaged.size() > 1 ? " (and more: clustersim status " + dir.string() + ")" : ""));
  if (pending && !partial)
    throw UsageError(fmt::format("{}: {} of {} runs are pending; finish the sweep (clustersim sweep ... --resume) or "
                                 "pass --partial",
                                 dir.string(), pending, header.runs));
  input.swept_keys = header.swept_keys;
  input.global_attributes = {
      {"title", "clustersim sweep " + dir.filename().string()},
      {"experiment", read_file(dir / "experiment.toml")},
      {"experiment_sha", header.experiment_sha},
      {"clustersim_version", std::string(kVersion)},
      {"command_line", command_line},
      {"created", sim::utc_timestamp()},
      {"Conventions", std::string("CF-1.8")},
  };
  io::merge_runs(std::move(input), output);
}

}  // namespace clustersim::experiment
