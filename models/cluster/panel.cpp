#include "models/cluster/panel.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "engine/record/counters.hpp"

namespace clustersim::model {

namespace {

/// SplitMix64 finaliser: a well-mixed 64-bit hash of (seed, id).
std::uint64_t mix(std::uint64_t seed, std::uint64_t id) {
  std::uint64_t z = seed * 0x9E3779B97F4A7C15ull + id + 0xD1B54A32D192ED03ull;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

const std::vector<std::string> kPanelDims{"replicate", "step", "panel_sme"};
constexpr double kNoValue = std::numeric_limits<double>::quiet_NaN();  // written as the fill value

/// The panel series, in observe() order.
enum Series : std::size_t {
  kRegion, kSector, kBirth, kAlive, kEmployees, kTurnover, kProductivity, kKnowledge, kDigital, kGreen,
  kExporting, kCluster, kSupportInstrument, kSupportEur, kSeriesCount
};

record::VariableSpec panel_spec(const char* name, record::DType dtype, const char* units, const char* long_name,
                                record::Accumulation acc, std::optional<double> fill) {
  record::VariableSpec s{name, dtype, kPanelDims, units, long_name, false, {}};
  record::set_accumulation(s, acc);
  s.fill_value = fill;
  return s;
}

/// A code (Int32, fill -1) that indexes dimension `dim`.
record::VariableSpec panel_index(const char* name, const char* dim, const char* long_name, record::Accumulation acc) {
  auto s = panel_spec(name, record::DType::Int32, "", long_name, acc, -1);
  return record::set_index_flags(s, dim);
}

/// A 0/1 code (Int32, fill -1).
record::VariableSpec panel_yes_no(const char* name, const char* long_name, const char* no, const char* yes) {
  auto s = panel_spec(name, record::DType::Int32, "", long_name, record::Accumulation::Stock, -1);
  return record::set_flags(s, {{0, no}, {1, yes}});
}

}  // namespace

double panel_sample_probability(const Params& params) {
  const double expected = static_cast<double>(params.population.smes) *
                          (1.0 + (params.entry.enabled ? params.entry.rate_per_quarter : 0.0) *
                                     static_cast<double>(params.steps));
  return std::min(1.0, static_cast<double>(params.record.panel_smes) / expected);
}

std::vector<std::uint64_t> panel_ids(std::uint64_t seed, std::size_t slots, double p) {
  std::vector<std::uint64_t> ids;
  if (!(p > 0.0)) return ids;
  ids.reserve(slots);
  // p in [0, 1]: compare the hash with p * 2^64 (p == 1 takes every id).
  const auto threshold = p >= 1.0 ? std::numeric_limits<std::uint64_t>::max()
                                  : static_cast<std::uint64_t>(std::ldexp(p, 64));
  for (std::uint64_t id = 0; ids.size() < slots; ++id)
    if (mix(seed, id) <= threshold) ids.push_back(id);
  return ids;
}

Panel::Panel(const Params& params)
    : ids_(params.record.panel_smes > 0
               ? panel_ids(params.seed, static_cast<std::size_t>(params.record.panel_smes),
                           panel_sample_probability(params))
               : std::vector<std::uint64_t>{}) {}

std::size_t Panel::series_count() const { return ids_.empty() ? std::size_t{0} : std::size_t{kSeriesCount}; }

void Panel::describe(record::Layout& layout) const {
  if (ids_.empty()) return;
  using record::DType;
  using A = record::Accumulation;
  layout.dims.push_back({"panel_sme", ids_.size()});
  std::vector<std::int64_t> ids(ids_.begin(), ids_.end());
  layout.statics.push_back({{"panel_sme_id", DType::Int64, {"panel_sme"}, "1",
                             "stable id of the panel SME (same SME in every replicate's id sequence and in a "
                             "counterfactual run with the same seed)"},
                            ids});
  auto& s = layout.series;
  s.push_back(panel_index("panel_region_index", "region", "index along the region dimension of the SME's region", A::Stock));
  s.push_back(panel_index("panel_sector_index", "sector", "index along the sector dimension of the SME's ecosystem",
                          A::Stock));
  s.push_back(panel_spec("panel_birth_step", DType::Int64, "1", "step the SME entered (0: in the initial population)",
                         A::Stock, -1));
  s.push_back(panel_yes_no("panel_alive", "1 while the SME is active, 0 after its exit (fill: not yet born)", "exited",
                           "active"));
  s.push_back(panel_spec("panel_employees", DType::Float64, "FTE", "employment at the end of the quarter", A::Stock, {}));
  s.push_back(panel_spec("panel_turnover_eur", DType::Float64, "EUR",
                         "turnover in the quarter, joint-tender contract revenue included", A::Flow, {}));
  s.push_back(panel_spec("panel_productivity_eur", DType::Float64, "EUR/FTE", "turnover per FTE (per year) of the SME's own production (joint-tender contract revenue not included)", A::Stock, {}));
  s.push_back(panel_spec("panel_knowledge", DType::Float64, "1", "knowledge stock (model units)", A::Stock, {}));
  s.push_back(panel_yes_no("panel_digital", "1 if the SME has adopted digital technologies", "not_digital", "digital"));
  s.push_back(panel_yes_no("panel_green", "1 if the SME has adopted green practices", "not_green", "green"));
  s.push_back(panel_yes_no("panel_exporting", "1 if the SME sells abroad", "not_exporting", "exporting"));
  s.push_back(panel_index("panel_cluster", "cluster",
                          "index along the cluster dimension of the SME's cluster (fill: none, or not active)", A::Stock));
  s.push_back(panel_index("panel_support_instrument", "instrument",
                          "index along the instrument dimension of the support received in the quarter (fill: none)",
                          A::Flow));
  s.push_back(panel_spec("panel_support_eur", DType::Float64, "EUR",
                         "support received in the quarter: the instrument's spending in the quarter over the SMEs it "
                         "supported (the model knows no per-SME amount)",
                         A::Flow, {}));
}

void Panel::observe(const Smes& smes, const instruments::Programme& programme, const Aggregates& aggregates,
                    record::Frame& frame, std::size_t first) const {
  if (ids_.empty()) return;
  const std::uint64_t next_id = smes.table.next_id();
  next_id_by_step_.push_back(next_id);
  std::vector<double>* v[kSeriesCount];
  for (std::size_t k = 0; k < kSeriesCount; ++k) {
    v[k] = &frame[first + k];
    std::fill(v[k]->begin(), v[k]->end(), kNoValue);
  }
  for (std::size_t slot = 0; slot < ids_.size(); ++slot) {
    const std::uint64_t id = ids_[slot];
    if (id >= next_id) continue;  // not yet born: all fill
    const auto born = std::upper_bound(next_id_by_step_.begin(), next_id_by_step_.end(), id) - next_id_by_step_.begin();
    (*v[kBirth])[slot] = static_cast<double>(born);
    const std::size_t i = smes.row_of(id);
    if (i == SIZE_MAX) {  // exited and compacted away
      (*v[kAlive])[slot] = 0;
      (*v[kSupportEur])[slot] = 0;
      continue;
    }
    (*v[kRegion])[slot] = smes.region[i];
    (*v[kSector])[slot] = smes.sector[i];
    const std::uint16_t code = smes.support[i];
    // Support is counted even if the SME exited later in the quarter (aggregation.hpp).
    if (code != 0) {
      const std::size_t instrument = support_instrument(code);
      const auto supported = aggregates.value(counter("instrument_smes_supported"), instrument);
      (*v[kSupportInstrument])[slot] = static_cast<double>(instrument);
      (*v[kSupportEur])[slot] = supported > 0 ? static_cast<double>(instruments::total(programme.spent_this_step(instrument))) /
                                                    100.0 / static_cast<double>(supported)
                                              : 0.0;
    } else {
      (*v[kSupportEur])[slot] = 0;
    }
    const std::uint8_t flags = smes.flags[i];
    if (!(flags & flag::kAlive)) {
      (*v[kAlive])[slot] = 0;
      continue;
    }
    (*v[kAlive])[slot] = 1;
    const double employees = smes.employees[i], productivity = smes.productivity_eur_per_year[i];
    (*v[kEmployees])[slot] = employees;
    (*v[kTurnover])[slot] = to_eur(smes.turnover_cents(i));  // with its joint-tender contract revenue
    (*v[kProductivity])[slot] = productivity;
    (*v[kKnowledge])[slot] = smes.knowledge[i];
    (*v[kDigital])[slot] = (flags & flag::kDigital) ? 1 : 0;
    (*v[kGreen])[slot] = (flags & flag::kGreen) ? 1 : 0;
    (*v[kExporting])[slot] = (flags & flag::kExporting) ? 1 : 0;
    if (smes.cluster[i] != kNoCluster) (*v[kCluster])[slot] = smes.cluster[i];
  }
}

}  // namespace clustersim::model
