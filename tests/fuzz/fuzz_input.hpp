#pragma once
// Shared by the libFuzzer harnesses: the loaders read files, so each input is written to
// one scratch file per process (in /dev/shm when there is one, to spare the disk).

#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

namespace clustersim::fuzz {

inline std::filesystem::path scratch_file(const char* name) {
  const std::filesystem::path dir = std::filesystem::exists("/dev/shm") ? "/dev/shm" : std::filesystem::temp_directory_path();
  return dir / ("clustersim-fuzz-" + std::to_string(::getpid())) / name;
}

inline void write_file(const std::filesystem::path& file, const std::uint8_t* data, std::size_t size) {
  std::filesystem::create_directories(file.parent_path());
  std::FILE* f = std::fopen(file.c_str(), "wb");
  if (f == nullptr || std::fwrite(data, 1, size, f) != size || std::fclose(f) != 0) std::abort();
}

/// A failure the fuzzer must report as a crash, with the reason on stderr.
[[noreturn]] inline void fail(const std::string& why) {
  std::fprintf(stderr, "fuzz harness: %s\n", why.c_str());
  std::abort();
}

}  // namespace clustersim::fuzz
