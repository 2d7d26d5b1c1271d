// Experiments through the real binary: single replicates rerun bit-identically, sweeps
// with failures, resume after SIGKILL, shards, MPI, merged files and bad input.
#include <catch2/catch.hpp>

#include "../test_paths.hpp"

#include <sys/file.h>
#include <fcntl.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "../cli_support.hpp"

namespace fs = std::filesystem;
using clustersim::test::run_clustersim;
using clustersim::test::run_command;

namespace {

const std::string kSource = CLUSTERSIM_SOURCE_DIR;
const std::string kPython = "/usr/bin/python3 " + kSource + "/tests/experiments/";

fs::path fresh(const std::string& name) {
  const fs::path dir = clustersim::test::scratch("experiments-test") / name;
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

/// A small experiment: baseline + a delta variant, a 2-point grid, `replicates` replicates.
fs::path write_experiment(const fs::path& dir, int replicates, const std::string& extra = "") {
  const fs::path file = dir / "exp.toml";
  std::ofstream(file) << "baseline = \"" << kSource << "/scenarios/baseline.toml\"\n"
                      << "replicates = " << replicates << "\n"
                      << extra << "[set]\nrun.steps = 4\npopulation.smes = 4000\n"
                      << "[[variant]]\nname = \"more_clusters\"\n[variant.set]\npopulation.clusters = 60\n"
                      << "[grid]\npartnership.rate_per_quarter = [0.01, 0.03]\n";
  return file;
}

void require_ok(const clustersim::test::CommandResult& r) {
  INFO("stdout: " << r.out << "\nstderr: " << r.err);
  REQUIRE(r.exit_code == 0);
}

void require_identical(const fs::path& a, const fs::path& b, const fs::path& dir) {
  require_ok(run_command(kPython + "../scenarios/compare_outputs.py " + a.string() + " " + b.string(), dir / "compare"));
}

}  // namespace

TEST_CASE("a single replicate reruns on its own bit-identically", "[scenario]") {
  const fs::path dir = fresh("replicate_index");
  const std::string base = "run " + kSource + "/scenarios/baseline.toml --quiet --set run.steps=4 "
                           "--set population.smes=5000 --replicates 4 -o ";
  require_ok(run_clustersim(base + (dir / "all.h5").string(), dir / "cmd"));
  require_ok(run_clustersim(base + (dir / "r3.h5").string() + " --replicate-index 3 --threads 1", dir / "cmd"));
  require_ok(run_command(kPython + "replicate_equal.py " + (dir / "all.h5").string() + " " + (dir / "r3.h5").string() + " 3",
                         dir / "py"));
  const auto bad = run_clustersim(base + (dir / "r4.h5").string() + " --replicate-index 4", dir / "cmd");
  CHECK(bad.exit_code == 2);
  CHECK_THAT(bad.err, Catch::Contains("--replicate-index 4 is out of range"));
  CHECK_FALSE(fs::exists(dir / "r4.h5"));
}

TEST_CASE("a sweep records failures, goes on, and --retry-failed reruns only those", "[scenario]") {
  const fs::path dir = fresh("failures");
  // The variant's regions file exists but lacks columns: its runs fail inside `clustersim
  // run` (a missing file would be refused before any run starts).
  const fs::path exp = write_experiment(dir, 2, "");
  std::ofstream(dir / "broken.csv") << "code,name\nBE21,Antwerpen\n";
  std::ofstream(exp, std::ios::app) << "[[variant]]\nname = \"broken\"\n[variant.set]\n"
                                       "population.regions_file = \"broken.csv\"\n";
  const fs::path sweep = dir / "sweep";
  const auto r = run_clustersim("sweep " + exp.string() + " -d " + sweep.string() + " -j 2", dir / "cmd");
  INFO(r.err);
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.err, Catch::Contains("12 runs: 8 done, 4 failed, 0 pending"));
  CHECK_THAT(r.err, Catch::Contains("broken.csv"));
  CHECK(fs::exists(sweep / "merged.h5"));
  require_ok(run_command(kPython + "check_merged.py " + (sweep / "merged.h5").string() + " 12 partnership.rate_per_quarter",
                         dir / "py"));
  // Merged files use the HDF5 1.10 format (io::Hdf5Format::V110): netCDF-C must read it all.
  const auto dump = run_command("ncdump " + (sweep / "merged.h5").string(), dir / "ncdump");
  CHECK(dump.exit_code == 0);
  CHECK_THAT(dump.out, Catch::Contains("\trun = 12 ;") && Catch::Contains("int64 smes_active(run, step, region) ;") &&
                           Catch::Contains("status = \"done\""));
  const auto status = run_clustersim("status " + sweep.string(), dir / "cmd");
  CHECK(status.exit_code == 1);
  CHECK_THAT(status.out, Catch::Contains("done:       8"));
  CHECK_THAT(status.out, Catch::Contains("failed:     4"));
  // A second plain sweep into the same directory refuses; --retry-failed reruns the 4.
  const auto again = run_clustersim("sweep " + exp.string() + " -d " + sweep.string(), dir / "cmd");
  CHECK(again.exit_code == 2);
  CHECK_THAT(again.err, Catch::Contains("--resume"));
  const auto retry = run_clustersim("sweep " + exp.string() + " -d " + sweep.string() + " --retry-failed", dir / "cmd");
  CHECK(retry.exit_code == 1);
  CHECK_THAT(retry.err, Catch::Contains("4 to run"));
}

TEST_CASE("a sweep killed with SIGKILL and resumed merges identically to an uninterrupted one", "[scenario]") {
  const fs::path dir = fresh("sigkill");
  const fs::path exp = write_experiment(dir, 4);  // 16 runs
  const fs::path whole = dir / "whole", killed = dir / "killed";
  require_ok(run_clustersim("sweep " + exp.string() + " -d " + whole.string() + " -j 2 --quiet", dir / "cmd"));
  // Kill the sweep (and with it its running children) once a few runs are complete.
  const fs::path script = dir / "kill.sh";
  std::ofstream(script) << clustersim::test::clustersim_bin() << " sweep " << exp.string() << " -d " << killed.string()
                        << " -j 1 --threads 1 --quiet &\npid=$!\n"
                        << "while [ $(ls " << killed.string() << "/runs/ 2>/dev/null | grep -c '[.]h5$') -lt 3 ]; do sleep 0.02; done\n"
                        << clustersim::test::clustersim_bin() << " status " << killed.string() << " > " << (dir / "live_status.txt").string() << "\n"
                        << "kill -9 $pid\nwait $pid\nls " << killed.string() << "/runs/ | grep -c '[.]h5$'\n";
  const auto kill = run_command("sh " + script.string(), dir / "kill");
  INFO(kill.err);
  const int done_before = std::stoi(kill.out);
  CHECK(done_before < 16);
  CHECK_FALSE(fs::exists(killed / "merged.h5"));
  // While it ran, status saw it (its flock on sweep.lock); once killed, it is not running.
  CHECK_THAT(clustersim::test::slurp(dir / "live_status.txt"), Catch::Contains("running:    yes"));
  const auto status = run_clustersim("status " + killed.string(), dir / "cmd");
  CHECK_THAT(status.out, Catch::Contains("pending:") && Catch::Contains("running:    no"));
  require_ok(run_clustersim("sweep " + exp.string() + " -d " + killed.string() + " --resume -j 2", dir / "cmd"));
  require_identical(whole / "merged.h5", killed / "merged.h5", dir);
}

TEST_CASE("shards and a separate merge give the same merged file as one sweep", "[scenario]") {
  const fs::path dir = fresh("shards");
  const fs::path exp = write_experiment(dir, 2);
  const fs::path whole = dir / "whole", sharded = dir / "sharded";
  require_ok(run_clustersim("sweep " + exp.string() + " -d " + whole.string() + " -j 2 --quiet", dir / "cmd"));
  require_ok(run_clustersim("sweep " + exp.string() + " -d " + sharded.string() + " --shard 1/2 --resume --quiet", dir / "cmd"));
  const auto status = run_clustersim("status " + sharded.string(), dir / "cmd");
  CHECK_THAT(status.out, Catch::Contains("pending:    4"));
  const auto early = run_clustersim("merge " + sharded.string() + " -o " + (dir / "early.h5").string(), dir / "cmd");
  CHECK(early.exit_code == 2);
  CHECK_THAT(early.err, Catch::Contains("4 of 8 runs are pending"));
  require_ok(run_clustersim("sweep " + exp.string() + " -d " + sharded.string() + " --shard 2/2 --resume --quiet", dir / "cmd"));
  require_ok(run_clustersim("merge " + sharded.string() + " -o " + (dir / "all.h5").string(), dir / "cmd"));
  require_identical(whole / "merged.h5", dir / "all.h5", dir);
  require_identical(whole / "merged.h5", sharded / "merged.h5", dir);
}

TEST_CASE("bad experiment input is an error naming the file and the key, and nothing runs", "[scenario]") {
  const fs::path dir = fresh("bad_input");
  auto expect = [&](const std::string& extra, const std::string& args, const std::string& message) {
    const fs::path exp = write_experiment(dir, 1, extra);
    const fs::path sweep = dir / "sweep";
    fs::remove_all(sweep);
    const auto r = run_clustersim("sweep " + exp.string() + " -d " + sweep.string() + args, dir / "cmd");
    INFO(r.err);
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err, Catch::Contains(message));
    CHECK_FALSE(fs::exists(sweep / "runs"));
  };
  const std::string f = (dir / "exp.toml").string();
  expect("replicatez = 3\n", "", f + ": replicatez: unknown key; did you mean 'replicates'?");
  expect("[grid.population]\nclustrs = [1, 2]\n", "",
         f + ": grid.population.clustrs: unknown scenario key 'population.clustrs'; did you mean 'population.clusters'?");
  expect("[sample]\nmethod = \"latin_hypercube\"\nsize = 0\n[sample.ranges]\n\"growth.x\" = [0, 1]\n", "",
         f + ": sample.size: must be >= 1, got 0");
  expect("", " --shard 3/2", "--shard 3/2: shard index must be between 1 and 2");
  expect("[[variant]]\nname = \"neg\"\n[variant.set]\npopulation.smes = -5\n", "",
         f + ": variant 'neg'.set.population.smes: must be between 0 and");
}

// New in this change (each failed before: there was no --set, --replicates or --dry-run).
TEST_CASE("sweep --dry-run prints the plan and an estimate and writes nothing", "[scenario]") {
  const fs::path dir = fresh("dry_run");
  const fs::path exp = write_experiment(dir, 4);
  const fs::path sweep = dir / "sweep";
  const auto r = run_clustersim("sweep " + exp.string() + " -d " + sweep.string() +
                                    " --dry-run --set population.smes=50000 --replicates 3 -j 2 --threads 1",
                                dir / "cmd");
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::Contains("scenarios:     2 (baseline, more_clusters)"));
  CHECK_THAT(r.out, Catch::Contains("design points: 2 = grid 2 [partnership.rate_per_quarter (2 values)] x sample 1"));
  CHECK_THAT(r.out, Catch::Contains("replicates:    3 (--replicates)"));
  CHECK_THAT(r.out, Catch::Contains("--set:         population.smes=50000"));
  CHECK_THAT(r.out, Catch::Contains("runs:          12"));
  // 12 runs x 50000 SMEs x 4 steps = 2.4e6 SME-steps x 150 ns = 0.36 s of one core, over 2 x 1.
  CHECK_THAT(r.out, Catch::Contains("estimate:      0s (2.4e+06 SME-steps x 150 ns per SME-step on one thread = 0s of "
                                    "one core, over 2 job(s) x 1 thread(s), assuming linear scaling") &&
                         Catch::Contains("fixed costs per run, such as building the world and writing the file, are "
                                         "not counted"));
  CHECK_FALSE(fs::exists(sweep));
  // Without -d too; a bad --set is refused like `run --set`.
  CHECK(run_clustersim("sweep " + exp.string() + " --dry-run", dir / "cmd").exit_code == 0);
  const auto bad = run_clustersim("sweep " + exp.string() + " --dry-run --set population.smes=-5", dir / "cmd");
  CHECK(bad.exit_code == 2);
  CHECK_THAT(bad.err, Catch::Contains("--set: population.smes: must be between 0 and"));
  const auto no_dir = run_clustersim("sweep " + exp.string(), dir / "cmd");
  CHECK(no_dir.exit_code == 2);
  CHECK_THAT(no_dir.err, Catch::Contains("--dir is required"));
}

TEST_CASE("sweep --set and --replicates reach every run, and a resume must repeat them", "[scenario]") {
  const fs::path dir = fresh("set_replicates");
  const fs::path exp = write_experiment(dir, 4);
  const fs::path sweep = dir / "sweep";
  const std::string args = "sweep " + exp.string() + " -d " + sweep.string() + " -j 2 --quiet --replicates 1";
  require_ok(run_clustersim(args + " --set run.steps=2", dir / "cmd"));
  CHECK_THAT(run_clustersim("status " + sweep.string(), dir / "cmd").out, Catch::Contains("runs:       4"));
  CHECK(fs::exists(sweep / "merged.h5"));
  for (const auto& entry : fs::directory_iterator(sweep / "scenarios"))
    CHECK_THAT(clustersim::test::slurp(entry.path()), Catch::Contains("steps = 2"));
  const auto other = run_clustersim(args + " --set run.steps=3 --resume", dir / "cmd");
  CHECK(other.exit_code == 2);
  CHECK_THAT(other.err, Catch::Contains("holds a different sweep") && Catch::Contains("--set"));
}

// Each of these was accepted before: status counted any run file as done, merge merged a
// run file of another run, and a plan cut mid-line merged 2 of 4 runs with exit 0.
TEST_CASE("status and merge verify run files and the plan, and --resume redoes damaged runs", "[scenario]") {
  const fs::path dir = fresh("integrity");
  const fs::path exp = write_experiment(dir, 1);
  const fs::path sweep = dir / "sweep";
  const std::string resume = "sweep " + exp.string() + " -d " + sweep.string() + " --quiet --resume";
  require_ok(run_clustersim(resume, dir / "cmd"));
  const fs::path merged = dir / "merged.h5";
  std::vector<fs::path> runs;
  for (const auto& entry : fs::directory_iterator(sweep / "runs"))
    if (entry.path().extension() == ".h5") runs.push_back(entry.path());
  std::sort(runs.begin(), runs.end());
  REQUIRE(runs.size() == 4);

  // Another run's file in place of a run's file.
  fs::copy_file(runs[0], runs[1], fs::copy_options::overwrite_existing);
  auto status = run_clustersim("status " + sweep.string(), dir / "cmd");
  CHECK(status.exit_code == 1);
  CHECK_THAT(status.out, Catch::Contains("done:       3") && Catch::Contains("damaged:    1"));
  CHECK_THAT(status.err, Catch::Contains(runs[1].string() + ": run_id is '" + runs[0].stem().string() + "'"));
  auto merge = run_clustersim("merge " + sweep.string() + " -o " + merged.string() + " --partial", dir / "cmd");
  CHECK(merge.exit_code == 2);
  CHECK_THAT(merge.err, Catch::Contains("1 run file(s) do not match plan.tsv: " + runs[1].string()));
  CHECK_FALSE(fs::exists(merged));

  // A truncated run file is not done.
  fs::resize_file(runs[2], fs::file_size(runs[2]) / 2);
  status = run_clustersim("status " + sweep.string(), dir / "cmd");
  CHECK_THAT(status.out, Catch::Contains("done:       2") && Catch::Contains("damaged:    2"));
  CHECK_THAT(status.err, Catch::Contains(runs[2].string() + ": cannot be read as a run file"));

  // --resume runs both again; the result is whole.
  const auto redo = run_clustersim("sweep " + exp.string() + " -d " + sweep.string() + " --resume", dir / "cmd");
  INFO(redo.err);
  CHECK(redo.exit_code == 0);
  CHECK_THAT(redo.err, Catch::Contains("2 to run"));
  status = run_clustersim("status " + sweep.string(), dir / "cmd");
  CHECK(status.exit_code == 0);
  CHECK_THAT(status.out, Catch::Contains("done:       4") && Catch::Contains("running:    no") &&
                             Catch::Contains("eta:        0s (nothing pending)"));

  // A plan cut mid-line, or with a bad index, is refused by line, and nothing is merged.
  const std::string plan = clustersim::test::slurp(sweep / "plan.tsv");
  std::ofstream(sweep / "plan.tsv", std::ios::trunc) << plan.substr(0, plan.size() - 20);
  merge = run_clustersim("merge " + sweep.string() + " -o " + merged.string(), dir / "cmd");
  CHECK(merge.exit_code == 2);
  CHECK_THAT(merge.err, Catch::Contains("plan.tsv: line 6: the line is cut short: the file is truncated"));
  CHECK_FALSE(fs::exists(merged));
  std::string bad_index = plan;
  bad_index.replace(bad_index.find("\n1\t") + 1, 1, "x");
  std::ofstream(sweep / "plan.tsv", std::ios::trunc) << bad_index;
  status = run_clustersim("status " + sweep.string(), dir / "cmd");
  CHECK(status.exit_code == 2);
  CHECK_THAT(status.err, Catch::Contains("plan.tsv: line 4: index: expected a whole number, got 'x'"));
}

TEST_CASE("sweep --resume removes the temporary files of dead writers only, and status shows an ETA", "[scenario]") {
  const fs::path dir = fresh("leftovers");
  const fs::path exp = write_experiment(dir, 1);
  const fs::path sweep = dir / "sweep";
  // Plan only one shard so that runs stay pending.
  require_ok(run_clustersim("sweep " + exp.string() + " -d " + sweep.string() + " --quiet --shard 1/2", dir / "cmd"));
  const auto status = run_clustersim("status " + sweep.string(), dir / "cmd");
  CHECK_THAT(status.out, Catch::Contains("pending:    2") && Catch::Contains("running:    no"));
  CHECK_THAT(status.out, Catch::Contains("eta:        ") && Catch::Contains("2 pending x ") &&
                             Catch::Contains("the mean of 2 finished runs"));
  // A dead writer (a reaped child's pid) and a live one (this process, holding a flock).
  const pid_t dead = ::fork();
  if (dead == 0) ::_exit(0);
  int child_status = 0;
  ::waitpid(dead, &child_status, 0);
  // A zombie (exited, not yet reaped): kill(zombie, 0) succeeds, yet it writes nothing.
  const pid_t zombie = ::fork();
  if (zombie == 0) ::_exit(0);
  const fs::path dead_run = sweep / "runs" / ("0123456789abcdef.h5.tmp-" + std::to_string(dead));
  const fs::path dead_merge = sweep / ("merged.h5.tmp-" + std::to_string(dead));
  const fs::path zombie_run = sweep / "runs" / ("1123456789abcdef.h5.tmp-" + std::to_string(zombie));
  const fs::path live_run = sweep / "runs" / ("fedcba9876543210.h5.tmp-" + std::to_string(::getpid()));
  for (const auto& p : {dead_run, dead_merge, zombie_run, live_run}) std::ofstream(p) << "partial";
  const int live_fd = ::open(live_run.c_str(), O_RDONLY);
  REQUIRE(::flock(live_fd, LOCK_EX) == 0);
  require_ok(run_clustersim("sweep " + exp.string() + " -d " + sweep.string() + " --quiet --shard 2/2 --resume",
                            dir / "cmd"));
  CHECK_FALSE(fs::exists(dead_run));
  CHECK_FALSE(fs::exists(dead_merge));
  CHECK_FALSE(fs::exists(zombie_run));
  CHECK(fs::exists(live_run));
  ::waitpid(zombie, &child_status, 0);
  ::close(live_fd);
  CHECK(fs::exists(sweep / "merged.h5"));
}

TEST_CASE("the shipped experiment file runs", "[scenario]") {
  const fs::path dir = fresh("shipped");
  // The shipped file with 20 replicates and 200000 SMEs is too big for a test: extend it.
  const fs::path exp = dir / "small.toml";
  std::ifstream in(kSource + "/scenarios/experiments/policies.toml");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto at = text.find("replicates = 20");
  REQUIRE(at != std::string::npos);
  text.replace(at, 15, "replicates = 2\n[set]\nrun.steps = 3\npopulation.smes = 3000");
  const auto baseline = text.find("\"../baseline.toml\"");
  REQUIRE(baseline != std::string::npos);
  text.replace(baseline, 18, "\"" + kSource + "/scenarios/baseline.toml\"");
  std::ofstream(exp) << text;
  require_ok(run_clustersim("sweep " + exp.string() + " -d " + (dir / "sweep").string() + " -j 2", dir / "cmd"));
  require_ok(run_command(kPython + "check_merged.py " + (dir / "sweep/merged.h5").string() + " 6", dir / "py"));
}

TEST_CASE("a sweep under mpirun -np 1, 2 and 4 merges identically to the sweep without MPI", "[mpi]") {
  const fs::path dir = fresh("mpi");
  const fs::path exp = write_experiment(dir, 2);
  require_ok(run_clustersim("sweep " + exp.string() + " -d " + (dir / "plain").string() + " --quiet", dir / "cmd"));
  for (int np : {1, 2, 4}) {
    const fs::path sweep = dir / ("np" + std::to_string(np));
    const auto r = run_command("OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_btl=self,vader "
                               "mpirun -np " + std::to_string(np) + " --oversubscribe " +
                                   clustersim::test::clustersim_bin() + " sweep " + exp.string() + " -d " + sweep.string(),
                               dir / "mpirun");
    INFO("stdout: " << r.out << "\nstderr: " << r.err);
    REQUIRE(r.exit_code == 0);
    if (np > 1) CHECK_THAT(r.err, Catch::Contains("over " + std::to_string(np) + " MPI ranks"));
    require_identical(dir / "plain/merged.h5", sweep / "merged.h5", dir);
  }
}
