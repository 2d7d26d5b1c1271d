#pragma once
// Typed parameters of the cluster-policy model. Every field is a scenario key (section.field),
// bound once in params.cpp's table (engine/config/binding.hpp) with its range, units and doc;
// the initialisers below are the keys' defaults. Documented in docs/SCENARIOS.md and
// docs/MODEL.md.

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "engine/config/scenario.hpp"
#include "engine/config/schema.hpp"

namespace clustersim::model {

/// Where the regions come from: the real EU (the built-in NUTS 2021 table, or
/// population.regions_file) or a synthetic EU-like world.
enum class WorldSource { Eu, Synthetic };

/// The world's geography and size (docs/MODEL.md, "World"). The geography (regions, sector
/// mixes, cluster sites) depends on `seed` only, never on run.seed.
struct WorldParams {
  WorldSource source = WorldSource::Eu;
  double scale = 0.01;                 ///< 1 = the EU; SMEs, clusters, budgets and awards scale together
  std::int64_t seed = 2021;            ///< the geography's own seed
  double clusters_at_eu_scale = 1100;  ///< cluster organisations at world.scale = 1 (ECCP)
  double specialisation_sigma = 0.35;  ///< log-normal spread of a region's sector mix (built-in table)
  double knowledge_tilt = 0.25;        ///< knowledge-intensive ecosystems: x(1+tilt) more, x(1-tilt) less developed
  double cluster_lq_exponent = 1.0;    ///< cluster sites ~ SMEs x LQ^exponent x sector propensity
};

struct PopulationParams {
  std::int64_t smes = 0;      ///< 0: world.scale x the world's SMEs; > 0 sets the scale
  std::int64_t regions = 0;   ///< 0: the world's regions (242 for the EU)
  std::int64_t clusters = 0;  ///< 0: world.scale x world.clusters_at_eu_scale
  std::filesystem::path regions_file;  ///< empty: the built-in EU table (or the synthetic world)
  double size_tail_exponent = 1.15;
  double max_initial_employees = 249;
  double turnover_per_employee_eur_per_year = 150000;
  double productivity_sigma = 0.5;
  double region_zipf_exponent = 0.6;
};

struct GrowthParams {
  double drift_per_quarter = -0.0045;  ///< fitted (docs/MODEL.md 3.2, 4): SME employment ~ +1.2 %/yr
  double shock_sigma_per_quarter = 0.08;
  double innovation_boost_per_quarter = 0.01;
  double export_boost_per_quarter = 0.005;
  double digital_boost_per_quarter = 0.003;
  double productivity_drift_per_quarter = -0.004;
  double productivity_sigma_per_quarter = 0.03;
  double productivity_effect_per_quarter = 0.01;
  bool enabled = true;  ///< switch the mechanism off for experiments and validation
};

struct ExitParams {
  double base_rate_per_quarter = 0.012;
  std::int64_t loss_quarters = 4;
  double loss_hazard_multiplier = 3.0;
  double min_employees = 0.5;
  bool enabled = true;  ///< switch the mechanism off for experiments and validation
};

struct EntryParams {
  double rate_per_quarter = 0.0175;  ///< fitted (docs/MODEL.md 3.3): net entry ~ +1 %/yr of active SMEs
  double demand_elasticity = 1.0;
  double max_employees = 4;  ///< newborn enterprises employ 0.4-2.3 persons on average (Eurostat, 2021)
  bool enabled = true;  ///< switch the mechanism off for experiments and validation
};

struct MembershipParams {
  double leave_rate_per_quarter = 0.025;
  double value_elasticity = 1.0;
  double target_members_mean = 175;
  double target_members_sigma = 0.2;
  double max_share_of_pool = 0.5;
  bool enabled = true;  ///< switch the mechanism off for experiments and validation
};

struct ClusterParams {
  double fee_eur_per_member_per_quarter = 250;
  double public_funding_eur_per_quarter = 50000;
  double running_cost_eur_per_quarter = 50000;
  double service_spend_share_per_quarter = 0.5;
  std::int64_t fold_after_quarters = 4;
  double second_sector_share = 0.5;
  // Services: the mix of the service budget (weights, normalised), how fast effects
  // saturate with spending per member, and what a euro of services is worth to a member.
  double mix_matchmaking = 0.3;
  double mix_training = 0.2;
  double mix_internationalisation = 0.2;
  double mix_joint_innovation = 0.2;
  double mix_intelligence = 0.1;
  double service_half_saturation_eur = 100;
  double service_value_per_eur = 1.0;
  // Management capacity and maturity.
  double staff_cost_eur_per_quarter = 16000;
  // Adjustment to funding (docs/MODEL.md 3.5): the team follows expected income, down to a
  // core team; instrument income hires extra staff.
  double min_staff_fte = 1.0;
  double income_smoothing_per_quarter = 0.25;
  double instrument_staff_share = 0.5;
  double team_cut_ratio = 2.0;
  // Fees (docs/MODEL.md 3.5): moved toward budget balance, within bounds (0: fixed fees).
  double fee_adjustment_per_quarter = 0.0;
  double fee_min_ratio = 0.5;
  double fee_max_ratio = 2.0;
  double experience_gain_per_quarter = 0.004;
  double maturity_effect = 0.1;
  double bronze_score = 0.25;
  double silver_score = 0.5;
  double gold_score = 0.75;
};

struct InnovationParams {
  double effort_per_quarter = 0.025;
  double depreciation_per_quarter = 0.025;
  double member_knowledge_bonus = 0.5;
  double hazard_per_knowledge = 0.05;
  double process_hazard_per_knowledge = 0.04;
  double partner_knowledge_per_quarter = 0.004;
  double joint_project_knowledge_per_quarter = 0.01;
  std::int64_t recent_quarters = 4;
  bool enabled = true;  ///< switch the mechanism off for experiments and validation
};

struct ExportParams {
  double entry_rate_per_quarter = 0.015;
  double exit_rate_per_quarter = 0.05;
  double member_entry_multiplier = 1.5;
  double initial_share = 0.15;
  double sunk_cost_eur = 100000;
  double service_cost_reduction = 0.5;
  double foreign_partner_cost_reduction = 0.3;
  bool enabled = true;  ///< switch the mechanism off for experiments and validation
};

/// One Bass diffusion (Bass 1969): hazard = p + q * adopter share among peers.
struct BassParams {
  double p_per_quarter = 0.003;
  double q_per_quarter = 0.02;
  double initial_share = 0.55;
};

enum class Peers { Region, Sector, Cluster, Everyone };

struct AdoptionParams {
  Peers peers = Peers::Region;
  double member_p_multiplier = 1.5;
  double intelligence_effect = 2.0;
  BassParams digital{.p_per_quarter = 0.003, .q_per_quarter = 0.02, .initial_share = 0.55};
  BassParams green{.p_per_quarter = 0.002, .q_per_quarter = 0.02, .initial_share = 0.25};
  bool enabled = true;  ///< switch the mechanism off for experiments and validation
};

struct PartnershipParams {
  double rate_per_quarter = 0.02;
  double member_multiplier = 1.5;
  double matchmaking_effect = 1.0;
  double dissolve_rate_per_quarter = 0.05;
  std::int64_t candidates = 5;
  double same_cluster_share = 0.5;
  double distance_decay_km = 300;
  double cross_border_factor = 0.3;
  double other_region_factor = 0.05;
  double related_sector_weight = 0.5;
  double unrelated_sector_weight = 0.1;
  double trust_shared_cluster = 1.0;
  double former_partner_share = 0.2;
  double trust_former_partner = 1.0;
  bool enabled = true;  ///< switch the mechanism off for experiments and validation
};

/// Skills: up- and re-skilling of SME staff (Pact for Skills), raising productivity growth
/// and absorptive capacity; cluster training raises the investment hazard.
struct SkillsParams {
  double investment_rate_per_quarter = 0.05;
  double gain = 0.2;
  double depreciation_per_quarter = 0.02;
  double training_effect = 2.0;
  double productivity_effect_per_quarter = 0.004;
  bool enabled = true;  ///< switch the mechanism off for experiments and validation
};

/// Meta-clusters: formation, engagement, effects (metaclusters.hpp).
struct MetaclusterParams {
  double formation_rate_per_quarter = 0.005;
  std::int64_t candidates = 5;
  double spare_reserves_eur = 30000;
  double seed_eur = 20000;
  double seed_funding_multiplier = 4.0;
  double contribution_eur_per_quarter = 2500;
  double coordination_cost_eur_per_quarter = 3000;  ///< per member cluster
  double initial_engagement = 0.6;
  double engagement_gain_per_quarter = 0.1;
  double engagement_decay_per_quarter = 0.1;
  double leave_engagement = 0.2;
  double partner_search_share = 0.3;
  double export_effect = 0.3;
  bool enabled = true;  ///< switch the mechanism off for experiments and validation
};

/// Regions: knowledge spillovers over distance, absorptive capacity, feedback on growth.
struct RegionParams {
  double spillover_decay_km = 400;
  double spillover_share = 0.3;
  double knowledge_inflow_per_quarter = 0.005;
  double absorptive_more_developed = 1.0;
  double absorptive_transition = 0.85;
  double absorptive_less_developed = 0.7;
  double knowledge_growth_effect = 0.004;
  double demand_growth_effect = 0.2;
  std::int64_t s3_priorities = 3;
};

/// [record]: what the model records beyond the aggregates.
struct RecordParams {
  std::int64_t panel_smes = 1000;  ///< SMEs followed in the panel (panel.hpp); 0 = no panel
};

/// Regional catch-up (docs/MODEL.md 3.11): the productivity of a region's SMEs closes its gap to
/// the frontier region at a rate scaled by absorptive capacity and knowledge flows
/// (Nelson & Phelps 1966; Griffith, Redding & Van Reenen 2004).
struct CatchUpParams {
  double rate_per_quarter = 0.0075;
  double frontier_quantile = 0.9;
  double knowledge_elasticity = 0.5;
  bool enabled = true;  ///< switch the mechanism off for experiments and validation
};

/// Size-dependent exit (docs/MODEL.md 3.3): the exit hazard falls with size, h ~ E^-elasticity
/// (Evans 1987; Dunne, Roberts & Samuelson 1989).
struct SizeExitParams {
  double elasticity = 0.3;
  double reference_employees = 3;
  bool enabled = true;  ///< switch the mechanism off for experiments and validation
};

/// Innovation lags and persistence (docs/MODEL.md 3.6): an innovation raises growth over a
/// hump-shaped distributed lag, and recent innovators innovate again more often.
struct InnovationLagParams {
  double peak_quarters = 3;
  double persistence_multiplier = 2.0;
  bool enabled = true;  ///< switch the mechanism off for experiments and validation
};

/// Private co-financing paid by SMEs (docs/MODEL.md 3.13, "Private co-financing").
struct CofinanceParams {
  /// An SME's own funds for co-financing, in quarters of its turnover (the cash proxy).
  double sme_own_funds_quarters = 0.5;
};

/// Joint tenders (docs/MODEL.md 3.14): a cluster service in which member SMEs answer calls for
/// tender together, win contracts with a probability set by the consortium and gain turnover
/// (Neopolia, Pays de la Loire: ~90 joint responses, EUR 81.5 M for 90 members in ~10 years).
struct JointTenderParams {
  // Comma-separated lists (scenario-level keys are scalars; lists exist only in [[tables]]).
  std::string regions;  ///< NUTS-2 codes of the regions whose clusters may run the service ("" = all)
  std::string sectors;  ///< ecosystems a cluster must serve ("" = all)
  double clusters_at_eu_scale = 0;   ///< clusters running it at world.scale = 1; 0 = every eligible cluster
  double bids_per_cluster_per_quarter = 0.45;
  std::int64_t min_consortium_smes = 2;
  std::int64_t max_consortium_smes = 6;
  double win_probability = 0.3;       ///< at the reference consortium
  double reference_consortium_smes = 4;
  double reference_capability = 0.45;
  double size_effect = 0.5;        ///< logit slope on ln(size / reference size)
  double capability_effect = 2.0;  ///< logit slope on (capability - reference capability)
  double contract_eur = 3.0e6;     ///< mean contract value
  double contract_sigma = 0.5;     ///< log-normal dispersion of contract values
  std::int64_t contract_quarters = 8;
  bool enabled = false;  ///< off in the baseline: a scenario switches the service on where it runs
};

/// Markets (docs/MODEL.md 3.15): demand by (region, sector); the growth of supported SMEs above
/// their market's competitors takes sales from those competitors, in the same region and, with
/// distance friction, in other regions (displacement).
struct MarketParams {
  double displacement_share = 0.5;      ///< share of the beneficiaries' excess sales taken from competitors
  double interregional_share = 0.3;     ///< of what is displaced, the share taken from other regions' markets
  double distance_elasticity = 1.0;     ///< weight of another region's market ~ distance^-elasticity
  std::int64_t beneficiary_quarters = 8;  ///< an SME counts as a beneficiary this many quarters after support
  double max_loss_per_quarter = 0.05;   ///< cap on a market's competitors' growth loss (log points a quarter)
  bool enabled = true;  ///< switch the mechanism off for experiments and validation
};

/// Selection (docs/MODEL.md 3.16): joining a cluster and being supported by an instrument depend
/// on the SME's attributes through a score a = (p / p0)^productivity x E^size x
/// e^(skills_effect skills + partner_effect partners) x (entrant_factor if born in the run).
struct SelectionParams {
  double productivity_elasticity = 0.25;
  double size_elasticity = 0.3;
  double skills_effect = 1.0;      ///< per unit of skills (absorptive capacity, 0..1)
  double partner_effect = 0.2;     ///< per partnership held (network)
  double entrant_factor = 0.5;     ///< SMEs born during the run (young firms)
  double support_weight = 1.0;     ///< calls and awards: P ~ 1 - w + w a / mean a of the SME's group
  bool enabled = true;  ///< switch the mechanism off for experiments and validation
};

struct Params {
  std::uint64_t seed = 1;
  WorldParams world;
  std::int64_t steps = 40;  ///< run.steps (an engine key), for the panel's sampling rate
  PopulationParams population;
  GrowthParams growth;
  ExitParams exit;
  EntryParams entry;
  MembershipParams membership;
  ClusterParams clusters;
  InnovationParams innovation;
  ExportParams exporting;
  AdoptionParams adoption;
  PartnershipParams partnership;
  SkillsParams skills;
  MetaclusterParams metacluster;
  RegionParams region;
  RecordParams record;
  CatchUpParams catch_up;
  SizeExitParams size_exit;
  InnovationLagParams innovation_lag;
  CofinanceParams cofinance;
  JointTenderParams joint_tenders;
  MarketParams markets;
  SelectionParams selection;
  /// The scenario's [[instruments]] (instruments/instrument.hpp reads them).
  std::vector<config::TableElement> instruments;
};

/// Declares every model key with its default (the values above), range, units and doc, and
/// the rules across keys (service-mix weights, maturity thresholds, clusters <= SMEs).
void declare(config::Schema& schema);
/// Reads the typed parameters from a validated scenario.
Params read(const config::Scenario& scenario);

}  // namespace clustersim::model
