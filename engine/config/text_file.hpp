#pragma once
// Reads a whole text file for the scenario, experiment and CSV loaders, and checks the
// text before any parser sees it: a regular file of bounded size, UTF-8 (not UTF-16),
// no control characters. Third-party parsers (toml++) then never meet bytes they handle
// badly, and every problem is reported with file, line and column.

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

namespace clustersim::config {

/// Scenario and experiment files are written by hand; far below this.
inline constexpr std::uintmax_t kMaxScenarioFileBytes = 16u << 20;
/// Data files (a regions CSV of every NUTS-3 region is ~100 kB).
inline constexpr std::uintmax_t kMaxDataFileBytes = 512u << 20;

/// True on success; otherwise `reason` holds why (the system's explanation, "not a
/// regular file", or the size limit). Does not check the text (see check_text).
bool read_text_file(const std::filesystem::path& file, std::string& text, std::string& reason,
                    std::uintmax_t max_bytes = kMaxScenarioFileBytes);

/// Throws ScenarioError(where, "line L, column C", rule) unless `text` is valid UTF-8
/// (a UTF-8 byte-order mark is allowed) without control characters other than tab, line
/// feed and CR-LF. UTF-16 and UTF-32 files are named as such.
void check_text(std::string_view text, const std::string& where);

/// check_text, plus what toml++ 3.3 must not meet (it reaches undefined behaviour on
/// them): characters outside ASCII anywhere but inside strings and comments (TOML allows
/// them nowhere else), such a character right after a backslash or a line-ending
/// backslash in a multi-line string, a table header that does not start with a key, and
/// mismatched brackets (`[ }`).
/// Throws ScenarioError(where, "line L, column C", rule).
void check_toml_text(std::string_view text, const std::string& where);

}  // namespace clustersim::config
