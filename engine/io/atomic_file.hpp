#pragma once
// Temporary files for atomic output: a file is built as "<final>.tmp-<pid>" beside its
// final path and renamed onto it only when complete.
//
// A live writer holds an exclusive flock(2) on its temporary file from creation until it
// has been renamed or removed; the kernel drops the lock when the process dies, however it
// dies (SIGKILL included). So "nobody holds a lock on it" tells a dead writer's leftover
// from a live writer's file, where the pid in the name could not (zombies, reused pids,
// other hosts). On NFS, flock is emulated with byte-range locks (Linux >= 2.6.12), which
// the server sees from every client.

#include <filesystem>

namespace clustersim::io {

/// Removes every "<final_path>.tmp-*" that no process holds a lock on: the leftovers of
/// writers that were killed. Files with a live writer are left alone. Never throws; a file
/// that cannot be opened or removed is skipped.
void remove_dead_temporaries(const std::filesystem::path& final_path);

/// A locked temporary file "<final_path>.tmp-<pid>", created empty (exclusively) and
/// locked for as long as this object lives. Destroyed before keep(), it removes the file.
class LockedTemporary {
 public:
  /// Throws std::runtime_error naming the file if it cannot be created or locked.
  explicit LockedTemporary(std::filesystem::path final_path);
  ~LockedTemporary();
  LockedTemporary(const LockedTemporary&) = delete;
  LockedTemporary& operator=(const LockedTemporary&) = delete;

  const std::filesystem::path& path() const { return path_; }
  /// Renames the temporary file onto the final path (after syncing it to disk) while the
  /// lock is still held, then syncs the directory. Throws std::runtime_error on failure,
  /// and the destructor then removes the temporary file.
  void commit();
  /// Removes the temporary file now (e.g. on failure); also done by the destructor.
  void discard() noexcept;
  /// Empties the file, freeing its disk space, before it is discarded: on a full disk, the
  /// library that wrote it can then flush its caches and close it cleanly.
  void release_space() noexcept;

 private:
  std::filesystem::path final_path_, path_;
  int fd_ = -1;
  bool committed_ = false;
};

}  // namespace clustersim::io
