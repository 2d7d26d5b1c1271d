#include "engine/config/csv.hpp"

#include "engine/config/text_file.hpp"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <limits>
#include <system_error>
#include <utility>

#include "engine/core/error.hpp"

namespace clustersim::config {

namespace {

bool is_space(char c) { return c == ' ' || c == '\t'; }
bool is_eol(char c) { return c == '\n' || c == '\r'; }

std::string line_key(std::size_t line) { return "line " + std::to_string(line); }

std::string cell_key(std::size_t line, std::size_t col) {
  return line_key(line) + ", column " + std::to_string(col + 1);
}

std::string fields(std::size_t n) { return std::to_string(n) + (n == 1 ? " field" : " fields"); }

/// Shortest text that reads back as the same double: "0", "1.5", "1e+06".
std::string number(double v) {
  char buf[64];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, r.ptr);
}

/// Callers pass the type's extreme values for "no bound".
template <typename T>
std::string range_rule(T lo, T hi) {
  const bool has_lo = lo > std::numeric_limits<T>::lowest();
  const bool has_hi = hi < std::numeric_limits<T>::max();
  auto text = [](T v) {
    if constexpr (std::is_floating_point_v<T>) return number(v);
    else return std::to_string(v);
  };
  if (has_lo && has_hi) return "must be between " + text(lo) + " and " + text(hi);
  if (has_lo) return "must be >= " + text(lo);
  return "must be <= " + text(hi);
}

std::string read_file(const std::filesystem::path& file) {
  std::string text, reason;
  if (!read_text_file(file, text, reason, kMaxDataFileBytes))
    throw ScenarioError(file.string(), "", "cannot open file: " + reason);
  // Before parsing: a NUL byte would otherwise end a name early, and a UTF-16 file would
  // read as one field per line.
  check_text(text, file.string());
  return text;
}

/// Splits the text into records. A record starts at the beginning of a line and may span
/// lines inside quotes; it is reported by the line it starts on.
class Parser {
 public:
  Parser(std::string_view text, std::string where) : text_(text), where_(std::move(where)) {
    if (text_.starts_with("\xEF\xBB\xBF")) text_.remove_prefix(3);
  }

  /// False at the end of the text.
  bool next(std::vector<std::string>& record, std::size_t& record_line) {
    while (pos_ < text_.size() && skippable_line()) skip_line();
    if (pos_ >= text_.size()) return false;
    record.clear();
    record_line = line_;
    while (true) {
      record.push_back(field(record_line, record.size()));
      if (pos_ < text_.size() && text_[pos_] == ',') {
        ++pos_;
        continue;
      }
      end_line();
      return true;
    }
  }

 private:
  bool skippable_line() const {
    std::size_t p = pos_;
    while (p < text_.size() && is_space(text_[p])) ++p;
    return p >= text_.size() || is_eol(text_[p]) || text_[p] == '#';
  }

  void skip_line() {
    while (pos_ < text_.size() && !is_eol(text_[pos_])) ++pos_;
    end_line();
  }

  /// Consumes one line ending: "\n", "\r\n" or a lone "\r".
  void end_line() {
    if (pos_ < text_.size() && text_[pos_] == '\r') ++pos_;
    if (pos_ < text_.size() && text_[pos_] == '\n') ++pos_;
    ++line_;
  }

  void skip_spaces() {
    while (pos_ < text_.size() && is_space(text_[pos_])) ++pos_;
  }

  std::string field(std::size_t record_line, std::size_t col) {
    skip_spaces();
    if (pos_ < text_.size() && text_[pos_] == '"') return quoted(record_line, col);
    const std::size_t start = pos_;
    while (pos_ < text_.size() && text_[pos_] != ',' && !is_eol(text_[pos_])) {
      if (text_[pos_] == '"') {
        throw ScenarioError(where_, cell_key(record_line, col),
                            "quote inside an unquoted field; quote the whole field and double the inner quote");
      }
      ++pos_;
    }
    std::size_t end = pos_;
    while (end > start && is_space(text_[end - 1])) --end;
    return std::string(text_.substr(start, end - start));
  }

  std::string quoted(std::size_t record_line, std::size_t col) {
    const std::size_t open_line = line_;
    ++pos_;
    std::string value;
    while (true) {
      if (pos_ >= text_.size()) throw ScenarioError(where_, line_key(open_line), "unclosed quote");
      const char c = text_[pos_];
      if (c == '"') {
        if (pos_ + 1 < text_.size() && text_[pos_ + 1] == '"') {
          value += '"';
          pos_ += 2;
          continue;
        }
        ++pos_;
        break;
      }
      if (is_eol(c)) {
        // Embedded line breaks read the same whatever the file's line endings.
        value += '\n';
        pos_ += (c == '\r' && pos_ + 1 < text_.size() && text_[pos_ + 1] == '\n') ? 2 : 1;
        ++line_;
        continue;
      }
      value += c;
      ++pos_;
    }
    skip_spaces();
    if (pos_ < text_.size() && text_[pos_] != ',' && !is_eol(text_[pos_])) {
      throw ScenarioError(where_, cell_key(record_line, col), "unexpected text after a closing quote");
    }
    return value;
  }

  std::string_view text_;
  std::string where_;
  std::size_t pos_ = 0;
  std::size_t line_ = 1;
};

}  // namespace

CsvTable::CsvTable(std::filesystem::path file, std::vector<std::string> header,
                   std::vector<std::vector<std::string>> rows, std::vector<std::size_t> lines,
                   std::size_t header_line)
    : file_(std::move(file)),
      header_(std::move(header)),
      rows_(std::move(rows)),
      lines_(std::move(lines)),
      header_line_(header_line) {
  CLUSTERSIM_ASSERT(rows_.size() == lines_.size(), "CsvTable needs one line number per row");
  for (const auto& r : rows_) CLUSTERSIM_ASSERT(r.size() == header_.size(), "CsvTable row width differs from header");
}

std::size_t CsvTable::column(std::string_view name) const {
  const auto it = std::find(header_.begin(), header_.end(), name);
  if (it == header_.end()) {
    throw ScenarioError(file_.string(), line_key(header_line_), "missing column '" + std::string(name) + "'");
  }
  return static_cast<std::size_t>(it - header_.begin());
}

bool CsvTable::has_column(std::string_view name) const {
  return std::find(header_.begin(), header_.end(), name) != header_.end();
}

const std::string& CsvTable::text(std::size_t row, std::size_t col) const {
  CLUSTERSIM_ASSERT(row < rows_.size() && col < header_.size(), "CSV cell index out of range");
  return rows_[row][col];
}

const std::string& CsvTable::nonempty(std::size_t row, std::size_t col) const {
  const std::string& t = text(row, col);
  if (t.empty()) fail(row, col, "must not be empty");
  return t;
}

double CsvTable::real(std::size_t row, std::size_t col, double lo, double hi) const {
  const std::string& t = text(row, col);
  double v = 0;
  const auto r = std::from_chars(t.data(), t.data() + t.size(), v);
  const bool whole = r.ptr == t.data() + t.size();
  if (r.ec == std::errc::result_out_of_range && whole) fail(row, col, "must be a finite number");
  if (r.ec != std::errc{} || !whole) fail(row, col, "must be a number");
  if (!std::isfinite(v)) fail(row, col, "must be a finite number");
  if (v < lo || v > hi) fail(row, col, range_rule(lo, hi));
  return v;
}

std::int64_t CsvTable::integer(std::size_t row, std::size_t col, std::int64_t lo, std::int64_t hi) const {
  const std::string& t = text(row, col);
  std::int64_t v = 0;
  const auto r = std::from_chars(t.data(), t.data() + t.size(), v);
  const bool whole = r.ptr == t.data() + t.size();
  if (r.ec == std::errc::result_out_of_range && whole) fail(row, col, range_rule(lo, hi));
  if (r.ec != std::errc{} || !whole) fail(row, col, "must be an integer");
  if (v < lo || v > hi) fail(row, col, range_rule(lo, hi));
  return v;
}

void CsvTable::fail(std::size_t row, std::size_t col, const std::string& rule) const {
  CLUSTERSIM_ASSERT(row < rows_.size() && col < header_.size(), "CSV cell index out of range");
  throw ScenarioError(file_.string(), cell_key(lines_[row], col) + " (" + header_[col] + ")",
                      rule + ", got \"" + rows_[row][col] + "\"");
}

void CsvTable::fail_header(std::size_t col, const std::string& rule) const {
  CLUSTERSIM_ASSERT(col < header_.size(), "CSV header index out of range");
  throw ScenarioError(file_.string(), cell_key(header_line_, col) + " (" + header_[col] + ")", rule);
}

CsvTable read_csv(const std::filesystem::path& file) {
  const std::string where = file.string();
  const std::string text = read_file(file);
  Parser parser(text, where);

  std::vector<std::string> header;
  std::size_t header_line = 0;
  if (!parser.next(header, header_line)) {
    throw ScenarioError(where, "", "no header row; the file is empty or holds only comments");
  }
  for (std::size_t c = 0; c < header.size(); ++c) {
    if (header[c].empty()) throw ScenarioError(where, cell_key(header_line, c), "empty column name");
    for (std::size_t earlier = 0; earlier < c; ++earlier) {
      if (header[earlier] == header[c]) {
        throw ScenarioError(where, line_key(header_line),
                            "duplicate column name '" + header[c] + "' (columns " + std::to_string(earlier + 1) +
                                " and " + std::to_string(c + 1) + ")");
      }
    }
  }

  std::vector<std::vector<std::string>> rows;
  std::vector<std::size_t> lines;
  std::vector<std::string> record;
  std::size_t line = 0;
  while (parser.next(record, line)) {
    if (record.size() != header.size()) {
      throw ScenarioError(where, line_key(line),
                          "has " + fields(record.size()) + ", header has " + std::to_string(header.size()));
    }
    rows.push_back(record);
    lines.push_back(line);
  }
  return CsvTable(file, std::move(header), std::move(rows), std::move(lines), header_line);
}

}  // namespace clustersim::config
