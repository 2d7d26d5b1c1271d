#include "models/cluster/params.hpp"

#include <algorithm>
#include <cstdio>
#include <utility>

#include "engine/config/binding.hpp"
#include "engine/core/error.hpp"
#include "models/cluster/instruments/instrument.hpp"
#include "models/cluster/instruments/programme.hpp"
#include "models/cluster/mechanisms/joint_tenders.hpp"
#include "models/cluster/world.hpp"

namespace clustersim::model {

namespace {

// Every model key, bound once to its field (engine/config/binding.hpp): declare() and read()
// both walk this table, and the defaults are the struct initialisers in params.hpp. The
// order of the binds is the order of the keys in `clustersim keys` and docs/SCENARIOS.md.
using Table = config::Binding<Params>;

const std::vector<std::pair<std::string, Peers>> kPeers{
    {"region", Peers::Region}, {"sector", Peers::Sector}, {"cluster", Peers::Cluster}, {"everyone", Peers::Everyone}};

const std::vector<std::pair<std::string, WorldSource>> kWorldSources{{"eu", WorldSource::Eu},
                                                                     {"synthetic", WorldSource::Synthetic}};

/// [world] and [population]: the world and its size.
void bind_population(Table& t) {
  auto world = t.section("world.", &Params::world);
  world.choice("source", kWorldSources, &WorldParams::source)
      .doc("eu: the 242 NUTS 2021 regions of the EU-27 (data/regions/, built in; population.regions_file brings your "
           "own); synthetic: a generated EU-like world.");
  world.bind("scale", &WorldParams::scale).range(1e-6, 1)
      .doc("Size of the world against the real EU (1 = the EU): SME and cluster counts, programme budgets and award "
           "counts scale together; unit sizes (grants, vouchers, fees) stay in real euros.");
  world.bind("seed", &WorldParams::seed).range(0, 9.0e15)
      .doc("Seed of the geography (sector mixes, cluster sites, synthetic regions); independent of run.seed.");
  world.bind("clusters_at_eu_scale", &WorldParams::clusters_at_eu_scale).range(1, 1e6).units("cluster organisations")
      .doc("Cluster organisations at world.scale = 1 (ECCP: over 1,100 in the EU-27).");
  world.bind("specialisation_sigma", &WorldParams::specialisation_sigma).range(0, 3)
      .doc("Log-normal spread of each region's sector mix around the EU mix (built-in table and synthetic world; a "
           "regions file keeps its own mix).");
  world.bind("knowledge_tilt", &WorldParams::knowledge_tilt).range(0, 0.9)
      .doc("Knowledge-intensive ecosystems weigh x(1+tilt) in more developed and x(1-tilt) in less developed regions.");
  world.bind("cluster_lq_exponent", &WorldParams::cluster_lq_exponent).range(0, 5)
      .doc("Cluster sites are placed with weight SMEs x (location quotient)^exponent x the ecosystem's cluster propensity.");

  auto population = t.section("population.", &Params::population);
  population.bind("smes", &PopulationParams::smes).range(0, 2e9).units("SMEs")
      .doc("SMEs at step 0; 0: world.scale x the world's SMEs (EU: 25.8 million). A count sets the scale instead "
           "(world.scale = smes / the world's SMEs); give one or the other. In the synthetic world a count is the "
           "world's own size and world.scale scales only its programmes.");
  population.bind("regions", &PopulationParams::regions).range(0, 65535).units("regions")
      .doc("0: the world's regions. The synthetic world's region count; with the EU or a regions file it must equal "
           "the table's rows.");
  population.bind("clusters", &PopulationParams::clusters).range(0, 1e6).units("cluster organisations")
      .doc("0: world.scale x world.clusters_at_eu_scale (at least 1). A count overrides the proportional network (for "
           "experiments on the cluster density).");
  population.bind("regions_file", &PopulationParams::regions_file)
      .doc("Optional CSV with one row per region (code, name, country, development_level, lon, lat, smes_<sector>...); "
           "replaces the built-in EU table.");
  population.bind("size_tail_exponent", &PopulationParams::size_tail_exponent).range(0.2, 5)
      .doc("Pareto exponent of initial employment, P(E >= e) ~ e^-a (Axtell 2001; EU: 93% micro).");
  population.bind("max_initial_employees", &PopulationParams::max_initial_employees).range(1, 1e5).units("employees")
      .doc("Upper truncation of initial SME employment (the SME definition: < 250).");
  population.bind("turnover_per_employee_eur_per_year", &PopulationParams::turnover_per_employee_eur_per_year)
      .range(1, 1e8).units("EUR/employee/year").doc("Mean turnover per employee in more developed regions.");
  population.bind("productivity_sigma", &PopulationParams::productivity_sigma).range(0, 5)
      .doc("Log-normal dispersion of SME productivity within a region.");
  population.bind("region_zipf_exponent", &PopulationParams::region_zipf_exponent).range(0, 3)
      .doc("Zipf exponent of regional SME counts in the synthetic world.");
}

/// [growth], [exit] and [entry]: the life of an SME.
void bind_demography(Table& t) {
  auto growth = t.section("growth.", &Params::growth);
  auto exit = t.section("exit.", &Params::exit);
  auto entry = t.section("entry.", &Params::entry);
  // [growth] — Gibrat-type growth
  growth.bind("drift_per_quarter", &GrowthParams::drift_per_quarter).range(-1, 1).units("1/quarter")
      .doc("Mean log-employment growth per quarter.");
  growth.bind("shock_sigma_per_quarter", &GrowthParams::shock_sigma_per_quarter).range(0, 2).units("1/quarter")
      .doc("Std. dev. of the multiplicative employment shock per quarter.");
  growth.bind("innovation_boost_per_quarter", &GrowthParams::innovation_boost_per_quarter).range(-1, 1).units("1/quarter")
      .doc("Extra log growth while the SME innovated recently.");
  growth.bind("export_boost_per_quarter", &GrowthParams::export_boost_per_quarter).range(-1, 1).units("1/quarter")
      .doc("Extra log growth while the SME exports.");
  growth.bind("digital_boost_per_quarter", &GrowthParams::digital_boost_per_quarter).range(-1, 1).units("1/quarter")
      .doc("Extra log growth once the SME has adopted digital tools.");
  growth.bind("productivity_drift_per_quarter", &GrowthParams::productivity_drift_per_quarter).range(-1, 1)
      .units("1/quarter").doc("Mean log-productivity growth per quarter.");
  growth.bind("productivity_sigma_per_quarter", &GrowthParams::productivity_sigma_per_quarter).range(0, 2)
      .units("1/quarter").doc("Std. dev. of the log-productivity shock per quarter.");
  growth.bind("productivity_effect_per_quarter", &GrowthParams::productivity_effect_per_quarter).range(-1, 1)
      .units("1/quarter").doc("Extra log employment growth x (productivity / the region's mean productivity - 1).");

  // [exit] and [entry]
  exit.bind("base_rate_per_quarter", &ExitParams::base_rate_per_quarter).range(0, 1).units("1/quarter")
      .doc("Exit hazard of a healthy SME.");
  exit.bind("loss_quarters", &ExitParams::loss_quarters).range(1, 1000).units("quarters")
      .doc("Consecutive shrinking quarters after which the exit hazard is multiplied.");
  exit.bind("loss_hazard_multiplier", &ExitParams::loss_hazard_multiplier).range(1, 1000)
      .doc("Exit-hazard multiplier after sustained losses.");
  exit.bind("min_employees", &ExitParams::min_employees).range(0, 100).units("employees")
      .doc("An SME shrinking below this size exits.");
  entry.bind("rate_per_quarter", &EntryParams::rate_per_quarter).range(0, 1).units("1/quarter")
      .doc("Start-ups per active SME of a region per quarter (Poisson mean), unless the regions file gives the region's own rate.");
  entry.bind("demand_elasticity", &EntryParams::demand_elasticity).range(0, 100)
      .doc("Start-up rate x exp(elasticity x last quarter's regional turnover growth).");
  entry.bind("max_employees", &EntryParams::max_employees).range(1, 1e4).units("employees")
      .doc("Upper truncation of a start-up's employment.");
}

/// [membership] and [clusters]: cluster organisations.
void bind_clusters(Table& t) {
  auto membership = t.section("membership.", &Params::membership);
  auto clusters = t.section("clusters.", &Params::clusters);
  // [membership] and [clusters]
  membership.bind("leave_rate_per_quarter", &MembershipParams::leave_rate_per_quarter).range(0, 1).units("1/quarter")
      .doc("Hazard that a member leaves its cluster.");
  membership.bind("value_elasticity", &MembershipParams::value_elasticity).range(0, 10)
      .doc("Equilibrium membership scales with (value of services / fee)^elasticity.");
  membership.bind("target_members_mean", &MembershipParams::target_members_mean).range(1, 1e6).units("SMEs")
      .doc("Mean equilibrium membership of a cluster (DOMAIN.md: 150-200).");
  membership.bind("target_members_sigma", &MembershipParams::target_members_sigma).range(0, 3)
      .doc("Log-normal dispersion of equilibrium membership across clusters.");
  membership.bind("max_share_of_pool", &MembershipParams::max_share_of_pool).range(0, 1)
      .doc("Largest share of the eligible SMEs (same region and sector) a cluster can hold.");
  clusters.bind("fee_eur_per_member_per_quarter", &ClusterParams::fee_eur_per_member_per_quarter).range(0, 1e7)
      .units("EUR/member/quarter").doc("Membership fee income.");
  clusters.bind("public_funding_eur_per_quarter", &ClusterParams::public_funding_eur_per_quarter).range(0, 1e9)
      .units("EUR/quarter").doc("Baseline public (regional/national) funding per cluster.");
  clusters.bind("running_cost_eur_per_quarter", &ClusterParams::running_cost_eur_per_quarter).range(0, 1e9)
      .units("EUR/quarter").doc("Management and staff cost a cluster must cover to keep operating.");
  clusters.bind("service_spend_share_per_quarter", &ClusterParams::service_spend_share_per_quarter).range(0, 1)
      .units("1/quarter").doc("Share of the remaining budget spent on member services each quarter.");
  clusters.bind("service_mix.matchmaking", &ClusterParams::mix_matchmaking).range(0, 1)
      .doc("Weight of matchmaking in the service budget (weights are normalised); raises members' partnership hazard.");
  clusters.bind("service_mix.training", &ClusterParams::mix_training).range(0, 1)
      .doc("Weight of training; raises members' skills investment.");
  clusters.bind("service_mix.internationalisation", &ClusterParams::mix_internationalisation).range(0, 1)
      .doc("Weight of internationalisation support; lowers members' export sunk cost.");
  clusters.bind("service_mix.joint_innovation", &ClusterParams::mix_joint_innovation).range(0, 1)
      .doc("Weight of joint innovation projects; adds to members' knowledge.");
  clusters.bind("service_mix.intelligence", &ClusterParams::mix_intelligence).range(0, 1)
      .doc("Weight of market and skills intelligence; raises members' adoption p.");
  clusters.bind("service_half_saturation_eur", &ClusterParams::service_half_saturation_eur).range(1e-6, 1e9)
      .units("EUR/member/quarter").doc("Service spending per member at which a service has half its full effect.");
  clusters.bind("service_value_per_eur", &ClusterParams::service_value_per_eur).range(0, 1000)
      .doc("What a euro of services is worth to a member; value / fee drives membership.");
  clusters.bind("staff_cost_eur_per_quarter", &ClusterParams::staff_cost_eur_per_quarter).range(1, 1e7)
      .units("EUR/FTE/quarter").doc("Cost of one FTE of cluster management staff.");
  clusters.bind("min_staff_fte", &ClusterParams::min_staff_fte).range(0, 1000).units("FTE")
      .doc("Core team a cluster keeps while it can pay it: below its cost a quarter is a shortfall; above, the "
           "team shrinks to the expected income instead of folding.");
  clusters.bind("income_smoothing_per_quarter", &ClusterParams::income_smoothing_per_quarter).range(0, 1)
      .units("1/quarter").doc("Weight of this quarter's income in the expected income that sizes the team.");
  clusters.bind("instrument_staff_share", &ClusterParams::instrument_staff_share).range(0, 1)
      .doc("Share of instrument income (core funding, management shares) spent on extra management staff.");
  clusters.bind("team_cut_ratio", &ClusterParams::team_cut_ratio).range(1, 100)
      .doc("Euros of team cost a cluster cuts per euro its expected income falls short of the running cost.");
  clusters.bind("fee_adjustment_per_quarter", &ClusterParams::fee_adjustment_per_quarter).range(0, 1)
      .units("1/quarter").doc("Largest relative change of a cluster's fee in a quarter, toward budget balance: up by "
                              "this x min(1, deficit / fee income), down likewise after a surplus (0: fixed fees).");
  clusters.bind("fee_min_ratio", &ClusterParams::fee_min_ratio).range(0, 1)
      .doc("Lowest fee a cluster sets, as a multiple of fee_eur_per_member_per_quarter.");
  clusters.bind("fee_max_ratio", &ClusterParams::fee_max_ratio).range(1, 100)
      .doc("Highest fee a cluster sets, as a multiple of fee_eur_per_member_per_quarter.");
  clusters.bind("experience_gain_per_quarter", &ClusterParams::experience_gain_per_quarter).range(0, 1)
      .units("1/quarter").doc("Growth of the manager's skill (0-1) per quarter of operation.");
  clusters.bind("maturity_effect", &ClusterParams::maturity_effect).range(0, 10)
      .doc("Relative gain in service effectiveness per maturity level (bronze 1, silver 2, gold 3).");
  clusters.bind("maturity.bronze_score", &ClusterParams::bronze_score).range(0, 1)
      .doc("Maturity score (skill x track record x team) for a bronze label.");
  clusters.bind("maturity.silver_score", &ClusterParams::silver_score).range(0, 1).doc("Score for a silver label.");
  clusters.bind("maturity.gold_score", &ClusterParams::gold_score).range(0, 1).doc("Score for a gold label.");
  clusters.bind("fold_after_quarters", &ClusterParams::fold_after_quarters).range(1, 1000).units("quarters")
      .doc("A cluster that cannot cover its running cost this many quarters in a row folds.");
  clusters.bind("second_sector_share", &ClusterParams::second_sector_share).range(0, 1)
      .doc("Share of clusters that span a second ecosystem.");
}

/// [innovation], [exporting] and [adoption].
void bind_innovation(Table& t) {
  auto innovation = t.section("innovation.", &Params::innovation);
  auto exporting = t.section("exporting.", &Params::exporting);
  auto adoption = t.section("adoption.", &Params::adoption);
  // [innovation]
  innovation.bind("effort_per_quarter", &InnovationParams::effort_per_quarter).range(0, 10).units("knowledge/quarter")
      .doc("Own R&D effort added to the knowledge stock.");
  innovation.bind("depreciation_per_quarter", &InnovationParams::depreciation_per_quarter).range(0, 1).units("1/quarter")
      .doc("Share of the knowledge stock lost each quarter.");
  innovation.bind("member_knowledge_bonus", &InnovationParams::member_knowledge_bonus).range(0, 100)
      .doc("Relative extra knowledge inflow for cluster members.");
  innovation.bind("hazard_per_knowledge", &InnovationParams::hazard_per_knowledge).range(0, 100)
      .units("1/knowledge/quarter").doc("Innovation hazard = 1 - exp(-hazard_per_knowledge * knowledge).");
  innovation.bind("process_hazard_per_knowledge", &InnovationParams::process_hazard_per_knowledge).range(0, 100)
      .units("1/knowledge/quarter").doc("Process innovation hazard = 1 - exp(-value * knowledge).");
  innovation.bind("partner_knowledge_per_quarter", &InnovationParams::partner_knowledge_per_quarter).range(0, 10)
      .units("knowledge/partner/quarter").doc("Knowledge gained per quarter from each business partner.");
  innovation.bind("joint_project_knowledge_per_quarter", &InnovationParams::joint_project_knowledge_per_quarter)
      .range(0, 10).units("knowledge/quarter").doc("Knowledge a member gains from its cluster's joint innovation projects at full effect.");
  innovation.bind("recent_quarters", &InnovationParams::recent_quarters).range(1, 250).units("quarters")
      .doc("An SME counts in smes_innovating for this many quarters after an innovation.");

  // [export]
  exporting.bind("entry_rate_per_quarter", &ExportParams::entry_rate_per_quarter).range(0, 1).units("1/quarter")
      .doc("Hazard that a non-exporter of 10+ employees starts exporting.");
  exporting.bind("exit_rate_per_quarter", &ExportParams::exit_rate_per_quarter).range(0, 1).units("1/quarter")
      .doc("Hazard that an exporter stops.");
  exporting.bind("member_entry_multiplier", &ExportParams::member_entry_multiplier).range(0, 100)
      .doc("Export-entry multiplier for cluster members.");
  exporting.bind("sunk_cost_eur", &ExportParams::sunk_cost_eur).range(0, 1e9).units("EUR")
      .doc("Sunk cost of entering export markets; entry probability scales with turnover / (turnover + cost).");
  exporting.bind("service_cost_reduction", &ExportParams::service_cost_reduction).range(0, 1)
      .doc("Share of the sunk cost removed by the cluster's internationalisation service at full effect.");
  exporting.bind("foreign_partner_cost_reduction", &ExportParams::foreign_partner_cost_reduction).range(0, 1)
      .doc("Share of the sunk cost removed when the SME has a partner in another country.");
  exporting.bind("initial_share", &ExportParams::initial_share).range(0, 1).doc("Share of exporters at step 0.");

  // [adoption] — Bass diffusion of digital and green practices
  adoption.choice("peers", kPeers, &AdoptionParams::peers)
      .doc("Whose adopter share drives imitation (q): the SME's region, its sector, its cluster (members; "
           "non-members use their region), or everyone.");
  adoption.bind("member_p_multiplier", &AdoptionParams::member_p_multiplier).range(0, 100)
      .doc("Innovation coefficient p is multiplied by this for cluster members.");
  adoption.bind("intelligence_effect", &AdoptionParams::intelligence_effect).range(0, 100)
      .doc("Extra p multiplier for members from the cluster's market and skills intelligence at full effect.");
  for (const auto& [which, bass] : {std::pair{"digital", &AdoptionParams::digital}, std::pair{"green", &AdoptionParams::green}}) {
    const std::string prefix = std::string(which) + ".";
    adoption.bind(prefix + "p_per_quarter", bass, &BassParams::p_per_quarter).range(0, 1).units("1/quarter")
        .doc(std::string("Bass innovation coefficient p for ") + which + " adoption.");
    adoption.bind(prefix + "q_per_quarter", bass, &BassParams::q_per_quarter).range(0, 1).units("1/quarter")
        .doc(std::string("Bass imitation coefficient q for ") + which + " adoption.");
    adoption.bind(prefix + "initial_share", bass, &BassParams::initial_share).range(0, 1)
        .doc(std::string("Share of ") + which + " adopters at step 0.");
  }
}

/// [partnership], [skills] and [metacluster].
void bind_networks(Table& t) {
  auto partnership = t.section("partnership.", &Params::partnership);
  auto skills = t.section("skills.", &Params::skills);
  auto metacluster = t.section("metacluster.", &Params::metacluster);
  // [partnership]
  partnership.bind("rate_per_quarter", &PartnershipParams::rate_per_quarter).range(0, 1).units("1/quarter")
      .doc("Hazard that an SME concludes a new business partnership.");
  partnership.bind("member_multiplier", &PartnershipParams::member_multiplier).range(0, 100)
      .doc("Partnership-hazard multiplier for cluster members (matchmaking).");
  partnership.bind("matchmaking_effect", &PartnershipParams::matchmaking_effect).range(0, 100)
      .doc("Extra partnership-hazard multiplier for members from the cluster's matchmaking at full effect.");
  partnership.bind("dissolve_rate_per_quarter", &PartnershipParams::dissolve_rate_per_quarter).range(0, 1)
      .units("1/quarter").doc("Hazard that a partnership ends.");
  partnership.bind("candidates", &PartnershipParams::candidates).range(1, 64).units("SMEs")
      .doc("Candidates sampled per partner search (bounded search, never all pairs).");
  partnership.bind("same_cluster_share", &PartnershipParams::same_cluster_share).range(0, 1)
      .doc("Share of a member's candidates drawn from its own cluster (the rest by the distance kernel).");
  partnership.bind("distance_decay_km", &PartnershipParams::distance_decay_km).range(1, 1e5).units("km")
      .doc("Candidate regions are weighted by SMEs x exp(-distance / decay).");
  partnership.bind("cross_border_factor", &PartnershipParams::cross_border_factor).range(0, 1)
      .doc("Extra weight on candidate regions in another country (institutional distance).");
  partnership.bind("other_region_factor", &PartnershipParams::other_region_factor).range(0, 1)
      .doc("Weight of other regions against the SME's own in partner search (cross-region ties are rarer).");
  partnership.bind("related_sector_weight", &PartnershipParams::related_sector_weight).range(0, 1)
      .doc("Acceptance weight of a candidate from a related ecosystem (same ecosystem = 1).");
  partnership.bind("unrelated_sector_weight", &PartnershipParams::unrelated_sector_weight).range(0, 1)
      .doc("Acceptance weight of a candidate from an unrelated ecosystem.");
  partnership.bind("trust_shared_cluster", &PartnershipParams::trust_shared_cluster).range(0, 100)
      .doc("Relative extra acceptance weight when both SMEs are in the same cluster (trust).");
  partnership.bind("former_partner_share", &PartnershipParams::former_partner_share).range(0, 1)
      .doc("Probability that a search first considers the SME's former partner (an earlier tie).");
  partnership.bind("trust_former_partner", &PartnershipParams::trust_former_partner).range(0, 100)
      .doc("Relative extra acceptance weight of a former partner (trust from an earlier tie).");

  // [skills]
  skills.bind("investment_rate_per_quarter", &SkillsParams::investment_rate_per_quarter).range(0, 1).units("1/quarter")
      .doc("Hazard that an SME invests in its staff's skills.");
  skills.bind("gain", &SkillsParams::gain).range(0, 1).doc("An investment closes this share of the gap to full skills (1).");
  skills.bind("depreciation_per_quarter", &SkillsParams::depreciation_per_quarter).range(0, 1).units("1/quarter")
      .doc("Share of skills lost per quarter.");
  skills.bind("training_effect", &SkillsParams::training_effect).range(0, 100)
      .doc("Extra investment-hazard multiplier for members from the cluster's training at full effect.");
  skills.bind("productivity_effect_per_quarter", &SkillsParams::productivity_effect_per_quarter).range(-1, 1)
      .units("1/quarter").doc("Extra log-productivity growth per quarter at full skills.");

  // [metacluster]
  metacluster.bind("formation_rate_per_quarter", &MetaclusterParams::formation_rate_per_quarter).range(0, 1).units("1/quarter")
      .doc("Hazard that a cluster with spare reserves seeks partner clusters for a meta-cluster.");
  metacluster.bind("candidates", &MetaclusterParams::candidates).range(1, 100).units("clusters")
      .doc("Clusters sampled per search (related ecosystem, another region, spare reserves).");
  metacluster.bind("spare_reserves_eur", &MetaclusterParams::spare_reserves_eur).range(0, 1e9).units("EUR")
      .doc("Reserves a cluster needs to take part (spare capacity).");
  metacluster.bind("seed_eur", &MetaclusterParams::seed_eur).range(0, 1e9).units("EUR")
      .doc("Seed needed to found a meta-cluster, paid by the two founders from their reserves.");
  metacluster.bind("seed_funding_multiplier", &MetaclusterParams::seed_funding_multiplier).range(1, 1000)
      .doc("Formation hazard multiplier while outside seed funding is available.");
  metacluster.bind("contribution_eur_per_quarter", &MetaclusterParams::contribution_eur_per_quarter).range(0, 1e9)
      .units("EUR/quarter").doc("Each member cluster's contribution.");
  metacluster.bind("coordination_cost_eur_per_quarter", &MetaclusterParams::coordination_cost_eur_per_quarter).range(0, 1e9)
      .units("EUR/member/quarter").doc("Cost of a quarter of joint activity per member cluster; without it engagement decays.");
  metacluster.bind("initial_engagement", &MetaclusterParams::initial_engagement).range(0, 1).doc("Engagement of a new member cluster.");
  metacluster.bind("engagement_gain_per_quarter", &MetaclusterParams::engagement_gain_per_quarter).range(0, 1).units("1/quarter")
      .doc("Engagement gained in a quarter of joint activity.");
  metacluster.bind("engagement_decay_per_quarter", &MetaclusterParams::engagement_decay_per_quarter).range(0, 1).units("1/quarter")
      .doc("Share of engagement lost each quarter.");
  metacluster.bind("leave_engagement", &MetaclusterParams::leave_engagement).range(0, 1)
      .doc("A member cluster whose engagement falls below this leaves.");
  metacluster.bind("partner_search_share", &MetaclusterParams::partner_search_share).range(0, 1)
      .doc("Share of a member SME's candidates drawn from the other member clusters, times engagement.");
  metacluster.bind("export_effect", &MetaclusterParams::export_effect).range(0, 100)
      .doc("Relative export-entry gain for member SMEs (wider market reach), times engagement.");
}

/// [region]: spillovers and feedback.
void bind_regions(Table& t) {
  auto region = t.section("region.", &Params::region);
  region.bind("spillover_decay_km", &RegionParams::spillover_decay_km).range(1, 1e5).units("km")
      .doc("Distance decay of interregional knowledge spillovers, w = exp(-d / decay).");
  region.bind("spillover_share", &RegionParams::spillover_share).range(0, 1)
      .doc("Weight of other regions' knowledge (distance-weighted) in the knowledge an SME can draw on.");
  region.bind("knowledge_inflow_per_quarter", &RegionParams::knowledge_inflow_per_quarter).range(0, 10)
      .units("knowledge/quarter").doc("Knowledge an SME absorbs per quarter per unit of accessible regional knowledge.");
  region.bind("absorptive_more_developed", &RegionParams::absorptive_more_developed).range(0, 10)
      .doc("Absorptive capacity of more developed regions (scales knowledge inflows).");
  region.bind("absorptive_transition", &RegionParams::absorptive_transition).range(0, 10)
      .doc("Absorptive capacity of transition regions.");
  region.bind("absorptive_less_developed", &RegionParams::absorptive_less_developed).range(0, 10)
      .doc("Absorptive capacity of less developed regions.");
  region.bind("knowledge_growth_effect", &RegionParams::knowledge_growth_effect).range(-1, 1).units("1/quarter")
      .doc("Extra SME log growth per unit of the region's knowledge relative to the EU mean, minus one.");
  region.bind("demand_growth_effect", &RegionParams::demand_growth_effect).range(-1, 1)
      .doc("Share of last quarter's regional turnover growth passed on to SMEs' growth (demand feedback).");
  region.bind("s3_priorities", &RegionParams::s3_priorities).range(1, 14).units("sectors")
      .doc("Smart-specialisation priorities per region: its ecosystems with the highest location quotients.");
}

/// [record]: outputs beyond the aggregates (the SME panel, panel.hpp).
void bind_record(Table& t) {
  auto record = t.section("record.", &Params::record);
  record.bind("panel_smes", &RecordParams::panel_smes).range(0, 1e7).units("SMEs")
      .doc("SMEs followed every step in the SME panel (a random sample; entrants join by the same rule); 0 = no panel.");
}

/// [catch_up], [size_exit], [innovation_lag], [markets], [selection]: the economy's dynamics (docs/MODEL.md 3.3, 3.6,
/// 3.11, 3.15, 3.16).
void bind_economy(Table& t) {
  auto catch_up = t.section("catch_up.", &Params::catch_up);
  catch_up.bind("rate_per_quarter", &CatchUpParams::rate_per_quarter).range(0, 1).units("1/quarter")
      .doc("Share of the log productivity gap to the frontier region closed per quarter at absorptive capacity 1, "
           "average knowledge and average skills (lambda).");
  catch_up.bind("frontier_quantile", &CatchUpParams::frontier_quantile).range(0.5, 1)
      .doc("The frontier is this quantile of the regions' mean SME productivity (1 = the best region).");
  catch_up.bind("knowledge_elasticity", &CatchUpParams::knowledge_elasticity).range(0, 5)
      .doc("Elasticity of the catch-up rate to the region's accessible knowledge relative to the EU mean.");
  auto size_exit = t.section("size_exit.", &Params::size_exit);
  size_exit.bind("elasticity", &SizeExitParams::elasticity).range(0, 3)
      .doc("The exit hazard is multiplied by (employees / reference_employees)^-elasticity.");
  size_exit.bind("reference_employees", &SizeExitParams::reference_employees).range(0.01, 1e6).units("employees")
      .doc("Size at which the exit hazard equals exit.base_rate_per_quarter.");
  auto lag = t.section("innovation_lag.", &Params::innovation_lag);
  lag.bind("peak_quarters", &InnovationLagParams::peak_quarters).range(0, 100).units("quarters")
      .doc("Quarters after an innovation at which its growth effect peaks (Pascal lag w(q) ~ (q+1) rho^q).");
  lag.bind("persistence_multiplier", &InnovationLagParams::persistence_multiplier).range(1, 100)
      .doc("Innovation-hazard multiplier for an SME that innovated in the last innovation.recent_quarters quarters.");
  auto markets = t.section("markets.", &Params::markets);
  markets.bind("displacement_share", &MarketParams::displacement_share).range(0, 1)
      .doc("Share of the supported SMEs' sales growth above their market's competitors that is taken from those "
           "competitors (0: none, 1: all; an assumption: evaluations treat displacement as such a share of gross outputs).");
  markets.bind("interregional_share", &MarketParams::interregional_share).range(0, 1)
      .doc("Of the displaced sales, the share taken from the same ecosystem's markets in other regions (tradable demand).");
  markets.bind("distance_elasticity", &MarketParams::distance_elasticity).range(0, 5)
      .doc("Another region's market weighs its competitors' turnover x distance^-elasticity (gravity models of trade).");
  markets.bind("beneficiary_quarters", &MarketParams::beneficiary_quarters).range(1, 254).units("quarters")
      .doc("An SME is a beneficiary (grows at competitors' expense, is not displaced) for this many quarters after support.");
  markets.bind("max_loss_per_quarter", &MarketParams::max_loss_per_quarter).range(0, 1).units("1/quarter")
      .doc("Cap on the log employment growth a market's competitors lose in a quarter (a safeguard for tiny markets).");
  auto selection = t.section("selection.", &Params::selection);
  selection.bind("productivity_elasticity", &SelectionParams::productivity_elasticity).range(-5, 5)
      .doc("Elasticity of an SME's selection score (joining a cluster, being supported) to its labour productivity.");
  selection.bind("size_elasticity", &SelectionParams::size_elasticity).range(-5, 5)
      .doc("Elasticity of the selection score to employment.");
  selection.bind("skills_effect", &SelectionParams::skills_effect).range(-10, 10)
      .doc("The selection score is multiplied by e^(skills_effect x skills) (absorptive capacity, skills 0..1).");
  selection.bind("partner_effect", &SelectionParams::partner_effect).range(-10, 10)
      .doc("The selection score is multiplied by e^(partner_effect x partnerships held) (network).");
  selection.bind("entrant_factor", &SelectionParams::entrant_factor).range(0, 100)
      .doc("Selection-score factor of SMEs born during the run (young firms).");
  selection.bind("support_weight", &SelectionParams::support_weight).range(0, 1)
      .doc("Calls and awards: an SME's chance of support is x (1 - w + w x score / mean score of its group).");
}

/// [cofinance]: where private co-financing comes from (docs/MODEL.md 3.13).
void bind_cofinance(Table& t) {
  auto cofinance = t.section("cofinance.", &Params::cofinance);
  cofinance.bind("sme_own_funds_quarters", &CofinanceParams::sme_own_funds_quarters).range(0, 1000).units("quarters")
      .doc("An SME's own funds for co-financing support, in quarters of its turnover: an SME takes up a voucher, "
           "training or visit only if it can pay the private part (funding.private) of it from them.");
}

/// [joint_tenders]: the joint-tender cluster service (docs/MODEL.md 3.14; Neopolia, DOMAIN.md).
void bind_joint_tenders(Table& t) {
  auto jt = t.section("joint_tenders.", &Params::joint_tenders);
  jt.bind("regions", &JointTenderParams::regions)
      .doc("Comma-separated NUTS-2 codes of the regions whose clusters run the service, e.g. \"FRG0\" (empty = all).");
  jt.bind("sectors", &JointTenderParams::sectors)
      .doc("Comma-separated ecosystems a cluster must serve (main or second) to run the service (empty = all).");
  jt.bind("clusters_at_eu_scale", &JointTenderParams::clusters_at_eu_scale).range(0, 1e6).units("cluster organisations")
      .doc("Clusters running the service at world.scale = 1 (max(1, round(scale x this)) of the eligible ones, largest "
           "target membership first); 0 = every eligible cluster. Neopolia: 5 business clusters.");
  jt.bind("bids_per_cluster_per_quarter", &JointTenderParams::bids_per_cluster_per_quarter).range(0, 10)
      .units("bids/cluster/quarter")
      .doc("Mean joint responses to calls for tender per service cluster (Poisson). Neopolia: ~90 over ~10 years by 5 "
           "business clusters = 0.45.");
  jt.bind("min_consortium_smes", &JointTenderParams::min_consortium_smes).range(1, 1000).units("SMEs")
      .doc("Smallest consortium (uniform between min and max, capped by the cluster's members; fewer members: no bid).");
  jt.bind("max_consortium_smes", &JointTenderParams::max_consortium_smes).range(1, 1000).units("SMEs")
      .doc("Largest consortium.");
  jt.bind("win_probability", &JointTenderParams::win_probability).range(1e-6, 0.999999)
      .doc("Win probability of the reference consortium (assumption: about one bid in 3-4; 28 % of EU procedures get "
           "a single bid, Single Market Scoreboard 2024).");
  jt.bind("reference_consortium_smes", &JointTenderParams::reference_consortium_smes).range(1, 1000).units("SMEs")
      .doc("Consortium size at which the win probability is win_probability.");
  jt.bind("reference_capability", &JointTenderParams::reference_capability).range(0, 1)
      .doc("Capability (mean of maturity label / 3, manager's skill and the consortium's skills) at which the win "
           "probability is win_probability: about the baseline's mean.");
  jt.bind("size_effect", &JointTenderParams::size_effect).range(-10, 10)
      .doc("Logit slope of the win probability on ln(consortium size / reference size) (assumption).");
  jt.bind("capability_effect", &JointTenderParams::capability_effect).range(-100, 100)
      .doc("Logit slope of the win probability on capability - reference capability (assumption).");
  jt.bind("contract_eur", &JointTenderParams::contract_eur).range(0, 1e10).units("EUR")
      .doc("Mean value of a won contract; calibrated: EUR 81.5 M / (90 bids x 0.3) = about EUR 3 M (Neopolia).");
  jt.bind("contract_sigma", &JointTenderParams::contract_sigma).range(0, 5)
      .doc("Log-normal dispersion of contract values (mean kept at contract_eur).");
  jt.bind("contract_quarters", &JointTenderParams::contract_quarters).range(1, 400).units("quarters")
      .doc("Quarters over which a contract's revenue is earned, shared equally by the consortium's living firms.");
}

/// Mechanism switches, for experiments and for validating one mechanism in isolation.
void bind_switches(Table& t) {
  auto enabled = [&t]<class M>(const char* section, M Params::*mechanism) {
    t.bind(std::string(section) + ".enabled", mechanism, &M::enabled).doc(std::string("Run the ") + section + " mechanism.");
  };
  enabled("growth", &Params::growth);
  enabled("exit", &Params::exit);
  enabled("entry", &Params::entry);
  enabled("membership", &Params::membership);
  enabled("innovation", &Params::innovation);
  enabled("exporting", &Params::exporting);
  enabled("adoption", &Params::adoption);
  enabled("partnership", &Params::partnership);
  enabled("skills", &Params::skills);
  enabled("metacluster", &Params::metacluster);
  enabled("catch_up", &Params::catch_up);
  enabled("size_exit", &Params::size_exit);
  enabled("innovation_lag", &Params::innovation_lag);
  enabled("joint_tenders", &Params::joint_tenders);
  enabled("markets", &Params::markets);
  enabled("selection", &Params::selection);
}

const Table& table() {
  static const Table t = [] {
    Table b;
    for (auto bind : {bind_population, bind_demography, bind_clusters, bind_innovation, bind_networks, bind_regions,
                      bind_record, bind_economy, bind_cofinance, bind_joint_tenders, bind_switches})
      bind(b);
    return b;
  }();
  return t;
}

std::string number(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%g", value);
  return text;
}

/// Of two keys in one rule, the one to blame: `preferred` unless it holds its default.
std::string blamed(const config::Scenario& s, const std::string& preferred, const std::string& other) {
  return s.origin(preferred) != "default" ? preferred : other;
}

/// The service budget is split by the weights normalised to shares: all zero has no split.
void check_service_mix(const config::Scenario& s) {
  double sum = 0;
  std::string where;  // the first file (or --set) that changed a weight; the defaults are not all 0
  for (const char* service : {"matchmaking", "training", "internationalisation", "joint_innovation", "intelligence"}) {
    const std::string key = std::string("clusters.service_mix.") + service;
    sum += s.real(key);
    if (where.empty() && s.origin(key) != "default") where = s.origin(key);
  }
  if (sum <= 0)
    throw ScenarioError(where, "clusters.service_mix", "all weights are 0; at least one must be > 0 (they are normalised to shares)");
}

/// A label is reached at its score: the scores must rise strictly from bronze to gold.
void check_maturity(const config::Scenario& s) {
  const std::string bronze = "clusters.maturity.bronze_score", silver = "clusters.maturity.silver_score",
                    gold = "clusters.maturity.gold_score";
  for (const auto& [lower, upper] : {std::pair{bronze, silver}, std::pair{silver, gold}}) {
    const double lo = s.real(lower), hi = s.real(upper);
    if (hi > lo) continue;
    const std::string key = blamed(s, upper, lower);
    const std::string rule = key == upper ? "must be > " + lower + " (" + number(lo) + "), got " + number(hi)
                                          : "must be < " + upper + " (" + number(hi) + "), got " + number(lo);
    throw ScenarioError(s.origin(key), key, rule);
  }
}

/// One way to state the size, and a world source that fits the other keys.
void check_world_keys(const config::Scenario& s) {
  // Compared by value, not origin: a resolved scenario (check, sweep) states every key.
  if (s.integer("population.smes") > 0 && s.real("world.scale") != WorldParams{}.scale &&
      s.string("world.source") != "synthetic")
    throw ScenarioError(s.origin("population.smes"), "population.smes",
                        "sets the scale (world.scale = smes / the world's SMEs), but world.scale is also set (" +
                            s.origin("world.scale") + "); give one of them");
  if (s.string("world.source") == "synthetic" && s.origin("population.regions_file") != "default")
    throw ScenarioError(s.origin("population.regions_file"), "population.regions_file",
                        "a regions file is a world of its own; remove it or set world.source = \"eu\"");
  const auto smes = s.integer("population.smes"), clusters = s.integer("population.clusters");
  if (smes > 0 && clusters > smes)
    throw ScenarioError(s.origin("population.clusters"), "population.clusters",
                        "must be <= population.smes (" + std::to_string(smes) + "), got " + std::to_string(clusters));
}

/// Every region, country and ecosystem an instrument names must exist in the scenario's
/// world, so `check` refuses what `run` would. Builds the world (milliseconds).
void check_world_names(const config::Scenario& s) {
  if (s.elements("instruments").empty()) return;
  const Params p = read(s);
  const World world = build_world(p);
  check_eligible_names(world, p.instruments);
  check_eligible_clusters(world, p.instruments);
  // ... and every instrument must be able to spend as written (instruments/spendable.cpp).
  instruments::Programme(p.instruments, world)
      .check_spendable(p.instruments, world, p.steps, std::max(p.population.max_initial_employees, p.entry.max_employees));
}

/// Joint tenders: a consortium range that exists, and (when on) names and clusters the
/// world has, so `check` refuses what `run` would.
void check_joint_tender_keys(const config::Scenario& s) {
  const auto lo = s.integer("joint_tenders.min_consortium_smes"), hi = s.integer("joint_tenders.max_consortium_smes");
  if (lo > hi) {
    const std::string key = blamed(s, "joint_tenders.max_consortium_smes", "joint_tenders.min_consortium_smes");
    throw ScenarioError(s.origin(key), key,
                        "joint_tenders.min_consortium_smes (" + std::to_string(lo) +
                            ") must be <= joint_tenders.max_consortium_smes (" + std::to_string(hi) + ")");
  }
  if (!s.boolean("joint_tenders.enabled")) return;
  const Params p = read(s);
  const std::string where = s.origin("joint_tenders.regions") != "default" ? s.origin("joint_tenders.regions")
                                                                           : s.origin("joint_tenders.enabled");
  check_joint_tenders(build_world(p), p.joint_tenders, where);
}

}  // namespace

void declare(config::Schema& s) {
  table().declare(s);
  instruments::declare(s);
  s.rule(check_service_mix);
  s.rule(check_maturity);
  s.rule(check_world_keys);
  s.rule(check_world_names);
  s.rule(check_joint_tender_keys);
}

Params read(const config::Scenario& s) {
  Params p;
  table().read(s, p);
  p.seed = static_cast<std::uint64_t>(s.integer("run.seed"));  // engine keys
  p.steps = s.integer("run.steps");
  p.instruments = s.elements("instruments");
  resolve_world_size(p);
  return p;
}

}  // namespace clustersim::model
