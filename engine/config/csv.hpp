#pragma once
// A small, strict CSV reader for data files (RFC 4180 quoting, a header row, '#' comment
// lines skipped). Every typed accessor reports a bad cell as
//   "<file>: line L, column C (<header>): <rule>, got "<text>""
// so a user can go straight to the cell.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace clustersim::config {

class CsvTable {
 public:
  const std::filesystem::path& file() const { return file_; }
  const std::vector<std::string>& header() const { return header_; }
  std::size_t rows() const { return rows_.size(); }
  /// Index of a header column; throws ScenarioError naming the file when it is missing.
  std::size_t column(std::string_view name) const;
  bool has_column(std::string_view name) const;

  const std::string& text(std::size_t row, std::size_t col) const;
  /// Non-empty text.
  const std::string& nonempty(std::size_t row, std::size_t col) const;
  double real(std::size_t row, std::size_t col, double lo, double hi) const;
  std::int64_t integer(std::size_t row, std::size_t col, std::int64_t lo, std::int64_t hi) const;
  /// 1-based line number of a data row in the file, for messages.
  std::size_t line(std::size_t row) const { return lines_[row]; }
  /// 1-based line number of the header row (comment lines may precede it).
  std::size_t header_line() const { return header_line_; }
  /// Throws ScenarioError for a cell with a caller-specific rule; `, got "<text>"` is appended.
  [[noreturn]] void fail(std::size_t row, std::size_t col, const std::string& rule) const;
  /// Throws ScenarioError for a header cell: "<file>: line H, column C (<name>): <rule>".
  [[noreturn]] void fail_header(std::size_t col, const std::string& rule) const;

  // Built by read_csv.
  CsvTable(std::filesystem::path file, std::vector<std::string> header,
           std::vector<std::vector<std::string>> rows, std::vector<std::size_t> lines,
           std::size_t header_line = 1);

 private:
  std::filesystem::path file_;
  std::vector<std::string> header_;
  std::vector<std::vector<std::string>> rows_;
  std::vector<std::size_t> lines_;
  std::size_t header_line_ = 1;
};

/// Reads the whole file; a row whose field count differs from the header's, an unclosed
/// quote or an unreadable file is a ScenarioError naming the line.
CsvTable read_csv(const std::filesystem::path& file);

}  // namespace clustersim::config
