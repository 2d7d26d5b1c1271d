#include "models/cluster/params.hpp"

#include "models/cluster/instruments/instrument.hpp"

namespace clustersim::model {

namespace {
constexpr const char* kMechanismSections[] = {"growth",    "exit",     "entry",       "membership", "innovation",
                                              "exporting", "adoption", "partnership", "skills", "metacluster"};
}  // namespace

void declare(config::Schema& s) {
  const Params d;  // the struct initialisers are the single source of the defaults

  // [population] — the world
  s.integer("population.smes", d.population.smes).required().range(1, 2e9).units("SMEs")
      .doc("Total SMEs at step 0 (EU scale: 25,000,000).");
  s.integer("population.regions", d.population.regions).required().range(1, 65535).units("regions")
      .doc("NUTS-2-like regions; must equal the row count when regions_file is given.");
  s.integer("population.clusters", d.population.clusters).required().range(1, 1e6).units("cluster organisations")
      .doc("Cluster organisations placed in regions in proportion to their SMEs.");
  s.path("population.regions_file")
      .doc("Optional CSV with one row per region (code, name, country, development_level, lon, lat, smes_<sector>...).");
  s.real("population.size_tail_exponent", d.population.size_tail_exponent).range(0.2, 5)
      .doc("Pareto exponent of initial employment, P(E >= e) ~ e^-a (Axtell 2001; EU: 93% micro).");
  s.real("population.max_initial_employees", d.population.max_initial_employees).range(1, 1e5).units("employees")
      .doc("Upper truncation of initial SME employment (the SME definition: < 250).");
  s.real("population.turnover_per_employee_eur_per_year", d.population.turnover_per_employee_eur_per_year)
      .range(1, 1e8).units("EUR/employee/year").doc("Mean turnover per employee in more developed regions.");
  s.real("population.productivity_sigma", d.population.productivity_sigma).range(0, 5)
      .doc("Log-normal dispersion of SME productivity within a region.");
  s.real("population.region_zipf_exponent", d.population.region_zipf_exponent).range(0, 3)
      .doc("Zipf exponent of regional SME counts in the synthetic world.");
  s.real("population.region_specialisation_sigma", d.population.region_specialisation_sigma).range(0, 3)
      .doc("Log-normal jitter of each region's sector mix around the EU mix (synthetic world).");

  // [growth] — Gibrat-type growth
  s.real("growth.drift_per_quarter", d.growth.drift_per_quarter).range(-1, 1).units("1/quarter")
      .doc("Mean log-employment growth per quarter.");
  s.real("growth.shock_sigma_per_quarter", d.growth.shock_sigma_per_quarter).range(0, 2).units("1/quarter")
      .doc("Std. dev. of the multiplicative employment shock per quarter.");
  s.real("growth.innovation_boost_per_quarter", d.growth.innovation_boost_per_quarter).range(-1, 1).units("1/quarter")
      .doc("Extra log growth while the SME innovated recently.");
  s.real("growth.export_boost_per_quarter", d.growth.export_boost_per_quarter).range(-1, 1).units("1/quarter")
      .doc("Extra log growth while the SME exports.");
  s.real("growth.digital_boost_per_quarter", d.growth.digital_boost_per_quarter).range(-1, 1).units("1/quarter")
      .doc("Extra log growth once the SME has adopted digital tools.");
  s.real("growth.productivity_drift_per_quarter", d.growth.productivity_drift_per_quarter).range(-1, 1)
      .units("1/quarter").doc("Mean log-productivity growth per quarter.");
  s.real("growth.productivity_sigma_per_quarter", d.growth.productivity_sigma_per_quarter).range(0, 2)
      .units("1/quarter").doc("Std. dev. of the log-productivity shock per quarter.");
  s.real("growth.productivity_effect_per_quarter", d.growth.productivity_effect_per_quarter).range(-1, 1)
      .units("1/quarter").doc("Extra log employment growth x (productivity / the region's mean productivity - 1).");

  // [exit] and [entry]
  s.real("exit.base_rate_per_quarter", d.exit.base_rate_per_quarter).range(0, 1).units("1/quarter")
      .doc("Exit hazard of a healthy SME.");
  s.integer("exit.loss_quarters", d.exit.loss_quarters).range(1, 1000).units("quarters")
      .doc("Consecutive shrinking quarters after which the exit hazard is multiplied.");
  s.real("exit.loss_hazard_multiplier", d.exit.loss_hazard_multiplier).range(1, 1000)
      .doc("Exit-hazard multiplier after sustained losses.");
  s.real("exit.min_employees", d.exit.min_employees).range(0, 100).units("employees")
      .doc("An SME shrinking below this size exits.");
  s.real("entry.rate_per_quarter", d.entry.rate_per_quarter).range(0, 1).units("1/quarter")
      .doc("Start-ups per active SME of a region per quarter (Poisson mean), unless the regions file gives the region's own rate.");
  s.real("entry.demand_elasticity", d.entry.demand_elasticity).range(0, 100)
      .doc("Start-up rate x exp(elasticity x last quarter's regional turnover growth).");
  s.real("entry.max_employees", d.entry.max_employees).range(1, 1e4).units("employees")
      .doc("Upper truncation of a start-up's employment.");

  // [membership] and [clusters]
  s.real("membership.leave_rate_per_quarter", d.membership.leave_rate_per_quarter).range(0, 1).units("1/quarter")
      .doc("Hazard that a member leaves its cluster.");
  s.real("membership.value_elasticity", d.membership.value_elasticity).range(0, 10)
      .doc("Equilibrium membership scales with (value of services / fee)^elasticity.");
  s.real("membership.target_members_mean", d.membership.target_members_mean).range(1, 1e6).units("SMEs")
      .doc("Mean equilibrium membership of a cluster (DOMAIN.md: 150-200).");
  s.real("membership.target_members_sigma", d.membership.target_members_sigma).range(0, 3)
      .doc("Log-normal dispersion of equilibrium membership across clusters.");
  s.real("membership.max_share_of_pool", d.membership.max_share_of_pool).range(0, 1)
      .doc("Largest share of the eligible SMEs (same region and sector) a cluster can hold.");
  s.real("clusters.fee_eur_per_member_per_quarter", d.clusters.fee_eur_per_member_per_quarter).range(0, 1e7)
      .units("EUR/member/quarter").doc("Membership fee income.");
  s.real("clusters.public_funding_eur_per_quarter", d.clusters.public_funding_eur_per_quarter).range(0, 1e9)
      .units("EUR/quarter").doc("Baseline public (regional/national) funding per cluster.");
  s.real("clusters.running_cost_eur_per_quarter", d.clusters.running_cost_eur_per_quarter).range(0, 1e9)
      .units("EUR/quarter").doc("Management and staff cost a cluster must cover to keep operating.");
  s.real("clusters.service_spend_share_per_quarter", d.clusters.service_spend_share_per_quarter).range(0, 1)
      .units("1/quarter").doc("Share of the remaining budget spent on member services each quarter.");
  s.real("clusters.service_mix.matchmaking", d.clusters.mix_matchmaking).range(0, 1)
      .doc("Weight of matchmaking in the service budget (weights are normalised); raises members' partnership hazard.");
  s.real("clusters.service_mix.training", d.clusters.mix_training).range(0, 1)
      .doc("Weight of training; raises members' skills investment.");
  s.real("clusters.service_mix.internationalisation", d.clusters.mix_internationalisation).range(0, 1)
      .doc("Weight of internationalisation support; lowers members' export sunk cost.");
  s.real("clusters.service_mix.joint_innovation", d.clusters.mix_joint_innovation).range(0, 1)
      .doc("Weight of joint innovation projects; adds to members' knowledge.");
  s.real("clusters.service_mix.intelligence", d.clusters.mix_intelligence).range(0, 1)
      .doc("Weight of market and skills intelligence; raises members' adoption p.");
  s.real("clusters.service_half_saturation_eur", d.clusters.service_half_saturation_eur).range(1e-6, 1e9)
      .units("EUR/member/quarter").doc("Service spending per member at which a service has half its full effect.");
  s.real("clusters.service_value_per_eur", d.clusters.service_value_per_eur).range(0, 1000)
      .doc("What a euro of services is worth to a member; value / fee drives membership.");
  s.real("clusters.staff_cost_eur_per_quarter", d.clusters.staff_cost_eur_per_quarter).range(1, 1e7)
      .units("EUR/FTE/quarter").doc("Cost of one FTE of cluster management staff.");
  s.real("clusters.experience_gain_per_quarter", d.clusters.experience_gain_per_quarter).range(0, 1)
      .units("1/quarter").doc("Growth of the manager's skill (0-1) per quarter of operation.");
  s.real("clusters.maturity_effect", d.clusters.maturity_effect).range(0, 10)
      .doc("Relative gain in service effectiveness per maturity level (bronze 1, silver 2, gold 3).");
  s.real("clusters.maturity.bronze_score", d.clusters.bronze_score).range(0, 1)
      .doc("Maturity score (skill x track record x team) for a bronze label.");
  s.real("clusters.maturity.silver_score", d.clusters.silver_score).range(0, 1).doc("Score for a silver label.");
  s.real("clusters.maturity.gold_score", d.clusters.gold_score).range(0, 1).doc("Score for a gold label.");
  s.integer("clusters.fold_after_quarters", d.clusters.fold_after_quarters).range(1, 1000).units("quarters")
      .doc("A cluster that cannot cover its running cost this many quarters in a row folds.");
  s.real("clusters.second_sector_share", d.clusters.second_sector_share).range(0, 1)
      .doc("Share of clusters that span a second ecosystem.");

  // [innovation]
  s.real("innovation.effort_per_quarter", d.innovation.effort_per_quarter).range(0, 10).units("knowledge/quarter")
      .doc("Own R&D effort added to the knowledge stock.");
  s.real("innovation.depreciation_per_quarter", d.innovation.depreciation_per_quarter).range(0, 1).units("1/quarter")
      .doc("Share of the knowledge stock lost each quarter.");
  s.real("innovation.member_knowledge_bonus", d.innovation.member_knowledge_bonus).range(0, 100)
      .doc("Relative extra knowledge inflow for cluster members.");
  s.real("innovation.hazard_per_knowledge", d.innovation.hazard_per_knowledge).range(0, 100)
      .units("1/knowledge/quarter").doc("Innovation hazard = 1 - exp(-hazard_per_knowledge * knowledge).");
  s.real("innovation.process_hazard_per_knowledge", d.innovation.process_hazard_per_knowledge).range(0, 100)
      .units("1/knowledge/quarter").doc("Process innovation hazard = 1 - exp(-value * knowledge).");
  s.real("innovation.partner_knowledge_per_quarter", d.innovation.partner_knowledge_per_quarter).range(0, 10)
      .units("knowledge/partner/quarter").doc("Knowledge gained per quarter from each business partner.");
  s.real("innovation.joint_project_knowledge_per_quarter", d.innovation.joint_project_knowledge_per_quarter)
      .range(0, 10).units("knowledge/quarter").doc("Knowledge a member gains from its cluster's joint innovation projects at full effect.");
  s.integer("innovation.recent_quarters", d.innovation.recent_quarters).range(1, 250).units("quarters")
      .doc("An SME counts in smes_innovating for this many quarters after an innovation.");

  // [export]
  s.real("exporting.entry_rate_per_quarter", d.exporting.entry_rate_per_quarter).range(0, 1).units("1/quarter")
      .doc("Hazard that a non-exporter of 10+ employees starts exporting.");
  s.real("exporting.exit_rate_per_quarter", d.exporting.exit_rate_per_quarter).range(0, 1).units("1/quarter")
      .doc("Hazard that an exporter stops.");
  s.real("exporting.member_entry_multiplier", d.exporting.member_entry_multiplier).range(0, 100)
      .doc("Export-entry multiplier for cluster members.");
  s.real("exporting.sunk_cost_eur", d.exporting.sunk_cost_eur).range(0, 1e9).units("EUR")
      .doc("Sunk cost of entering export markets; entry probability scales with turnover / (turnover + cost).");
  s.real("exporting.service_cost_reduction", d.exporting.service_cost_reduction).range(0, 1)
      .doc("Share of the sunk cost removed by the cluster's internationalisation service at full effect.");
  s.real("exporting.foreign_partner_cost_reduction", d.exporting.foreign_partner_cost_reduction).range(0, 1)
      .doc("Share of the sunk cost removed when the SME has a partner in another country.");
  s.real("exporting.initial_share", d.exporting.initial_share).range(0, 1).doc("Share of exporters at step 0.");

  // [adoption] — Bass diffusion of digital and green practices
  s.string("adoption.peers", "region").choices({"region", "sector", "cluster", "everyone"})
      .doc("Whose adopter share drives imitation (q): the SME's region, its sector, its cluster (members; "
           "non-members use their region), or everyone.");
  s.real("adoption.member_p_multiplier", d.adoption.member_p_multiplier).range(0, 100)
      .doc("Innovation coefficient p is multiplied by this for cluster members.");
  s.real("adoption.intelligence_effect", d.adoption.intelligence_effect).range(0, 100)
      .doc("Extra p multiplier for members from the cluster's market and skills intelligence at full effect.");
  for (const auto* which : {"digital", "green"}) {
    const BassParams& b = std::string(which) == "digital" ? d.adoption.digital : d.adoption.green;
    const std::string prefix = std::string("adoption.") + which + ".";
    s.real(prefix + "p_per_quarter", b.p_per_quarter).range(0, 1).units("1/quarter")
        .doc(std::string("Bass innovation coefficient p for ") + which + " adoption.");
    s.real(prefix + "q_per_quarter", b.q_per_quarter).range(0, 1).units("1/quarter")
        .doc(std::string("Bass imitation coefficient q for ") + which + " adoption.");
    s.real(prefix + "initial_share", b.initial_share).range(0, 1)
        .doc(std::string("Share of ") + which + " adopters at step 0.");
  }

  // [partnership]
  s.real("partnership.rate_per_quarter", d.partnership.rate_per_quarter).range(0, 1).units("1/quarter")
      .doc("Hazard that an SME concludes a new business partnership.");
  s.real("partnership.member_multiplier", d.partnership.member_multiplier).range(0, 100)
      .doc("Partnership-hazard multiplier for cluster members (matchmaking).");
  s.real("partnership.matchmaking_effect", d.partnership.matchmaking_effect).range(0, 100)
      .doc("Extra partnership-hazard multiplier for members from the cluster's matchmaking at full effect.");
  s.real("partnership.dissolve_rate_per_quarter", d.partnership.dissolve_rate_per_quarter).range(0, 1)
      .units("1/quarter").doc("Hazard that a partnership ends.");
  s.integer("partnership.candidates", d.partnership.candidates).range(1, 64).units("SMEs")
      .doc("Candidates sampled per partner search (bounded search, never all pairs).");
  s.real("partnership.same_cluster_share", d.partnership.same_cluster_share).range(0, 1)
      .doc("Share of a member's candidates drawn from its own cluster (the rest by the distance kernel).");
  s.real("partnership.distance_decay_km", d.partnership.distance_decay_km).range(1, 1e5).units("km")
      .doc("Candidate regions are weighted by SMEs x exp(-distance / decay).");
  s.real("partnership.cross_border_factor", d.partnership.cross_border_factor).range(0, 1)
      .doc("Extra weight on candidate regions in another country (institutional distance).");
  s.real("partnership.other_region_factor", d.partnership.other_region_factor).range(0, 1)
      .doc("Weight of other regions against the SME's own in partner search (cross-region ties are rarer).");
  s.real("partnership.related_sector_weight", d.partnership.related_sector_weight).range(0, 1)
      .doc("Acceptance weight of a candidate from a related ecosystem (same ecosystem = 1).");
  s.real("partnership.unrelated_sector_weight", d.partnership.unrelated_sector_weight).range(0, 1)
      .doc("Acceptance weight of a candidate from an unrelated ecosystem.");
  s.real("partnership.trust_shared_cluster", d.partnership.trust_shared_cluster).range(0, 100)
      .doc("Relative extra acceptance weight when both SMEs are in the same cluster (trust).");
  s.real("partnership.former_partner_share", d.partnership.former_partner_share).range(0, 1)
      .doc("Probability that a search first considers the SME's former partner (an earlier tie).");
  s.real("partnership.trust_former_partner", d.partnership.trust_former_partner).range(0, 100)
      .doc("Relative extra acceptance weight of a former partner (trust from an earlier tie).");

  // [skills]
  s.real("skills.investment_rate_per_quarter", d.skills.investment_rate_per_quarter).range(0, 1).units("1/quarter")
      .doc("Hazard that an SME invests in its staff's skills.");
  s.real("skills.gain", d.skills.gain).range(0, 1).doc("An investment closes this share of the gap to full skills (1).");
  s.real("skills.depreciation_per_quarter", d.skills.depreciation_per_quarter).range(0, 1).units("1/quarter")
      .doc("Share of skills lost per quarter.");
  s.real("skills.training_effect", d.skills.training_effect).range(0, 100)
      .doc("Extra investment-hazard multiplier for members from the cluster's training at full effect.");
  s.real("skills.productivity_effect_per_quarter", d.skills.productivity_effect_per_quarter).range(-1, 1)
      .units("1/quarter").doc("Extra log-productivity growth per quarter at full skills.");

  // [metacluster]
  const auto& mc = d.metacluster;
  s.real("metacluster.formation_rate_per_quarter", mc.formation_rate_per_quarter).range(0, 1).units("1/quarter")
      .doc("Hazard that a cluster with spare reserves seeks partner clusters for a meta-cluster.");
  s.integer("metacluster.candidates", mc.candidates).range(1, 100).units("clusters")
      .doc("Clusters sampled per search (related ecosystem, another region, spare reserves).");
  s.real("metacluster.spare_reserves_eur", mc.spare_reserves_eur).range(0, 1e9).units("EUR")
      .doc("Reserves a cluster needs to take part (spare capacity).");
  s.real("metacluster.seed_eur", mc.seed_eur).range(0, 1e9).units("EUR")
      .doc("Seed needed to found a meta-cluster, paid by the two founders from their reserves.");
  s.real("metacluster.seed_funding_multiplier", mc.seed_funding_multiplier).range(1, 1000)
      .doc("Formation hazard multiplier while outside seed funding is available.");
  s.real("metacluster.contribution_eur_per_quarter", mc.contribution_eur_per_quarter).range(0, 1e9)
      .units("EUR/quarter").doc("Each member cluster's contribution.");
  s.real("metacluster.coordination_cost_eur_per_quarter", mc.coordination_cost_eur_per_quarter).range(0, 1e9)
      .units("EUR/member/quarter").doc("Cost of a quarter of joint activity per member cluster; without it engagement decays.");
  s.real("metacluster.initial_engagement", mc.initial_engagement).range(0, 1).doc("Engagement of a new member cluster.");
  s.real("metacluster.engagement_gain_per_quarter", mc.engagement_gain_per_quarter).range(0, 1).units("1/quarter")
      .doc("Engagement gained in a quarter of joint activity.");
  s.real("metacluster.engagement_decay_per_quarter", mc.engagement_decay_per_quarter).range(0, 1).units("1/quarter")
      .doc("Share of engagement lost each quarter.");
  s.real("metacluster.leave_engagement", mc.leave_engagement).range(0, 1)
      .doc("A member cluster whose engagement falls below this leaves.");
  s.real("metacluster.partner_search_share", mc.partner_search_share).range(0, 1)
      .doc("Share of a member SME's candidates drawn from the other member clusters, times engagement.");
  s.real("metacluster.export_effect", mc.export_effect).range(0, 100)
      .doc("Relative export-entry gain for member SMEs (wider market reach), times engagement.");

  // [region]
  s.real("region.spillover_decay_km", d.region.spillover_decay_km).range(1, 1e5).units("km")
      .doc("Distance decay of interregional knowledge spillovers, w = exp(-d / decay).");
  s.real("region.spillover_share", d.region.spillover_share).range(0, 1)
      .doc("Weight of other regions' knowledge (distance-weighted) in the knowledge an SME can draw on.");
  s.real("region.knowledge_inflow_per_quarter", d.region.knowledge_inflow_per_quarter).range(0, 10)
      .units("knowledge/quarter").doc("Knowledge an SME absorbs per quarter per unit of accessible regional knowledge.");
  s.real("region.absorptive_more_developed", d.region.absorptive_more_developed).range(0, 10)
      .doc("Absorptive capacity of more developed regions (scales knowledge inflows).");
  s.real("region.absorptive_transition", d.region.absorptive_transition).range(0, 10)
      .doc("Absorptive capacity of transition regions.");
  s.real("region.absorptive_less_developed", d.region.absorptive_less_developed).range(0, 10)
      .doc("Absorptive capacity of less developed regions.");
  s.real("region.knowledge_growth_effect", d.region.knowledge_growth_effect).range(-1, 1).units("1/quarter")
      .doc("Extra SME log growth per unit of the region's knowledge relative to the EU mean, minus one.");
  s.real("region.demand_growth_effect", d.region.demand_growth_effect).range(-1, 1)
      .doc("Share of last quarter's regional turnover growth passed on to SMEs' growth (demand feedback).");
  s.integer("region.s3_priorities", d.region.s3_priorities).range(1, 14).units("sectors")
      .doc("Smart-specialisation priorities per region: its ecosystems with the highest location quotients.");

  // Mechanism switches, for experiments and for validating one mechanism in isolation.
  for (const char* section : kMechanismSections)
    s.boolean(std::string(section) + ".enabled", true).doc(std::string("Run the ") + section + " mechanism.");
  instruments::declare(s);
}

namespace {
BassParams read_bass(const config::Scenario& s, const std::string& which) {
  const std::string prefix = "adoption." + which + ".";
  return {s.real(prefix + "p_per_quarter"), s.real(prefix + "q_per_quarter"), s.real(prefix + "initial_share")};
}
}  // namespace

Params read(const config::Scenario& s) {
  Params p;
  p.instruments = s.elements("instruments");
  p.seed = static_cast<std::uint64_t>(s.integer("run.seed"));
  auto& pop = p.population;
  pop.smes = s.integer("population.smes");
  pop.regions = s.integer("population.regions");
  pop.clusters = s.integer("population.clusters");
  pop.regions_file = s.path("population.regions_file");
  pop.size_tail_exponent = s.real("population.size_tail_exponent");
  pop.max_initial_employees = s.real("population.max_initial_employees");
  pop.turnover_per_employee_eur_per_year = s.real("population.turnover_per_employee_eur_per_year");
  pop.productivity_sigma = s.real("population.productivity_sigma");
  pop.region_zipf_exponent = s.real("population.region_zipf_exponent");
  pop.region_specialisation_sigma = s.real("population.region_specialisation_sigma");

  p.growth = {s.real("growth.drift_per_quarter"),          s.real("growth.shock_sigma_per_quarter"),
              s.real("growth.innovation_boost_per_quarter"), s.real("growth.export_boost_per_quarter"),
              s.real("growth.digital_boost_per_quarter"),  s.real("growth.productivity_drift_per_quarter"),
              s.real("growth.productivity_sigma_per_quarter"), s.real("growth.productivity_effect_per_quarter")};
  p.exit = {s.real("exit.base_rate_per_quarter"), s.integer("exit.loss_quarters"),
            s.real("exit.loss_hazard_multiplier"), s.real("exit.min_employees")};
  p.entry.rate_per_quarter = s.real("entry.rate_per_quarter");
  p.entry.demand_elasticity = s.real("entry.demand_elasticity");
  p.entry.max_employees = s.real("entry.max_employees");
  p.membership.leave_rate_per_quarter = s.real("membership.leave_rate_per_quarter");
  p.membership.value_elasticity = s.real("membership.value_elasticity");
  p.membership.target_members_mean = s.real("membership.target_members_mean");
  p.membership.target_members_sigma = s.real("membership.target_members_sigma");
  p.membership.max_share_of_pool = s.real("membership.max_share_of_pool");
  auto& cl = p.clusters;
  cl.fee_eur_per_member_per_quarter = s.real("clusters.fee_eur_per_member_per_quarter");
  cl.public_funding_eur_per_quarter = s.real("clusters.public_funding_eur_per_quarter");
  cl.running_cost_eur_per_quarter = s.real("clusters.running_cost_eur_per_quarter");
  cl.service_spend_share_per_quarter = s.real("clusters.service_spend_share_per_quarter");
  cl.fold_after_quarters = s.integer("clusters.fold_after_quarters");
  cl.second_sector_share = s.real("clusters.second_sector_share");
  cl.mix_matchmaking = s.real("clusters.service_mix.matchmaking");
  cl.mix_training = s.real("clusters.service_mix.training");
  cl.mix_internationalisation = s.real("clusters.service_mix.internationalisation");
  cl.mix_joint_innovation = s.real("clusters.service_mix.joint_innovation");
  cl.mix_intelligence = s.real("clusters.service_mix.intelligence");
  cl.service_half_saturation_eur = s.real("clusters.service_half_saturation_eur");
  cl.service_value_per_eur = s.real("clusters.service_value_per_eur");
  cl.staff_cost_eur_per_quarter = s.real("clusters.staff_cost_eur_per_quarter");
  cl.experience_gain_per_quarter = s.real("clusters.experience_gain_per_quarter");
  cl.maturity_effect = s.real("clusters.maturity_effect");
  cl.bronze_score = s.real("clusters.maturity.bronze_score");
  cl.silver_score = s.real("clusters.maturity.silver_score");
  cl.gold_score = s.real("clusters.maturity.gold_score");
  auto& in = p.innovation;
  in.effort_per_quarter = s.real("innovation.effort_per_quarter");
  in.depreciation_per_quarter = s.real("innovation.depreciation_per_quarter");
  in.member_knowledge_bonus = s.real("innovation.member_knowledge_bonus");
  in.hazard_per_knowledge = s.real("innovation.hazard_per_knowledge");
  in.recent_quarters = s.integer("innovation.recent_quarters");
  in.process_hazard_per_knowledge = s.real("innovation.process_hazard_per_knowledge");
  in.partner_knowledge_per_quarter = s.real("innovation.partner_knowledge_per_quarter");
  in.joint_project_knowledge_per_quarter = s.real("innovation.joint_project_knowledge_per_quarter");
  auto& ex = p.exporting;
  ex.entry_rate_per_quarter = s.real("exporting.entry_rate_per_quarter");
  ex.exit_rate_per_quarter = s.real("exporting.exit_rate_per_quarter");
  ex.member_entry_multiplier = s.real("exporting.member_entry_multiplier");
  ex.initial_share = s.real("exporting.initial_share");
  ex.sunk_cost_eur = s.real("exporting.sunk_cost_eur");
  ex.service_cost_reduction = s.real("exporting.service_cost_reduction");
  ex.foreign_partner_cost_reduction = s.real("exporting.foreign_partner_cost_reduction");
  p.adoption.intelligence_effect = s.real("adoption.intelligence_effect");
  p.partnership.matchmaking_effect = s.real("partnership.matchmaking_effect");
  p.skills.investment_rate_per_quarter = s.real("skills.investment_rate_per_quarter");
  p.skills.gain = s.real("skills.gain");
  p.skills.depreciation_per_quarter = s.real("skills.depreciation_per_quarter");
  p.skills.training_effect = s.real("skills.training_effect");
  p.skills.productivity_effect_per_quarter = s.real("skills.productivity_effect_per_quarter");
  p.skills.enabled = s.boolean("skills.enabled");
  auto& mc = p.metacluster;
  mc.formation_rate_per_quarter = s.real("metacluster.formation_rate_per_quarter");
  mc.candidates = s.integer("metacluster.candidates");
  mc.spare_reserves_eur = s.real("metacluster.spare_reserves_eur");
  mc.seed_eur = s.real("metacluster.seed_eur");
  mc.seed_funding_multiplier = s.real("metacluster.seed_funding_multiplier");
  mc.contribution_eur_per_quarter = s.real("metacluster.contribution_eur_per_quarter");
  mc.coordination_cost_eur_per_quarter = s.real("metacluster.coordination_cost_eur_per_quarter");
  mc.initial_engagement = s.real("metacluster.initial_engagement");
  mc.engagement_gain_per_quarter = s.real("metacluster.engagement_gain_per_quarter");
  mc.engagement_decay_per_quarter = s.real("metacluster.engagement_decay_per_quarter");
  mc.leave_engagement = s.real("metacluster.leave_engagement");
  mc.partner_search_share = s.real("metacluster.partner_search_share");
  mc.export_effect = s.real("metacluster.export_effect");
  mc.enabled = s.boolean("metacluster.enabled");
  const std::string& peers = s.string("adoption.peers");
  p.adoption.peers = peers == "sector"     ? Peers::Sector
                     : peers == "cluster"  ? Peers::Cluster
                     : peers == "everyone" ? Peers::Everyone
                                           : Peers::Region;
  p.adoption.member_p_multiplier = s.real("adoption.member_p_multiplier");
  p.adoption.digital = read_bass(s, "digital");
  p.adoption.green = read_bass(s, "green");
  p.partnership.rate_per_quarter = s.real("partnership.rate_per_quarter");
  p.partnership.member_multiplier = s.real("partnership.member_multiplier");
  p.partnership.dissolve_rate_per_quarter = s.real("partnership.dissolve_rate_per_quarter");
  p.partnership.candidates = s.integer("partnership.candidates");
  p.partnership.same_cluster_share = s.real("partnership.same_cluster_share");
  p.partnership.distance_decay_km = s.real("partnership.distance_decay_km");
  p.partnership.cross_border_factor = s.real("partnership.cross_border_factor");
  p.partnership.other_region_factor = s.real("partnership.other_region_factor");
  p.partnership.related_sector_weight = s.real("partnership.related_sector_weight");
  p.partnership.unrelated_sector_weight = s.real("partnership.unrelated_sector_weight");
  p.partnership.trust_shared_cluster = s.real("partnership.trust_shared_cluster");
  p.partnership.former_partner_share = s.real("partnership.former_partner_share");
  p.partnership.trust_former_partner = s.real("partnership.trust_former_partner");
  p.region = {s.real("region.spillover_decay_km"),        s.real("region.spillover_share"),
              s.real("region.knowledge_inflow_per_quarter"), s.real("region.absorptive_more_developed"),
              s.real("region.absorptive_transition"),     s.real("region.absorptive_less_developed"),
              s.real("region.knowledge_growth_effect"),   s.real("region.demand_growth_effect"),
              s.integer("region.s3_priorities")};
  p.growth.enabled = s.boolean("growth.enabled");
  p.exit.enabled = s.boolean("exit.enabled");
  p.entry.enabled = s.boolean("entry.enabled");
  p.membership.enabled = s.boolean("membership.enabled");
  p.innovation.enabled = s.boolean("innovation.enabled");
  p.exporting.enabled = s.boolean("exporting.enabled");
  p.adoption.enabled = s.boolean("adoption.enabled");
  p.partnership.enabled = s.boolean("partnership.enabled");
  return p;
}

}  // namespace clustersim::model
