// The bad-input catalogue (issue 16): every entry is a bad scenario file, --set value,
// regions CSV or experiment file, run through the real binary. Each must end with exit
// code 2, a message naming the file (or --set), the key (or line and column) and the
// rule, and nothing written where the output would have gone. One table, one loop: a new
// case is one more row.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

#include "../cli_support.hpp"
#include "../test_paths.hpp"

namespace fs = std::filesystem;
using namespace std::string_literals;

namespace {

const std::string kValid =
    "[run]\nsteps = 2\nseed = 1\nreplicates = 1\n[world]\nsource = \"synthetic\"\n[population]\nsmes = 2000\nregions = 20\nclusters = 2\n";

const char* const kSectors[] = {"aerospace_defence", "agri_food", "construction", "cultural_creative", "digital",
                                "electronics", "energy_intensive", "renewable_energy", "health",
                                "mobility_transport_automotive", "proximity_social_economy", "retail", "textile", "tourism"};

std::string csv_header() {
  std::string h = "code,name,country,development_level,lon,lat";
  for (const char* s : kSectors) h += std::string(",smes_") + s;
  return h + "\n";
}

/// One region row; `name` and `lon` vary between cases.
std::string csv_row(const std::string& code, const std::string& name = "Region", const std::string& lon = "4.4") {
  std::string r = code + "," + name + ",BE,transition," + lon + ",51.2";
  for (std::size_t s = 0; s < std::size(kSectors); ++s) r += ",10";
  return r + "\n";
}

/// A scenario using regions.csv with `regions` rows.
std::string with_csv(int regions) {
  return "[run]\nsteps = 2\nseed = 1\nreplicates = 1\n[population]\nsmes = 2000\nregions = " + std::to_string(regions) +
         "\nclusters = 1\nregions_file = \"regions.csv\"\n";
}

std::string instrument(const std::string& body) {
  return kValid + "[[instruments]]\nid = \"core\"\ntype = \"cluster_core_funding\"\n" + body + "\n";
}

struct BadInput {
  std::string name;
  std::vector<std::pair<std::string, std::string>> files;  ///< written into the case's folder
  /// The command after the binary; {dir} is the case's folder. Default: run x.toml -o {dir}/out.h5.
  std::string args;
  /// Expected in stderr: "<where>: <key>" (where is a file in {dir}, or --set) and the rule.
  std::string where, key, rule;
};

const std::string kRun = "run {dir}/x.toml -o {dir}/out.h5";
const std::string kSweep = "sweep {dir}/e.toml -d {dir}/out.sweep";

std::vector<BadInput> catalogue() {
  const std::string experiment_head = "baseline = \"x.toml\"\nreplicates = 1\n";
  return {
      // --- scenario files: TOML and text ---
      {"toml syntax error", {{"x.toml", "[run\nsteps = 2\n"}}, kRun, "x.toml", "line 1, column 5", "expected ']'"},
      {"duplicate table", {{"x.toml", kValid + "[run]\nsteps = 3\n"}}, kRun, "x.toml", "line 11, column 1",
       "cannot redefine existing table 'run'"},
      {"duplicate key", {{"x.toml", kValid + "smes = 3\n"}}, kRun, "x.toml", "line 11, column 8",
       "cannot redefine existing integer 'smes'"},
      {"toml++ unreachable: 2-byte file D2 92", {{"x.toml", "\xD2\x92"}}, kRun, "x.toml", "line 1, column 1",
       "outside a string or comment"},
      {"toml++ assertion: [{", {{"x.toml", "[{"}}, kRun, "x.toml", "line 1, column 2",
       "a table header must start with a key name"},
      {"non-ASCII after a line-ending backslash", {{"x.toml", kValid + "[output]\nx = \"\"\"\\\n é\"\"\"\n"}}, kRun,
       "x.toml", "line 13, column 2", "first after a line-ending backslash"},
      {"NUL byte in a scenario", {{"x.toml", kValid + "# a\0b\n"s}}, kRun, "x.toml", "line 11, column 4", "a NUL byte"},
      {"control character in a string", {{"x.toml", kValid + "[adoption]\npeers = \"a\x01\"\n"}}, kRun, "x.toml",
       "line 12, column 11", "control character 0x01"},
      {"invalid UTF-8 in a string", {{"x.toml", kValid + "[adoption]\npeers = \"\xC3\x28\"\n"}}, kRun, "x.toml",
       "line 12, column 10", "invalid UTF-8 (byte 0xC3)"},
      {"UTF-16 scenario", {{"x.toml", "\xFF\xFE[\0r\0u\0n\0]\0"s}}, kRun, "x.toml", "line 1", "the file is UTF-16"},
      {"carriage return alone", {{"x.toml", "[run]\rsteps = 2\n"}}, kRun, "x.toml", "line 1, column 6",
       "a carriage return without a line feed"},
      {"non-ASCII bare key", {{"x.toml", kValid + "smés = 1\n"}}, kRun, "x.toml", "line 11, column 3",
       "character U+00E9"},
      {"unknown key", {{"x.toml", kValid + "[growth]\nshock_sigma_per_quartr = 0.1\n"}}, kRun, "x.toml",
       "growth.shock_sigma_per_quartr", "unknown key; did you mean 'growth.shock_sigma_per_quarter'?"},
      {"unknown table", {{"x.toml", kValid + "[grwoth]\ndrift_per_quarter = 0.1\n"}}, kRun, "x.toml",
       "grwoth.drift_per_quarter", "unknown key; did you mean"},
      {"quoted key with a dot", {{"x.toml", kValid + "\"population.smes\" = 5\n"}}, kRun, "x.toml",
       "population.\"population.smes\"", "key names never contain '.'"},
      {"string for a real", {{"x.toml", kValid + "[exit]\nbase_rate_per_quarter = \"high\"\n"}}, kRun, "x.toml",
       "exit.base_rate_per_quarter", "must be a number, got \"high\" (string)"},
      {"float for an integer", {{"x.toml", kValid + "[exit]\nloss_quarters = 2.5\n"}}, kRun, "x.toml",
       "exit.loss_quarters", "must be an integer, got 2.5 (float)"},
      {"boolean for an integer", {{"x.toml", kValid + "[exit]\nloss_quarters = true\n"}}, kRun, "x.toml",
       "exit.loss_quarters", "must be an integer, got true (boolean)"},
      {"date for an integer", {{"x.toml", kValid + "[exit]\nloss_quarters = 1979-05-27\n"}}, kRun, "x.toml",
       "exit.loss_quarters", "must be an integer, got 1979-05-27 (date)"},
      {"array for a real", {{"x.toml", kValid + "[exit]\nbase_rate_per_quarter = [0.1]\n"}}, kRun, "x.toml",
       "exit.base_rate_per_quarter", "must be a number, got an array"},
      {"table for a value", {{"x.toml", kValid + "[growth.drift_per_quarter]\nx = 1\n"}}, kRun, "x.toml",
       "growth.drift_per_quarter", "must be a number, got a table"},
      {"value for a table", {{"x.toml", "growth = 5\n" + kValid}}, kRun, "x.toml", "growth", "must be a table, got 5"},
      {"integer out of range", {{"x.toml", "[run]\nsteps = 2\nseed = 1\nreplicates = 1\n[population]\nsmes = -5\nregions = 20\nclusters = 2\n"}},
       kRun, "x.toml", "population.smes", "must be between 0 and 2000000000, got -5"},
      {"probability above 1", {{"x.toml", kValid + "[membership]\nleave_rate_per_quarter = 1.5\n"}}, kRun, "x.toml",
       "membership.leave_rate_per_quarter", "must be between 0 and 1, got 1.5"},
      {"nan", {{"x.toml", kValid + "[growth]\ndrift_per_quarter = nan\n"}}, kRun, "x.toml", "growth.drift_per_quarter",
       "must be a finite number, got nan"},
      {"infinity", {{"x.toml", kValid + "[growth]\ndrift_per_quarter = -inf\n"}}, kRun, "x.toml",
       "growth.drift_per_quarter", "must be a finite number, got -inf"},
      {"a choice that does not exist", {{"x.toml", kValid + "[adoption]\npeers = \"galaxy\"\n"}}, kRun, "x.toml",
       "adoption.peers", "must be one of"},
      {"required key missing", {{"x.toml", "[run]\nseed = 1\nreplicates = 1\n[population]\nsmes = 10\nregions = 2\nclusters = 1\n"}},
       kRun, "x.toml", "run.steps", "required key is missing"},
      {"money key above its bound", {{"x.toml", kValid + "[exporting]\nsunk_cost_eur = 2e10\n"}}, kRun, "x.toml",
       "exporting.sunk_cost_eur", "must be between 0 and 1000000000, got 20000000000"},
      // --- extends ---
      {"extends a missing file", {{"x.toml", "extends = \"base.toml\"\n"}}, kRun, "x.toml", "extends",
       "cannot open 'base.toml'"},
      {"extends cycle", {{"x.toml", "extends = \"y.toml\"\n"}, {"y.toml", "extends = \"x.toml\"\n"}}, kRun, "y.toml",
       "extends", "cycle"},
      {"extends itself", {{"x.toml", "extends = \"./x.toml\"\n"}}, kRun, "x.toml", "extends", "cycle"},
      {"extends /dev/zero", {{"x.toml", "extends = \"/dev/zero\"\n"}}, kRun, "x.toml", "extends", "not a regular file"},
      {"extends a directory", {{"x.toml", "extends = \".\"\n"}}, kRun, "x.toml", "extends", "it is a directory"},
      {"extends a number", {{"x.toml", "extends = 5\n"}}, kRun, "x.toml", "extends",
       "must be a file path (a string), got 5 (integer)"},
      {"extends nothing", {{"x.toml", "extends = \"\"\n"}}, kRun, "x.toml", "extends", "must name a file"},
      {"a base file with a syntax error", {{"x.toml", "extends = \"y.toml\"\n"}, {"y.toml", "[run\n"}}, kRun, "y.toml",
       "line 1, column 5", "expected ']'"},
      {"a huge scenario file", {{"x.toml", kValid + "# " + std::string(17u << 20, 'x') + "\n"}}, kRun, "x.toml",
       "", "more than the limit of 16 MiB"},
      // --- instruments and money ---
      {"budget_eur = 1e17", {{"x.toml", instrument("budget_eur = 1e17")}}, kRun, "x.toml", "instruments[core].budget_eur",
       "must be between 0 and 10000000000 (every money amount is capped so that ledgers stay exact in cents), got 1e+17"},
      {"budget_eur = 9e16", {{"x.toml", instrument("budget_eur = 9e16")}}, kRun, "x.toml", "instruments[core].budget_eur",
       "must be between 0 and 10000000000"},
      {"grant_eur_per_quarter = 1e300", {{"x.toml", instrument("grant_eur_per_quarter = 1e300")}}, kRun, "x.toml",
       "instruments[core].grant_eur_per_quarter", "must be between 0 and 10000000000"},
      {"negative budget", {{"x.toml", instrument("budget_eur = -1")}}, kRun, "x.toml", "instruments[core].budget_eur",
       "got -1"},
      {"unknown instrument type", {{"x.toml", kValid + "[[instruments]]\nid = \"a\"\ntype = \"magic\"\n"}}, kRun, "x.toml",
       "instruments[a].type", "unknown type 'magic'"},
      {"duplicate instrument id",
       {{"x.toml", instrument("") + "[[instruments]]\nid = \"core\"\ntype = \"cluster_core_funding\"\n"}}, kRun, "x.toml",
       "instruments[core].id", "duplicate id"},
      {"unknown instrument key", {{"x.toml", instrument("grant_eur_per_quartr = 5")}}, kRun, "x.toml",
       "instruments[core].grant_eur_per_quartr", "unknown key for type 'cluster_core_funding'"},
      {"instrument without id", {{"x.toml", kValid + "[[instruments]]\ntype = \"cluster_core_funding\"\n"}}, kRun,
       "x.toml", "instruments[0].id", "required key is missing"},
      {"instruments as a table", {{"x.toml", kValid + "[instruments]\nid = \"a\"\n"}}, kRun, "x.toml", "instruments",
       "must be an array of tables"},
      // --- --set ---
      {"--set without =", {{"x.toml", kValid}}, kRun + " --set population.smes", "--set", "population.smes",
       "expected KEY=VALUE"},
      {"--set unknown key", {{"x.toml", kValid}}, kRun + " --set population.smez=5", "--set", "population.smez",
       "did you mean 'population.smes'?"},
      {"--set text for an integer", {{"x.toml", kValid}}, kRun + " --set run.steps=abc", "--set", "run.steps",
       "must be an integer, got \"abc\""},
      {"--set real for an integer", {{"x.toml", kValid}}, kRun + " --set run.steps=1e3", "--set", "run.steps",
       "must be an integer"},
      {"--set out of range", {{"x.toml", kValid}}, kRun + " --set population.smes=-1", "--set", "population.smes",
       "must be between 0 and 2000000000, got -1"},
      {"--set nan", {{"x.toml", kValid}}, kRun + " --set growth.drift_per_quarter=nan", "--set",
       "growth.drift_per_quarter", "must be a finite number"},
      {"--set overflowing real", {{"x.toml", kValid}}, kRun + " --set growth.drift_per_quarter=1e999", "--set",
       "growth.drift_per_quarter", "must be a finite number"},
      {"--set money above the cap", {{"x.toml", instrument("")}}, kRun + " --set clusters.fee_eur_per_member_per_quarter=1e300",
       "--set", "clusters.fee_eur_per_member_per_quarter", "must be between 0 and 10000000"},
      {"--set a table", {{"x.toml", kValid}}, kRun + " --set population=5", "--set", "population", "is a table"},
      {"--set an instrument", {{"x.toml", kValid}}, kRun + " --set instruments.budget_eur=5", "--set",
       "instruments.budget_eur", "--set cannot change arrays of tables"},
      {"--set a bad choice", {{"x.toml", kValid}}, kRun + " --set adoption.peers=galaxy", "--set", "adoption.peers",
       "must be one of"},
      {"--set a missing regions file", {{"x.toml", kValid}}, kRun + " --set world.source=eu --set population.regions=0 --set population.regions_file={dir}/none.csv",
       "--set", "population.regions_file", "No such file or directory"},
      // --- sizes that cannot fit in memory ---
      {"65535 regions", {{"x.toml", kValid}}, kRun + " --set population.regions=65535", "--set", "population.regions",
       "lower population.regions"},
      {"2e9 SMEs", {{"x.toml", kValid}}, kRun + " --set population.smes=2000000000", "--set", "population.smes",
       "lower population.smes"},
      // --- regions CSV ---
      {"missing regions file", {{"x.toml", with_csv(1)}}, kRun, "x.toml", "population.regions_file",
       "No such file or directory"},
      {"regions file is a directory", {{"x.toml", with_csv(1)}, {"regions.csv/keep", ""}}, kRun, "x.toml",
       "population.regions_file", "it is a directory"},
      {"NUL byte in a region name", {{"x.toml", with_csv(1)}, {"regions.csv", csv_header() + csv_row("BE21", "Ant\0werp"s)}},
       kRun, "regions.csv", "line 2, column 9", "a NUL byte"},
      {"UTF-16 regions CSV", {{"x.toml", with_csv(1)}, {"regions.csv", "\xFF\xFE" "c\0o\0d\0e\0"s}}, kRun, "regions.csv",
       "line 1", "the file is UTF-16"},
      {"UTF-16 regions CSV without a byte-order mark", {{"x.toml", with_csv(1)}, {"regions.csv", "c\0o\0d\0e\0,\0n\0"s}},
       kRun, "regions.csv", "line 1", "looks like UTF-16"},
      {"invalid UTF-8 in a region name", {{"x.toml", with_csv(1)}, {"regions.csv", csv_header() + csv_row("BE21", "Li\xE8ge")}},
       kRun, "regions.csv", "line 2, column 8", "invalid UTF-8"},
      {"header-only regions CSV", {{"x.toml", with_csv(1)}, {"regions.csv", csv_header()}}, kRun, "regions.csv", "line 2",
       "no data rows after the header"},
      {"unknown sector column after a comment", {{"x.toml", with_csv(1)},
       {"regions.csv", "# regions\n" + csv_header().substr(0, csv_header().size() - 1) + ",smes_magic\n" +
                           csv_row("BE21").substr(0, csv_row("BE21").size() - 1) + ",3\n"}},
       kRun, "regions.csv", "line 2, column 21 (smes_magic)", "unknown sector column"},
      {"longitude out of range", {{"x.toml", with_csv(1)}, {"regions.csv", csv_header() + csv_row("BE21", "R", "200.0")}},
       kRun, "regions.csv", "line 2, column 5 (lon)", "must be between -180 and 180"},
      {"too few fields", {{"x.toml", with_csv(1)}, {"regions.csv", csv_header() + "BE21,R\n"}}, kRun, "regions.csv",
       "line 2", "has 2 fields, header has 20"},
      {"unclosed quote", {{"x.toml", with_csv(1)}, {"regions.csv", csv_header() + "BE21,\"R\n"}}, kRun, "regions.csv",
       "line 2", "unclosed quote"},
      {"duplicate region code", {{"x.toml", with_csv(2)}, {"regions.csv", csv_header() + csv_row("BE21") + csv_row("BE21")}},
       kRun, "regions.csv", "line 3, column 1 (code)", "duplicate region code"},
      {"unknown development level", {{"x.toml", with_csv(1)},
       {"regions.csv", csv_header() + "BE21,R,BE,rich,4.4,51.2" + csv_row("X").substr(csv_row("X").find(",10"))}},
       kRun, "regions.csv", "line 2, column 4 (development_level)", "must be one of more_developed, transition"},
      {"regions count differs from the file", {{"x.toml", with_csv(3)}, {"regions.csv", csv_header() + csv_row("BE21")}},
       kRun, "regions.csv", "population.regions", "the file has 1 regions but population.regions is 3"},
      {"missing column", {{"x.toml", with_csv(1)}, {"regions.csv", "code,name\nBE21,R\n"}}, kRun, "regions.csv", "line 1",
       "missing column"},
      // --- experiment files (sweep) ---
      {"experiment: unknown scenario key in [set]",
       {{"x.toml", kValid}, {"e.toml", experiment_head + "[set]\npopulation.smez = 5\n"}}, kSweep, "e.toml",
       "set.population.smez", "unknown scenario key 'population.smez'; did you mean 'population.smes'?"},
      {"experiment: out of range in [set]",
       {{"x.toml", kValid}, {"e.toml", experiment_head + "[set]\npopulation.smes = -1\n"}}, kSweep, "e.toml",
       "set.population.smes", "must be between 0 and 2000000000, got -1"},
      {"experiment: money above the cap in a grid",
       {{"x.toml", instrument("")}, {"e.toml", experiment_head + "[grid]\nclusters.fee_eur_per_member_per_quarter = [1, 1e300]\n"}},
       kSweep, "e.toml", "grid.clusters.fee_eur_per_member_per_quarter", "must be between 0 and 10000000, got 1e+300"},
      {"experiment: a budget above the money cap in [set] of a variant",
       {{"x.toml", kValid}, {"e.toml", experiment_head + "[[variant]]\nname = \"v\"\n[variant.set]\nexporting.sunk_cost_eur = 1e17\n"}},
       kSweep, "e.toml", "variant 'v'.set.exporting.sunk_cost_eur", "must be between 0 and 1000000000, got 1e+17"},
      {"experiment: toml++ unreachable, 2-byte file D2 92", {{"x.toml", kValid}, {"e.toml", "\xD2\x92"}}, kSweep, "e.toml",
       "line 1, column 1", "outside a string or comment"},
      {"experiment: toml++ assertion, [{", {{"x.toml", kValid}, {"e.toml", "[{"}}, kSweep, "e.toml", "line 1, column 2",
       "a table header must start with a key name"},
      {"experiment: NUL byte", {{"x.toml", kValid}, {"e.toml", experiment_head + "# a\0b\n"s}}, kSweep, "e.toml",
       "line 3, column 4", "a NUL byte"},
      {"experiment: control character in the description",
       {{"x.toml", kValid}, {"e.toml", "description = \"a\x1b[31m\"\n" + experiment_head}}, kSweep, "e.toml",
       "line 1, column 17", "control character 0x1B"},
      {"experiment: invalid UTF-8 in a variant name",
       {{"x.toml", kValid}, {"e.toml", experiment_head + "[[variant]]\nname = \"v\xC3\x28\"\n"}}, kSweep, "e.toml",
       "line 4, column 10", "invalid UTF-8 (byte 0xC3)"},
      {"experiment: UTF-16", {{"x.toml", kValid}, {"e.toml", "\xFF\xFE" "b\0a\0s\0e\0"s}}, kSweep, "e.toml", "line 1",
       "the file is UTF-16"},
      {"experiment: missing baseline file", {{"e.toml", experiment_head}}, kSweep, "e.toml", "baseline",
       "cannot open the scenario file"},
      {"experiment: baseline is a directory", {{"e.toml", "baseline = \".\"\n"}}, kSweep, "e.toml", "baseline",
       "it is a directory"},
      {"experiment: missing variant file",
       {{"x.toml", kValid}, {"e.toml", experiment_head + "[[variant]]\nname = \"v\"\nfile = \"gone.toml\"\n"}}, kSweep,
       "e.toml", "variant[0].file", "cannot open the scenario file"},
      {"experiment: a missing regions file in [set]",
       {{"x.toml", kValid},
        {"e.toml", experiment_head + "[set]\nworld.source = \"eu\"\npopulation.regions = 0\npopulation.regions_file = \"gone.csv\"\n"}},
       kSweep, "e.toml", "set.population.regions_file", "No such file or directory"},
      {"experiment: a missing regions file in a variant",
       {{"x.toml", kValid},
        {"e.toml", experiment_head + "[set]\nworld.source = \"eu\"\npopulation.regions = 0\n[[variant]]\nname = \"v\"\n"
                   "[variant.set]\npopulation.regions_file = \"gone.csv\"\n"}},
       kSweep, "e.toml", "variant 'v'.set.population.regions_file", "No such file or directory"},
      {"experiment: a baseline that extends a missing file",
       {{"x.toml", "extends = \"gone.toml\"\n"}, {"e.toml", experiment_head}}, kSweep, "x.toml", "extends",
       "cannot open 'gone.toml'"},
  };
}

/// Replaces every {dir} in `text`.
std::string expand(std::string text, const fs::path& dir) {
  for (auto at = text.find("{dir}"); at != std::string::npos; at = text.find("{dir}", at))
    text.replace(at, 5, dir.string());
  return text;
}

/// Files in `dir` that a run or sweep could have left: out.h5, out.sweep, *.tmp-*.
std::vector<std::string> leftovers(const fs::path& dir) {
  std::vector<std::string> found;
  for (const auto& e : fs::directory_iterator(dir)) {
    const std::string name = e.path().filename().string();
    if (name.starts_with("out.") || name.find(".tmp-") != std::string::npos) found.push_back(name);
  }
  return found;
}

}  // namespace

TEST_CASE("the bad-input catalogue: exit 2, file, key and rule named, nothing written", "[scenario]") {
  const auto cases = catalogue();
  CHECK(cases.size() >= 60);
  const fs::path root = clustersim::test::fresh_scratch("bad-inputs");
  std::size_t index = 0;
  for (const auto& c : cases) {
    DYNAMIC_SECTION(c.name) {
      const fs::path dir = root / std::to_string(index);
      fs::create_directories(dir);
      for (const auto& [name, text] : c.files) {
        fs::create_directories((dir / name).parent_path());
        if (name.ends_with("/keep")) continue;  // a directory where a file belongs
        std::ofstream(dir / name, std::ios::binary) << text;
      }
      const auto r = clustersim::test::run_clustersim(expand(c.args, dir), dir / ".cmd");
      INFO("case: " << c.name << "\nstderr: " << r.err);
      CHECK(r.exit_code == 2);
      const std::string where = c.where == "--set" ? c.where : (dir / c.where).string();
      CHECK_THAT(r.err, Catch::Contains(c.key.empty() ? where + ": " : where + ": " + c.key + ": "));
      CHECK_THAT(r.err, Catch::Contains(c.rule));
      CHECK(leftovers(dir).empty());
    }
    ++index;
  }
}

TEST_CASE("40 million SMEs under a 4 GiB address-space limit are refused before the world is built", "[scenario]") {
  // The audit's reproducer ended in std::bad_alloc after 29 s. ASan reserves terabytes of
  // address space for its shadow memory, so a sanitized binary cannot start under the limit.
  if (std::getenv("ASAN_OPTIONS") != nullptr || std::getenv("TSAN_OPTIONS") != nullptr) {
    WARN("skipped under a sanitizer");
    return;
  }
  const fs::path dir = clustersim::test::fresh_scratch("bad-inputs-memory");
  std::ofstream(dir / "x.toml") << kValid;
  const auto r = clustersim::test::run_command(
      "prlimit --as=4294967296 " + clustersim::test::clustersim_bin() + " run " + (dir / "x.toml").string() + " -o " +
          (dir / "out.h5").string() + " --set population.smes=40000000",
      dir / ".cmd");
  INFO("stderr: " << r.err);
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains("--set: population.smes: the run needs about"));
  CHECK_THAT(r.err, Catch::Contains("the address-space limit (RLIMIT_AS, ulimit -v)"));
  CHECK_THAT(r.err, Catch::Contains("lower population.smes"));
  CHECK(leftovers(dir).empty());
}
