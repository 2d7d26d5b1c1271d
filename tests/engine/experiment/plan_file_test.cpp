#include "engine/experiment/plan_file.hpp"

#include <catch2/catch.hpp>

#include "../../test_paths.hpp"

#include <filesystem>
#include <fstream>

#include "engine/core/error.hpp"

namespace fs = std::filesystem;
using namespace clustersim;
using namespace clustersim::experiment;

namespace {

Plan small_plan() {
  Plan plan;
  plan.swept_keys = {"world.rate"};
  for (std::size_t i = 0; i < 4; ++i) {
    PlannedRun r;
    r.index = i;
    r.run_id = std::string(15, 'a') + static_cast<char>('0' + i);
    r.scenario = i < 2 ? "baseline" : "big";
    r.replicate = i % 2;
    r.seed = -12345 + static_cast<std::int64_t>(i);
    r.scenario_file = "scenarios/0123456789abcdef.toml";
    r.swept = {0.25 * static_cast<double>(i)};
    plan.runs.push_back(r);
  }
  return plan;
}

const std::string kSha(40, 'f');

fs::path write(const std::string& text) {
  const fs::path file = clustersim::test::scratch("plan-file") / "plan.tsv";
  std::ofstream(file, std::ios::binary | std::ios::trunc) << text;
  return file;
}

/// The error read_plan gives for `text`, or "no error" with the number of runs it read.
std::string error_of(const std::string& text) {
  const fs::path file = write(text);
  std::size_t runs = 0;
  try {
    read_plan(file, [&](const PlanHeader&, const PlannedRun&) { ++runs; });
  } catch (const ScenarioError& e) {
    return std::string(e.what()).substr(file.string().size() + 2);  // without "<file>: "
  }
  return "no error, " + std::to_string(runs) + " runs";
}

/// `text` with the first occurrence of `from` replaced by `to`.
std::string replaced(std::string text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  REQUIRE(at != std::string::npos);
  return text.replace(at, from.size(), to);
}

}  // namespace

TEST_CASE("a plan reads back as written", "[unit]") {
  const Plan plan = small_plan();
  const fs::path file = write(plan_text(kSha, plan));
  std::vector<PlannedRun> read;
  const auto header = read_plan(file, [&](const PlanHeader& h, const PlannedRun& r) {
    CHECK(h.experiment_sha == kSha);
    read.push_back(r);
  });
  CHECK(header.runs == 4);
  CHECK(header.swept_keys == plan.swept_keys);
  REQUIRE(read.size() == 4);
  for (std::size_t i = 0; i < 4; ++i) {
    CHECK(read[i].run_id == plan.runs[i].run_id);
    CHECK(read[i].scenario == plan.runs[i].scenario);
    CHECK(read[i].replicate == plan.runs[i].replicate);
    CHECK(read[i].seed == plan.runs[i].seed);
    CHECK(read[i].swept == plan.runs[i].swept);
  }
}

// Each of these was accepted or gave a bare message before plan.tsv had a run count and a
// checksum (a bad index printed "error: stoull"; a plan cut mid-line merged 2 of 4 runs).
TEST_CASE("a truncated, altered or malformed plan is refused with the line", "[unit]") {
  const std::string text = plan_text(kSha, small_plan());
  CHECK(error_of(text) == "no error, 4 runs");
  // Cut in the middle of the 5th line (the 3rd run).
  const auto third = text.find("\n2\t") + 1;
  CHECK(error_of(text.substr(0, third + 10)) == "line 5: the line is cut short: the file is truncated");
  // Cut after a whole line: the count tells.
  CHECK(error_of(text.substr(0, third)) ==
        "runs: the header says 4 runs but the file lists 2: the file is truncated or damaged");
  CHECK(error_of(replaced(text, "\n2\t", "\nx\t")) == "line 5: index: expected a whole number, got 'x'");
  CHECK(error_of(replaced(text, "\n2\t", "\n7\t")) == "line 5: index: expected 2 (runs are numbered in order), got 7");
  CHECK(error_of(replaced(text, "\tbig\t1\t", "\tbig\tone\t")) == "line 6: replicate: expected a whole number, got 'one'");
  CHECK_THAT(error_of(replaced(text, "\t0.75\n", "\t0.75\textra\n")), Catch::StartsWith("line 6: expected 7 tab-separated"));
  CHECK(error_of(replaced(text, "\t0.75\n", "\tnan?\n")) == "line 6: world.rate: expected a number, got 'nan?'");
  CHECK_THAT(error_of(replaced(text, "scenarios/0123456789abcdef.toml", "../../etc/passwd")),
             Catch::StartsWith("line 3: scenario_file: expected scenarios/<16 hex digits>.toml"));
  // A well-formed edit (another swept value) is caught by the checksum.
  CHECK_THAT(error_of(replaced(text, "\t0.75\n", "\t0.5\n")), Catch::StartsWith("checksum: the runs listed do not match"));
  CHECK(error_of(replaced(text, "plan v2", "plan v1")) ==
        "line 1: plan version 1 (this clustersim reads version 2); rerun the sweep into a new directory");
  CHECK(error_of("index\trun_id\n") == "line 1: not a clustersim sweep plan");
}
