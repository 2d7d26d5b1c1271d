#include "engine/sim/progress.hpp"

#include <catch2/catch.hpp>

#include <cmath>

using namespace clustersim::sim;

TEST_CASE("rates and durations are formatted compactly", "[unit]") {
  CHECK(format_rate(12345678.0) == "1.23e+07");
  CHECK(format_rate(std::nan("")) == "-");
  CHECK(format_duration(4.4) == "4s");
  CHECK(format_duration(65) == "1m05s");
  CHECK(format_duration(3 * 3600 + 120) == "3h02m");
  CHECK(format_duration(-1) == "-");
}

TEST_CASE("quiet mode is chosen by --quiet whatever stderr is", "[unit]") {
  CHECK(Progress::detect(true) == Progress::Mode::Quiet);
  CHECK(Progress::detect(false) != Progress::Mode::Quiet);
  Progress quiet(Progress::Mode::Quiet, 10, "SME");
  quiet.update(5, 0, 1, 1e6);  // must not print or throw
  quiet.finish();
  CHECK(quiet.elapsed_seconds() >= 0.0);
}
