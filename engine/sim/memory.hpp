#pragma once
// Checks, before a world is built, that a run fits in the memory this process may use,
// so that an oversized scenario ends with a message naming the key to lower instead of
// std::bad_alloc (or the OOM killer) minutes later.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "engine/config/scenario.hpp"

namespace clustersim::sim {

/// A model's estimate of the memory a run needs, split by the scenario key that drives
/// each part (an integer key: "population.smes": the agent columns, "population.regions": the region x
/// region matrices, ...), so that a refusal can name the key that matters most.
struct MemoryEstimate {
  struct Part {
    std::string key;
    double bytes = 0;
  };
  std::vector<Part> parts;
  double total_bytes() const;
};

/// Memory this process may still allocate, and where that figure comes from.
struct AvailableMemory {
  double bytes = 0;
  std::string source;  ///< e.g. "MemAvailable in /proc/meminfo"
};

/// The least of: MemAvailable (/proc/meminfo), the cgroup's memory limit minus its usage
/// (cgroup v2 or v1), and the address-space limit (RLIMIT_AS, e.g. `prlimit --as`) minus
/// the address space in use. Empty when none can be read.
std::optional<AvailableMemory> available_memory();

/// Throws ScenarioError(file that set the key, key, rule) when the estimate exceeds what
/// is available; the key is the estimate's largest part. Does nothing without a figure.
void check_memory(const MemoryEstimate& estimate, const config::Scenario& scenario,
                  const std::optional<AvailableMemory>& available);

/// "1.5 GiB", "320 MiB": for messages.
std::string format_bytes(double bytes);

}  // namespace clustersim::sim
