#include "engine/experiment/sweep.hpp"

#include <fcntl.h>
#include <signal.h>
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
#include <sstream>
#include <thread>

#include "clustersim/version.hpp"
#include "engine/core/error.hpp"
#include "engine/experiment/experiment.hpp"
#include "engine/io/hdf5_merge.hpp"
#include "engine/sim/runner.hpp"
#include "engine/sim/signals.hpp"

#ifdef CLUSTERSIM_WITH_MPI
#include <mpi.h>
#endif

namespace clustersim::experiment {

namespace fs = std::filesystem;

namespace {

constexpr const char* kPlanMagic = "# clustersim sweep plan v1";

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

/// Write to a temporary name beside `p`, then rename: readers never see a partial file.
void write_atomically(const fs::path& p, const std::string& text) {
  const fs::path tmp = p.string() + ".tmp-" + std::to_string(::getpid());
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << text;
    out.flush();
    if (!out) throw std::runtime_error("cannot write '" + tmp.string() + "'");
  }
  const int fd = ::open(tmp.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
  fs::rename(tmp, p);
}

std::string shortest(double v) {
  char buf[64];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, r.ptr);
}

std::string plan_text(const Experiment& e, const Plan& plan) {
  std::string out = std::string(kPlanMagic) + "\texperiment_sha=" + e.sha + "\n";
  out += "index\trun_id\tscenario\treplicate\tseed\tscenario_file";
  for (const auto& k : plan.swept_keys) {
    out += '\t';
    out += k;
  }
  out += "\n";
  for (const auto& r : plan.runs) {
    out += fmt::format("{}\t{}\t{}\t{}\t{}\t{}", r.index, r.run_id, r.scenario, r.replicate, r.seed, r.scenario_file);
    for (double v : r.swept) {
      out += '\t';
      out += shortest(v);
    }
    out += "\n";
  }
  return out;
}

std::vector<std::string> split_tabs(const std::string& line) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (true) {
    const auto tab = line.find('\t', start);
    out.push_back(line.substr(start, tab == std::string::npos ? std::string::npos : tab - start));
    if (tab == std::string::npos) return out;
    start = tab + 1;
  }
}

/// Streams plan.tsv: the callback gets each run, so memory stays flat in the number of runs.
struct PlanHeader {
  std::string experiment_sha;
  std::vector<std::string> swept_keys;
  std::size_t runs = 0;
};

template <class F>
PlanHeader read_plan(const fs::path& dir, F&& each) {
  const fs::path file = dir / "plan.tsv";
  std::ifstream in(file);
  if (!in) throw UsageError("'" + dir.string() + "' is not a sweep directory: no plan.tsv");
  PlanHeader header;
  std::string line;
  std::getline(in, line);
  if (!line.starts_with(kPlanMagic)) throw UsageError("'" + file.string() + "' is not a clustersim sweep plan");
  const auto sha = line.find("experiment_sha=");
  if (sha != std::string::npos) header.experiment_sha = line.substr(sha + 15);
  std::getline(in, line);
  const auto columns = split_tabs(line);
  header.swept_keys.assign(columns.begin() + std::min<std::ptrdiff_t>(6, static_cast<std::ptrdiff_t>(columns.size())),
                           columns.end());
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    const auto f = split_tabs(line);
    if (f.size() != 6 + header.swept_keys.size()) throw std::runtime_error("'" + file.string() + "': malformed line");
    PlannedRun r;
    r.index = std::stoull(f[0]);
    r.run_id = f[1];
    r.scenario = f[2];
    r.replicate = std::stoull(f[3]);
    r.seed = std::stoll(f[4]);
    r.scenario_file = f[5];
    for (std::size_t k = 6; k < f.size(); ++k) r.swept.push_back(std::stod(f[k]));
    each(r);
    ++header.runs;
  }
  return header;
}

enum class State { Pending, Done, Failed };

fs::path result_file(const fs::path& dir, const std::string& id) { return dir / "runs" / (id + ".h5"); }
fs::path failed_file(const fs::path& dir, const std::string& id) { return dir / "runs" / (id + ".failed"); }
fs::path log_file(const fs::path& dir, const std::string& id) { return dir / "logs" / (id + ".log"); }

State state_of(const fs::path& dir, const std::string& id) {
  if (fs::exists(result_file(dir, id))) return State::Done;
  if (fs::exists(failed_file(dir, id))) return State::Failed;
  return State::Pending;
}

std::string format_duration(double seconds) {
  if (!std::isfinite(seconds)) return "?";
  const auto s = static_cast<long long>(std::llround(seconds));
  if (s < 60) return fmt::format("{}s", s);
  if (s < 3600) return fmt::format("{}m{:02}s", s / 60, s % 60);
  return fmt::format("{}h{:02}m", s / 3600, (s % 3600) / 60);
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
    std::vector<std::string> args = {self.string(),
                                     "run",
                                     (dir / run.scenario_file).string(),
                                     "-o",
                                     result_file(dir, run.run_id).string(),
                                     "--replicate-index",
                                     std::to_string(run.replicate),
                                     "--threads",
                                     std::to_string(threads),
                                     "--quiet",
                                     "--run-id",
                                     run.run_id,
                                     "--experiment-sha",
                                     experiment_sha,
                                     "--sweep-command-line",
                                     command_line};
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

  /// Records the outcome of a finished child.
  Outcome finish(const PlannedRun& run, int status) const {
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

/// Creates the directory and its plan, or checks that an existing one holds this very plan.
/// Returns the indices of the runs this invocation should do.
std::vector<std::size_t> prepare(const SweepOptions& o, const Experiment& e, const Plan& plan, Progress& progress) {
  const fs::path& dir = o.dir;
  const std::string text = plan_text(e, plan);
  const fs::path plan_file = dir / "plan.tsv";
  fs::create_directories(dir / "runs");
  fs::create_directories(dir / "logs");
  fs::create_directories(dir / "scenarios");
  if (fs::exists(plan_file)) {
    if (read_file(plan_file) != text) {
      throw UsageError("'" + dir.string() + "' holds a different sweep (its plan.tsv does not match " +
                       o.experiment.string() + "); use another directory");
    }
  } else {
    for (const auto& [name, toml] : plan.scenario_files) write_atomically(dir / name, toml);
    write_atomically(dir / "experiment.toml", e.text);
    write_atomically(plan_file, text);
  }
  // Temporary files of runs that were interrupted or killed are never complete.
  for (const auto& entry : fs::directory_iterator(dir / "runs"))
    if (entry.path().filename().string().find(".tmp-") != std::string::npos) {
      // Only our own host's dead writers: a live one (another shard) keeps its pid alive.
      const std::string name = entry.path().filename().string();
      const auto pid = std::atoll(name.substr(name.rfind('-') + 1).c_str());
      if (pid > 0 && ::kill(static_cast<pid_t>(pid), 0) != 0) {
        std::error_code ec;
        fs::remove(entry.path(), ec);
      }
    }
  std::vector<std::size_t> to_run;
  std::size_t existing = 0;
  for (const auto& r : plan.runs) {
    const State s = state_of(dir, r.run_id);
    if (s == State::Done) ++progress.before_done;
    if (s == State::Failed) ++progress.before_failed;
    if (s != State::Pending) ++existing;
    const bool mine = r.index % o.shard_count == o.shard_index - 1;
    if (!mine) continue;
    if ((s == State::Pending && (o.resume || !o.retry_failed)) || (s == State::Failed && o.retry_failed))
      to_run.push_back(r.index);
  }
  if (existing > 0 && !o.resume && !o.retry_failed)
    throw UsageError("'" + dir.string() + "' already holds results of this sweep (" + std::to_string(existing) +
                     " runs finished); pass --resume to finish it or --retry-failed to rerun failed runs");
  progress.total = plan.runs.size();
  progress.done = progress.before_done;
  progress.failed = progress.before_failed;
  // Runs about to be retried are not failed any more until they fail again.
  for (std::size_t i : to_run)
    if (state_of(dir, plan.runs[i].run_id) == State::Failed) --progress.failed;
  progress.to_run = to_run.size();
  return to_run;
}

/// Runs `queue` with up to `jobs` children at a time. `serve` is called between polls (MPI
/// rank 0 hands out work there); it may pop from the queue.
template <class Serve>
void run_local(const Launcher& launcher, const Plan& plan, std::deque<std::size_t>& queue, std::size_t jobs,
               Progress& progress, Serve&& serve) {
  std::map<pid_t, std::size_t> active;
  bool stopping = false;
  while (true) {
    if (sim::InterruptGuard::requested() && !stopping) {
      stopping = true;
      for (const auto& [pid, index] : active) ::kill(pid, SIGTERM);
    }
    while (!stopping && active.size() < jobs && !queue.empty()) {
      const std::size_t index = queue.front();
      queue.pop_front();
      active.emplace(launcher.start(plan.runs[index]), index);
    }
    int status = 0;
    const pid_t pid = active.empty() ? 0 : ::waitpid(-1, &status, WNOHANG);
    if (pid > 0) {
      const auto it = active.find(pid);
      if (it != active.end()) {
        progress.record(launcher.finish(plan.runs[it->second], status));
        active.erase(it);
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
    const pid_t pid = launcher.start(run);
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    report[0] = next;
    report[1] = launcher.finish(run, status);
  }
}

struct MpiSession {
  MpiSession() { MPI_Init(nullptr, nullptr); }
  ~MpiSession() { MPI_Finalize(); }
};
#endif

void print_failures(const fs::path& dir, std::size_t limit) {
  std::size_t shown = 0, failed = 0;
  read_plan(dir, [&](const PlannedRun& r) {
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
  const Experiment e = load_experiment(o.experiment, schema);
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
  int prepared = 1;
  if (rank == 0) {
    try {
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

  std::size_t done = 0, failed = 0, pending = 0;
  for (const auto& r : plan.runs) {
    const State s = state_of(launcher.dir, r.run_id);
    done += s == State::Done;
    failed += s == State::Failed;
    pending += s == State::Pending;
  }
  if (!o.quiet) {
    fmt::print(stderr, "[sweep] summary: {} runs: {} done, {} failed, {} pending; {:.1f} s\n", plan.runs.size(), done,
               failed, pending,
               std::chrono::duration<double>(std::chrono::steady_clock::now() - progress.start).count());
  }
  if (failed) print_failures(launcher.dir, 10);
  // The merge reads the plan back from DIR; it need not be held twice.
  plan = Plan{};
  if (pending == 0 && done > 0) {
    merge_sweep(launcher.dir, launcher.dir / "merged.h5", false, o.command_line);
    if (!o.quiet) fmt::print(stderr, "[sweep] merged: {}\n", (launcher.dir / "merged.h5").string());
  }
  return failed;
}

std::size_t print_status(const fs::path& dir) {
  std::size_t done = 0, failed = 0, pending = 0;
  const auto header = read_plan(dir, [&](const PlannedRun& r) {
    switch (state_of(dir, r.run_id)) {
      case State::Done: ++done; break;
      case State::Failed: ++failed; break;
      case State::Pending: ++pending; break;
    }
  });
  fmt::print("sweep:      {}\nexperiment: sha1 {}\nruns:       {}\ndone:       {}\nfailed:     {}\npending:    {}\n",
             dir.string(), header.experiment_sha, header.runs, done, failed, pending);
  fmt::print("merged:     {}\n", fs::exists(dir / "merged.h5") ? (dir / "merged.h5").string() : "(not yet)");
  if (failed) print_failures(dir, 1000000);
  return failed;
}

void merge_sweep(const fs::path& dir, const fs::path& output, bool partial, const std::string& command_line) {
  io::MergeInput input;
  {
    // One record per run, reserved exactly: a growing vector would hold up to twice that.
    std::ifstream plan_file(dir / "plan.tsv", std::ios::binary);
    const auto lines = std::count(std::istreambuf_iterator<char>(plan_file), std::istreambuf_iterator<char>(), '\n');
    input.runs.reserve(static_cast<std::size_t>(std::max<std::ptrdiff_t>(lines - 2, 0)));
  }
  std::size_t pending = 0;
  const auto header = read_plan(dir, [&](const PlannedRun& r) {
    io::MergeRun m{r.run_id, r.scenario, "done", "", static_cast<std::int64_t>(r.replicate), r.seed, r.swept,
                   result_file(dir, r.run_id)};
    switch (state_of(dir, r.run_id)) {
      case State::Done: break;
      case State::Failed:
        m.status = "failed";
        m.error = read_file(failed_file(dir, r.run_id));
        while (!m.error.empty() && m.error.back() == '\n') m.error.pop_back();
        break;
      case State::Pending:
        m.status = "pending";
        ++pending;
        break;
    }
    input.runs.push_back(std::move(m));
  });
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
