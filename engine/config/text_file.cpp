#include "engine/config/text_file.hpp"

#include <cerrno>
#include <cstdio>
#include <system_error>

namespace clustersim::config {

bool read_text_file(const std::filesystem::path& file, std::string& text, std::string& reason) {
  text.clear();
  std::FILE* f = std::fopen(file.c_str(), "rb");
  if (f == nullptr) {
    reason = std::system_category().message(errno);
    return false;
  }
  char buf[1 << 16];
  std::size_t n = 0;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) text.append(buf, n);
  const bool failed = std::ferror(f) != 0;
  const int err = errno;
  std::fclose(f);
  if (failed) reason = std::system_category().message(err);
  return !failed;
}

}  // namespace clustersim::config
