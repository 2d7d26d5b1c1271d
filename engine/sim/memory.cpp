#include "engine/sim/memory.hpp"

#include <sys/resource.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "engine/core/error.hpp"

namespace clustersim::sim {

namespace {

/// The number after `label` in a "Label:   1234 kB" file (/proc/meminfo, /proc/self/status), in bytes.
std::optional<double> kib_field(const char* file, const std::string& label) {
  std::ifstream in(file);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.starts_with(label)) continue;
    std::istringstream fields(line.substr(label.size()));
    double kib = 0;
    if (fields >> kib) return kib * 1024.0;
  }
  return std::nullopt;
}

/// A file holding one number of bytes ("max" or a value beyond 2^60 means no limit).
std::optional<double> bytes_file(const std::string& file) {
  std::ifstream in(file);
  std::string word;
  if (!(in >> word) || word == "max") return std::nullopt;
  try {
    const double v = std::stod(word);
    if (v >= 1.15e18) return std::nullopt;
    return v;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

/// The cgroup's limit minus its usage: v2 (a "0::/path" line) or v1 (the memory controller).
std::optional<AvailableMemory> cgroup_memory() {
  std::ifstream in("/proc/self/cgroup");
  std::string line;
  while (std::getline(in, line)) {
    const auto colon = line.find(':'), second = line.find(':', colon + 1);
    if (colon == std::string::npos || second == std::string::npos) continue;
    const std::string controllers = line.substr(colon + 1, second - colon - 1), path = line.substr(second + 1);
    std::string dir, limit_file, usage_file;
    if (line.starts_with("0::")) {
      dir = "/sys/fs/cgroup" + path;
      limit_file = "memory.max";
      usage_file = "memory.current";
    } else if (controllers.find("memory") != std::string::npos) {
      dir = "/sys/fs/cgroup/memory" + path;
      limit_file = "memory.limit_in_bytes";
      usage_file = "memory.usage_in_bytes";
    } else {
      continue;
    }
    const auto limit = bytes_file(dir + "/" + limit_file);
    if (!limit) continue;
    const double usage = bytes_file(dir + "/" + usage_file).value_or(0.0);
    return AvailableMemory{std::max(0.0, *limit - usage), "the cgroup limit (" + dir + "/" + limit_file + ") minus usage"};
  }
  return std::nullopt;
}

std::optional<AvailableMemory> address_space() {
  rlimit limit{};
  if (::getrlimit(RLIMIT_AS, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY) return std::nullopt;
  const double used = kib_field("/proc/self/status", "VmSize:").value_or(0.0);
  return AvailableMemory{std::max(0.0, static_cast<double>(limit.rlim_cur) - used),
                         "the address-space limit (RLIMIT_AS, ulimit -v) minus the address space in use"};
}

}  // namespace

double MemoryEstimate::total_bytes() const {
  double sum = 0;
  for (const auto& p : parts) sum += p.bytes;
  return sum;
}

std::optional<AvailableMemory> available_memory() {
  std::optional<AvailableMemory> least;
  auto offer = [&](std::optional<AvailableMemory> candidate) {
    if (candidate && (!least || candidate->bytes < least->bytes)) least = std::move(candidate);
  };
  if (const auto bytes = kib_field("/proc/meminfo", "MemAvailable:"))
    offer(AvailableMemory{*bytes, "MemAvailable in /proc/meminfo"});
  offer(cgroup_memory());
  offer(address_space());
  return least;
}

std::string format_bytes(double bytes) {
  if (bytes >= 1024.0 * 1024 * 1024) return fmt::format("{:.1f} GiB", bytes / (1024.0 * 1024 * 1024));
  return fmt::format("{:.0f} MiB", bytes / (1024.0 * 1024));
}

void check_memory(const MemoryEstimate& estimate, const config::Scenario& scenario,
                  const std::optional<AvailableMemory>& available) {
  if (!available || estimate.parts.empty() || estimate.total_bytes() <= available->bytes) return;
  const auto largest = std::max_element(estimate.parts.begin(), estimate.parts.end(),
                                        [](const auto& a, const auto& b) { return a.bytes < b.bytes; });
  std::string parts;
  for (const auto& p : estimate.parts) {
    if (p.bytes < 0.01 * estimate.total_bytes()) continue;
    parts += fmt::format("{}{} = {}: {}", parts.empty() ? "" : ", ", p.key, scenario.integer(p.key), format_bytes(p.bytes));
  }
  throw ScenarioError(scenario.origin(largest->key), largest->key,
                      fmt::format("the run needs about {} ({}) but only {} is available ({}); lower {}",
                                  format_bytes(estimate.total_bytes()), parts, format_bytes(available->bytes),
                                  available->source, largest->key));
}

}  // namespace clustersim::sim
