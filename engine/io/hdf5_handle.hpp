#pragma once
// One owner for HDF5 identifiers, shared by the writer and the merge (the only HDF5 code).
//
// Every hid_t the project opens is held by a Handle from the moment it is created, so it is
// closed on every path, an exception included. That matters beyond leaks: an id still open
// at exit was closed by HDF5's own atexit cleanup (H5_term_library), and when the file
// behind it could not be flushed (a full disk) that cleanup crashed the process with
// SIGSEGV after the error had been reported (issue 16). Since a file that cannot be
// flushed cannot be closed at all, hdf5_handle.cpp also turns that exit cleanup off.
//
// Errors: check() and own() turn a negative HDF5 status into std::runtime_error carrying
// what we were doing plus HDF5's innermost explanation (for file errors, the errno text).

#include <hdf5.h>

#include <string>
#include <type_traits>
#include <utility>

namespace clustersim::io::hdf5 {

/// Owns one HDF5 identifier and the function that closes it (H5Fclose, H5Dclose, ...).
class Handle {
 public:
  using Closer = herr_t (*)(hid_t);
  Handle() = default;
  /// Takes ownership of `id` (an invalid id is allowed and owns nothing).
  Handle(hid_t id, Closer closer) : id_(id), closer_(closer) {}
  Handle(Handle&& other) noexcept
      : id_(std::exchange(other.id_, H5I_INVALID_HID)), closer_(std::exchange(other.closer_, nullptr)) {}
  Handle& operator=(Handle&& other) noexcept {
    if (this != &other) {
      reset();
      id_ = std::exchange(other.id_, H5I_INVALID_HID);
      closer_ = std::exchange(other.closer_, nullptr);
    }
    return *this;
  }
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  ~Handle() { reset(); }

  hid_t get() const { return id_; }
  bool valid() const { return id_ >= 0; }
  /// Closes now and returns HDF5's status, for closes whose failure matters (a file or a
  /// dataset whose cached chunks are flushed on close). The handle owns nothing afterwards,
  /// whatever the status: HDF5 crashes when a file whose close failed is closed again.
  herr_t close() noexcept;
  /// Closes, ignoring failure: for destructors and error paths.
  void reset() noexcept;

 private:
  hid_t id_ = H5I_INVALID_HID;
  Closer closer_ = nullptr;
};

/// Throws std::runtime_error("<what>: <HDF5's innermost message>") and clears HDF5's
/// error stack.
[[noreturn]] void throw_error(const std::string& what);

namespace detail {
template <class Describe>
std::string describe(Describe&& describe) {
  if constexpr (std::is_invocable_v<Describe&>) return describe();
  else return std::string(describe);
}
}  // namespace detail

/// `status` if it is not negative, else throw_error(describe). `describe` is a string or a
/// callable returning one; a callable is only called on failure, so hot paths build no
/// strings.
template <class Status, class Describe>
Status check(Status status, Describe&& describe) {
  if (status < 0) throw_error(detail::describe(describe));
  return status;
}

/// A Handle owning `id`, or throw_error(describe) if `id` is invalid.
template <class Describe>
Handle own(hid_t id, Handle::Closer closer, Describe&& describe) {
  if (id < 0) throw_error(detail::describe(describe));
  return Handle(id, closer);
}

/// Turns off HDF5's printing of its error stack to stderr while it lives: errors are
/// reported through exceptions instead.
class QuietErrors {
 public:
  QuietErrors();
  ~QuietErrors();
  QuietErrors(const QuietErrors&) = delete;
  QuietErrors& operator=(const QuietErrors&) = delete;

 private:
  H5E_auto2_t function_ = nullptr;
  void* data_ = nullptr;
};

}  // namespace clustersim::io::hdf5
