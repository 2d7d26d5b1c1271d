// Scenarios that cannot spend as written (issue 11, item 7), in the bad-input catalogue's
// style (tests/bad_inputs/): each case is a scenario file run through the real binary, by
// `check` and by `run`. Each must end with exit code 2, a message naming the file, the key
// and the rule, and nothing written where the output would have gone. And every shipped
// scenario still passes `check` at its own scale and at the scales and lengths the tests
// run it with.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include "../../cli_support.hpp"
#include "../../test_paths.hpp"

namespace fs = std::filesystem;

namespace {

/// A synthetic world of 20 regions and 4 cluster organisations, 8 quarters.
std::string world(int regions = 20, int clusters = 4, int steps = 8) {
  return "[run]\nsteps = " + std::to_string(steps) + "\nseed = 1\nreplicates = 1\n[world]\nsource = \"synthetic\"\n"
         "scale = 1\n[population]\nsmes = 4000\nregions = " + std::to_string(regions) +
         "\nclusters = " + std::to_string(clusters) + "\n";
}

/// Core funding of EUR 25,000 a quarter for one year (an award of EUR 100,000).
std::string core(const std::string& body, const std::string& grant_eur_per_quarter = "25000") {
  return "[[instruments]]\nid = \"core\"\ntype = \"cluster_core_funding\"\ngrant_eur_per_quarter = " +
         grant_eur_per_quarter + "\naward_quarters = 4\n" + body + "\n";
}

std::string vouchers(const std::string& body) {
  return "[[instruments]]\nid = \"v\"\ntype = \"cascade_funding\"\nbudget_eur = 1000000\ngrant_eur = 100000\n" + body +
         "\n";
}

struct Unspendable {
  std::string name, scenario;
  std::string key, rule;  ///< expected in stderr as "<file>: <key>" and the rule
};

std::vector<Unspendable> catalogue() {
  return {
      {"every call after the last step", world() + core("budget_eur = 1000000\ncall.steps = [12, 16]"),
       "instruments[core].call.steps", "the first call is in quarter 12, after the last step (run.steps = 8)"},
      {"the first periodic call after the last step",
       world(20, 4, 4) + core("budget_eur = 1000000\nstart_step = 4\ncall.steps = [6]"), "instruments[core].call.steps",
       "the whole window lies beyond the horizon"},
      {"no call.steps inside the window", world() + core("budget_eur = 1000000\nend_step = 10\ncall.steps = [12]"),
       "instruments[core].call.steps", "no quarter of it lies in the window [start_step, end_step] = [1, 10]"},
      {"a funding cliff before the first call", world() + core("budget_eur = 1000000\ncall.steps = [3]\nstop_step = 2"),
       "instruments[core].stop_step", "is quarter 2, at or before the first call (quarter 3)"},
      {"no award per call", world() + core("budget_eur = 1000000\ncall.max_awards = 0"),
       "instruments[core].call.max_awards", "is 0: no call can make an award"},
      {"a budget smaller than one award", world() + core("budget_eur = 60000"), "instruments[core].budget_eur",
       "less than one award (EUR 100000.00)"},
      {"a budget smaller than the smallest project",
       world() + "[[instruments]]\nid = \"i3\"\ntype = \"interregional_investment\"\nbudget_eur = 1000000\n"
                 "project_min_eur = 2000000\nproject_max_eur = 10000000\nfunding_rate = 0.7\n",
       "instruments[i3].budget_eur", "less than one award (EUR 1400000.00)"},
      {"a cliff that leaves the calls too little for one award",
       world() + core("budget_eur = 1000000\ncall.every_steps = 4\nstop_step = 5", "250000"),
       "instruments[core].budget_eur", "the calls before stop_step (quarter 5) can commit EUR 100000.00"},
      {"an EU co-financing rate the EU share cannot pay",
       world() + core("budget_eur = 100000\nfunding.eu = 0.5\nfunding.national = 0.5\n"
                      "cofinancing.eu_rate_more_developed = 0.9\ncofinancing.eu_rate_transition = 0.9\n"
                      "cofinancing.eu_rate_less_developed = 0.9"),
       "instruments[core].cofinancing.eu_rate_", "from the eu source, but the funding shares give it only EUR 50000.00"},
      // In this world (default world.seed) the one automotive cluster is in SE01, whose S3
      // priorities are electronics, textile and aerospace (clustersim world --clusters --regions).
      {"S3 priorities that no eligible cluster serves",
       world() + core("budget_eur = 1000000\neligible.sectors = [\"mobility_transport_automotive\"]\n"
                      "eligible.s3_only = true"),
       "instruments[core].eligible.s3_only", "serves an eligible ecosystem that is an S3 priority of its region"},
      {"vouchers for SMEs larger than any SME", world() + vouchers("eligible.min_employees = 300\neligible.max_employees = 400"),
       "instruments[v].eligible.min_employees", "above the largest SME of the world (population.max_initial_employees = 249)"},
      {"vouchers for SMEs without employees", world() + vouchers("eligible.max_employees = 0.5"),
       "instruments[v].eligible.max_employees", "every SME has at least 1 employee"},
      {"interregional projects in a one-region world",
       world(1, 4) + "[[instruments]]\nid = \"i3\"\ntype = \"interregional_investment\"\nbudget_eur = 100000000\n",
       "instruments[i3].type", "needs a partner cluster in another region, but no eligible cluster organisation"},
      {"a meta-cluster across borders in a one-region world",
       world(1, 4) + "[[instruments]]\nid = \"meta\"\ntype = \"metacluster_support\"\nbudget_eur = 200000\n",
       "instruments[meta].type", "needs a partner cluster in another country"},
  };
}

std::vector<std::string> leftovers(const fs::path& dir) {
  std::vector<std::string> found;
  for (const auto& e : fs::directory_iterator(dir)) {
    const std::string name = e.path().filename().string();
    if (name.starts_with("out.") || name.find(".tmp-") != std::string::npos) found.push_back(name);
  }
  return found;
}

}  // namespace

TEST_CASE("check and run refuse scenarios that cannot spend as written, naming file, key and rule", "[scenario]") {
  const fs::path root = clustersim::test::fresh_scratch("unspendable");
  std::size_t index = 0;
  for (const auto& c : catalogue()) {
    DYNAMIC_SECTION(c.name) {
      const fs::path dir = root / std::to_string(index);
      fs::create_directories(dir);
      const fs::path file = dir / "x.toml";
      std::ofstream(file) << c.scenario;
      for (const std::string& command : {"check " + file.string(), "run " + file.string() + " -o " + (dir / "out.h5").string()}) {
        const auto r = clustersim::test::run_clustersim(command, dir / ".cmd");
        INFO("case: " << c.name << "\ncommand: " << command << "\nstderr: " << r.err);
        CHECK(r.exit_code == 2);
        CHECK_THAT(r.err, Catch::Contains(file.string() + ": " + c.key));
        CHECK_THAT(r.err, Catch::Contains(c.rule));
        CHECK_THAT(r.err, Catch::Contains("would spend nothing") || Catch::Contains("can commit"));
        CHECK(r.out.empty());  // check prints the resolved scenario only when it passes
        CHECK(leftovers(dir).empty());
      }
    }
    ++index;
  }
}

TEST_CASE("a zero budget or a zero award is a deliberate no-money case, not refused", "[scenario]") {
  const fs::path dir = clustersim::test::fresh_scratch("unspendable-zero");
  for (const std::string& body : {core("budget_eur = 0"), core("budget_eur = 1000000", "0")}) {
    std::ofstream(dir / "x.toml") << world() + body;
    const auto r = clustersim::test::run_clustersim("check " + (dir / "x.toml").string(), dir / ".cmd");
    INFO(body << "\nstderr: " << r.err);
    CHECK(r.exit_code == 0);
  }
}

TEST_CASE("every shipped scenario passes check at its scale and at the scales and lengths tests use", "[scenario]") {
  const fs::path scenarios = fs::path(CLUSTERSIM_SOURCE_DIR) / "scenarios";
  const fs::path dir = clustersim::test::fresh_scratch("unspendable-shipped");
  std::set<fs::path> files;
  for (const auto& e : fs::directory_iterator(scenarios))
    if (e.path().extension() == ".toml") files.insert(e.path());
  CHECK(files.size() >= 10);
  for (const auto& file : files) {
    const std::string text = clustersim::test::slurp(file);
    // tests/scenarios/scenarios_test.cpp: 3 and 12 quarters, at 1:500 unless an instrument or
    // the joint-tender service names regions (then at the file's own scale: a small world may
    // hold no cluster there), and the default length.
    std::vector<std::string> variants{"", " --set run.steps=3", " --set run.steps=12"};
    if (text.find("eligible.regions") == std::string::npos && text.find("[joint_tenders]") == std::string::npos)
      for (const char* scale : {"0.002", "0.01"}) {  // the smoke tests' scale and the default world's
        variants.push_back(std::string(" --set world.scale=") + scale);
        variants.push_back(std::string(" --set world.scale=") + scale + " --set run.steps=3");
      }
    for (const auto& v : variants) {
      DYNAMIC_SECTION(file.filename().string() << v) {
        const auto r = clustersim::test::run_clustersim("check " + file.string() + v, dir / ".cmd");
        INFO(r.err);
        CHECK(r.exit_code == 0);
      }
    }
  }
}
