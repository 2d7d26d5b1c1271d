"""Regional convergence: sigma (dispersion of log regional levels over time) and beta
(catch-up of initially poorer regions), paired scenario minus baseline."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import xarray as xr

from .effects import paired_effect
from .indicators import common_replicates, region_ratio
from .io import Inputs
from .stats import ols_slope, t_interval

STEPS_PER_YEAR = 4


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
