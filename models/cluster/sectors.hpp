#pragma once
// The 14 industrial ecosystems of the EU industrial strategy (COM(2021) 350), used as the
// model's sectors. The default SME shares are rounded magnitudes from the Annual Single
// Market Report 2021 ecosystem profiles (docs/MODEL.md, "Sectors").

#include <array>
#include <string_view>
#include <utility>

namespace clustersim::model {

struct SectorInfo {
  std::string_view key;   ///< used in CSV headers (smes_<key>) and output coordinates
  std::string_view name;
  double default_sme_share;
};

inline constexpr std::array<SectorInfo, 14> kSectors{{
    {"aerospace_defence", "Aerospace and defence", 0.004},
    {"agri_food", "Agri-food", 0.08},
    {"construction", "Construction", 0.15},
    {"cultural_creative", "Cultural and creative industries", 0.06},
    {"digital", "Digital", 0.06},
    {"electronics", "Electronics", 0.01},
    {"energy_intensive", "Energy-intensive industries", 0.02},
    {"renewable_energy", "Renewable energy", 0.01},
    {"health", "Health", 0.05},
    {"mobility_transport_automotive", "Mobility, transport, automotive", 0.06},
    {"proximity_social_economy", "Proximity, social economy and civil security", 0.15},
    {"retail", "Retail", 0.21},
    {"textile", "Textile", 0.016},
    {"tourism", "Tourism", 0.12},
}};

inline constexpr std::size_t kSectorCount = kSectors.size();

}  // namespace clustersim::model

namespace clustersim::model {

/// Pairs of related ecosystems (value-chain or technology links named in the ecosystem
/// profiles of the Annual Single Market Report 2021): partner search weighs them between
/// same-sector and unrelated pairs (docs/MODEL.md, "Partnerships").
inline constexpr std::array<std::pair<std::string_view, std::string_view>, 14> kRelatedSectors{{
    {"digital", "electronics"},
    {"digital", "cultural_creative"},
    {"digital", "health"},
    {"electronics", "aerospace_defence"},
    {"electronics", "mobility_transport_automotive"},
    {"aerospace_defence", "mobility_transport_automotive"},
    {"energy_intensive", "renewable_energy"},
    {"energy_intensive", "construction"},
    {"renewable_energy", "construction"},
    {"agri_food", "retail"},
    {"agri_food", "tourism"},
    {"tourism", "cultural_creative"},
    {"textile", "retail"},
    {"proximity_social_economy", "retail"},
}};

}  // namespace clustersim::model
