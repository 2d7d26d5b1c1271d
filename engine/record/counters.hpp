#pragma once
// Exact integer counters over agent rows, declared once in a table. Each counter names the
// group it is summed by (a model's regions, sectors, ...), which rows count, what a row adds,
// and how the sum is recorded (or that it is internal). From the table alone follow:
//   - the layout of the flat vector of int64 sums (CounterLayout: group offsets and slots),
//   - the per-row accumulation, unrolled at compile time so that it inlines into the hot
//     loop (accumulate),
//   - the recount of a row that changed after it was counted (recount),
//   - the series variables and their values (spec_of, fill).
// Sums are int64, so they do not depend on how rows are spread over threads.

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/record/layout.hpp"

namespace clustersim::record {

/// How a value relates to the step: a stock is the state at the end of the step, a flow
/// the step's total. Recorded as the CF attribute cell_methods (cell_methods()).
enum class Accumulation : std::uint8_t { Stock, Flow };

/// "step: point" for a stock, "step: sum" for a flow.
constexpr std::string_view cell_methods(Accumulation a) { return a == Accumulation::Stock ? "step: point" : "step: sum"; }

/// Adds the cell_methods attribute to a series variable.
inline VariableSpec& set_accumulation(VariableSpec& spec, Accumulation accumulation) {
  spec.extra_attributes.push_back({"cell_methods", std::string(cell_methods(accumulation))});
  return spec;
}
/// The accumulation of a series variable from its cell_methods attribute (Stock if absent).
inline Accumulation accumulation_of(const VariableSpec& spec) {
  for (const auto& a : spec.extra_attributes)
    if (a.name == "cell_methods" && std::get_if<std::string>(&a.value) &&
        *std::get_if<std::string>(&a.value) == cell_methods(Accumulation::Flow))
      return Accumulation::Flow;
  return Accumulation::Stock;
}

/// How a counter's sum is recorded. An empty long_name: internal, not recorded.
struct CounterOutput {
  std::string_view units;
  std::string_view long_name;
  Accumulation accumulation = Accumulation::Stock;
  double scale = 1.0;  ///< recorded value = sum * scale (Float64 unless the scale is 1)
  bool headline = false;
};

template <class Row>
struct Counter {
  std::string_view name;  ///< the series variable's name (or an internal name)
  std::size_t group;      ///< index in the model's groups (CounterTable::group_dims)
  bool (*counts)(const Row&);           ///< whether the row contributes
  std::int64_t (*value)(const Row&);    ///< what it adds
  CounterOutput output;
  /// The counter reads what changes after the row has been counted (e.g. by cross-agent
  /// updates applied after the parallel phase): such rows are recounted (recount()).
  bool recount = false;
  constexpr bool recorded() const { return !output.long_name.empty(); }
};

/// A table of N counters over G groups. `group_dims[g]` is the dimension a recorded counter
/// of group g is written along ("" = a group of internal counters, or of one value).
template <class Row, std::size_t N, std::size_t G>
struct CounterTable {
  std::array<Counter<Row>, N> counters;
  std::array<std::string_view, G> group_dims;

  static constexpr std::size_t size() { return N; }
  static constexpr std::size_t groups() { return G; }

  /// Position of counter k within its group.
  constexpr std::size_t slot(std::size_t k) const {
    std::size_t s = 0;
    for (std::size_t j = 0; j < k; ++j) s += counters[j].group == counters[k].group ? 1 : 0;
    return s;
  }
  /// slot(k) for every k.
  constexpr std::array<std::size_t, N> slot_table() const {
    std::array<std::size_t, N> t{};
    for (std::size_t k = 0; k < N; ++k) t[k] = slot(k);
    return t;
  }
  /// Counters in group g.
  constexpr std::size_t slots(std::size_t g) const {
    std::size_t s = 0;
    for (const auto& c : counters) s += c.group == g ? 1 : 0;
    return s;
  }
  /// Index of the counter called `name`; at compile time an unknown name does not compile.
  constexpr std::size_t find(std::string_view name) const {
    for (std::size_t k = 0; k < N; ++k)
      if (counters[k].name == name) return k;
    throw "no counter of that name";  // NOLINT: a compile-time error when evaluated in a constant expression
  }
  /// Whether the table is well formed: unique names, valid groups, recorded counters in a
  /// group with a dimension.
  constexpr bool valid() const {
    for (std::size_t k = 0; k < N; ++k) {
      if (counters[k].group >= G || counters[k].counts == nullptr || counters[k].value == nullptr) return false;
      if (counters[k].recorded() && group_dims[counters[k].group].empty()) return false;
      for (std::size_t j = 0; j < k; ++j)
        if (counters[j].name == counters[k].name) return false;
    }
    return true;
  }
};

/// Where each group's sums live in the flat vector, for given group sizes (regions, ...):
/// group g at offset[g], entry i of it at offset[g] + i * slots[g], counter k at + slot(k).
template <std::size_t G>
struct CounterLayout {
  std::array<std::size_t, G> offset{}, size{}, slots{};
  std::size_t total = 0;

  template <class Table>
  static CounterLayout make(const Table& table, const std::array<std::size_t, G>& sizes) {
    CounterLayout l;
    for (std::size_t g = 0; g < G; ++g) {
      l.offset[g] = l.total;
      l.size[g] = sizes[g];
      l.slots[g] = table.slots(g);
      l.total += sizes[g] * l.slots[g];
    }
    return l;
  }
  /// Start of entry `index` of group g (add the counter's slot).
  std::size_t base(std::size_t g, std::size_t index) const { return offset[g] + index * slots[g]; }
};

namespace detail {
/// Whether counter K is the first in the table with its row predicate.
template <const auto& kTable, std::size_t K>
constexpr bool first_with_its_rows() {
  for (std::size_t j = 0; j < K; ++j)
    if (kTable.counters[j].counts == kTable.counters[K].counts) return false;
  return true;
}

/// Counter J's contribution if it shares counter K's row predicate (already tested).
template <const auto& kTable, std::size_t K, std::size_t J, class Row>
inline void add_if_same_rows(const Row& row, const std::size_t* base, std::int64_t* sums) {
  if constexpr (kTable.counters[J].counts == kTable.counters[K].counts) {
    constexpr auto value = kTable.counters[J].value;
    constexpr std::size_t group = kTable.counters[J].group, slot = kTable.slot(J);
    sums[base[group] + slot] += value(row);
  }
}

/// For each distinct row predicate (at its first counter K): one test, then every counter
/// that uses it, so a row takes as many branches as there are predicates, not counters.
template <const auto& kTable, std::size_t K, class Row>
inline void add_group_of(const Row& row, const std::size_t* base, std::int64_t* sums) {
  if constexpr (first_with_its_rows<kTable, K>()) {
    constexpr auto counts = kTable.counters[K].counts;
    if (counts(row))
      [&]<std::size_t... J>(std::index_sequence<J...>) {
        (add_if_same_rows<kTable, K, J>(row, base, sums), ...);
      }(std::make_index_sequence<kTable.size()>{});
  }
}

template <const auto& kTable, std::size_t K, class Row>
inline void recount_one(const Row& row, const std::size_t* base, std::int64_t* sums, std::int64_t sign) {
  if constexpr (kTable.counters[K].recount) {
    constexpr auto counts = kTable.counters[K].counts;
    constexpr auto value = kTable.counters[K].value;
    constexpr std::size_t group = kTable.counters[K].group, slot = kTable.slot(K);
    if (counts(row)) sums[base[group] + slot] += sign * value(row);
  }
}
}  // namespace detail

/// Adds the row's contribution to every counter. `base[g]` is CounterLayout::base(g, the
/// row's index in group g); it is read only for counters that count the row.
template <const auto& kTable, class Row>
inline void accumulate(const Row& row, const std::size_t* base, std::int64_t* sums) {
  [&]<std::size_t... K>(std::index_sequence<K...>) {
    (detail::add_group_of<kTable, K>(row, base, sums), ...);
  }(std::make_index_sequence<kTable.size()>{});
}

/// Adds `sign` times the row's contribution to the counters marked `recount`: -1 before a
/// counted row changes, +1 after.
template <const auto& kTable, class Row>
inline void recount(const Row& row, const std::size_t* base, std::int64_t* sums, std::int64_t sign) {
  [&]<std::size_t... K>(std::index_sequence<K...>) {
    (detail::recount_one<kTable, K>(row, base, sums, sign), ...);
  }(std::make_index_sequence<kTable.size()>{});
}

/// The series variable of recorded counter k (dims: replicate, step, its group's dimension).
template <class Table>
VariableSpec spec_of(const Table& table, std::size_t k) {
  const auto& c = table.counters[k];
  VariableSpec spec{std::string(c.name), c.output.scale == 1.0 ? DType::Int64 : DType::Float64,
                    {"replicate", "step", std::string(table.group_dims[c.group])}, std::string(c.output.units),
                    std::string(c.output.long_name), c.output.headline, {}};
  return set_accumulation(spec, c.output.accumulation);
}

/// Counter k's values along its group, scaled for recording.
template <class Table, std::size_t G>
void fill(const Table& table, const CounterLayout<G>& layout, const std::vector<std::int64_t>& sums, std::size_t k,
          std::vector<double>& out) {
  const auto& c = table.counters[k];
  const std::size_t slot = table.slot(k);
  for (std::size_t i = 0; i < layout.size[c.group]; ++i)
    out[i] = static_cast<double>(sums[layout.base(c.group, i) + slot]) * c.output.scale;
}

}  // namespace clustersim::record
