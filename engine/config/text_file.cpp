#include "engine/config/text_file.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <system_error>

#include <fmt/format.h>

#include "engine/core/error.hpp"

namespace clustersim::config {

namespace {

std::string position(std::size_t line, std::size_t column) {
  return "line " + std::to_string(line) + ", column " + std::to_string(column);
}

/// Bytes of the UTF-8 sequence that `lead` starts (1 for ASCII); 0 for a byte that cannot
/// start one.
std::size_t sequence_length(unsigned char lead) {
  if (lead < 0x80) return 1;
  if (lead >= 0xC2 && lead <= 0xDF) return 2;
  if (lead >= 0xE0 && lead <= 0xEF) return 3;
  if (lead >= 0xF0 && lead <= 0xF4) return 4;
  return 0;
}

/// The code point of a well-formed sequence at `p` of `n` bytes, or -1 when the
/// continuation bytes, an overlong form, a surrogate or the range rule it out.
long decode(std::string_view text, std::size_t p, std::size_t n) {
  if (p + n > text.size()) return -1;
  const auto lead = static_cast<unsigned char>(text[p]);
  long cp = n == 1 ? lead : n == 2 ? (lead & 0x1F) : n == 3 ? (lead & 0x0F) : (lead & 0x07);
  for (std::size_t k = 1; k < n; ++k) {
    const auto c = static_cast<unsigned char>(text[p + k]);
    if ((c & 0xC0) != 0x80) return -1;
    cp = (cp << 6) | (c & 0x3F);
  }
  static constexpr long kSmallest[] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < kSmallest[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return -1;
  return cp;
}

/// Text that is not UTF-8 at all, recognised by its byte-order mark or its NUL bytes.
void check_encoding(std::string_view text, const std::string& where) {
  const auto starts = [&](std::string_view bom) { return text.starts_with(bom); };
  using namespace std::string_view_literals;
  const char* name = nullptr;
  if (starts("\xFF\xFE\x00\x00"sv) || starts("\x00\x00\xFE\xFF"sv)) name = "UTF-32";
  else if (starts("\xFF\xFE"sv) || starts("\xFE\xFF"sv)) name = "UTF-16";
  if (name != nullptr)
    throw ScenarioError(where, "line 1", fmt::format("the file is {} (it starts with a {} byte-order mark); save it as UTF-8",
                                                     name, name));
  // ASCII text in UTF-16 or UTF-32 has a NUL byte beside every character.
  const std::string_view head = text.substr(0, 64);
  const auto nuls = static_cast<std::size_t>(std::count(head.begin(), head.end(), '\0'));
  if (head.size() >= 2 && nuls * 4 >= head.size())
    throw ScenarioError(where, "line 1", "the file looks like UTF-16 or UTF-32 (NUL bytes between the characters); save it as UTF-8");
}

/// Scans the TOML-specific hazards of check_toml_text over text already checked by check_text.
class TomlScanner {
 public:
  TomlScanner(std::string_view text, const std::string& where) : text_(text), where_(where) {
    if (text_.starts_with("\xEF\xBB\xBF")) pos_ = 3;
  }

  void run() {
    while (pos_ < text_.size()) {
      switch (state_) {
        case State::Normal: normal(); break;
        case State::Comment: comment(); break;
        case State::Basic: single_line('"'); break;
        case State::Literal: single_line('\''); break;
        case State::MultiBasic: multi_line('"'); break;
        case State::MultiLiteral: multi_line('\''); break;
      }
    }
  }

 private:
  enum class State { Normal, Comment, Basic, Literal, MultiBasic, MultiLiteral };

  char at(std::size_t offset = 0) const { return pos_ + offset < text_.size() ? text_[pos_ + offset] : '\0'; }
  bool ascii() const { return static_cast<unsigned char>(at()) < 0x80; }

  /// Moves past one character (one UTF-8 sequence), counting lines and columns.
  void advance() {
    if (at() == '\n') {
      ++line_;
      column_ = 1;
      line_start_ = true;
      ++pos_;
      return;
    }
    pos_ += std::max<std::size_t>(1, sequence_length(static_cast<unsigned char>(at())));
    ++column_;
  }

  [[noreturn]] void fail(const std::string& rule) const { throw ScenarioError(where_, position(line_, column_), rule); }

  std::string code_point() const {
    const std::size_t n = std::max<std::size_t>(1, sequence_length(static_cast<unsigned char>(at())));
    return fmt::format("U+{:04X} '{}'", decode(text_, pos_, n), text_.substr(pos_, n));
  }

  static bool bare_key_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
  }
  static bool space(char c) { return c == ' ' || c == '\t'; }

  static bool ends_bare_value(char c) {
    return space(c) || c == '\n' || c == '\r' || c == ']' || c == '}' || c == ',' || c == '#';
  }

  void normal() {
    const char c = at();
    if (!ascii())
      fail("character " + code_point() +
           " outside a string or comment; TOML allows non-ASCII text only inside quotes and in comments");
    if (bare_value_) {
      // toml++ reads a bare value (number, boolean, date) up to the next separator and
      // classifies every character on the way: quotes here open no string.
      if (!ends_bare_value(c)) {
        advance();
        return;
      }
      if (c == ' ') check_date_then_space();
      bare_value_ = false;
      expect_value_ = false;
    }
    if (c == '#') {
      state_ = State::Comment;
    } else if (c == '"' || c == '\'') {
      const bool multi = at(1) == c && at(2) == c;
      state_ = c == '"' ? (multi ? State::MultiBasic : State::Basic) : (multi ? State::MultiLiteral : State::Literal);
      if (multi) {
        pos_ += 2;
        column_ += 2;
      }
    } else if (c == '[' && line_start_ && open_.empty()) {
      table_header();
      return;
    } else if (c == '[' || c == '{') {
      open_.push_back(c);
      expect_value_ = c == '[';
    } else if ((c == ']' || c == '}') && !open_.empty()) {
      // toml++ assumes (undefined behaviour otherwise) that a value in an array does not
      // start with '}'; a mismatched bracket is never valid TOML.
      if ((c == ']') != (open_.back() == '['))
        fail(std::string("'") + c + "' closes a '" + open_.back() + "' (mismatched brackets)");
      open_.pop_back();
      expect_value_ = false;
    } else if (c == ',') {
      expect_value_ = !open_.empty() && open_.back() == '[';
    } else if (c == '=') {
      expect_value_ = true;
    } else if (c == '\n') {
      if (open_.empty()) expect_value_ = false;
    } else if (expect_value_ && !space(c) && c != '\r') {
      bare_value_ = true;
      bare_start_ = pos_;
    }
    if (!space(c) && c != '\n' && c != '\r') line_start_ = false;
    advance();
  }

  /// toml++ reads a bare value of 10 characters shaped like a date (digit first, '-' 5th
  /// and 8th; '_' not counted) followed by a space as a date-time with a space for the
  /// 'T', and then assumes (undefined behaviour otherwise) that a time follows the space;
  /// anything but `HH:` there is refused.
  void check_date_then_space() const {
    std::string token;
    for (char ch : text_.substr(bare_start_, pos_ - bare_start_))
      if (ch != '_') token += ch;
    const bool date_shaped = token.size() == 10 && token[0] >= '0' && token[0] <= '9' && token[4] == '-' && token[7] == '-';
    const auto digit = [](char ch) { return ch >= '0' && ch <= '9'; };
    const bool time_follows = digit(at(1)) && digit(at(2)) && at(3) == ':';
    if (date_shaped && pos_ + 1 < text_.size() && !time_follows)
      fail("a date followed by a space but no time; scenario values are never dates");
  }

  /// toml++ assumes (undefined behaviour otherwise) that a header's key starts right after
  /// `[`, `[[` and spaces; a `]` there it reports itself.
  void table_header() {
    line_start_ = false;
    expect_value_ = false;
    advance();
    while (space(at())) advance();
    if (at() == '[') advance();
    while (space(at())) advance();
    const char c = at();
    if (pos_ >= text_.size() || c == ']' || bare_key_char(c) || c == '"' || c == '\'') return;
    fail("a table header must start with a key name, e.g. [population]");
  }

  void comment() {
    if (at() == '\n') state_ = State::Normal;
    advance();
  }

  void single_line(char quote) {
    const char c = at();
    if (c == '\\' && quote == '"') {
      advance();
      if (pos_ < text_.size() && at() != '\n') advance();
      return;
    }
    if (c == quote || c == '\n') {
      state_ = State::Normal;
      expect_value_ = false;
    }
    advance();
  }

  void multi_line(char quote) {
    const char c = at();
    if (c == quote && at(1) == quote && at(2) == quote) {
      // A closing delimiter may carry up to two quotes of content before it.
      std::size_t run = 3;
      while (run < 5 && at(run) == quote) ++run;
      for (std::size_t k = 0; k < run; ++k) advance();
      state_ = State::Normal;
      line_start_ = false;
      expect_value_ = false;
      return;
    }
    if (c == '\\' && quote == '"') {
      advance();
      escape_in_multi_line();
      return;
    }
    advance();
  }

  /// After a backslash in a multi-line basic string toml++ classifies the next character,
  /// and after a line-ending backslash the first one that is not white space, with a
  /// function that is undefined for many non-ASCII characters (e.g. U+00E9).
  void escape_in_multi_line() {
    if (pos_ >= text_.size()) return;
    if (!ascii()) fail("character " + code_point() + " right after a backslash; write it as \\uXXXX");
    if (!space(at()) && at() != '\n' && at() != '\r') {
      advance();
      return;
    }
    while (space(at()) || at() == '\n' || at() == '\r') advance();
    if (pos_ < text_.size() && !ascii())
      fail("character " + code_point() + " first after a line-ending backslash; write it as \\uXXXX");
  }

  std::string_view text_;
  const std::string& where_;
  std::size_t pos_ = 0, line_ = 1, column_ = 1;
  /// After `=`, `[` or an array's `,`: a value may start here. A quote then opens a
  /// string; anything else starts a bare value (see normal()).
  bool expect_value_ = false;
  bool bare_value_ = false;
  std::size_t bare_start_ = 0;  ///< where the current bare value starts
  std::string open_;  ///< the arrays ('[') and inline tables ('{') open at this point, innermost last
  bool line_start_ = true;
  State state_ = State::Normal;
};

}  // namespace

bool read_text_file(const std::filesystem::path& file, std::string& text, std::string& reason,
                    std::uintmax_t max_bytes) {
  text.clear();
  // Checked before opening: opening a FIFO would block, and /dev/zero never ends.
  struct stat info {};
  if (::stat(file.c_str(), &info) != 0) {
    reason = std::system_category().message(errno);
    return false;
  }
  if (!S_ISREG(info.st_mode)) {
    reason = S_ISDIR(info.st_mode) ? "it is a directory" : "not a regular file";
    return false;
  }
  if (static_cast<std::uintmax_t>(info.st_size) > max_bytes) {
    reason = fmt::format("the file has {} bytes, more than the limit of {} MiB for this kind of file",
                         static_cast<std::uintmax_t>(info.st_size), max_bytes >> 20);
    return false;
  }
  std::FILE* f = std::fopen(file.c_str(), "rb");
  if (f == nullptr) {
    reason = std::system_category().message(errno);
    return false;
  }
  char buf[1 << 16];
  std::size_t n = 0;
  // The limit holds even for a file that grows while being read.
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0 && text.size() <= max_bytes) text.append(buf, n);
  const bool failed = std::ferror(f) != 0;
  const int err = errno;
  std::fclose(f);
  if (failed) {
    reason = std::system_category().message(err);
    return false;
  }
  if (text.size() > max_bytes) {
    reason = fmt::format("the file grew past the limit of {} MiB while being read", max_bytes >> 20);
    return false;
  }
  return true;
}

void check_text(std::string_view text, const std::string& where) {
  check_encoding(text, where);
  std::size_t line = 1, column = 1;
  std::size_t p = text.starts_with("\xEF\xBB\xBF") ? 3 : 0;
  while (p < text.size()) {
    const auto c = static_cast<unsigned char>(text[p]);
    if (c == '\n') {
      ++line;
      column = 1;
      ++p;
      continue;
    }
    const bool crlf = c == '\r' && p + 1 < text.size() && text[p + 1] == '\n';
    if ((c < 0x20 && c != '\t' && !crlf) || c == 0x7F) {
      const std::string name = c == 0 ? "a NUL byte" : c == '\r' ? "a carriage return without a line feed"
                                                                 : fmt::format("control character 0x{:02X}", c);
      throw ScenarioError(where, position(line, column),
                          name + "; text files may hold no control characters but tabs and line breaks");
    }
    const std::size_t n = sequence_length(c);
    if (n == 0 || decode(text, p, n) < 0)
      throw ScenarioError(where, position(line, column),
                          fmt::format("invalid UTF-8 (byte 0x{:02X}); save the file as UTF-8", c));
    p += n;
    ++column;
  }
}

void check_toml_text(std::string_view text, const std::string& where) {
  check_text(text, where);
  TomlScanner(text, where).run();
}

}  // namespace clustersim::config
