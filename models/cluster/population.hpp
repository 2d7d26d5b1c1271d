#pragma once
// The SME population: the initial SMEs of a replicate and the start-ups of each quarter.
// Both set a new row through one initialiser (NewSme), so a column added to smes.hpp is
// initialised in one place.

#include <cstddef>
#include <cstdint>
#include <vector>

#include "models/cluster/mechanisms/context.hpp"
#include "models/cluster/params.hpp"
#include "models/cluster/smes.hpp"
#include "models/cluster/world.hpp"

namespace clustersim::model {

/// The drawn attributes of a new SME; every other column starts empty (no partner, no
/// event, no support, not shrinking).
struct NewSme {
  std::uint16_t region = 0;
  std::uint8_t sector = 0;
  float employees = 0, productivity_eur_per_year = 0, knowledge = 0, skills = 0;
  std::uint8_t flags = flag::kAlive;
  std::int32_t cluster = kNoCluster;
  std::uint8_t quarters_since_innovation = kNeverInnovated;
};

/// Writes every column of row i.
void init_row(Smes& smes, std::size_t i, const NewSme& sme);

/// Replaces the table with the initial population of params.population.smes SMEs, laid out
/// cell by cell (region-major) as world.initial_smes says.
void create_initial_smes(Smes& smes, const Params& params, const World& world, std::uint64_t seed);

/// Cumulative initial SME counts by sector for each region ([cell]), to draw entrants' sectors.
std::vector<double> entrant_sector_cumulative(const World& world);

/// Start-ups per parallel task where they are created and first counted: a quarter has a
/// few thousand at 10^5 SMEs, too few for whole blocks of rows to keep two threads busy.
inline constexpr std::size_t kEntrantGrain = 256;

/// Appends this quarter's start-ups, region by region; returns the first new row (the new
/// rows are [first, smes.rows())). `active_by_region` is last quarter's count of active SMEs.
std::size_t add_entrants(Smes& smes, const Params& params, const World& world, const Messages& messages,
                         const std::vector<double>& sector_cumulative, const std::vector<std::int64_t>& active_by_region,
                         std::uint64_t seed, std::int32_t step);

}  // namespace clustersim::model
