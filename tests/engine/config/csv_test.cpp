#include "engine/config/csv.hpp"

#include <catch2/catch.hpp>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <limits>
#include <string>

#include "engine/core/error.hpp"

using namespace clustersim;
using namespace clustersim::config;
namespace fs = std::filesystem;

namespace {

const fs::path kData = fs::path(CLUSTERSIM_SOURCE_DIR) / "tests/engine/config/data";

/// One file in a fresh directory, removed afterwards; the pid keeps parallel ctest runs apart.
class TempCsv {
 public:
  TempCsv(const std::string& name, const std::string& bytes)
      : dir_(fs::temp_directory_path() / ("clustersim-csv-" + name + "-" + std::to_string(::getpid()))) {
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    std::ofstream(path(), std::ios::binary) << bytes;
  }
  ~TempCsv() {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  TempCsv(const TempCsv&) = delete;
  TempCsv& operator=(const TempCsv&) = delete;

  fs::path path() const { return dir_ / "t.csv"; }
  std::string name() const { return path().string(); }

 private:
  fs::path dir_;
};

std::string read_error(const std::string& name, const std::string& bytes) {
  const TempCsv csv(name, bytes);
  try {
    read_csv(csv.path());
  } catch (const ScenarioError& e) {
    // Strip the temp directory so cases read as the user would see them for "t.csv".
    std::string what = e.what();
    return what.starts_with(csv.name()) ? "t.csv" + what.substr(csv.name().size()) : what;
  }
  return "(no error)";
}

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr std::int64_t kMin = std::numeric_limits<std::int64_t>::min();
constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();

}  // namespace

TEST_CASE("read_csv reads quotes comments and blank lines", "[unit]") {
  const CsvTable t = read_csv(kData / "regions.csv");
  CHECK(t.file() == kData / "regions.csv");
  CHECK(t.header() == std::vector<std::string>{"region", "name", "smes", "share_exporting"});
  CHECK(t.header_line() == 3);
  REQUIRE(t.rows() == 3);

  CHECK(t.text(0, 0) == "DE11");
  CHECK(t.text(0, 1) == "Stuttgart, Region");
  CHECK(t.text(1, 1) == "Oberbayern \"South\"");
  CHECK(t.text(1, 2) == "980");  // unquoted fields are trimmed
  CHECK(t.text(2, 1) == "\xC3\x8Ele-de-France");
  CHECK(t.line(0) == 5);
  CHECK(t.line(1) == 6);
  CHECK(t.line(2) == 8);

  const std::size_t smes = t.column("smes");
  CHECK(smes == 2);
  CHECK(t.has_column("share_exporting"));
  CHECK_FALSE(t.has_column("Smes"));
  CHECK(t.integer(0, smes, 0, 100000) == 1200);
  CHECK(t.integer(1, smes, 0, 100000) == 980);
  CHECK(t.real(2, t.column("share_exporting"), 0, 1) == 0.4);
  CHECK(t.nonempty(2, 0) == "FR10");
}

TEST_CASE("read_csv tolerates CRLF a BOM and line breaks inside quotes", "[unit]") {
  const TempCsv csv("crlf",
                    "\xEF\xBB\xBF"
                    "id,note\r\n"
                    "# comment\r\n"
                    "\r\n"
                    "1,\"two\r\nlines\"\r\n"
                    "  2 ,  \"  kept  \"  \r\n"
                    "3,\r\n"
                    "4,\"\"");
  const CsvTable t = read_csv(csv.path());
  // The BOM must not become part of the first column's name.
  CHECK(t.header() == std::vector<std::string>{"id", "note"});
  REQUIRE(t.rows() == 4);
  CHECK(t.text(0, 1) == "two\nlines");
  CHECK(t.text(1, 0) == "2");
  CHECK(t.text(1, 1) == "  kept  ");  // quoting protects whitespace
  CHECK(t.text(2, 1).empty());
  CHECK(t.text(3, 1).empty());
  CHECK(t.line(0) == 4);
  CHECK(t.line(1) == 6);  // the quoted line break counts
  CHECK(t.line(3) == 8);
}

TEST_CASE("read_csv reports malformed files by line", "[unit]") {
  CHECK(read_error("count", "a,b,c,d,e,f\n1,2,3,4,5,6\n# c\n\n1,2,3,4,5,6\n1,2,3,4,5,6\n1,2,3,4,5\n") ==
        "t.csv: line 7: has 5 fields, header has 6");
  CHECK(read_error("count-more", "a\n1,2\n") == "t.csv: line 2: has 2 fields, header has 1");
  CHECK(read_error("unclosed", "a,b\n1,2\n3,\"open\n4,5\n") == "t.csv: line 3: unclosed quote");
  CHECK(read_error("empty", "") == "t.csv: no header row; the file is empty or holds only comments");
  CHECK(read_error("comments", "# only\n\n   \n# comments\n") ==
        "t.csv: no header row; the file is empty or holds only comments");
  CHECK(read_error("duplicate", "# c\nid,x,y,x\n") == "t.csv: line 2: duplicate column name 'x' (columns 2 and 4)");
  CHECK(read_error("blank-name", "id,,y\n") == "t.csv: line 1, column 2: empty column name");
  CHECK(read_error("after-quote", "a,b\n\"x\"y,2\n") == "t.csv: line 2, column 1: unexpected text after a closing quote");
  CHECK(read_error("stray-quote", "a,b\n1,x\"y\n") ==
        "t.csv: line 2, column 2: quote inside an unquoted field; quote the whole field and double the inner quote");

  const fs::path missing = kData / "no_such.csv";
  CHECK_THROWS_WITH(read_csv(missing), missing.string() + ": cannot open file: No such file or directory");
}

TEST_CASE("CsvTable typed accessors name the cell", "[unit]") {
  const TempCsv csv("cells", "# header on line 2\nregion,smes,share\nDE11,12x,1.5\nDE12,,nan\nDE13,-3,abc\n"
                             "DE14,99999999999999999999,1e400\nDE15,2.5,0.5\n");
  const CsvTable t = read_csv(csv.path());
  const std::string f = csv.name();
  CHECK_THROWS_WITH(t.integer(0, 1, 0, 1000), f + ": line 3, column 2 (smes): must be an integer, got \"12x\"");
  CHECK_THROWS_WITH(t.integer(1, 1, 0, 1000), f + ": line 4, column 2 (smes): must be an integer, got \"\"");
  CHECK_THROWS_WITH(t.integer(2, 1, 0, 1000), f + ": line 5, column 2 (smes): must be between 0 and 1000, got \"-3\"");
  CHECK_THROWS_WITH(t.integer(2, 1, 0, kMax), f + ": line 5, column 2 (smes): must be >= 0, got \"-3\"");
  CHECK_THROWS_WITH(t.integer(3, 1, kMin, kMax),
                    f + ": line 6, column 2 (smes): must be <= 9223372036854775807, got \"99999999999999999999\"");
  CHECK_THROWS_WITH(t.integer(4, 1, 0, 1000), f + ": line 7, column 2 (smes): must be an integer, got \"2.5\"");
  CHECK(t.integer(2, 1, -5, 5) == -3);

  CHECK_THROWS_WITH(t.real(0, 2, 0, 1), f + ": line 3, column 3 (share): must be between 0 and 1, got \"1.5\"");
  CHECK_THROWS_WITH(t.real(0, 2, -kInf, 1), f + ": line 3, column 3 (share): must be <= 1, got \"1.5\"");
  CHECK_THROWS_WITH(t.real(1, 2, 0, 1), f + ": line 4, column 3 (share): must be a finite number, got \"nan\"");
  CHECK_THROWS_WITH(t.real(2, 2, 0, 1), f + ": line 5, column 3 (share): must be a number, got \"abc\"");
  CHECK_THROWS_WITH(t.real(3, 2, -kInf, kInf), f + ": line 6, column 3 (share): must be a finite number, got \"1e400\"");
  CHECK(t.real(4, 2, 0, 1) == 0.5);
  CHECK(t.real(0, 2, 0, kInf) == 1.5);

  CHECK_THROWS_WITH(t.nonempty(1, 1), f + ": line 4, column 2 (smes): must not be empty, got \"\"");
  CHECK_THROWS_WITH(t.fail(0, 0, "must be a NUTS-2 code"),
                    f + ": line 3, column 1 (region): must be a NUTS-2 code, got \"DE11\"");
  // Missing columns point at the header row, wherever comments put it.
  CHECK_THROWS_WITH(t.column("firms"), f + ": line 2: missing column 'firms'");
  CHECK_THROWS_AS(t.text(5, 0), InvariantError);
  CHECK_THROWS_AS(t.text(0, 3), InvariantError);
}

TEST_CASE("read_csv checks the text before parsing: NUL bytes, UTF-16, invalid UTF-8", "[unit]") {
  using namespace std::string_literals;
  // The audit's reproducers: a NUL byte truncated the name; UTF-16 read as "has 1 field".
  CHECK(read_error("nul", "code,name\nBE21,Ant\0werp\n"s) ==
        "t.csv: line 2, column 9: a NUL byte; text files may hold no control characters but tabs and line breaks");
  CHECK(read_error("utf16", "\xFF\xFE" "c\0o\0d\0e\0,\0n\0a\0m\0e\0\n\0"s) ==
        "t.csv: line 1: the file is UTF-16 (it starts with a UTF-16 byte-order mark); save it as UTF-8");
  CHECK(read_error("utf16-nobom", "c\0o\0d\0e\0,\0n\0a\0m\0e\0\n\0"s) ==
        "t.csv: line 1: the file looks like UTF-16 or UTF-32 (NUL bytes between the characters); save it as UTF-8");
  CHECK(read_error("latin1", "code,name\nBE21,Li\xE8ge\n") ==
        "t.csv: line 2, column 8: invalid UTF-8 (byte 0xE8); save the file as UTF-8");
}

TEST_CASE("fail_header names the header's own line and column", "[unit]") {
  const TempCsv csv("header", "# comment\n\ncode,smes_magic\nBE21,3\n");
  const CsvTable table = read_csv(csv.path());
  REQUIRE(table.header_line() == 3);
  try {
    table.fail_header(1, "unknown sector column");
    FAIL("fail_header returned");
  } catch (const ScenarioError& e) {
    CHECK(e.key() == "line 3, column 2 (smes_magic)");
    CHECK(e.rule() == "unknown sector column");
  }
}

TEST_CASE("read_csv refuses devices", "[unit]") {
  CHECK_THROWS_WITH(read_csv("/dev/zero"), "/dev/zero: cannot open file: not a regular file");
}
