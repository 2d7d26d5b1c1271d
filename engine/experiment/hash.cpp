#include "engine/experiment/hash.hpp"

#include <boost/uuid/detail/sha1.hpp>
#include <fmt/format.h>

namespace clustersim::experiment {

std::string hex16(std::uint64_t value) { return fmt::format("{:016x}", value); }

std::string run_id(std::string_view resolved_toml, std::size_t replicate) {
  return hex16(fnv1a64("\nreplicate = " + std::to_string(replicate) + "\n", fnv1a64(resolved_toml)));
}

std::string sha1_hex(std::string_view bytes) {
  boost::uuids::detail::sha1 sha;
  sha.process_bytes(bytes.data(), bytes.size());
  boost::uuids::detail::sha1::digest_type digest;
  sha.get_digest(digest);
  std::string out;
  for (const auto word : digest) out += fmt::format("{:08x}", word);
  return out;
}

}  // namespace clustersim::experiment
