#include "engine/experiment/plan_file.hpp"

#include <fmt/format.h>

#include <charconv>
#include <fstream>

#include "engine/core/error.hpp"
#include "engine/experiment/hash.hpp"

namespace clustersim::experiment {

namespace fs = std::filesystem;

namespace {

constexpr std::string_view kMagic = "# clustersim sweep plan v";
constexpr std::string_view kVersion = "2";
constexpr std::size_t kFixedColumns = 6;  // index run_id scenario replicate seed scenario_file

std::string shortest(double v) {
  char buf[64];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, r.ptr);
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

/// A whole field as T, or a ScenarioError naming the line and the column.
template <class T>
T field(const std::string& text, const std::string& where, std::size_t line, const char* column, const char* kind) {
  T value{};
  const auto r = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || r.ec != std::errc{} || r.ptr != text.data() + text.size())
    throw ScenarioError(where, "line " + std::to_string(line),
                        std::string(column) + ": expected " + kind + ", got '" + text + "'");
  return value;
}

bool hex_of_length(const std::string& text, std::size_t length) {
  return text.size() == length &&
         text.find_first_not_of("0123456789abcdef") == std::string::npos;
}

PlannedRun parse_run(const std::string& line, const PlanHeader& header, const std::string& where, std::size_t number) {
  const auto f = split_tabs(line);
  const std::string at = "line " + std::to_string(number);
  if (f.size() != kFixedColumns + header.swept_keys.size())
    throw ScenarioError(where, at, fmt::format("expected {} tab-separated fields, got {}",
                                               kFixedColumns + header.swept_keys.size(), f.size()));
  PlannedRun r;
  r.index = field<std::size_t>(f[0], where, number, "index", "a whole number");
  if (r.index != header.runs)
    throw ScenarioError(where, at, fmt::format("index: expected {} (runs are numbered in order), got {}", header.runs, r.index));
  r.run_id = f[1];
  if (!hex_of_length(r.run_id, 16))
    throw ScenarioError(where, at, "run_id: expected 16 lowercase hex digits, got '" + r.run_id + "'");
  r.scenario = f[2];
  if (r.scenario.empty()) throw ScenarioError(where, at, "scenario: expected a name, got an empty field");
  r.replicate = field<std::size_t>(f[3], where, number, "replicate", "a whole number");
  r.seed = field<std::int64_t>(f[4], where, number, "seed", "an integer");
  r.scenario_file = f[5];
  // Only the files the sweep itself wrote: a plan must not point a run outside DIR.
  if (!(r.scenario_file.starts_with("scenarios/") && r.scenario_file.ends_with(".toml") &&
        hex_of_length(r.scenario_file.substr(10, r.scenario_file.size() - 15), 16)))
    throw ScenarioError(where, at, "scenario_file: expected scenarios/<16 hex digits>.toml, got '" + r.scenario_file + "'");
  for (std::size_t k = kFixedColumns; k < f.size(); ++k)
    r.swept.push_back(field<double>(f[k], where, number, header.swept_keys[k - kFixedColumns].c_str(), "a number"));
  return r;
}

/// The `name=value` field of the first line, or a ScenarioError.
std::string header_field(const std::vector<std::string>& fields, const std::string& name, const std::string& where) {
  for (const auto& f : fields)
    if (f.starts_with(name + "=")) return f.substr(name.size() + 1);
  throw ScenarioError(where, "line 1", "the plan header has no " + name + "= field; the file is damaged");
}

}  // namespace

std::string plan_text(const std::string& experiment_sha, const Plan& plan) {
  std::string body = "index\trun_id\tscenario\treplicate\tseed\tscenario_file";
  for (const auto& k : plan.swept_keys) body += "\t" + k;
  body += "\n";
  for (const auto& r : plan.runs) {
    body += fmt::format("{}\t{}\t{}\t{}\t{}\t{}", r.index, r.run_id, r.scenario, r.replicate, r.seed, r.scenario_file);
    for (double v : r.swept) body += "\t" + shortest(v);
    body += "\n";
  }
  return fmt::format("{}{}\texperiment_sha={}\truns={}\tchecksum={}\n", kMagic, kVersion, experiment_sha,
                     plan.runs.size(), hex16(fnv1a64(body))) +
         body;
}

PlanHeader read_plan(const fs::path& file, const std::function<void(const PlanHeader&, const PlannedRun&)>& each) {
  const std::string where = file.string();
  std::ifstream in(file, std::ios::binary);
  if (!in) throw UsageError("'" + file.parent_path().string() + "' is not a sweep directory: no readable plan.tsv");
  std::string line;
  std::getline(in, line);
  if (!line.starts_with(kMagic)) throw ScenarioError(where, "line 1", "not a clustersim sweep plan");
  const auto first = split_tabs(line);
  const std::string version = first[0].substr(kMagic.size());
  if (version != kVersion)
    throw ScenarioError(where, "line 1",
                        "plan version " + version + " (this clustersim reads version " + std::string(kVersion) +
                            "); rerun the sweep into a new directory");
  PlanHeader header;
  header.experiment_sha = header_field(first, "experiment_sha", where);
  const std::string runs_text = header_field(first, "runs", where), checksum = header_field(first, "checksum", where);
  const auto expected_runs = field<std::size_t>(runs_text, where, 1, "runs", "a whole number");
  std::uint64_t hash = fnv1a64("");
  std::size_t number = 2;
  if (!std::getline(in, line) || in.eof())
    throw ScenarioError(where, "line 2", "missing column header: the file is truncated");
  hash = fnv1a64(line + "\n", hash);
  const auto columns = split_tabs(line);
  if (columns.size() < kFixedColumns || columns[0] != "index")
    throw ScenarioError(where, "line 2", "expected the column header (index, run_id, ...), got '" + line + "'");
  header.swept_keys.assign(columns.begin() + kFixedColumns, columns.end());
  while (std::getline(in, line)) {
    ++number;
    // Every line ends with '\n'; one that does not is the cut end of a truncated file.
    if (in.eof())
      throw ScenarioError(where, "line " + std::to_string(number), "the line is cut short: the file is truncated");
    hash = fnv1a64(line + "\n", hash);
    each(header, parse_run(line, header, where, number));
    ++header.runs;
  }
  if (header.runs != expected_runs)
    throw ScenarioError(where, "runs",
                        fmt::format("the header says {} runs but the file lists {}: the file is truncated or damaged",
                                    expected_runs, header.runs));
  if (hex16(hash) != checksum)
    throw ScenarioError(where, "checksum",
                        "the runs listed do not match the header's checksum " + checksum + ": the file was altered");
  return header;
}

}  // namespace clustersim::experiment
