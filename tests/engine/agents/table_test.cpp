#include "engine/agents/table.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <vector>

#include <catch2/catch.hpp>

using clustersim::agents::Table;

TEST_CASE("appended rows get consecutive stable ids and every column grows", "[unit]") {
  std::vector<float> size;
  std::vector<std::uint8_t> tag;
  Table table;
  table.attach(size);
  table.attach(tag);
  CHECK(table.append(3) == 0);
  CHECK(table.append(2) == 3);
  REQUIRE(table.size() == 5);
  CHECK(size.size() == 5);
  CHECK(tag.size() == 5);
  for (std::size_t i = 0; i < 5; ++i) CHECK(table.id(i) == i);
  CHECK(table.next_id() == 5);
}

TEST_CASE("a default-initialised column grows, compacts and keeps what was written like any column", "[unit]") {
  // Its new rows are left for the caller to write (no zeroing pass); written rows behave as
  // in a std::vector column, through appends that reallocate and through compaction.
  clustersim::agents::DefaultInitVector<std::array<std::uint32_t, 4>> slots;
  std::vector<int> plain;
  Table table;
  table.attach(slots);
  table.attach(plain);
  table.append(3);
  for (std::size_t i = 0; i < 3; ++i) slots[i] = {static_cast<std::uint32_t>(i), 7, 7, 7};
  CHECK(plain == std::vector<int>{0, 0, 0});  // a std::vector column is still zeroed
  table.append(1000);                          // reallocates: written rows are copied
  REQUIRE(slots.size() == 1003);
  for (std::size_t i = 3; i < 1003; ++i) slots[i] = {static_cast<std::uint32_t>(i), 8, 8, 8};
  std::vector<std::uint8_t> keep(1003, 0);
  keep[1] = keep[2] = keep[500] = 1;
  CHECK(table.compact(keep) == 1000);
  REQUIRE(slots.size() == 3);
  CHECK(slots[0] == std::array<std::uint32_t, 4>{1, 7, 7, 7});
  CHECK(slots[1] == std::array<std::uint32_t, 4>{2, 7, 7, 7});
  CHECK(slots[2] == std::array<std::uint32_t, 4>{500, 8, 8, 8});
  CHECK(table.row_bytes() == sizeof(std::uint64_t) + 16 + sizeof(int));
}

TEST_CASE("compaction keeps order and ids, and columns stay in step", "[unit]") {
  std::vector<int> value;
  Table table;
  table.attach(value);
  table.append(10);
  for (std::size_t i = 0; i < 10; ++i) value[i] = static_cast<int>(100 + i);
  std::vector<std::uint8_t> keep{1, 0, 1, 1, 0, 0, 1, 0, 0, 1};
  CHECK(table.compact(keep) == 5);
  REQUIRE(table.size() == 5);
  const std::vector<std::uint64_t> ids{0, 2, 3, 6, 9};
  CHECK(std::equal(table.ids().begin(), table.ids().end(), ids.begin(), ids.end()));
  CHECK(value == std::vector<int>{100, 102, 103, 106, 109});
  // Ids are never reused after deaths.
  table.append(1);
  CHECK(table.id(5) == 10);
}

TEST_CASE("clear restarts ids for a new replicate", "[unit]") {
  std::vector<double> x;
  Table table;
  table.attach(x);
  table.append(4);
  table.clear();
  CHECK(table.size() == 0);
  CHECK(x.empty());
  table.append(1);
  CHECK(table.id(0) == 0);
}

TEST_CASE("a keep mask of the wrong length is an invariant error", "[unit]") {
  Table table;
  table.append(3);
  CHECK_THROWS_AS(table.compact(std::vector<std::uint8_t>(2, 1)), clustersim::InvariantError);
}

TEST_CASE("row bytes count the id and one element of every attached column", "[unit]") {
  std::vector<float> size;
  std::vector<std::uint8_t> tag;
  std::vector<std::array<std::uint32_t, 4>> slots;
  Table table;
  CHECK(table.row_bytes() == sizeof(std::uint64_t));
  table.attach(size);
  table.attach(tag);
  table.attach(slots);
  CHECK(table.row_bytes() == 8 + 4 + 1 + 16);
}

TEST_CASE("a large append numbers its rows consecutively, after the ids already born", "[unit]") {
  // More rows than one task of the parallel id fill writes, so several tasks share them.
  std::vector<std::uint8_t> flags;
  Table table;
  table.attach(flags);
  table.append(3);
  std::vector<std::uint8_t> keep{1, 0, 1};
  table.compact(keep);
  const std::size_t n = 300'001;
  CHECK(table.append(n) == 2);
  REQUIRE(table.size() == n + 2);
  CHECK(table.id(0) == 0);
  CHECK(table.id(1) == 2);
  for (std::size_t row = 2; row < table.size(); ++row) REQUIRE(table.id(row) == row + 1);
  CHECK(table.next_id() == n + 3);
}
