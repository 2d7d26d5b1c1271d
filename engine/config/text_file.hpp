#pragma once
// Reads a whole text file for the scenario and CSV loaders, reporting the OS's reason on
// failure so that messages can say why a file could not be read.

#include <filesystem>
#include <string>

namespace clustersim::config {

/// True on success; otherwise `reason` holds the system's explanation.
bool read_text_file(const std::filesystem::path& file, std::string& text, std::string& reason);

}  // namespace clustersim::config
