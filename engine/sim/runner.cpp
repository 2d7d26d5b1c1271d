#include "engine/sim/runner.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <ctime>

#include "clustersim/version.hpp"
#include "engine/core/error.hpp"
#include "engine/parallel/blocks.hpp"
#include "engine/random/stream.hpp"
#include "engine/sim/calendar.hpp"
#include "engine/record/writer.hpp"
#include "engine/sim/progress.hpp"
#include "engine/sim/signals.hpp"

namespace clustersim::sim {

void declare_engine_keys(config::Schema& schema) {
  schema.integer("run.steps", 40).required().range(1, 4000).units("quarters")
      .doc("Number of simulated steps; one step is one quarter.");
  schema.integer("run.seed", 1).required().range(0, 9007199254740991.0)
      .doc("Master seed; replicate r uses a seed derived from (seed, r) alone.");
  schema.integer("run.replicates", 1).required().range(1, 100000)
      .doc("Independent replications written along the `replicate` dimension.");
  schema.string("run.start_date", "2021-01-01")
      .doc("Calendar date of step 0 (ISO 8601 YYYY-MM-DD, the first day of a calendar quarter). Step t is the "
           "end of the t-th quarter, t calendar quarters later; recorded as the CF `time` coordinate.");
}

config::Schema full_schema(const ModelDescriptor& model) {
  config::Schema schema;
  declare_engine_keys(schema);
  model.declare(schema);
  return schema;
}

std::string utc_timestamp() {
  const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&now, &tm);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return text;
}

namespace {

// run.start_date, validated: a real ISO date on the first day of a calendar quarter.
CivilDate start_date(const config::Scenario& scenario) {
  const std::string key = "run.start_date";
  std::string error;
  const CivilDate date = parse_iso_date(scenario.string(key), error);
  if (error.empty()) error = quarter_start_rule(date);
  if (!error.empty()) throw ScenarioError(scenario.origin(key), key, error);
  return date;
}

// The CF time coordinate along step, and a `coordinates` attribute on every series so
// readers (xarray, CDO, Panoply) attach it. A model's own `coordinates` list is kept.
void add_time_coordinate(record::Layout& layout, const CivilDate& start, std::size_t steps) {
  record::VariableSpec time{"time", record::DType::Int64, {"step"}, "days since " + format_iso_date(start),
                            "end of the step's quarter (step 0 = run.start_date, the initial state)"};
  time.extra_attributes = {{"standard_name", std::string("time")}, {"calendar", std::string(kCalendar)}};
  layout.statics.insert(layout.statics.begin() + 2, {time, quarter_days(start, steps)});
  for (auto& spec : layout.series) {
    auto it = std::find_if(spec.extra_attributes.begin(), spec.extra_attributes.end(),
                           [](const record::Attribute& a) { return a.name == "coordinates"; });
    if (it == spec.extra_attributes.end()) spec.extra_attributes.push_back({"coordinates", std::string("time")});
    else it->value = std::get<std::string>(it->value) + " time";
  }
}

void add_run_dimensions(record::Layout& layout, const std::vector<std::int64_t>& replicate_index, std::size_t steps,
                        const std::vector<std::int64_t>& seeds) {
  const std::size_t replicates = replicate_index.size();
  layout.dims.insert(layout.dims.begin(), {{"replicate", replicates}, {"step", steps + 1}});
  std::vector<std::int64_t> step_index(steps + 1);
  for (std::size_t i = 0; i <= steps; ++i) step_index[i] = static_cast<std::int64_t>(i);
  layout.statics.insert(
      layout.statics.begin(),
      {{{"replicate", record::DType::Int64, {"replicate"}, "1", "replicate index"}, replicate_index},
       {{"step", record::DType::Int64, {"step"}, "quarter", "simulation step (quarters since start; 0 = initial state)"},
        step_index},
       {{"replicate_seed", record::DType::Int64, {"replicate"}, "1",
         "seed of each replicate, derived from the master seed and the replicate index"},
        seeds}});
}

}  // namespace

RunSummary run(const ModelDescriptor& descriptor, const config::Scenario& scenario, const RunOptions& options) {
  const auto steps = static_cast<std::size_t>(scenario.integer("run.steps"));
  const auto replicates = static_cast<std::size_t>(scenario.integer("run.replicates"));
  const auto master_seed = static_cast<std::uint64_t>(scenario.integer("run.seed"));
  if (options.replicate_index && *options.replicate_index >= replicates)
    throw UsageError("--replicate-index " + std::to_string(*options.replicate_index) + " is out of range: run.replicates is " +
                     std::to_string(replicates) + ", so the index must be between 0 and " +
                     std::to_string(replicates - 1));
  // The replicates this file holds, by their index in the full run.
  std::vector<std::int64_t> indices;
  if (options.replicate_index) {
    indices.push_back(static_cast<std::int64_t>(*options.replicate_index));
  } else {
    for (std::size_t r = 0; r < replicates; ++r) indices.push_back(static_cast<std::int64_t>(r));
  }

  const CivilDate start = start_date(scenario);
  parallel::ThreadLimit thread_limit(options.threads);
  InterruptGuard interrupt_guard;

  auto model = descriptor.make(scenario);

  // Seeds are stored as int64 (netCDF has no unsigned 64-bit type readers all accept);
  // the bit pattern is the seed.
  std::vector<std::int64_t> seeds(indices.size());
  for (std::size_t i = 0; i < indices.size(); ++i)
    seeds[i] = static_cast<std::int64_t>(random::replicate_seed(master_seed, static_cast<std::uint64_t>(indices[i])));

  record::Layout layout;
  model->describe(layout);
  add_run_dimensions(layout, indices, steps, seeds);
  add_time_coordinate(layout, start, steps);
  layout.global_attributes = {
      {"title", std::string("clustersim run of ") + scenario.source().filename().string()},
      {"scenario", scenario.to_toml()},
      {"scenario_file", scenario.source().string()},
      {"seed", static_cast<std::int64_t>(master_seed)},
      {"clustersim_version", std::string(kVersion)},
      {"model", descriptor.name},
      {"command_line", options.command_line},
      {"created", utc_timestamp()},
      {"Conventions", std::string("CF-1.8")},
  };
  for (const auto& a : options.extra_attributes) layout.global_attributes.push_back(a);

  auto writer = record::make_writer(options.output);
  writer->define(layout);

  RunSummary summary;
  summary.output = options.output;
  summary.world = model->world_summary();
  summary.agent_noun = model->agent_noun();
  summary.steps = steps;
  summary.replicates = indices.size();
  std::vector<std::size_t> headline_index;
  for (std::size_t i = 0; i < layout.series.size(); ++i)
    if (layout.series[i].headline) {
      headline_index.push_back(i);
      summary.headlines.push_back({layout.series[i].name, layout.series[i].units, layout.series[i].long_name, 0.0});
    }

  const std::size_t count = indices.size();
  Progress progress(Progress::detect(options.quiet), steps * count, model->agent_noun());
  if (!options.quiet) spdlog::info("running {} ({}), {} replicate(s) x {} steps", scenario.source().string(),
                                   summary.world, count, steps);
  record::Frame frame(layout);
  for (std::size_t r = 0; r < count; ++r) {
    model->start_replicate(static_cast<std::uint64_t>(seeds[r]));
    frame.clear();
    model->observe(frame);
    writer->write(r, 0, frame);
    for (std::size_t t = 1; t <= steps; ++t) {
      InterruptGuard::check();
      summary.agent_steps += static_cast<double>(model->agent_count());
      model->step(static_cast<std::int32_t>(t));
      frame.clear();
      model->observe(frame);
      writer->write(r, t, frame);
      progress.update(r * steps + t, r, count, summary.agent_steps);
    }
    for (std::size_t h = 0; h < headline_index.size(); ++h) {
      double total = 0.0;
      for (double v : frame[headline_index[h]]) total += v;
      summary.headlines[h].mean_over_replicates += total / static_cast<double>(count);
    }
  }
  progress.finish();
  InterruptGuard::check();
  writer->commit();
  summary.wall_seconds = progress.elapsed_seconds();
  return summary;
}

}  // namespace clustersim::sim
