#include "engine/io/hdf5_handle.hpp"

#include <stdexcept>

namespace clustersim::io::hdf5 {

herr_t Handle::close() noexcept {
  herr_t status = 0;
  // Once, whatever the outcome: closing again a file whose close failed crashes HDF5.
  if (id_ >= 0 && closer_ != nullptr) status = closer_(id_);
  id_ = H5I_INVALID_HID;
  return status;
}

void Handle::reset() noexcept {
  if (close() < 0) H5Eclear2(H5E_DEFAULT);
}

namespace {

// HDF5 installs an atexit handler (H5_term_library) when it initialises, which closes the
// ids still open at exit and flushes their files. Every id this project opens is closed by
// a Handle, on every path; the only ids left at exit are those whose close failed because
// their file could not be flushed (a full disk), and the exit handler's second attempt at
// that flush crashed the process with SIGSEGV after the error had been reported. A file
// left that way is a temporary file being discarded, so there is nothing to flush:
// H5dont_atexit, which must run before HDF5 initialises, hence at static initialisation.
[[maybe_unused]] const bool kNoExitCleanup = H5dont_atexit() >= 0;

herr_t keep_innermost_message(unsigned, const H5E_error2_t* error, void* innermost) {
  if (error->desc != nullptr && error->desc[0] != '\0') *static_cast<std::string*>(innermost) = error->desc;
  return 0;
}

/// HDF5's file driver describes a failed read or write over several lines (time, file name,
/// descriptor, buffer address, offsets ...); the user needs what failed and errno's text.
std::string readable(const std::string& message) {
  const std::string marker = "error message = '";
  const auto at = message.find(marker);
  if (at == std::string::npos) return message;
  const auto start = at + marker.size();
  const auto end = message.find('\'', start);
  const auto comma = message.find(',');
  const std::string what = message.substr(0, std::min(comma, message.find(':')));
  return what + ": " + message.substr(start, end == std::string::npos ? std::string::npos : end - start);
}
}  // namespace

void throw_error(const std::string& what) {
  std::string innermost;
  H5Ewalk2(H5E_DEFAULT, H5E_WALK_DOWNWARD, keep_innermost_message, &innermost);
  H5Eclear2(H5E_DEFAULT);
  throw std::runtime_error(innermost.empty() ? what : what + ": " + readable(innermost));
}

QuietErrors::QuietErrors() {
  H5Eget_auto2(H5E_DEFAULT, &function_, &data_);
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
}

QuietErrors::~QuietErrors() { H5Eset_auto2(H5E_DEFAULT, function_, data_); }

}  // namespace clustersim::io::hdf5
