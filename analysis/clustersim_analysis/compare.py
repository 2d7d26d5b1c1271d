"""Scenario against baseline: paired effects, cost-effectiveness, regional convergence.

Usage: scripts/compare BASELINE.h5 SCENARIO.h5 [...] -o REPORT_DIR
       scripts/compare SWEEP.h5 -o REPORT_DIR        (a merged sweep; baseline = 'baseline')
"""
from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import xarray as xr

from . import AnalysisError, USAGE_EXIT_CODE
from .indicators import GROUP_TYPES, HEADLINE, INDICATORS, aggregate, common_replicates, has_sector, region_ratio, variables_of
from .io import AtomicDir, Inputs, load_inputs, require_variables
from .stats import bootstrap_ratio, ols_slope, t_interval

PUBLIC_SOURCES = ("eu", "national", "regional")
NO_SPENDING = "no instrument spending recorded"
STEPS_PER_YEAR = 4


# ---------------------------------------------------------------- effects

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


def effects_table(inputs: Inputs, indicators: list[str]) -> pd.DataFrame:
    """Long table: one row per (scenario, indicator, group_type, group, step)."""
    frames = []
    base_ds = inputs.scenarios[inputs.baseline]
    for name in inputs.others:
        ds = inputs.scenarios[name]
        reps = common_replicates(base_ds, ds)
        b_ds, s_ds = base_ds.sel(replicate=reps), ds.sel(replicate=reps)
        for ind_name in indicators:
            ind = INDICATORS[ind_name]
            for gt in GROUP_TYPES:
                if gt == "sector" and not (has_sector(ind, b_ds) and has_sector(ind, s_ds)):
                    continue
                b = aggregate(b_ds, ind, gt)
                s = aggregate(s_ds, ind, gt)
                res = paired_effect(b, s)
                steps = b["step"].values
                groups = [str(g) for g in b["group"].values]
                idx = pd.MultiIndex.from_product([steps, groups], names=["step", "group"])
                df = pd.DataFrame({k: np.asarray(v, float).ravel() for k, v in res.items()}, index=idx).reset_index()
                df.insert(0, "group_type", gt)
                df.insert(0, "units", ind.units)
                df.insert(0, "indicator", ind_name)
                df.insert(0, "scenario", name)
                frames.append(df)
    out = pd.concat(frames, ignore_index=True)
    out["n_replicates"] = out["n_replicates"].astype(int)
    out["significant"] = (out["effect_ci_low"] > 0) | (out["effect_ci_high"] < 0)
    return out


# ---------------------------------------------------------------- cost-effectiveness

def _spend_by_source(ds: xr.Dataset, horizon: int) -> xr.DataArray | None:
    """Cumulative spending to the horizon, (replicate, source); None if not recorded.
    Spending is a per-quarter flow, summed over steps 1..horizon and all instruments."""
    window = ds["step"].values
    sel = (window >= 1) & (window <= horizon)
    if "instrument_spent_by_source_eur" in ds.variables:
        da = ds["instrument_spent_by_source_eur"].isel(step=sel).sum(["step", "instrument"])
        da = da.assign_coords(source=[str(s) for s in da["source"].values])
        return da
    if "instrument_spent_eur" in ds.variables:
        da = ds["instrument_spent_eur"].isel(step=sel).sum(["step", "instrument"])
        return da.expand_dims(source=["all (no source split)"], axis=-1)
    return None


OUTCOMES = [  # (key, label, units, how the additional outcome is measured)
    ("smes_supported", "per SME supported", "EUR/SME", "cumulative instrument_smes_supported"),
    ("partnership", "per additional partnership", "EUR/partnership", "cumulative partnerships_concluded"),
    ("new_to_firm_product", "per additional SME with a new-to-firm product", "EUR/SME", "smes_innovating at horizon"),
    ("job", "per additional job", "EUR/FTE", "employment at horizon"),
]


def _outcome(ds: xr.Dataset, key: str, horizon: int) -> np.ndarray | None:
    steps = ds["step"].values
    window = (steps >= 1) & (steps <= horizon)
    if key == "smes_supported":
        if "instrument_smes_supported" not in ds.variables:
            return None
        da = ds["instrument_smes_supported"].isel(step=window)
        return da.sum([d for d in da.dims if d != "replicate"]).values.astype(float)
    if key == "partnership":
        return ds["partnerships_concluded"].isel(step=window).sum(["step", "region"]).values.astype(float)
    var = {"new_to_firm_product": "smes_innovating", "job": "employment"}[key]
    return ds[var].sel(step=horizon).sum("region").values.astype(float)


def cost_effectiveness(inputs: Inputs, horizon: int, seed: int = 12345) -> tuple[pd.DataFrame, list[str]]:
    """Additional public euros per additional outcome, overall and by funding source."""
    rows, notes = [], []
    base_ds = inputs.scenarios[inputs.baseline]
    rng = np.random.default_rng(seed)
    for name in inputs.others:
        ds = inputs.scenarios[name]
        reps = common_replicates(base_ds, ds)
        b_ds, s_ds = base_ds.sel(replicate=reps), ds.sel(replicate=reps)
        s_spend = _spend_by_source(s_ds, horizon)
        b_spend = _spend_by_source(b_ds, horizon)
        if s_spend is None and b_spend is None:
            notes.append(f"'{name}': {NO_SPENDING} (no instrument_spent_eur in either file); "
                         "cost-effectiveness is not computed.")
            continue
        if s_spend is None:
            s_spend = xr.zeros_like(b_spend)
        if b_spend is None:
            b_spend = xr.zeros_like(s_spend)
        sources = sorted(set(map(str, s_spend["source"].values)) | set(map(str, b_spend["source"].values)))
        s_spend = s_spend.reindex(source=sources, fill_value=0.0)
        b_spend = b_spend.reindex(source=sources, fill_value=0.0)
        d_spend = (s_spend - b_spend).transpose("replicate", "source").values
        split_known = "all (no source split)" not in sources
        public_cols = [i for i, s in enumerate(sources) if (s in PUBLIC_SOURCES or not split_known)]
        if not split_known:
            notes.append(f"'{name}': spending has no funding-source split; all instrument spending is "
                         "counted as public.")
        spend_sets = [("public (all)", d_spend[:, public_cols].sum(axis=1))]
        spend_sets += [(s, d_spend[:, i]) for i, s in enumerate(sources) if split_known]
        for key, label, units, measure in OUTCOMES:
            yb, ys = _outcome(b_ds, key, horizon), _outcome(s_ds, key, horizon)
            if yb is None and ys is None:
                notes.append(f"'{name}': {key} not recorded (no instrument_smes_supported); cost {label} skipped.")
                continue
            yb = np.zeros_like(ys) if yb is None else yb
            ys = np.zeros_like(yb) if ys is None else ys
            dy = ys - yb
            ymean, ylo, yhi, _ = t_interval(dy)
            outcome_sig = bool(ylo > 0 or yhi < 0)
            for source, dc in spend_sets:
                point, lo, hi = bootstrap_ratio(dc, dy, rng)
                if not outcome_sig:
                    lo = hi = np.nan  # a ratio over an outcome that may be zero has no finite bound
                if ymean <= 0:
                    # Money spent for no additional outcome has no cost per outcome; a negative
                    # ratio would read as a saving. The table says "outcome did not increase".
                    point = lo = hi = np.nan
                rows.append({"scenario": name, "horizon_step": horizon, "outcome": key, "label": label,
                             "measured_as": measure, "source": source,
                             "additional_spending_eur": float(np.mean(dc)),
                             "additional_outcome": float(ymean), "outcome_ci_low": float(ylo),
                             "outcome_ci_high": float(yhi), "outcome_significant": outcome_sig,
                             "eur_per_outcome": float(point), "eur_per_outcome_ci_low": lo,
                             "eur_per_outcome_ci_high": hi, "units": units})
    columns = ["scenario", "horizon_step", "outcome", "label", "measured_as", "source", "additional_spending_eur",
               "additional_outcome", "outcome_ci_low", "outcome_ci_high", "outcome_significant",
               "eur_per_outcome", "eur_per_outcome_ci_low", "eur_per_outcome_ci_high", "units"]
    return pd.DataFrame(rows, columns=columns), notes


# ---------------------------------------------------------------- convergence

CONVERGENCE_MEASURES = {
    "productivity_eur_per_fte": ("turnover_eur", "employment", "regional productivity (EUR/FTE/quarter)"),
    "turnover_per_sme_eur": ("turnover_eur", "smes_active", "regional turnover per SME (EUR/SME/quarter)"),
}


def sigma_series(ds: xr.Dataset, measure: str) -> xr.DataArray:
    """Standard deviation over regions of the log of the measure: (replicate, step)."""
    num, den, _ = CONVERGENCE_MEASURES[measure]
    logy = np.log(region_ratio(ds, num, den).where(lambda y: y > 0))
    return logy.std("region", ddof=1, skipna=True)


def beta_coefficients(ds: xr.Dataset, measure: str, horizon: int) -> np.ndarray:
    """Per replicate: OLS slope of yearly log growth from step 0 to the horizon on the
    initial log level (negative = poorer regions grow faster)."""
    num, den, _ = CONVERGENCE_MEASURES[measure]
    y = region_ratio(ds, num, den).where(lambda v: v > 0)
    y0 = np.log(y.sel(step=ds["step"].values[0]).values)
    yh = np.log(y.sel(step=horizon).values)
    years = (horizon - int(ds["step"].values[0])) / STEPS_PER_YEAR
    growth = (yh - y0) / years
    return np.array([ols_slope(y0[r], growth[r]) for r in range(y0.shape[0])])


@dataclass
class Convergence:
    sigma: pd.DataFrame                  # over time, per scenario and measure
    beta: pd.DataFrame                   # per scenario and measure
    sigma_raw: dict = field(default_factory=dict)   # (scenario, measure) -> dict for plots


def convergence(inputs: Inputs, horizon: int) -> Convergence:
    base_ds = inputs.scenarios[inputs.baseline]
    sig_rows, beta_rows, raw = [], [], {}
    for name in inputs.others:
        ds = inputs.scenarios[name]
        reps = common_replicates(base_ds, ds)
        b_ds, s_ds = base_ds.sel(replicate=reps), ds.sel(replicate=reps)
        for measure in CONVERGENCE_MEASURES:
            sb, ss = sigma_series(b_ds, measure), sigma_series(s_ds, measure)
            eff = paired_effect(sb, ss)
            bm, blo, bhi, _ = t_interval(sb.values)
            sm, slo, shi, _ = t_interval(ss.values)
            steps = sb["step"].values
            raw[(name, measure)] = {"step": steps, "baseline": (bm, blo, bhi), "scenario": (sm, slo, shi),
                                    "effect": (eff["effect_mean"], eff["effect_ci_low"], eff["effect_ci_high"])}
            sig_rows.append(pd.DataFrame({
                "scenario": name, "measure": measure, "step": steps,
                "sigma_baseline": bm, "sigma_baseline_ci_low": blo, "sigma_baseline_ci_high": bhi,
                "sigma_scenario": sm, "sigma_scenario_ci_low": slo, "sigma_scenario_ci_high": shi,
                "sigma_effect": eff["effect_mean"], "sigma_effect_ci_low": eff["effect_ci_low"],
                "sigma_effect_ci_high": eff["effect_ci_high"]}))
            if horizon > steps[0]:
                bb, bs = beta_coefficients(b_ds, measure, horizon), beta_coefficients(s_ds, measure, horizon)
                row = {"scenario": name, "measure": measure, "horizon_step": horizon}
                for label, x in (("baseline", bb), ("scenario", bs), ("effect", bs - bb)):
                    m, lo, hi, _ = t_interval(x)
                    row.update({f"beta_{label}": float(m), f"beta_{label}_ci_low": float(lo),
                                f"beta_{label}_ci_high": float(hi)})
                beta_rows.append(row)
    return Convergence(pd.concat(sig_rows, ignore_index=True), pd.DataFrame(beta_rows), raw)


# ---------------------------------------------------------------- command

def parse_args(argv):
    p = argparse.ArgumentParser(
        prog="scripts/compare",
        description="Compare clustersim scenarios against a baseline, replicate by replicate: "
                    "effects with 95%% intervals (EU total, development level, region, sector), cost per "
                    "additional outcome by funding source, and sigma/beta regional convergence. Writes "
                    "CSV tables, summary.md, PNG plots and one self-contained report.html.",
        epilog="Examples:\n  scripts/compare out/baseline.h5 out/vouchers.h5 -o out/report\n"
               "  scripts/compare out/sweep.h5 -o out/report --horizon 20\n"
               "Exit codes: 0 ok, 2 bad input or options (nothing written), 1 other failure.",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("inputs", nargs="+", metavar="FILE.h5",
                   help="run files (the first is the baseline unless --baseline names one) or a merged sweep")
    p.add_argument("-o", "--output", required=True, metavar="REPORT_DIR",
                   help="report directory (replaced atomically if it exists)")
    p.add_argument("--baseline", help="name of the baseline scenario (file name without .h5, or the "
                                      "scenario name in a merged sweep; default: first file / 'baseline')")
    p.add_argument("--horizon", type=int, metavar="STEP", help="step for the horizon tables (default: last)")
    p.add_argument("--indicators", help="comma-separated indicators (default: all); known: " + ", ".join(INDICATORS))
    p.add_argument("--regions-over-time", action="store_true",
                   help="also write every region's effect at every step (large)")
    return p.parse_args(argv)


def run(argv=None) -> int:
    args = parse_args(argv)
    try:
        inputs = load_inputs(args.inputs, args.baseline)
        base = inputs.scenarios[inputs.baseline]
        if args.indicators:
            names = [s.strip() for s in args.indicators.split(",") if s.strip()]
            unknown = [n for n in names if n not in INDICATORS]
            if unknown:
                raise AnalysisError(f"--indicators: unknown indicator(s) {', '.join(unknown)}; "
                                    f"known: {', '.join(INDICATORS)}")
        else:
            names = list(INDICATORS)
        require_variables(inputs, sorted({v for n in names for v in variables_of(INDICATORS[n])}
                                         | {"partnerships_concluded", "smes_innovating", "employment",
                                            "turnover_eur", "smes_active", "region_development_level"}))
        steps = base["step"].values
        horizon = int(steps[-1]) if args.horizon is None else args.horizon
        if horizon not in steps:
            raise AnalysisError(f"--horizon {horizon}: not a step of the runs ({steps[0]}..{steps[-1]})")
        effects = effects_table(inputs, names)
        costs, cost_notes = cost_effectiveness(inputs, horizon)
        conv = convergence(inputs, horizon)
        inputs.notes.extend(cost_notes)
        from .report import write_report
        with AtomicDir(args.output) as tmp:
            write_report(tmp, inputs, effects, costs, conv, horizon, names, args.regions_over_time)
    except AnalysisError as exc:
        print(f"compare: error: {exc}", file=sys.stderr)
        return USAGE_EXIT_CODE
    print(f"compare: report written to {args.output}/report.html "
          f"({len(inputs.others)} scenario(s) vs '{inputs.baseline}', horizon step {horizon})")
    return 0


if __name__ == "__main__":
    sys.exit(run())
