#include "engine/record/counters.hpp"

#include <catch2/catch.hpp>

#include <array>
#include <vector>

using namespace clustersim::record;

namespace {

// A toy agent table: each row has a colour (group 0, two colours), a size and a flag.
struct Toy {
  std::vector<int> colour, size;
  std::vector<bool> flagged;
};
struct ToyRow {
  const Toy& t;
  std::size_t i;
};

enum ToyGroup : std::size_t { kByColour, kOverall, kToyGroups };

inline bool every(const ToyRow&) { return true; }
inline bool flagged(const ToyRow& r) { return r.t.flagged[r.i]; }
inline std::int64_t one(const ToyRow&) { return 1; }

inline constexpr std::array kToyList{
    Counter<ToyRow>{"rows", kByColour, every, one, {"1", "rows of the colour", Accumulation::Stock, 1, true}},
    Counter<ToyRow>{"flagged_size", kByColour, flagged,
                    [](const ToyRow& r) { return static_cast<std::int64_t>(r.t.size[r.i]); },
                    {"kg", "size of flagged rows", Accumulation::Flow, 1e-3}, true},
    Counter<ToyRow>{"internal", kOverall, every, one, {}},
};
inline constexpr CounterTable<ToyRow, kToyList.size(), kToyGroups> kToy{kToyList, {"colour", ""}};
static_assert(kToy.valid());
static_assert(kToy.slot(0) == 0 && kToy.slot(1) == 1 && kToy.slot(2) == 0);
static_assert(kToy.slots(kByColour) == 2 && kToy.slots(kOverall) == 1);
static_assert(kToy.find("internal") == 2);

// A recorded counter in a group without a dimension, and a duplicate name, are rejected.
inline constexpr std::array kBadList{
    Counter<ToyRow>{"a", kOverall, every, one, {"1", "recorded without a dimension", Accumulation::Stock}},
};
static_assert(!CounterTable<ToyRow, 1, kToyGroups>{kBadList, {"colour", ""}}.valid());
inline constexpr std::array kDuplicateList{
    Counter<ToyRow>{"a", kByColour, every, one, {}},
    Counter<ToyRow>{"a", kByColour, every, one, {}},
};
static_assert(!CounterTable<ToyRow, 2, kToyGroups>{kDuplicateList, {"colour", ""}}.valid());

}  // namespace

TEST_CASE("a counter table lays out, accumulates, recounts and records its sums", "[unit]") {
  Toy toy{{0, 1, 1, 0, 1}, {10, 20, 30, 40, 50}, {true, false, true, true, true}};
  const auto layout = CounterLayout<kToyGroups>::make(kToy, {2, 1});
  CHECK(layout.total == 2 * 2 + 1);
  CHECK(layout.offset[kOverall] == 4);
  std::vector<std::int64_t> sums(layout.total, 0);
  auto bases = [&](std::size_t i) {
    return std::array<std::size_t, kToyGroups>{layout.base(kByColour, static_cast<std::size_t>(toy.colour[i])),
                                               layout.offset[kOverall]};
  };
  for (std::size_t i = 0; i < 5; ++i) accumulate<kToy>(ToyRow{toy, i}, bases(i).data(), sums.data());
  CHECK(sums == std::vector<std::int64_t>{2, 50, 3, 80, 5});

  // Row 1 changes after it was counted: only the counters marked `recount` are corrected.
  recount<kToy>(ToyRow{toy, 1}, bases(1).data(), sums.data(), -1);
  toy.flagged[1] = true;
  recount<kToy>(ToyRow{toy, 1}, bases(1).data(), sums.data(), +1);
  CHECK(sums == std::vector<std::int64_t>{2, 50, 3, 100, 5});

  const VariableSpec rows = spec_of(kToy, 0), size = spec_of(kToy, 1);
  CHECK(rows.dtype == DType::Int64);
  CHECK(rows.headline);
  CHECK(rows.dims == std::vector<std::string>{"replicate", "step", "colour"});
  CHECK(accumulation_of(rows) == Accumulation::Stock);
  CHECK(size.dtype == DType::Float64);
  CHECK(size.units == "kg");
  CHECK(accumulation_of(size) == Accumulation::Flow);
  REQUIRE(size.extra_attributes.size() == 1);
  CHECK(size.extra_attributes[0].name == "cell_methods");
  CHECK(std::get<std::string>(size.extra_attributes[0].value) == "step: sum");
  CHECK(cell_methods(Accumulation::Stock) == "step: point");

  std::vector<double> values(2);
  fill(kToy, layout, sums, 1, values);
  CHECK(values == std::vector<double>{50 * 1e-3, 100 * 1e-3});
}
