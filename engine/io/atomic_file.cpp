#include "engine/io/atomic_file.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>
#include <system_error>

namespace clustersim::io {
namespace {

namespace fs = std::filesystem;

std::string temporary_prefix(const fs::path& final_path) { return final_path.filename().string() + ".tmp-"; }

fs::path directory_of(const fs::path& file) {
  fs::path directory = file.parent_path();
  return directory.empty() ? fs::path(".") : directory;
}

/// Whether `path` still names the file open as `fd`: a file removed or replaced after it
/// was opened does not.
bool names_open_file(const fs::path& path, int fd) {
  struct stat by_fd{}, by_path{};
  return ::fstat(fd, &by_fd) == 0 && ::lstat(path.c_str(), &by_path) == 0 && by_fd.st_dev == by_path.st_dev &&
         by_fd.st_ino == by_path.st_ino;
}

void sync_directory(const fs::path& directory) {
  const int fd = ::open(directory.c_str(), O_RDONLY | O_CLOEXEC | O_DIRECTORY);
  if (fd < 0) return;  // best effort: the rename itself already happened
  // Some file systems refuse fsync on directories (EINVAL); the data file is what matters.
  (void)::fsync(fd);
  ::close(fd);
}

}  // namespace

void remove_dead_temporaries(const fs::path& final_path) {
  const std::string prefix = temporary_prefix(final_path);
  std::error_code ec;
  fs::directory_iterator it(directory_of(final_path), ec), end;
  for (; !ec && it != end; it.increment(ec)) {
    const fs::path candidate = it->path();
    if (!candidate.filename().string().starts_with(prefix)) continue;
    const int fd = ::open(candidate.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
    if (fd < 0) continue;
    // A live writer holds LOCK_EX until its file is renamed or removed, so getting the
    // lock means the writer is gone. Checking the name again under the lock avoids
    // removing a file that replaced this one meanwhile.
    if (::flock(fd, LOCK_EX | LOCK_NB) == 0 && names_open_file(candidate, fd)) ::unlink(candidate.c_str());
    ::close(fd);
  }
}

LockedTemporary::LockedTemporary(fs::path final_path) : final_path_(std::move(final_path)) {
  path_ = final_path_;
  path_ += ".tmp-" + std::to_string(::getpid());
  // Between creating the file and locking it, another process's remove_dead_temporaries
  // could take it for a dead writer's and remove it; then the name no longer leads to our
  // file, and we create it again.
  for (int attempt = 0; attempt < 5; ++attempt) {
    fd_ = ::open(path_.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd_ < 0) {
      const int error = errno;
      throw std::runtime_error("cannot create temporary file '" + path_.string() + "': " + std::strerror(error) +
                               (error == EEXIST ? " (another writer of the same output in this process)" : ""));
    }
    if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
      const int error = errno;
      ::close(fd_);
      fd_ = -1;
      throw std::runtime_error("cannot lock temporary file '" + path_.string() + "': " + std::strerror(error));
    }
    if (names_open_file(path_, fd_)) return;
    ::close(fd_);
    fd_ = -1;
  }
  throw std::runtime_error("cannot create temporary file '" + path_.string() +
                           "': it keeps being removed by another process");
}

LockedTemporary::~LockedTemporary() { discard(); }

void LockedTemporary::discard() noexcept {
  if (fd_ < 0) return;
  // Removed before the lock is released, so nobody can see it unlocked.
  if (!committed_) ::unlink(path_.c_str());
  ::close(fd_);
  fd_ = -1;
}

void LockedTemporary::release_space() noexcept {
  if (fd_ >= 0 && !committed_) (void)::ftruncate(fd_, 0);
}

void LockedTemporary::commit() {
  if (fd_ < 0 || committed_) throw std::logic_error("LockedTemporary::commit on a discarded or committed file");
  // Without the data on disk before the rename, a crash could leave an empty target that
  // looks complete. fsync flushes the file, whichever descriptor wrote it.
  if (::fsync(fd_) != 0) {
    const int error = errno;
    throw std::runtime_error("syncing '" + path_.string() + "' to disk: " + std::strerror(error));
  }
  if (::rename(path_.c_str(), final_path_.c_str()) != 0) {
    const int error = errno;
    throw std::runtime_error("renaming '" + path_.string() + "' to '" + final_path_.string() +
                             "': " + std::strerror(error));
  }
  committed_ = true;
  ::close(fd_);
  fd_ = -1;
  sync_directory(directory_of(final_path_));
}

}  // namespace clustersim::io
