#include "engine/cli/app.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <set>
#include <tuple>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "engine/sim/progress.hpp"

#include "clustersim/version.hpp"
#include "engine/config/scenario.hpp"
#include "engine/core/error.hpp"
#include "engine/experiment/run_command.hpp"
#include "engine/experiment/sweep.hpp"
#include "engine/record/counters.hpp"
#include "engine/sim/memory.hpp"
#include "engine/sim/runner.hpp"

namespace clustersim::cli {

std::string quoted_command_line(int argc, char** argv) {
  std::string line;
  for (int i = 0; i < argc; ++i) {
    std::string arg = argv[i];
    const bool plain = !arg.empty() && arg.find_first_not_of(
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./=:,+@%") == std::string::npos;
    if (i) line += ' ';
    if (plain) {
      line += arg;
    } else {
      line += '\'';
      for (char c : arg) line += (c == '\'') ? std::string("'\\''") : std::string(1, c);
      line += '\'';
    }
  }
  return line;
}

namespace {

struct ScenarioArgs {
  std::string file;
  std::vector<std::string> overrides;
};

void add_scenario_args(CLI::App& command, ScenarioArgs& args) {
  command.add_option("SCENARIO", args.file, "Scenario file (TOML)")->required();
  command.add_option("--set", args.overrides, "Override a scenario key, e.g. --set population.smes=1000000")
      ->type_name("KEY=VALUE")
      ->allow_extra_args(false);
}

void print_summary(const sim::RunSummary& s) {
  fmt::print("output:     {}\n", s.output.string());
  fmt::print("world:      {}\n", s.world);
  fmt::print("steps:      {} quarters x {} replicate(s)\n", s.steps, s.replicates);
  fmt::print("wall time:  {:.2f} s ({} {}-steps/s)\n", s.wall_seconds,
             sim::format_rate(s.agent_steps / std::max(s.wall_seconds, 1e-9)), s.agent_noun);
  if (!s.headlines.empty()) {
    fmt::print("at step {} (mean over replicates):\n", s.steps);
    for (const auto& h : s.headlines)
      fmt::print("  {:<26} {:>16.6g}  {}\n", h.name, h.mean_over_replicates, h.units == "1" ? "" : h.units);
  }
}

std::string value_text(const config::ParamSpec& p) {
  if (p.type == config::ParamType::Path) return "(unset)";
  if (p.type == config::ParamType::StringList || p.type == config::ParamType::IntegerList) return "[]";
  return std::visit(
      [](const auto& v) -> std::string {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, std::string>) return "\"" + v + "\"";
        else if constexpr (std::is_same_v<T, bool>) return v ? "true" : "false";
        else return fmt::format("{}", v);
      },
      p.default_value);
}

std::string range_text(const config::ParamSpec& p) {
  if (!p.choices.empty()) {
    std::string text;
    for (const auto& c : p.choices) text += (text.empty() ? "" : ", ") + c;
    return "one of: " + text;
  }
  if (p.min && p.max) return fmt::format("[{}, {}]", *p.min, *p.max);
  if (p.min) return fmt::format(">= {}", *p.min);
  if (p.max) return fmt::format("<= {}", *p.max);
  return "";
}

void print_keys(const config::Schema& schema, bool markdown) {
  // Table-array keys read `instruments[].budget_eur` (every element) and
  // `instruments[cascade_funding].voucher_eur` (elements of that type).
  std::vector<std::pair<std::string, const config::ParamSpec*>> rows;
  for (const auto& p : schema.params()) rows.emplace_back(p.key, &p);
  for (const auto& a : schema.arrays()) {
    for (const auto& p : a.common.params()) rows.emplace_back(a.name + "[]." + p.key, &p);
    for (const auto& [type, keys] : a.types)
      for (const auto& p : keys.params()) rows.emplace_back(a.name + "[" + type + "]." + p.key, &p);
  }
  if (markdown) {
    fmt::print("| key | type | default | range | units | meaning |\n|---|---|---|---|---|---|\n");
    for (const auto& [key, p] : rows)
      fmt::print("| `{}` | {} | {}{} | {} | {} | {} |\n", key, config::type_name(p->type), value_text(*p),
                 p->required ? " (required)" : "", range_text(*p), p->units, p->doc);
    return;
  }
  for (const auto& [key, p] : rows)
    fmt::print("{:<48} {:<8} {:<14} {:<22} {:<20} {}\n", key, config::type_name(p->type), value_text(*p),
               range_text(*p), p->units, p->doc);
}

/// A scenario of defaults: the required keys at their default values, every other key
/// filled by the loader (for `variables` without a scenario file).
config::Scenario default_scenario(const config::Schema& schema, const std::vector<std::string>& overrides) {
  const auto file = std::filesystem::temp_directory_path() /
                    fmt::format("clustersim-defaults-{}.toml", static_cast<long>(::getpid()));
  {
    std::ofstream out(file);
    for (const auto& p : schema.params())
      if (p.required) out << p.key << " = " << value_text(p) << "\n";
  }
  try {
    auto scenario = config::load_scenario(file, overrides, schema);
    std::filesystem::remove(file);
    return scenario;
  } catch (...) {
    std::filesystem::remove(file);
    throw;
  }
}

/// Every variable the model writes (static, or a stock or flow per step), from its Layout.
void print_variables(const record::Layout& layout, bool markdown) {
  struct Row {
    std::string name, dims, units, kind, meaning;
  };
  std::vector<Row> rows;
  auto add = [&](const record::VariableSpec& spec, std::string kind) {
    std::string dims;
    for (const auto& d : spec.dims) dims += (dims.empty() ? "" : ", ") + d;
    rows.push_back({spec.name, dims, spec.units, std::move(kind), spec.long_name});
  };
  for (const auto& v : layout.statics) add(v.spec, "static");
  for (const auto& spec : layout.series)
    add(spec, record::accumulation_of(spec) == record::Accumulation::Flow ? "flow" : "stock");
  if (markdown) {
    fmt::print("| variable | dims | units | kind | meaning |\n|---|---|---|---|---|\n");
    for (const auto& r : rows)
      fmt::print("| `{}` | {} | {} | {} | {} |\n", r.name, r.dims, r.units.empty() ? "" : "`" + r.units + "`", r.kind,
                 r.meaning);
    return;
  }
  for (const auto& r : rows)
    fmt::print("{:<40} {:<34} {:<8} {:<6} {}\n", r.name, r.dims, r.units, r.kind, r.meaning);
}

void setup_logging(bool quiet) {
  auto logger = spdlog::stderr_color_mt("clustersim");
  logger->set_pattern("[clustersim] %^%l%$: %v");
  logger->set_level(quiet ? spdlog::level::warn : spdlog::level::info);
  spdlog::set_default_logger(logger);
}

}  // namespace

int main(int argc, char** argv, const sim::ModelDescriptor& model) {
  CLI::App app{"clustersim: agent-based simulation of cluster-policy scenarios (SMEs, cluster "
               "organisations, meta-clusters and regions), written to netCDF-4/HDF5.",
               "clustersim"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("clustersim ") + kVersion);

  ScenarioArgs run_args;
  experiment::RunRequest run_request;  // the options a sweep also gives its runs
  std::optional<std::int64_t> seed, replicates;
  auto* run_cmd = app.add_subcommand("run", "Run a scenario and write its time series to an HDF5 file");
  add_scenario_args(*run_cmd, run_args);
  experiment::add_run_options(*run_cmd, run_request);
  run_cmd->add_option("--seed", seed, "Master seed (same as --set run.seed=S)");
  run_cmd->add_option("--replicates", replicates, "Replications (same as --set run.replicates=R)");
  const bool& quiet = run_request.quiet;

  experiment::SweepOptions sweep;
  std::string shard;
  auto* sweep_cmd = app.add_subcommand("sweep", "Run an experiment (scenarios x design x replicates), one file per run");
  sweep_cmd->add_option("EXPERIMENT", sweep.experiment, "Experiment file (TOML)")->required();
  sweep_cmd->add_option("-d,--dir", sweep.dir,
                        "Sweep directory (created; holds plan, runs, logs, merged.h5); required unless --dry-run");
  sweep_cmd->add_flag("--resume", sweep.resume, "Finish an interrupted sweep: skip completed runs, redo incomplete ones");
  sweep_cmd->add_flag("--retry-failed", sweep.retry_failed, "Rerun the runs that failed");
  sweep_cmd->add_option("--shard", shard, "Do only shard I of N (1 <= I <= N) of the runs, e.g. for SLURM array jobs")
      ->type_name("I/N");
  sweep_cmd->add_option("-j,--jobs", sweep.jobs, "Runs at the same time (per MPI rank); default 1")
      ->check(CLI::Range(std::size_t{1}, std::size_t{4096}));
  sweep_cmd->add_option("--threads", sweep.threads, "Threads per run (default: cores / jobs)")
      ->check(CLI::Range(std::size_t{1}, std::size_t{4096}));
  sweep_cmd->add_flag("-q,--quiet", sweep.quiet, "No progress and no summary (failures are still listed)");
  sweep_cmd->add_option("--set", sweep.sets, "Override a scenario key in every run, e.g. --set population.smes=50000")
      ->type_name("KEY=VALUE")
      ->allow_extra_args(false);
  sweep_cmd->add_option("--replicates", sweep.replicates, "Replicates per scenario and design point (overrides the file)")
      ->check(CLI::Range(std::size_t{1}, std::size_t{1000000}));
  sweep_cmd->add_flag("--dry-run", sweep.dry_run, "Print the plan, the run count and an estimated time; write nothing");

  std::string status_dir;
  auto* status_cmd = app.add_subcommand("status", "Summarise a sweep directory: done, failed, pending");
  status_cmd->add_option("DIR", status_dir, "Sweep directory")->required();

  std::string merge_dir, merge_output;
  bool merge_partial = false;
  auto* merge_cmd = app.add_subcommand("merge", "Merge a sweep's run files into one netCDF-4 file with a run dimension");
  merge_cmd->add_option("DIR", merge_dir, "Sweep directory")->required();
  merge_cmd->add_option("-o,--output", merge_output, "Merged file (.h5 or .nc); written atomically")->required();
  merge_cmd->add_flag("--partial", merge_partial, "Merge even if runs are pending (status \"pending\")");

  ScenarioArgs check_args;
  auto* check_cmd = app.add_subcommand("check", "Validate a scenario and print it fully resolved, as TOML");
  add_scenario_args(*check_cmd, check_args);

  // The model's own commands (ModelDescriptor::commands), each with an optional scenario.
  struct ModelCommandArgs {
    CLI::App* app;
    std::string file;
    std::vector<std::string> overrides;
    std::vector<bool> flags;
  };
  std::vector<ModelCommandArgs> model_args(model.commands.size());
  for (std::size_t k = 0; k < model.commands.size(); ++k) {
    const auto& mc = model.commands[k];
    auto& a = model_args[k];
    a.app = app.add_subcommand(mc.name, mc.help);
    a.app->add_option("SCENARIO", a.file, "Scenario file (TOML); default: the model's defaults");
    a.app->add_option("--set", a.overrides, "Override a scenario key (needs SCENARIO)")->type_name("KEY=VALUE")->allow_extra_args(false);
    a.flags.assign(mc.flags.size(), false);
    for (std::size_t f = 0; f < mc.flags.size(); ++f)
      a.app->add_flag_callback(mc.flags[f].first, [&a, f] { a.flags[f] = true; }, mc.flags[f].second);
  }

  bool markdown = false;
  auto* keys_cmd = app.add_subcommand("keys", "List every scenario key with its type, default, range, units and meaning");
  keys_cmd->add_flag("--markdown", markdown, "Print a Markdown table (as in docs/SCENARIOS.md)");

  ScenarioArgs variables_args;
  auto* variables_cmd = app.add_subcommand(
      "variables", "List every output variable with its dimensions, units, kind (static, stock or flow) and meaning");
  variables_cmd->add_option("SCENARIO", variables_args.file, "Scenario file (TOML); default: every key at its default");
  variables_cmd->add_option("--set", variables_args.overrides, "Override a scenario key")
      ->type_name("KEY=VALUE")
      ->allow_extra_args(false);
  variables_cmd->add_flag("--markdown", markdown, "Print a Markdown table (as in docs/OUTPUT.md)");

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::cerr << "clustersim: error: " << e.what() << "\nRun 'clustersim --help' (or 'clustersim run --help') for usage.\n";
    return kExitUsage;
  }

  setup_logging(quiet || (sweep_cmd->parsed() && sweep.quiet));
  try {
    const config::Schema schema = sim::full_schema(model);
    if (keys_cmd->parsed()) {
      print_keys(schema, markdown);
      return kExitOk;
    }
    if (variables_cmd->parsed()) {
      const auto scenario = variables_args.file.empty()
                                ? default_scenario(schema, variables_args.overrides)
                                : config::load_scenario(variables_args.file, variables_args.overrides, schema);
      record::Layout layout;
      model.make(scenario)->describe(layout);
      print_variables(layout, markdown);
      return kExitOk;
    }
    for (std::size_t k = 0; k < model.commands.size(); ++k) {
      const auto& a = model_args[k];
      if (!a.app->parsed()) continue;
      if (a.file.empty() && !a.overrides.empty()) throw UsageError("--set needs a SCENARIO file");
      std::set<std::string> flags;
      for (std::size_t f = 0; f < a.flags.size(); ++f)
        if (a.flags[f]) flags.insert(model.commands[k].flags[f].first);
      std::optional<config::Scenario> scenario;
      if (!a.file.empty()) scenario.emplace(config::load_scenario(a.file, a.overrides, schema));
      model.commands[k].run(scenario ? &*scenario : nullptr, flags, std::cout);
      return kExitOk;
    }
    if (check_cmd->parsed()) {
      const auto scenario = config::load_scenario(check_args.file, check_args.overrides, schema);
      std::cout << scenario.to_toml();
      return kExitOk;
    }
    if (sweep_cmd->parsed()) {
      if (!shard.empty()) std::tie(sweep.shard_index, sweep.shard_count) = experiment::parse_shard(shard);
      sweep.command_line = quoted_command_line(argc, argv);
      sweep.agent_steps = model.agent_steps;
      sweep.seconds_per_agent_step = model.seconds_per_agent_step;
      sweep.agent_noun = model.agent_noun;
      return experiment::run_sweep(schema, sweep) == 0 ? kExitOk : kExitFailure;
    }
    if (status_cmd->parsed()) return experiment::print_status(status_dir) == 0 ? kExitOk : kExitFailure;
    if (merge_cmd->parsed()) {
      experiment::merge_sweep(merge_dir, merge_output, merge_partial, quoted_command_line(argc, argv));
      std::cout << "merged: " << merge_output << "\n";
      return kExitOk;
    }
    auto overrides = run_args.overrides;
    if (seed) overrides.push_back("run.seed=" + std::to_string(*seed));
    if (replicates) overrides.push_back("run.replicates=" + std::to_string(*replicates));
    const auto scenario = config::load_scenario(run_args.file, overrides, schema);
    // Before the world is built: a missing data file or a world too large for memory is
    // reported with the key that set it, not as std::bad_alloc minutes later.
    scenario.check_input_files();
    if (model.estimate_memory) sim::check_memory(model.estimate_memory(scenario), scenario, sim::available_memory());
    sim::RunOptions options{run_request.output, run_request.threads, quiet, quoted_command_line(argc, argv),
                            run_request.replicate_index, {}};
    if (!run_request.run_id.empty()) options.extra_attributes.push_back({"run_id", run_request.run_id});
    if (!run_request.experiment_sha.empty())
      options.extra_attributes.push_back({"experiment_sha", run_request.experiment_sha});
    if (!run_request.sweep_command_line.empty())
      options.extra_attributes.push_back({"sweep_command_line", run_request.sweep_command_line});
    const auto summary = sim::run(model, scenario, options);
    if (!quiet) print_summary(summary);
    return kExitOk;
  } catch (const ScenarioError& e) {
    std::cerr << "clustersim: error: " << e.what() << "\n";
    return kExitUsage;
  } catch (const UsageError& e) {
    std::cerr << "clustersim: error: " << e.what() << "\n";
    return kExitUsage;
  } catch (const Interrupted&) {
    std::cerr << "\nclustersim: interrupted; no output was written\n";
    return kExitInterrupted;
  } catch (const std::exception& e) {
    std::cerr << "clustersim: error: " << e.what() << "\n";
    return kExitFailure;
  }
}

}  // namespace clustersim::cli
