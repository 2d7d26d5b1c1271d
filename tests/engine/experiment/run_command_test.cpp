#include "engine/experiment/run_command.hpp"

#include <catch2/catch.hpp>

#include <CLI/CLI.hpp>

using namespace clustersim::experiment;

namespace {

/// Parses `args` (as run_arguments writes them) the way `clustersim run` does.
RunRequest parse(std::vector<std::string> args) {
  CLI::App app;
  RunRequest parsed;
  auto* run = app.add_subcommand("run");
  run->add_option("SCENARIO", parsed.scenario)->required();
  add_run_options(*run, parsed);
  std::vector<char*> argv = {const_cast<char*>("clustersim")};
  for (auto& a : args) argv.push_back(a.data());
  app.parse(static_cast<int>(argv.size()), argv.data());
  return parsed;
}

}  // namespace

TEST_CASE("the run command a sweep builds parses back into the same request", "[unit]") {
  RunRequest r;
  r.scenario = "/d/scenarios/0123456789abcdef.toml";
  r.output = "/d/runs/0123456789abcdef.h5";
  r.replicate_index = 3;
  r.threads = 2;
  r.quiet = true;
  r.run_id = "0123456789abcdef";
  r.experiment_sha = std::string(40, 'a');
  // A command line with quotes, spaces and a leading dash must arrive whole.
  r.sweep_command_line = "-x clustersim sweep 'my exp.toml' -d out --set a=1";
  const RunRequest p = parse(run_arguments(r));
  CHECK(p.scenario == r.scenario);
  CHECK(p.output == r.output);
  CHECK(p.replicate_index == r.replicate_index);
  CHECK(p.threads == r.threads);
  CHECK(p.quiet == r.quiet);
  CHECK(p.run_id == r.run_id);
  CHECK(p.experiment_sha == r.experiment_sha);
  CHECK(p.sweep_command_line == r.sweep_command_line);

  RunRequest plain;
  plain.scenario = "a.toml";
  plain.output = "a.h5";
  CHECK(run_arguments(plain) == std::vector<std::string>{"run", "a.toml", "--output", "a.h5"});
  const RunRequest q = parse(run_arguments(plain));
  CHECK_FALSE(q.replicate_index);
  CHECK(q.threads == 0);
  CHECK(q.run_id.empty());
}
