#include "engine/core/error.hpp"

namespace clustersim {

namespace {
std::string compose(const std::string& where, const std::string& key, const std::string& rule) {
  // Appends piece by piece (GCC 12 warns falsely, -Wrestrict, about "" + std::string here).
  std::string text = where;
  for (const std::string* part : {&key, &rule}) {
    if (part->empty() && part == &key) continue;
    if (!text.empty()) text.append(": ");
    text.append(*part);
  }
  return text;
}
}  // namespace

ScenarioError::ScenarioError(std::string where, std::string key, std::string rule)
    : std::runtime_error(compose(where, key, rule)),
      where_(std::move(where)),
      key_(std::move(key)),
      rule_(std::move(rule)) {}

void assertion_failed(const char* expr, const char* file, int line, const std::string& message) {
  throw InvariantError(std::string("internal invariant failed: ") + message + " (" + expr + ") at " +
                       file + ":" + std::to_string(line));
}

}  // namespace clustersim
