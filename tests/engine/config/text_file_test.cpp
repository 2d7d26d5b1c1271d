#include "engine/config/text_file.hpp"

#include <catch2/catch.hpp>

#include <fstream>
#include <string>

#include "engine/core/error.hpp"
#include "../../test_paths.hpp"

using namespace clustersim;
using namespace clustersim::config;
using namespace std::string_literals;
namespace fs = std::filesystem;

namespace {

/// The message check_toml_text (or check_text) throws for `text`, or "(accepted)".
std::string toml_error(const std::string& text) {
  try {
    check_toml_text(text, "x.toml");
  } catch (const ScenarioError& e) {
    return e.what();
  }
  return "(accepted)";
}

std::string text_error(const std::string& text) {
  try {
    check_text(text, "t.csv");
  } catch (const ScenarioError& e) {
    return e.what();
  }
  return "(accepted)";
}

}  // namespace

TEST_CASE("read_text_file refuses directories, devices and files over the limit", "[unit]") {
  const fs::path dir = test::fresh_scratch("text-file");
  std::string text, reason;
  CHECK_FALSE(read_text_file(dir / "missing.toml", text, reason));
  CHECK(reason == "No such file or directory");
  CHECK_FALSE(read_text_file(dir, text, reason));
  CHECK(reason == "it is a directory");
  // /dev/zero never ends: without the check it grows until std::bad_alloc.
  CHECK_FALSE(read_text_file("/dev/zero", text, reason));
  CHECK(reason == "not a regular file");
  std::ofstream(dir / "big.toml") << std::string(2000, 'x');
  CHECK_FALSE(read_text_file(dir / "big.toml", text, reason, 1000));
  CHECK_THAT(reason, Catch::Contains("2000 bytes, more than the limit"));
  REQUIRE(read_text_file(dir / "big.toml", text, reason, 2000));
  CHECK(text.size() == 2000);
}

TEST_CASE("check_text accepts UTF-8 with tabs, CR-LF and a byte-order mark", "[unit]") {
  CHECK(text_error("code,name\r\nBE21,Antwerpen\tProv.\n") == "(accepted)");
  CHECK(text_error("\xEF\xBB\xBF" "a,b\nÉtoile,東京,\xF0\x9F\x98\x80\n") == "(accepted)");
  CHECK(text_error("") == "(accepted)");
}

TEST_CASE("check_text names line and column of control characters and invalid UTF-8", "[unit]") {
  CHECK(text_error("a,b\nx,y\0z\n"s) ==
        "t.csv: line 2, column 4: a NUL byte; text files may hold no control characters but tabs and line breaks");
  CHECK(text_error("a,b\n\x01,y\n") ==
        "t.csv: line 2, column 1: control character 0x01; text files may hold no control characters but tabs and line breaks");
  CHECK(text_error("a\rb\n") ==
        "t.csv: line 1, column 2: a carriage return without a line feed; text files may hold no control characters but "
        "tabs and line breaks");
  CHECK(text_error("a,b\x7F\n") ==
        "t.csv: line 1, column 4: control character 0x7F; text files may hold no control characters but tabs and line breaks");
  // Columns count characters, not bytes.
  CHECK(text_error("é,\xFF\n") == "t.csv: line 1, column 3: invalid UTF-8 (byte 0xFF); save the file as UTF-8");
  CHECK(text_error("\xC0\xAF") == "t.csv: line 1, column 1: invalid UTF-8 (byte 0xC0); save the file as UTF-8");  // overlong
  CHECK(text_error("\xED\xA0\x80") == "t.csv: line 1, column 1: invalid UTF-8 (byte 0xED); save the file as UTF-8");  // surrogate
  CHECK(text_error("ok\n\xE2\x82") == "t.csv: line 2, column 1: invalid UTF-8 (byte 0xE2); save the file as UTF-8");  // truncated
  CHECK(text_error("\xF4\x90\x80\x80") == "t.csv: line 1, column 1: invalid UTF-8 (byte 0xF4); save the file as UTF-8");
}

TEST_CASE("check_text names UTF-16 and UTF-32 files", "[unit]") {
  CHECK(text_error("\xFF\xFE" "c\0o\0d\0e\0"s) ==
        "t.csv: line 1: the file is UTF-16 (it starts with a UTF-16 byte-order mark); save it as UTF-8");
  CHECK(text_error("\xFE\xFF\0c\0o"s) ==
        "t.csv: line 1: the file is UTF-16 (it starts with a UTF-16 byte-order mark); save it as UTF-8");
  CHECK(text_error("\xFF\xFE\0\0c\0\0\0"s) ==
        "t.csv: line 1: the file is UTF-32 (it starts with a UTF-32 byte-order mark); save it as UTF-8");
  CHECK(text_error("c\0o\0d\0e\0,\0n\0"s) ==
        "t.csv: line 1: the file looks like UTF-16 or UTF-32 (NUL bytes between the characters); save it as UTF-8");
}

TEST_CASE("check_toml_text keeps from toml++ what it handles with undefined behaviour", "[unit]") {
  // The audit's reproducers: toml++ 3.3 reaches TOML_UNREACHABLE on the first and breaks
  // an assumption (an assertion in debug builds) on the second.
  CHECK(toml_error("\xD2\x92") ==
        "x.toml: line 1, column 1: character U+0492 '\xD2\x92' outside a string or comment; TOML allows non-ASCII text "
        "only inside quotes and in comments");
  CHECK(toml_error("[{") == "x.toml: line 1, column 2: a table header must start with a key name, e.g. [population]");
  CHECK(toml_error("[[ \n") == "x.toml: line 1, column 4: a table header must start with a key name, e.g. [population]");
  CHECK(toml_error("a = 1\n  [ =") == "x.toml: line 2, column 5: a table header must start with a key name, e.g. [population]");
  CHECK_THAT(toml_error("a = 1é\n"), Catch::StartsWith("x.toml: line 1, column 6: character U+00E9"));
  CHECK_THAT(toml_error("a = \"\"\"\\é\"\"\""), Catch::Contains("right after a backslash"));
  CHECK_THAT(toml_error("a = \"\"\"x\\  \n\n  é\"\"\""), Catch::StartsWith("x.toml: line 3, column 3: character U+00E9"));
  CHECK_THAT(toml_error("a = \"\"\"x\\  \n\n  é\"\"\""), Catch::Contains("first after a line-ending backslash"));
  CHECK_THAT(toml_error("a = 1\0"s), Catch::Contains("a NUL byte"));
  // Found by the fuzzer: a quote glued to a bare value is part of that value for toml++,
  // which then classifies every character up to the next separator.
  CHECK_THAT(toml_error("budget_eur = 90\"ü\"\n"), Catch::StartsWith("x.toml: line 1, column 17: character U+00FC"));
  CHECK_THAT(toml_error("a = true'ü'\n"), Catch::Contains("U+00FC"));
  CHECK_THAT(toml_error("smes = 5==0=\"=0\xEF\xBA\xBF\n"), Catch::Contains("U+FEBF"));
  CHECK_THAT(toml_error("a = [1, 2\"é\"]\n"), Catch::Contains("U+00E9"));
  // Found by the fuzzer: a date-shaped value and a space make toml++ assume a time follows.
  CHECK(toml_error("d = 1979-05-27 # c\n") ==
        "x.toml: line 1, column 15: a date followed by a space but no time; scenario values are never dates");
  CHECK_THAT(toml_error("smes =35==------ ,8\n"), Catch::Contains("a date followed by a space but no time"));
  CHECK(toml_error("d = 1979-05-27 07:32:00Z\n") == "(accepted)");
  CHECK_THAT(toml_error("sme =35==------ 0 8"), Catch::Contains("a date followed by a space but no time"));
  // Found by the fuzzer: toml++ assumes a value in an array never starts with '}'.
  CHECK(toml_error("c = [\n}]") == "x.toml: line 2, column 1: '}' closes a '[' (mismatched brackets)");
  CHECK(toml_error("c = {a = [1}") == "x.toml: line 1, column 12: '}' closes a '[' (mismatched brackets)");
  CHECK(toml_error("c = {a = 1]") == "x.toml: line 1, column 11: ']' closes a '{' (mismatched brackets)");
}

TEST_CASE("check_toml_text accepts non-ASCII text in strings and comments, and arrays of arrays", "[unit]") {
  CHECK(toml_error("# Café crème\nname = \"Région Île-de-France\" # ü\nlit = 'ß'\n") == "(accepted)");
  CHECK(toml_error("m = \"\"\"\nzweite Zeile: ä\n\"\"\"\nl = '''\nñ'''\n") == "(accepted)");
  // A line-ending backslash followed by ASCII, then non-ASCII later on the line, is fine.
  CHECK(toml_error("m = \"\"\"a \\\n   bé\"\"\"\n") == "(accepted)");
  // Up to two quotes may close a multi-line string along with its delimiter.
  CHECK(toml_error("m = \"\"\"x\"\"\"\"\"\nn = \"é\"\n") == "(accepted)");
  // `[` at the start of a line inside an array is a value, not a table header.
  CHECK(toml_error("a = [\n[{x = 1}],\n[2]\n]\n[t]\n[[u]]\n[ \"q\" ]\n") == "(accepted)");
  // Strings as values in arrays and inline tables, and as quoted keys.
  CHECK(toml_error("a = [\"é\", 'ü', [\"ß\"]]\nb = {x = \"é\", \"k\" = 'ü'}\n\"q\".\"é\" = 1\n") == "(accepted)");
  // Escaped quotes and backslashes do not end a string early.
  CHECK(toml_error("s = \"a\\\"b\\\\\" # é\nt = 'c\\' # ü\n") == "(accepted)");
}
