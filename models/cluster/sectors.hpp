#pragma once
// The 14 industrial ecosystems of the EU industrial strategy (COM(2021) 350), used as the
// model's sectors. The default SME shares are rounded magnitudes from the Annual Single
// Market Report 2021 ecosystem profiles (docs/MODEL.md, "Sectors"). The cluster propensity
// (cluster organisations per SME, relative) and the knowledge-intensity flag place clusters
// in tradable, knowledge-intensive ecosystems (docs/MODEL.md, "World": an assumption
// calibrated to the European Cluster Panorama 2021 and the ECCP's cluster profiles).

#include <array>
#include <string_view>
#include <utility>

namespace clustersim::model {

struct SectorInfo {
  std::string_view key;   ///< used in CSV headers (smes_<key>) and output coordinates
  std::string_view name;
  double default_sme_share;
  double cluster_propensity;  ///< relative cluster organisations per SME of the ecosystem
  bool knowledge_intensive;   ///< tilted towards more developed regions (world.knowledge_tilt)
};

inline constexpr std::array<SectorInfo, 14> kSectors{{
    {"aerospace_defence", "Aerospace and defence", 0.004, 8.0, true},
    {"agri_food", "Agri-food", 0.08, 1.2, false},
    {"construction", "Construction", 0.15, 0.25, false},
    {"cultural_creative", "Cultural and creative industries", 0.06, 1.0, false},
    {"digital", "Digital", 0.06, 3.0, true},
    {"electronics", "Electronics", 0.01, 6.0, true},
    {"energy_intensive", "Energy-intensive industries", 0.02, 3.0, false},
    {"renewable_energy", "Renewable energy", 0.01, 5.0, true},
    {"health", "Health", 0.05, 3.0, true},
    {"mobility_transport_automotive", "Mobility, transport, automotive", 0.06, 2.5, false},
    {"proximity_social_economy", "Proximity, social economy and civil security", 0.15, 0.1, false},
    {"retail", "Retail", 0.21, 0.05, false},
    {"textile", "Textile", 0.016, 2.5, false},
    {"tourism", "Tourism", 0.12, 0.4, false},
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
