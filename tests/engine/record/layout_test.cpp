#include "engine/record/layout.hpp"

#include <catch2/catch.hpp>

#include "engine/core/error.hpp"

using namespace clustersim::record;

TEST_CASE("slice sizes exclude the replicate and step dimensions", "[unit]") {
  Layout layout;
  layout.dims = {{"replicate", 3}, {"step", 5}, {"region", 4}, {"sector", 2}};
  layout.series.push_back({"a", DType::Int64, {"replicate", "step", "region"}, "1", "a"});
  layout.series.push_back({"b", DType::Float64, {"replicate", "step", "region", "sector"}, "EUR", "b"});
  CHECK(layout.slice_size(layout.series[0]) == 4);
  CHECK(layout.slice_size(layout.series[1]) == 8);
  CHECK(layout.series_index("b") == 1);
  CHECK_THROWS_AS(layout.series_index("c"), clustersim::InvariantError);
  CHECK_THROWS_AS(layout.dim("nope"), clustersim::InvariantError);

  Frame frame(layout);
  REQUIRE(frame.size() == 2);
  CHECK(frame[1].size() == 8);
  frame[1][3] = 2.5;
  frame.clear();
  CHECK(frame[1][3] == 0.0);
}
