// The command-line contract: exit codes, messages that name file, key and rule, and no
// output file after any failure.
#include <catch2/catch.hpp>

#include "../test_paths.hpp"

#include <filesystem>
#include <fstream>

#include "../cli_support.hpp"

namespace fs = std::filesystem;
using clustersim::test::run_clustersim;

namespace {

const std::string kValid = R"([run]
steps = 2
seed = 1
replicates = 1
[world]
source = "synthetic"
[population]
smes = 2000
regions = 20
clusters = 2
)";

struct Case {
  fs::path dir;
  fs::path out;
  explicit Case(const std::string& name) {
    dir = clustersim::test::scratch("cli-test") / name;
    fs::remove_all(dir);
    fs::create_directories(dir);
    out = dir / "out.h5";
  }
  fs::path write(const std::string& file, const std::string& text) const {
    std::ofstream(dir / file) << text;
    return dir / file;
  }
  clustersim::test::CommandResult run(const std::string& args) const { return run_clustersim(args, dir / "cmd"); }
  bool no_output() const {
    if (fs::exists(out)) return false;
    for (const auto& e : fs::directory_iterator(dir))
      if (e.path().filename().string().find(".tmp-") != std::string::npos) return false;
    return true;
  }
};

void expect_scenario_error(const Case& c, const clustersim::test::CommandResult& r, const std::string& message) {
  INFO("stderr: " << r.err);
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains(message));
  CHECK(c.no_output());
}

}  // namespace

TEST_CASE("bad input: unknown key names the nearest valid key", "[scenario]") {
  Case c("unknown_key");
  const auto f = c.write("x.toml", kValid + "[growth]\nshock_sigma_per_quartr = 0.1\n");
  expect_scenario_error(c, c.run("run " + f.string() + " -o " + c.out.string()),
                        f.string() + ": growth.shock_sigma_per_quartr: unknown key; did you mean 'growth.shock_sigma_per_quarter'?");
}

TEST_CASE("bad input: out of range value", "[scenario]") {
  Case c("out_of_range");
  const auto f = c.write("x.toml", R"([run]
steps = 2
seed = 1
replicates = 1
[world]
source = "synthetic"
[population]
smes = -5
regions = 20
clusters = 2
)");
  expect_scenario_error(c, c.run("run " + f.string() + " -o " + c.out.string()),
                        f.string() + ": population.smes: must be between 0 and 2000000000, got -5");
}

TEST_CASE("bad input: wrong type", "[scenario]") {
  Case c("wrong_type");
  const auto f = c.write("x.toml", kValid + "[exit]\nbase_rate_per_quarter = \"high\"\n");
  expect_scenario_error(c, c.run("run " + f.string() + " -o " + c.out.string()),
                        "exit.base_rate_per_quarter: must be a number");
}

TEST_CASE("bad input: probability outside 0..1", "[scenario]") {
  Case c("probability");
  const auto f = c.write("x.toml", kValid + "[membership]\nleave_rate_per_quarter = 1.5\n");
  expect_scenario_error(c, c.run("run " + f.string() + " -o " + c.out.string()),
                        "membership.leave_rate_per_quarter: must be between 0 and 1, got 1.5");
}

TEST_CASE("bad input: a peers mode that does not exist", "[scenario]") {
  Case c("peers");
  const auto f = c.write("x.toml", kValid + "[adoption]\npeers = \"galaxy\"\n");
  expect_scenario_error(c, c.run("run " + f.string() + " -o " + c.out.string()), "adoption.peers: must be one of");
}

TEST_CASE("bad input: extends cycle", "[scenario]") {
  Case c("cycle");
  c.write("a.toml", "extends = \"b.toml\"\n");
  c.write("b.toml", "extends = \"a.toml\"\n");
  const auto r = c.run("run " + (c.dir / "a.toml").string() + " -o " + c.out.string());
  expect_scenario_error(c, r, "extends");
  CHECK_THAT(r.err, Catch::Contains("cycle"));
}

TEST_CASE("bad input: missing scenario file", "[scenario]") {
  Case c("missing_file");
  expect_scenario_error(c, c.run("run " + (c.dir / "nope.toml").string() + " -o " + c.out.string()), "nope.toml");
}

TEST_CASE("bad input: missing extends target", "[scenario]") {
  Case c("missing_extends");
  const auto f = c.write("x.toml", "extends = \"base.toml\"\n");
  expect_scenario_error(c, c.run("run " + f.string() + " -o " + c.out.string()), f.string() + ": extends");
}

TEST_CASE("bad input: TOML syntax error", "[scenario]") {
  Case c("syntax");
  const auto f = c.write("x.toml", "[run\nsteps = 2\n");
  expect_scenario_error(c, c.run("run " + f.string() + " -o " + c.out.string()), f.string() + ": line 1");
}

TEST_CASE("bad input: required key missing", "[scenario]") {
  Case c("required");
  const auto f = c.write("x.toml", "[run]\nseed = 1\nreplicates = 1\n[world]\nsource = \"synthetic\"\n[population]\nsmes = 10\nregions = 2\nclusters = 1\n");
  expect_scenario_error(c, c.run("run " + f.string() + " -o " + c.out.string()), "run.steps: required key is missing");
}

TEST_CASE("bad input: malformed, unknown and mistyped --set", "[scenario]") {
  Case c("set");
  const auto f = c.write("x.toml", kValid);
  expect_scenario_error(c, c.run("run " + f.string() + " -o " + c.out.string() + " --set population.smes"),
                        "--set: population.smes: expected KEY=VALUE");
  expect_scenario_error(c, c.run("run " + f.string() + " -o " + c.out.string() + " --set population.smez=5"),
                        "did you mean 'population.smes'?");
  expect_scenario_error(c, c.run("run " + f.string() + " -o " + c.out.string() + " --set run.steps=abc"),
                        "--set: run.steps: must be an integer");
}

TEST_CASE("bad input: malformed regions CSV names line and column", "[scenario]") {
  Case c("csv");
  std::string header = "code,name,country,development_level,lon,lat";
  const char* sectors[] = {"aerospace_defence", "agri_food", "construction", "cultural_creative", "digital",
                           "electronics", "energy_intensive", "renewable_energy", "health",
                           "mobility_transport_automotive", "proximity_social_economy", "retail", "textile", "tourism"};
  std::string row = "XX01,X,XX,transition,200.0,50.0";
  for (const char* s : sectors) {
    header += std::string(",smes_") + s;
    row += ",10";
  }
  c.write("regions.csv", header + "\n" + row + "\n");
  const auto f = c.write("x.toml", kValid + "");
  const auto r = c.run("run " + f.string() + " -o " + c.out.string() + " --set world.source=eu --set population.regions=1 --set population.regions_file=" +
                       (c.dir / "regions.csv").string());
  expect_scenario_error(c, r, "regions.csv: line 2, column 5 (lon)");
}

TEST_CASE("bad input: unknown option and bad output extension", "[scenario]") {
  Case c("usage");
  const auto f = c.write("x.toml", kValid);
  auto r = c.run("run " + f.string() + " -o " + c.out.string() + " --frobnicate");
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains("frobnicate"));
  r = c.run("run " + f.string() + " -o " + (c.dir / "out.csv").string());
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains("out.csv"));
  CHECK_FALSE(fs::exists(c.dir / "out.csv"));
  CHECK(c.no_output());
}

TEST_CASE("a missing output directory fails with a clear message and exit code 1", "[scenario]") {
  Case c("no_dir");
  const auto f = c.write("x.toml", kValid);
  const auto r = c.run("run " + f.string() + " -o " + (c.dir / "missing" / "out.h5").string());
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.err, Catch::Contains("missing"));
}

TEST_CASE("check prints the resolved scenario, which reloads to the same text", "[scenario]") {
  Case c("check");
  const auto f = c.write("x.toml", kValid);
  const auto r = c.run("check " + f.string() + " --set growth.drift_per_quarter=0.01");
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::Contains("drift_per_quarter = 0.01"));
  CHECK_THAT(r.out, Catch::Contains("leave_rate_per_quarter = 0.025"));  // defaults are filled in
  const auto resolved = c.write("resolved.toml", r.out);
  const auto again = c.run("check " + resolved.string());
  REQUIRE(again.exit_code == 0);
  CHECK(again.out == r.out);
}

TEST_CASE("every command has --help and a successful run exits 0 with a summary", "[scenario]") {
  Case c("help");
  for (const char* args : {"--help", "run --help", "check --help"}) {
    const auto r = c.run(args);
    INFO(args);
    CHECK(r.exit_code == 0);
    CHECK_THAT(r.out, Catch::Contains("Usage") || Catch::Contains("USAGE") || Catch::Contains("usage"));
  }
  const auto f = c.write("x.toml", kValid);
  const auto r = c.run("run " + f.string() + " -o " + c.out.string() + " --threads 2 --seed 5 --replicates 2");
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(fs::exists(c.out));
  CHECK_THAT(r.out, Catch::Contains("smes_active"));
  CHECK_THAT(r.out, Catch::Contains("2 replicate(s)"));
  const auto quiet = c.run("run " + f.string() + " -o " + c.out.string() + " --quiet");
  CHECK(quiet.exit_code == 0);
  CHECK(quiet.out.empty());
  CHECK(quiet.err.empty());
}

namespace {

/// The generated table between <!-- MARKER:begin --> and <!-- MARKER:end --> in `doc`
/// equals what `clustersim COMMAND` prints (scripts/update-docs regenerates it).
void check_generated(const std::string& command, const std::string& doc, const std::string& marker) {
  Case c("docs_" + marker);
  const auto r = c.run(command);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const auto docs = clustersim::test::slurp(std::string(CLUSTERSIM_SOURCE_DIR) + "/" + doc);
  const std::string begin = "<!-- " + marker + ":begin -->\n", end = "<!-- " + marker + ":end -->";
  const auto b = docs.find(begin), e = docs.find(end);
  REQUIRE(b != std::string::npos);
  REQUIRE(e != std::string::npos);
  INFO(doc << " is stale: run scripts/update-docs");
  CHECK(docs.substr(b + begin.size(), e - b - begin.size()) == r.out);
}

}  // namespace

TEST_CASE("docs/SCENARIOS.md lists every scenario key exactly as clustersim keys does", "[unit]") {
  check_generated("keys --markdown", "docs/SCENARIOS.md", "keys");
}

TEST_CASE("docs/OUTPUT.md lists every output variable exactly as clustersim variables does", "[unit]") {
  check_generated("variables --markdown", "docs/OUTPUT.md", "variables");
}

TEST_CASE("variables lists each output variable with its dims, units and stock or flow", "[unit]") {
  Case c("variables");
  const auto f = c.write("x.toml", kValid);
  const auto r = c.run("variables " + f.string());
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  auto line_of = [&](const std::string& name) {  // the line that starts with `name `
    const auto at = r.out.find("\n" + name + " ");
    if (at == std::string::npos) return std::string();
    return r.out.substr(at + 1, r.out.find('\n', at + 1) - at - 1);
  };
  CHECK_THAT(line_of("smes_entered"), Catch::Contains("replicate, step, region") && Catch::Contains(" flow ") &&
                                          Catch::Contains("start-ups in the quarter"));
  CHECK_THAT(line_of("smes_active"), Catch::Contains(" stock ") && Catch::Contains("active SMEs"));
  CHECK_THAT(line_of("cluster_budget_eur"), Catch::Contains("replicate, step, cluster") && Catch::Contains("EUR") &&
                                                Catch::Contains(" stock "));
  CHECK_THAT(line_of("instrument_spent_eur"), Catch::Contains(" flow "));
  CHECK_THAT(line_of("region_lon"), Catch::Contains("degrees_east") && Catch::Contains(" static "));
  const auto bad = c.run("variables " + f.string() + " --set population.smes=-1");
  CHECK(bad.exit_code != 0);
}

namespace {

const std::string kInstrument = R"(
[[instruments]]
id = "vouchers"
type = "cascade_funding"
budget_eur = 200000              # one award of the default grant_eur: check refuses less (spendable.cpp)
funding.eu = 0.5
funding.national = 0.5
)";

/// A scenario with one instrument whose `key = value` line is replaced or added.
std::string instrument_with(const std::string& line) { return kValid + kInstrument + line + "\n"; }

}  // namespace

TEST_CASE("bad input: instruments: each rule names the file, the instrument and the key, and nothing runs", "[scenario]") {
  struct Bad {
    const char* name;
    std::string text;
    std::string message;
  };
  const std::vector<Bad> cases{
      {"shares", kValid + R"(
[[instruments]]
id = "vouchers"
type = "cascade_funding"
funding.eu = 0.7
funding.national = 0.5
)",
       "instruments[vouchers].funding: shares sum to 1.2, must be 1"},
      {"negative_budget", kValid + "[[instruments]]\nid = \"vouchers\"\ntype = \"cascade_funding\"\nbudget_eur = -5\n",
       "instruments[vouchers].budget_eur: must be between 0 and 10000000000, got -5"},
      {"rate", instrument_with("cofinancing.eu_rate_transition = 1.5"),
       "instruments[vouchers].cofinancing.eu_rate_transition: must be between -1 and 1, got 1.5"},
      {"pass_through", instrument_with("pass_through_share = 1.5"),
       "instruments[vouchers].pass_through_share: must be between 0 and 1, got 1.5"},
      {"type", kValid + "[[instruments]]\nid = \"x\"\ntype = \"lottery\"\n",
       "instruments[x].type: unknown type 'lottery'; must be one of 'cluster_core_funding'"},
      {"duplicate", kValid + kInstrument + kInstrument, "instruments[vouchers].id: duplicate id 'vouchers'"},
      {"steps", instrument_with("start_step = 8\nend_step = 4"),
       "instruments[vouchers].end_step: must be >= start_step (8), got 4"},
      {"unknown_key", instrument_with("grant_eur_per_quarter = 5"),
       "instruments[vouchers].grant_eur_per_quarter: unknown key for type 'cascade_funding'"},
      {"region", instrument_with("eligible.regions = [\"XX99\"]"),
       "instruments[vouchers].eligible.regions: no region 'XX99' in this world; did you mean '"},
  };
  for (const auto& bad : cases) {
    DYNAMIC_SECTION(bad.name) {
      Case c(std::string("instrument_") + bad.name);
      const auto f = c.write("x.toml", bad.text);
      expect_scenario_error(c, c.run("run " + f.string() + " -o " + c.out.string()), f.string() + ": " + bad.message);
    }
  }
}

TEST_CASE("bad input: rules across keys are refused by check and by run, naming file, key and rule", "[scenario]") {
  struct Bad {
    const char* name;
    std::string text;
    std::string set;  // an extra --set, or ""
    std::string where, message;  // where "" is the scenario file
  };
  const std::string mix_zero = "[clusters.service_mix]\nmatchmaking = 0\ntraining = 0\ninternationalisation = 0\n"
                               "joint_innovation = 0\nintelligence = 0\n";
  const std::vector<Bad> cases{
      {"service_mix", kValid + mix_zero, "", "",
       "clusters.service_mix: all weights are 0; at least one must be > 0 (they are normalised to shares)"},
      {"silver", kValid + "[clusters.maturity]\nsilver_score = 0.2\n", "", "",
       "clusters.maturity.silver_score: must be > clusters.maturity.bronze_score (0.25), got 0.2"},
      {"gold_equal", kValid + "[clusters.maturity]\ngold_score = 0.5\n", "", "",
       "clusters.maturity.gold_score: must be > clusters.maturity.silver_score (0.5), got 0.5"},
      {"bronze", kValid + "[clusters.maturity]\nbronze_score = 0.6\n", "", "",  // blames the key the user set
       "clusters.maturity.bronze_score: must be < clusters.maturity.silver_score (0.5), got 0.6"},
      {"clusters", kValid, "population.clusters=1000000", "--set",
       "population.clusters: must be <= population.smes (2000), got 1000000"},
      {"horizon", instrument_with("start_step = 5\nend_step = 8"), "", "",
       "instruments[vouchers].start_step: must be <= run.steps (2), got 5: the whole window lies after the last step"},
      {"horizon_set", instrument_with("start_step = 2\nend_step = 8"), "run.steps=1", "",
       "instruments[vouchers].start_step: must be <= run.steps (1), got 2: the whole window lies after the last step"},
  };
  for (const auto& bad : cases) {
    for (const char* command : {"check", "run"}) {
      DYNAMIC_SECTION(bad.name << " " << command) {
        Case c(std::string("rule_") + bad.name + "_" + command);
        const auto f = c.write("x.toml", bad.text);
        std::string args = std::string(command) + " " + f.string();
        if (std::string(command) == "run") args += " -o " + c.out.string();
        if (!bad.set.empty()) args += " --set " + bad.set;
        const std::string where = bad.where.empty() ? f.string() : bad.where;
        expect_scenario_error(c, c.run(args), where + ": " + bad.message);
      }
    }
  }
}

TEST_CASE("rules across keys accept their boundaries: an instrument starting in the last step, clusters = SMEs",
          "[scenario]") {
  Case c("rule_boundaries");
  const auto f = c.write("x.toml", instrument_with("start_step = 2\nend_step = 8"));
  const auto r = c.run("check " + f.string() + " --set population.clusters=2000");
  INFO(r.err);
  CHECK(r.exit_code == 0);
}

TEST_CASE("bad input: --set cannot change instruments", "[scenario]") {
  Case c("instrument_set");
  const auto f = c.write("x.toml", kValid + kInstrument);
  expect_scenario_error(c, c.run("run " + f.string() + " -o " + c.out.string() + " --set instruments.budget_eur=5"),
                        "--set: instruments.budget_eur: --set cannot change arrays of tables ([[instruments]])");
}

TEST_CASE("check prints the instruments, and its output reloads to the same text", "[scenario]") {
  Case c("check_instruments");
  const auto f = c.write("x.toml", kValid + kInstrument + "eligible.countries = [\"DE\", \"FR\"]\ncall.steps = [1, 3]\n");
  const auto r = c.run("check " + f.string());
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::Contains("[[instruments]]\nid = \"vouchers\"\ntype = \"cascade_funding\"\n"));
  CHECK_THAT(r.out, Catch::Contains("eligible.countries = [\"DE\", \"FR\"]"));
  CHECK_THAT(r.out, Catch::Contains("pass_through_share = 0.8"));  // the type's defaults are filled in
  const auto resolved = c.write("resolved.toml", r.out);
  const auto again = c.run("check " + resolved.string());
  REQUIRE(again.exit_code == 0);
  CHECK(again.out == r.out);
}
