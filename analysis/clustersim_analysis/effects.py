"""Paired effects (scenario minus baseline, replicate by replicate) and cost per outcome.

Stocks ("step: point") are compared at the step; flows ("step: sum") are cumulated from
step 1, so an effect at the horizon h is the extra total over quarters 1..h.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import xarray as xr

from .indicators import FLOW, GROUP_TYPES, aggregate, common_replicates, has_sector, lookup
from .io import Inputs
from .stats import bootstrap_ratio, t_interval

CLUSTER_FUNDING = "cluster core funding"
# Public money: the instruments' public sources and the clusters' own public core funding
# (clusters.public_funding_eur_per_quarter to every active cluster, outside any instrument),
# so moving money from one to the other (scenarios/reallocation.toml) is seen as such.
PUBLIC_SOURCES = ("eu", "national", "regional", CLUSTER_FUNDING)
NO_SPENDING = "no instrument spending recorded"
NO_SOURCE_SPLIT = "all (no source split)"
# A comparison that moves money between public sources with a net change within this share
# of the money moved is budget-neutral: a cost per outcome would divide by noise (e.g.
# "-108.5 EUR per SME supported" for a reallocation).
BUDGET_NEUTRAL_SHARE = 0.01


def paired_effect(base: xr.DataArray, scen: xr.DataArray) -> dict[str, np.ndarray]:
    """Scenario minus baseline per replicate, then mean and 95 % t-interval over replicates.
    Inputs are (replicate, ...) arrays aligned on the same replicate indices."""
    diff = scen.values - base.values
    mean, lo, hi, n = t_interval(diff, axis=0)
    bmean = np.nanmean(base.values, axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        rel = np.where(bmean != 0, 100.0 * mean / np.abs(bmean), np.nan)
    return {"baseline_mean": bmean, "scenario_mean": np.nanmean(scen.values, axis=0),
            "effect_mean": mean, "effect_ci_low": lo, "effect_ci_high": hi,
            "relative_effect_pct": rel, "n_replicates": n}


def paired(inputs: Inputs, name: str) -> tuple[xr.Dataset, xr.Dataset]:
    """The baseline and scenario ``name`` on the replicates they share."""
    base_ds, ds = inputs.scenarios[inputs.baseline], inputs.scenarios[name]
    reps = common_replicates(base_ds, ds)
    return base_ds.sel(replicate=reps), ds.sel(replicate=reps)


def effects_table(inputs: Inputs, indicators: list[str]) -> pd.DataFrame:
    """Long table: one row per (scenario, indicator, group_type, group, step)."""
    frames = []
    for name in inputs.others:
        b_ds, s_ds = paired(inputs, name)
        for ind_name in indicators:
            ind = lookup(b_ds, ind_name)
            for gt in GROUP_TYPES:
                if gt == "sector" and not (has_sector(ind, b_ds) and has_sector(ind, s_ds)):
                    continue
                b = aggregate(b_ds, ind, gt, horizon_view=True)
                s = aggregate(s_ds, ind, gt, horizon_view=True)
                res = paired_effect(b, s)
                idx = pd.MultiIndex.from_product([b["step"].values, [str(g) for g in b["group"].values]],
                                                 names=["step", "group"])
                df = pd.DataFrame({k: np.asarray(v, float).ravel() for k, v in res.items()}, index=idx).reset_index()
                for col, value in (("group_type", gt), ("kind", ind.kind), ("label", ind.label),
                                   ("units", ind.units), ("indicator", ind_name), ("scenario", name)):
                    df.insert(0, col, value)
                frames.append(df)
    out = pd.concat(frames, ignore_index=True)
    out["n_replicates"] = out["n_replicates"].astype(int)
    out["significant"] = (out["effect_ci_low"] > 0) | (out["effect_ci_high"] < 0)
    return out


# ---------------------------------------------------------------- cost-effectiveness

def cluster_core_funding(ds: xr.Dataset, horizon: int) -> xr.DataArray | None:
    """Public core funding of cluster organisations over quarters 1..horizon, (replicate,):
    clusters.public_funding_eur_per_quarter (from the resolved scenario) per active cluster."""
    import tomllib
    try:
        rate = tomllib.loads(str(ds.attrs.get("scenario", ""))).get("clusters", {}).get("public_funding_eur_per_quarter")
    except tomllib.TOMLDecodeError:
        rate = None
    if rate is None or "cluster_active" not in ds.variables:
        return None
    steps = ds["step"].values
    active = ds["cluster_active"].isel(step=(steps >= 1) & (steps <= horizon)).fillna(0)
    return float(rate) * active.sum(["step", "cluster"])


def spend_by_source(ds: xr.Dataset, horizon: int) -> xr.DataArray | None:
    """Spending over quarters 1..horizon and all instruments, (replicate, source), plus the
    clusters' core funding when known; None if no instrument spending is recorded.
    ``instrument_spent*_eur`` is the money disbursed in the quarter."""
    steps = ds["step"].values
    sel = (steps >= 1) & (steps <= horizon)
    parts = []
    if "instrument_spent_by_source_eur" in ds.variables:
        da = ds["instrument_spent_by_source_eur"].isel(step=sel).sum(["step", "instrument"])
        parts.append(da.assign_coords(source=[str(s) for s in da["source"].values]))
    elif "instrument_spent_eur" in ds.variables:
        da = ds["instrument_spent_eur"].isel(step=sel).sum(["step", "instrument"])
        parts.append(da.expand_dims(source=[NO_SOURCE_SPLIT], axis=-1))
    core = cluster_core_funding(ds, horizon)
    if core is not None:
        parts.append(core.expand_dims(source=[CLUSTER_FUNDING], axis=-1))
    return xr.concat(parts, dim="source").transpose("replicate", "source") if parts else None


def has_instrument_spending(ds: xr.Dataset) -> bool:
    return "instrument_spent_by_source_eur" in ds.variables or "instrument_spent_eur" in ds.variables


def _window(ds, horizon):
    steps = ds["step"].values
    return (steps >= 1) & (steps <= horizon)


DISTINCT = "instrument_smes_supported_distinct"  # a stock: each firm once per instrument, since step 1


def _beneficiaries(ds, horizon):
    """Distinct SMEs supported since step 1, at the horizon, summed over instruments (an SME
    supported by two instruments counts once for each)."""
    if DISTINCT not in ds.variables:
        return None
    return ds[DISTINCT].sel(step=horizon).sum("instrument").values.astype(float)


def _support_quarters(ds, horizon):
    """SME-quarters of support: the fallback for files without the distinct count."""
    if "instrument_smes_supported" not in ds.variables or DISTINCT in ds.variables:
        return None
    da = ds["instrument_smes_supported"].isel(step=_window(ds, horizon))
    return da.sum([d for d in da.dims if d != "replicate"]).values.astype(float)


def _partnerships(ds, horizon):
    """Ties held at the horizon; sme_partnerships counts each tie at both ends."""
    if "sme_partnerships" not in ds.variables:
        return None
    return ds["sme_partnerships"].sel(step=horizon).sum("region").values.astype(float) / 2.0


def _smes_partnering(ds, horizon):
    if "sme_partnerships" in ds.variables:
        return None  # the better measure above is available
    return ds["partnerships_concluded"].isel(step=_window(ds, horizon)).sum(["step", "region"]).values.astype(float)


def _product_innovations(ds, horizon):
    """New-to-firm products only (smes_innovating also counts process innovation)."""
    if "smes_product_innovation" not in ds.variables:
        return None
    return ds["smes_product_innovation"].isel(step=_window(ds, horizon)).sum(["step", "region"]).values.astype(float)


def _jobs(ds, horizon):
    return ds["employment"].sel(step=horizon).sum("region").values.astype(float)


# (key, label, units, measured as, function(ds, horizon) -> (replicate,) or None, note when None)
OUTCOMES = [
    ("beneficiary", "per additional SME supported (distinct)", "EUR/SME",
     f"{DISTINCT} at the horizon: distinct SMEs each instrument supported since step 1, summed over "
     "instruments (an SME supported by two instruments counts twice)", _beneficiaries,
     f"{DISTINCT} not recorded (a file from before it existed): no cost per distinct SME; the "
     "SME-quarter row counts an SME once for every quarter it was supported"),
    ("support_quarter", "per additional SME-quarter of support (older file: no distinct count)", "EUR/SME-quarter",
     "instrument_smes_supported summed over quarters 1..h (an SME supported in 3 quarters counts 3 times)",
     _support_quarters, None),
    ("partnership", "per additional partnership", "EUR/partnership",
     "sme_partnerships / 2 at the horizon (ties held, each counted once)", _partnerships, None),
    ("sme_partnering", "per additional SME concluding a partnership", "EUR/SME",
     "partnerships_concluded summed over quarters 1..h (no sme_partnerships in the file)", _smes_partnering, None),
    ("new_to_firm_product", "per additional new-to-firm product innovation", "EUR/innovation",
     "smes_product_innovation summed over quarters 1..h (process innovation not counted)", _product_innovations,
     "smes_product_innovation not recorded (smes_innovating would also count process innovation)"),
    ("job", "per additional job", "EUR/FTE", "employment at the horizon", _jobs, None),
]
COST_COLUMNS = ["scenario", "horizon_step", "outcome", "label", "measured_as", "source", "additional_spending_eur",
                "additional_outcome", "outcome_ci_low", "outcome_ci_high", "outcome_significant",
                "eur_per_outcome", "eur_per_outcome_ci_low", "eur_per_outcome_ci_high", "units", "status"]


def _spending_pair(b_ds, s_ds, horizon):
    """Baseline and scenario spending aligned on the same sources, or None."""
    if not (has_instrument_spending(s_ds) or has_instrument_spending(b_ds)):
        return None
    s, b = spend_by_source(s_ds, horizon), spend_by_source(b_ds, horizon)
    s = xr.zeros_like(b) if s is None else s
    b = xr.zeros_like(s) if b is None else b
    sources = sorted(set(map(str, s["source"].values)) | set(map(str, b["source"].values)))
    return (b.reindex(source=sources, fill_value=0.0).transpose("replicate", "source"),
            s.reindex(source=sources, fill_value=0.0).transpose("replicate", "source"))


def _spend_sets(b, s, name, notes):
    """(source label, per-replicate extra spending, status that replaces the ratio or None)
    for the public total and each source whose spending the scenario changed."""
    sources = [str(x) for x in s["source"].values]
    split = NO_SOURCE_SPLIT not in sources
    if not split:
        notes.append(f"'{name}': spending has no funding-source split; all instrument spending is counted as public.")
    public = [i for i, src in enumerate(sources) if src in PUBLIC_SOURCES or not split]
    d = s.values - b.values
    net = float(np.mean(d[:, public].sum(axis=1)))
    moved = float(np.sum(np.abs(np.mean(d[:, public], axis=0)))) / 2  # money shifted between sources
    neutral = moved > 0 and abs(net) <= BUDGET_NEUTRAL_SHARE * moved
    if neutral:
        notes.append(f"'{name}': budget-neutral against the baseline (EUR {moved:,.0f} moved between public "
                     f"sources, net change within {BUDGET_NEUTRAL_SHARE:.0%} of it): no cost per outcome; "
                     "compare the effects directly.")
    total = d[:, public].sum(axis=1)
    forced = "budget-neutral" if neutral else None
    sets = [("public (all)", total, forced)]
    if split:
        changed = [i for i, src in enumerate(sources) if np.any(d[:, i] != 0)]  # an unchanged source says nothing
        if len(changed) == 1 and changed[0] in public and np.array_equal(d[:, changed[0]], total):
            return sets  # one source made the whole change: its row would repeat the total's
        # When public spending did not rise (money moved between sources, or saved), what
        # one public source gained is not a cost of the outcome: no ratio for it.
        if forced is None and float(np.mean(total)) <= 0 and len(changed) > 1:
            forced = "reallocation"
        for i in changed:
            sets.append((sources[i], d[:, i], forced if i in public else None))
    return sets


def _ratio(dc, dy, ymean, ylo, yhi, forced, rng):
    """Point, interval and status of one cost-per-outcome cell; `forced`: a status that
    replaces the ratio (budget-neutral, reallocation)."""
    if forced:
        return np.nan, np.nan, np.nan, forced
    if np.mean(dc) <= 0:
        return np.nan, np.nan, np.nan, "no additional spending"
    if ymean <= 0:
        # Money spent for no additional outcome has no cost per outcome; a negative ratio
        # would read as a saving.
        return np.nan, np.nan, np.nan, "outcome did not increase"
    if not (ylo > 0 or yhi < 0):
        # The outcome may not have changed at all: a ratio over it would read as a cost
        # (EUR 6.6 M per job for +0.2 [-6, 6.6] jobs) and has no finite bound.
        return np.nan, np.nan, np.nan, "outcome interval includes 0"
    point, lo, hi = bootstrap_ratio(dc, dy, rng)
    return point, lo, hi, "ratio"


def cost_effectiveness(inputs: Inputs, horizon: int, seed: int = 12345) -> tuple[pd.DataFrame, list[str]]:
    """Additional public euros per additional outcome, overall and by funding source."""
    rows, notes = [], []
    rng = np.random.default_rng(seed)
    for name in inputs.others:
        b_ds, s_ds = paired(inputs, name)
        pair = _spending_pair(b_ds, s_ds, horizon)
        if pair is None:
            notes.append(f"'{name}': {NO_SPENDING} (no instrument_spent_eur in either file); "
                         "cost-effectiveness is not computed.")
            continue
        spend_sets = _spend_sets(*pair, name, notes)
        for key, label, units, measure, outcome, missing_note in OUTCOMES:
            yb, ys = outcome(b_ds, horizon), outcome(s_ds, horizon)
            if yb is None and ys is None:
                if missing_note:
                    notes.append(f"'{name}': {missing_note}; cost {label} skipped.")
                continue
            yb = np.zeros_like(ys) if yb is None else yb
            ys = np.zeros_like(yb) if ys is None else ys
            dy = ys - yb
            ymean, ylo, yhi, _ = t_interval(dy)
            for source, dc, forced in spend_sets:
                point, lo, hi, status = _ratio(dc, dy, ymean, ylo, yhi, forced, rng)
                rows.append(dict(zip(COST_COLUMNS, [
                    name, horizon, key, label, measure, source, float(np.mean(dc)), float(ymean), float(ylo),
                    float(yhi), bool(ylo > 0 or yhi < 0), float(point), lo, hi, units, status])))
    return pd.DataFrame(rows, columns=COST_COLUMNS), notes
