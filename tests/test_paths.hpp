#pragma once
// Scratch folders for tests: unique per process, so two test runs on one machine (two
// build trees, two developers) never share files.

#include <unistd.h>

#include <filesystem>
#include <string>

namespace clustersim::test {

/// temp/clustersim-<name>-<pid>, emptied and created.
inline std::filesystem::path fresh_scratch(const std::string& name) {
  const auto dir = std::filesystem::temp_directory_path() / ("clustersim-" + name + "-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

/// Like fresh_scratch, but keeps what is there (for folders shared by one process's tests).
inline std::filesystem::path scratch(const std::string& name) {
  const auto dir = std::filesystem::temp_directory_path() / ("clustersim-" + name + "-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  return dir;
}

}  // namespace clustersim::test
