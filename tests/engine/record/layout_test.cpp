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

TEST_CASE("code variables: flags declared by value or by the dimension they index", "[unit]") {
  VariableSpec label{"label", DType::Int32, {"replicate", "step"}, "", "a label"};
  set_flags(label, {{0, "none"}, {1, "two words"}, {2, ""}});
  REQUIRE(label.extra_attributes.size() == 2);
  CHECK(std::get<std::vector<std::int64_t>>(label.extra_attributes[0].value) == std::vector<std::int64_t>{0, 1, 2});
  CHECK(std::get<std::string>(label.extra_attributes[1].value) == "none two_words none");  // CF: one word each
  CHECK(is_code(label));
  VariableSpec count{"count", DType::Int64, {"replicate", "step"}, "1", "a count"};
  CHECK_FALSE(is_code(count));

  Layout layout;
  layout.dims = {{"replicate", 1}, {"step", 1}, {"region", 2}, {"empty", 0}};
  layout.statics.push_back({{"region", DType::String, {"region"}, "", "code"}, std::vector<std::string>{"AT11", "BE 10"}});
  layout.statics.push_back({{"empty", DType::String, {"empty"}, "", "code"}, std::vector<std::string>{}});
  VariableSpec where{"where", DType::Int32, {"replicate", "step", "region"}, "", "index"};
  VariableSpec none{"none", DType::Int32, {"replicate", "step", "empty"}, "", "index"};
  layout.series = {set_index_flags(where, "region"), set_index_flags(none, "empty")};
  CHECK(is_code(layout.series[1]));  // an index is a code before its flags are known
  resolve_index_flags(layout);
  resolve_index_flags(layout);  // idempotent: merging resolves again
  const auto& attrs = layout.series[0].extra_attributes;
  REQUIRE(attrs.size() == 3);
  CHECK(std::get<std::string>(attrs[0].value) == "region");
  CHECK(std::get<std::vector<std::int64_t>>(attrs[1].value) == std::vector<std::int64_t>{0, 1});
  CHECK(std::get<std::string>(attrs[2].value) == "AT11 BE_10");
  CHECK(layout.series[1].extra_attributes.size() == 1);  // an empty dimension: no flags

  VariableSpec orphan{"orphan", DType::Int32, {"replicate", "step"}, "", "index"};
  layout.series.push_back(set_index_flags(orphan, "nowhere"));
  CHECK_THROWS_AS(resolve_index_flags(layout), clustersim::InvariantError);
}
