// libFuzzer harness for the CSV reader: any input must parse or end in ScenarioError, and
// every typed accessor on every cell must answer or throw ScenarioError.
#include <cstddef>
#include <cstdint>
#include <limits>

#include "engine/config/csv.hpp"
#include "engine/core/error.hpp"
#include "tests/fuzz/fuzz_input.hpp"

using namespace clustersim;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const auto input = fuzz::scratch_file("input.csv");
  fuzz::write_file(input, data, size);
  try {
    const config::CsvTable table = config::read_csv(input);
    for (std::size_t row = 0; row < table.rows(); ++row) {
      if (table.line(row) < table.header_line()) fuzz::fail("a data row lies above the header");
      for (std::size_t col = 0; col < table.header().size(); ++col) {
        (void)table.text(row, col);
        try { (void)table.real(row, col, -1e9, 1e9); } catch (const ScenarioError&) {}
        try { (void)table.integer(row, col, std::numeric_limits<std::int64_t>::min(), 1000); } catch (const ScenarioError&) {}
        try { (void)table.nonempty(row, col); } catch (const ScenarioError&) {}
      }
    }
    if (!table.header().empty()) (void)table.column(table.header().back());
    try { (void)table.column("no such column"); } catch (const ScenarioError&) {}
  } catch (const ScenarioError&) {
  }
  return 0;
}
