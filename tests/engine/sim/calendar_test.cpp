#include "engine/sim/calendar.hpp"

#include <catch2/catch.hpp>

using namespace clustersim::sim;

TEST_CASE("days_from_civil matches known dates", "[unit]") {
  CHECK(days_from_civil({1970, 1, 1}) == 0);
  CHECK(days_from_civil({2000, 3, 1}) == 11017);
  CHECK(days_from_civil({2021, 1, 1}) == 18628);
  CHECK(days_from_civil({1969, 12, 31}) == -1);
}

TEST_CASE("ISO dates are parsed and bad ones are explained", "[unit]") {
  std::string error;
  CHECK(parse_iso_date("2024-02-29", error) == CivilDate{2024, 2, 29});
  CHECK(error.empty());
  parse_iso_date("2023-02-29", error);
  CHECK(error.find("not a calendar date") != std::string::npos);
  parse_iso_date("2021-13-01", error);
  CHECK(error.find("month") != std::string::npos);
  for (const char* bad : {"2021-1-01", "21-01-01", "2021/01/01", "2021-01-01T00", "", "abcd-ef-gh"}) {
    parse_iso_date(bad, error);
    CHECK(error.find("YYYY-MM-DD") != std::string::npos);
  }
  CHECK(format_iso_date({2021, 4, 1}) == "2021-04-01");
}

TEST_CASE("a run starts on the first day of a calendar quarter", "[unit]") {
  CHECK(quarter_start_rule({2021, 1, 1}).empty());
  CHECK(quarter_start_rule({2021, 10, 1}).empty());
  CHECK_FALSE(quarter_start_rule({2021, 2, 1}).empty());
  CHECK_FALSE(quarter_start_rule({2021, 1, 15}).empty());
}

TEST_CASE("steps are real calendar quarters, not 91-day blocks", "[unit]") {
  // 2021: Q1 has 90 days, Q2 91, Q3 92, Q4 92; 2024 (leap): Q1 has 91.
  const auto days = quarter_days({2021, 1, 1}, 13);
  REQUIRE(days.size() == 14);
  CHECK(days[0] == 0);
  CHECK(days[1] == 90);
  CHECK(days[2] == 181);
  CHECK(days[3] == 273);
  CHECK(days[4] == 365);
  CHECK(days[13] - days[12] == 91);  // 2024-01-01 .. 2024-04-01
  const auto from_october = quarter_days({2021, 10, 1}, 1);
  CHECK(from_october[1] == 92);  // 2021-10-01 .. 2022-01-01
}
