#pragma once
// Policy-instrument support reaching an SME (docs/MODEL.md, "Instruments"). The SME looks up
// the offers of its group — its cluster if it is a member, its (region, sector) cell if not —
// and with one uniform receives at most one of them; the offer's purpose decides the effect:
// innovation vouchers add knowledge, digital / green vouchers lead to adoption, skills
// support is a skills investment, internationalisation support lets the SME start exporting,
// a joint project adds knowledge and productivity and may tie the SME to a member of the
// partner cluster, a mobility visit (staff exchange) seeks a partner among the members of the
// partner cluster (another region). Ties go through the same request buffer as partnerships.

#include <cmath>

#include "engine/random/stream.hpp"
#include "models/cluster/mechanisms/context.hpp"
#include "models/cluster/mechanisms/partnership.hpp"

namespace clustersim::model::mechanism {

inline void support_tie(Smes& s, std::size_t i, const Offer& o, const StepContext& ctx, double accept,
                        std::vector<TieRequest>& out) {
  if (o.partner_cluster < 0) return;
  const auto id = static_cast<std::uint32_t>(s.table.id(i));
  const auto c = static_cast<std::size_t>(o.partner_cluster);
  const std::uint32_t first = ctx.search.cluster_start[c], n = ctx.search.cluster_start[c + 1] - first;
  if (n == 0) return;
  random::Stream rng(ctx.seed, id, static_cast<std::uint32_t>(ctx.step), purpose::kSupportSearch);
  const auto& candidate = ctx.search.cluster_entries[first + rng.below(n)];
  if (candidate.id == id || has_partner(s.partners[i], candidate.id) || !(rng.uniform() < accept)) return;
  out.push_back({id, candidate.id, static_cast<std::uint32_t>(i), candidate.row, TieRequest::kForm});
}

/// Book-keeping of a support before it acts: deadweight (the SME had already reached the
/// purpose's outcome — recent innovation for innovation and joint projects, adoption for
/// digital and green, exporting for internationalisation, a skills investment this quarter
/// for skills, a partner for mobility; coaching has none) and the instrument's memory of the
/// SMEs it has supported (distinct SMEs, support.hpp).
inline void record_support(Smes& s, std::size_t i, const Offer& o, const StepContext& ctx) {
  bool already = false;
  switch (o.purpose) {
    case Purpose::Innovation:
    case Purpose::JointProject:
      already = s.quarters_since_innovation[i] < ctx.params.innovation.recent_quarters;
      break;
    case Purpose::Digital: already = (s.flags[i] & flag::kDigital) != 0; break;
    case Purpose::Green: already = (s.flags[i] & flag::kGreen) != 0; break;
    case Purpose::Skills: already = (s.events[i] & event::kSkillsInvestment) != 0; break;
    case Purpose::Internationalisation: already = (s.flags[i] & flag::kExporting) != 0; break;
    case Purpose::Mobility: already = s.partner_count(i) > 0; break;
    case Purpose::Mentoring:
    case Purpose::kCount: break;
  }
  if (already) s.events[i] |= event::kDeadweight;
  ctx.messages.offers.mark_supported(o.instrument, s.table.id(i));
}

/// The offer SME i takes up this quarter, or nullptr: the draw among its group's offers and the
/// co-financing check. It is only a claim: the model takes up at most as many claims per
/// instrument as its awards can still pay for (model.cpp, ration_support_claims), and only
/// then does apply_support() mark the SME as supported and let the support act.
inline const Offer* choose_support(const Smes& s, std::size_t i, const Draws& u, const StepContext& ctx) {
  const SupportOffers& offers = ctx.messages.offers;
  const std::int32_t cluster = s.cluster[i];
  const Offer *first, *last;
  if (cluster != kNoCluster) {
    const auto c = static_cast<std::size_t>(cluster);
    first = offers.member.data() + offers.member_start[c];
    last = offers.member.data() + offers.member_start[c + 1];
  } else {
    const std::size_t cell = ctx.world.cell(s.region[i], s.sector[i]);
    first = offers.cell.data() + offers.cell_start[cell];
    last = offers.cell.data() + offers.cell_start[cell + 1];
  }
  if (first == last) return nullptr;
  double draw = u[purpose::slot::kSupport];
  // Selection (selection.hpp): applying and being awarded depend on the SME's score relative to
  // its group's (its cluster's members, or its cell's free non-members).
  const auto& sel = ctx.params.selection;
  if (ctx.messages.selection.enabled && sel.support_weight > 0) {
    const float mean = cluster != kNoCluster ? ctx.messages.selection_cluster_mean[static_cast<std::size_t>(cluster)]
                                             : ctx.messages.selection_cell_mean[ctx.world.cell(s.region[i], s.sector[i])];
    draw /= 1.0 - sel.support_weight +
            sel.support_weight * static_cast<double>(selection_score(s, i, ctx.messages.selection)) / static_cast<double>(mean);
  }
  const float employees = s.employees[i];
  double acc = 0;
  const Offer* got = nullptr;
  for (const Offer* o = first; o != last; ++o) {
    if (!((o->sector_mask >> s.sector[i]) & 1u) || employees < o->min_employees || employees > o->max_employees) continue;
    acc += o->probability;
    if (draw < acc) {
      got = o;
      break;
    }
  }
  if (got == nullptr) return nullptr;
  // The SME pays the private co-financing of the support from its own funds (docs/MODEL.md
  // 3.13): a quarter's turnover x cofinance.sme_own_funds_quarters; short of it, it declines.
  if (got->copay_eur > 0 && static_cast<double>(employees) * static_cast<double>(s.productivity_eur_per_year[i]) /
                                    4.0 * ctx.params.cofinance.sme_own_funds_quarters <
                                static_cast<double>(got->copay_eur))
    return nullptr;
  return got;
}

/// Support offer `o` reaches SME i (a claim the instrument can pay for): the support column,
/// the instrument's book-keeping and the purpose's effect.
inline void apply_support(Smes& s, std::size_t i, const Offer& o, const Draws& u, const StepContext& ctx,
                          std::vector<TieRequest>& out) {
  s.support[i] = encode_support(o.instrument, o.purpose, o.outside);
  record_support(s, i, o, ctx);
  const double effect_draw = u[purpose::slot::kSupportEffect];
  switch (o.purpose) {
    case Purpose::Innovation: s.knowledge[i] += o.strength; break;
    case Purpose::Digital:
      if (effect_draw < o.strength) s.flags[i] |= flag::kDigital;
      break;
    case Purpose::Green:
      if (effect_draw < o.strength) s.flags[i] |= flag::kGreen;
      break;
    case Purpose::Skills:
      s.skills[i] += static_cast<float>(ctx.params.skills.gain) * o.strength * (1.0f - s.skills[i]);
      s.events[i] |= event::kSkillsInvestment;
      break;
    case Purpose::Internationalisation:
      if (!(s.flags[i] & flag::kExporting) && effect_draw < o.strength) {
        s.flags[i] |= flag::kExporting;
        s.events[i] |= event::kStartedExporting;
      }
      break;
    case Purpose::JointProject:
      s.knowledge[i] += o.strength;
      s.productivity_eur_per_year[i] *= 1.0f + 0.1f * o.strength;
      support_tie(s, i, o, ctx, 0.5, out);
      break;
    case Purpose::Mobility: support_tie(s, i, o, ctx, o.strength, out); break;
    case Purpose::Mentoring:
      // Coaching of a consortium's entrepreneurs: commercial know-how, modelled as skills.
      s.skills[i] += static_cast<float>(ctx.params.skills.gain) * o.strength * (1.0f - s.skills[i]);
      break;
    case Purpose::kCount: break;  // not a purpose
  }
}

}  // namespace clustersim::model::mechanism
