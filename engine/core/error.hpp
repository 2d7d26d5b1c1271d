#pragma once
// User-facing errors are typed so the CLI can map them to exit codes; internal invariants
// are CLUSTERSIM_ASSERT, which stays on in every build type because a silently wrong
// simulation is worse than a stopped one.

#include <stdexcept>
#include <string>

namespace clustersim {

/// A scenario or data-file problem the user can fix. what() reads
/// "<where>: <key>: <rule>", e.g. "scenarios/x.toml: population.smes: must be >= 1, got -5".
class ScenarioError : public std::runtime_error {
 public:
  ScenarioError(std::string where, std::string key, std::string rule);
  const std::string& where() const noexcept { return where_; }
  const std::string& key() const noexcept { return key_; }
  const std::string& rule() const noexcept { return rule_; }

 private:
  std::string where_, key_, rule_;
};

/// A bad command line (exit code 2, like ScenarioError).
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// The run was stopped by SIGINT/SIGTERM; partial output has been removed.
class Interrupted : public std::runtime_error {
 public:
  Interrupted() : std::runtime_error("interrupted") {}
};

/// An internal invariant failed: a bug in clustersim, not in the user's input.
class InvariantError : public std::logic_error {
 public:
  using std::logic_error::logic_error;
};

[[noreturn]] void assertion_failed(const char* expr, const char* file, int line, const std::string& message);

}  // namespace clustersim

#define CLUSTERSIM_ASSERT(cond, message)                                          \
  do {                                                                            \
    if (!(cond)) ::clustersim::assertion_failed(#cond, __FILE__, __LINE__, (message)); \
  } while (false)
