// The SME panel (models/cluster/panel.hpp): thread-count independent, entrants join, values
// are the SME table's.
#include "models/cluster/panel.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>

#include "engine/parallel/blocks.hpp"
#include "engine/random/stream.hpp"
#include "model_fixture.hpp"

using namespace clustersim;
using model::ClusterModel;

namespace {

struct PanelRun {
  record::Layout layout;
  std::size_t first = 0;              ///< index of the first panel series
  std::vector<std::vector<double>> frames;  ///< per step: the panel series, concatenated
};

std::size_t series(const record::Layout& layout, const char* name) { return layout.series_index(name); }

PanelRun run_panel(const model::Params& params, std::size_t threads, int steps) {
  parallel::ThreadLimit limit(threads);
  ClusterModel m(params);
  PanelRun run;
  m.describe(run.layout);
  run.layout.dims.push_back({"replicate", 1});
  run.layout.dims.push_back({"step", static_cast<std::size_t>(steps) + 1});
  run.first = series(run.layout, "panel_region_index");
  record::Frame frame(run.layout);
  m.start_replicate(random::replicate_seed(params.seed, 0));
  for (int t = 0; t <= steps; ++t) {
    if (t > 0) m.step(t);
    frame.clear();
    m.observe(frame);
    std::vector<double> all;
    for (std::size_t k = run.first; k < frame.size(); ++k) all.insert(all.end(), frame[k].begin(), frame[k].end());
    run.frames.push_back(std::move(all));
  }
  return run;
}

bool same_bits(const std::vector<double>& a, const std::vector<double>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0;
}

}  // namespace

TEST_CASE("panel membership is a function of the seed and the id", "[model][panel]") {
  const auto a = model::panel_ids(7, 5000, 0.1);
  REQUIRE(a.size() == 5000);
  CHECK(model::panel_ids(7, 5000, 0.1) == a);
  CHECK(model::panel_ids(8, 5000, 0.1) != a);
  CHECK(std::is_sorted(a.begin(), a.end()));
  // About one id in ten: the 5000th sampled id is near 50,000 (binomial sd ~ 700).
  CHECK(a.back() > 46000);
  CHECK(a.back() < 54000);
  // A longer panel starts with the shorter one: slots are stable.
  const auto longer = model::panel_ids(7, 6000, 0.1);
  CHECK(std::equal(a.begin(), a.end(), longer.begin()));
  CHECK(model::panel_ids(7, 10, 1.0) == std::vector<std::uint64_t>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9});
}

TEST_CASE("no panel when record.panel_smes = 0", "[model][panel]") {
  ClusterModel m(test::params_from(test::kSmallWorld, {"record.panel_smes=0"}));
  record::Layout layout;
  m.describe(layout);
  for (const auto& d : layout.dims) CHECK(d.name != "panel_sme");
  for (const auto& s : layout.series) CHECK(s.name.rfind("panel_", 0) != 0);
}

TEST_CASE("the panel is bit-identical for 1 and 3 threads and entrants join it", "[model][panel]") {
  const auto params = test::params_from(test::kSmallWorld, {"population.smes=40000", "record.panel_smes=3000",
                                                            "exit.base_rate_per_quarter=0.05"});
  const auto one = run_panel(params, 1, 12);
  const auto three = run_panel(params, 3, 12);
  REQUIRE(one.frames.size() == three.frames.size());
  for (std::size_t t = 0; t < one.frames.size(); ++t) CHECK(same_bits(one.frames[t], three.frames[t]));

  const std::size_t slots = one.layout.dim("panel_sme").size;
  CHECK(slots == 3000);
  const std::size_t birth = series(one.layout, "panel_birth_step") - one.first;
  const std::size_t alive = series(one.layout, "panel_alive") - one.first;
  auto at = [&](std::size_t t, std::size_t var, std::size_t slot) { return one.frames[t][var * slots + slot]; };
  std::size_t entrants = 0, exits = 0, unborn_at_start = 0;
  for (std::size_t s = 0; s < slots; ++s) {
    const double b = at(12, birth, s);
    if (std::isnan(at(0, alive, s))) ++unborn_at_start;
    if (!std::isnan(b) && b > 0) {
      ++entrants;
      // Not there before its birth step, alive at it.
      CHECK(std::isnan(at(static_cast<std::size_t>(b) - 1, alive, s)));
      CHECK(at(static_cast<std::size_t>(b), alive, s) == 1);
    }
    if (at(12, alive, s) == 0) ++exits;
  }
  CHECK(entrants > 0);
  CHECK(exits > 0);
  CHECK(unborn_at_start >= entrants);
}

TEST_CASE("panel values are the SME table's at a step", "[model][panel]") {
  const auto params = test::params_from(test::kSmallWorld, {"record.panel_smes=2000"});
  ClusterModel m(params);
  record::Layout layout;
  m.describe(layout);
  layout.dims.push_back({"replicate", 1});
  layout.dims.push_back({"step", 6});
  record::Frame frame(layout);
  m.start_replicate(random::replicate_seed(params.seed, 0));
  for (int t = 0; t <= 5; ++t) {
    if (t > 0) m.step(t);
    frame.clear();
    m.observe(frame);
  }
  const auto& smes = m.smes();
  const auto& ids = m.panel().ids();
  auto value = [&](const char* name, std::size_t slot) { return frame[layout.series_index(name)][slot]; };
  std::size_t checked = 0, members = 0, supported = 0;
  for (std::size_t slot = 0; slot < ids.size(); ++slot) {
    const std::size_t i = smes.row_of(ids[slot]);
    if (i == SIZE_MAX || !(smes.flags[i] & model::flag::kAlive)) continue;
    ++checked;
    CHECK(value("panel_alive", slot) == 1);
    CHECK(value("panel_region_index", slot) == smes.region[i]);
    CHECK(value("panel_sector_index", slot) == smes.sector[i]);
    CHECK(value("panel_employees", slot) == static_cast<double>(smes.employees[i]));
    CHECK(value("panel_productivity_eur", slot) == static_cast<double>(smes.productivity_eur_per_year[i]));
    CHECK(value("panel_knowledge", slot) == static_cast<double>(smes.knowledge[i]));
    CHECK(value("panel_digital", slot) == ((smes.flags[i] & model::flag::kDigital) ? 1 : 0));
    CHECK(value("panel_exporting", slot) == ((smes.flags[i] & model::flag::kExporting) ? 1 : 0));
    if (smes.cluster[i] != model::kNoCluster) {
      ++members;
      CHECK(value("panel_cluster", slot) == smes.cluster[i]);
    } else {
      CHECK(std::isnan(value("panel_cluster", slot)));
    }
    if (smes.support[i] != 0) {
      ++supported;
      CHECK(value("panel_support_instrument", slot) == static_cast<double>(model::support_instrument(smes.support[i])));
    } else {
      CHECK(value("panel_support_eur", slot) == 0);
    }
  }
  CHECK(checked > 1500);
  CHECK(members > 0);
}
