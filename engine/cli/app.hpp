#pragma once
// The `clustersim` command line: `run`, `check`, `--help` and `--version`, for any model.
// Exit codes: 0 success, 2 usage or scenario error, 130 interrupted, 1 anything else.

#include "engine/sim/model.hpp"

namespace clustersim::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitInterrupted = 130;

int main(int argc, char** argv, const sim::ModelDescriptor& model);

/// argv joined with POSIX shell quoting where needed, for the `command_line` attribute.
std::string quoted_command_line(int argc, char** argv);

}  // namespace clustersim::cli
