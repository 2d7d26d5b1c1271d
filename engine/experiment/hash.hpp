#pragma once
// Content hashes for sweeps: run ids are FNV-1a 64-bit over the resolved scenario TOML and
// the replicate index; the experiment file is identified by its SHA-1 (Boost's), so a
// result file can be traced back to the exact experiment text that produced it.

#include <cstdint>
#include <string>
#include <string_view>

namespace clustersim::experiment {

/// FNV-1a, 64-bit (offset basis 14695981039346656037, prime 1099511628211).
constexpr std::uint64_t fnv1a64(std::string_view bytes, std::uint64_t h = 14695981039346656037ULL) noexcept {
  for (const char c : bytes) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ULL;
  }
  return h;
}

/// 16 lowercase hex digits.
std::string hex16(std::uint64_t value);

/// A run's id: hex16(fnv1a64(resolved_toml + "\nreplicate = <r>\n")).
std::string run_id(std::string_view resolved_toml, std::size_t replicate);

/// SHA-1 of `bytes` as 40 lowercase hex digits.
std::string sha1_hex(std::string_view bytes);

}  // namespace clustersim::experiment
