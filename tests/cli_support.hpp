#pragma once
// Runs the real clustersim binary (path from $CLUSTERSIM_BIN, set by ctest) and captures
// exit code, stdout and stderr.

#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace clustersim::test {

struct CommandResult {
  int exit_code = -1;
  std::string out, err;
};

inline std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline std::string clustersim_bin() {
  const char* bin = std::getenv("CLUSTERSIM_BIN");
  return bin ? bin : std::string(CLUSTERSIM_BINARY_DIR) + "/models/clustersim";
}

inline CommandResult run_command(const std::string& command, const std::filesystem::path& dir) {
  std::filesystem::create_directories(dir);
  const auto out = dir / "stdout.txt", err = dir / "stderr.txt";
  const int status = std::system((command + " >" + out.string() + " 2>" + err.string() + " </dev/null").c_str());
  CommandResult r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  r.out = slurp(out);
  r.err = slurp(err);
  return r;
}

inline CommandResult run_clustersim(const std::string& args, const std::filesystem::path& dir) {
  return run_command(clustersim_bin() + " " + args, dir);
}

}  // namespace clustersim::test
