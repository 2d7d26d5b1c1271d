"""A small synthetic SME panel with a known effect and known selection, in the layout
clustersim's panel has (docs/ANALYSIS.md, "SME panel"), for tests and the docs recipe.

Employment of SME i at step t is  a_i + 0.3 t + e_it  (+ tau_i from the support step on
for supported SMEs). Support goes more often to larger SMEs and to the digital sector
(selection on the pre-treatment level), so comparing supported and unsupported SMEs
after support is biased upward by the size gap, while differences-in-differences and
matching on pre-treatment attributes recover the effect. The counterfactual file has the
same SMEs, shocks and exits (common random numbers) and no support.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import xarray as xr

REGIONS = np.array(["AT11", "DE21", "ES51", "PL21"], dtype=object)
SECTORS = np.array(["digital", "health", "tourism"], dtype=object)


def panel_pair(scenario_path, counterfactual_path, smes: int = 1500, replicates: int = 3, steps: int = 12,
               support_step: int = 5, effect: float = 2.0, seed: int = 7) -> float:
    """Writes the scenario and counterfactual panel files; returns the mean true effect
    on the supported SMEs alive at the end (over replicates)."""
    rng = np.random.default_rng(seed)
    R, T, N = replicates, steps + 1, smes
    t = np.arange(T)[None, :, None]
    size = np.exp(rng.normal(np.log(10), 0.8, size=(R, 1, N)))
    sector = rng.integers(0, len(SECTORS), size=(R, N))
    region = rng.integers(0, len(REGIONS), size=(R, N))
    shock = rng.normal(0, 1.0, size=(R, T, N))
    base = size + 0.3 * t + shock
    score = -1.2 + 1.1 * (np.log(size[:, 0, :]) - np.log(10)) + 0.6 * (sector == 0)
    treated = rng.uniform(size=(R, N)) < 1 / (1 + np.exp(-score))
    tau = effect * (1 + 0.5 * rng.standard_normal((R, N)))  # heterogeneous effects, mean `effect`
    exit_step = np.where(rng.uniform(size=(R, N)) < 0.05, rng.integers(1, T, size=(R, N)), T + 1)
    alive = (np.arange(T)[None, :, None] < exit_step[:, None, :]).astype(np.int8)
    productivity = 12000 * (1 + 0.1 * rng.standard_normal((R, 1, N)))
    on = (t >= support_step) & treated[:, None, :]
    truth = tau[treated & (alive[:, -1, :] > 0)].mean()
    for path, supported in ((scenario_path, True), (counterfactual_path, False)):
        employees = np.maximum(base + (tau[:, None, :] * on if supported else 0.0), 0.5) * alive
        support = np.where(supported & treated[:, None, :] & (t == support_step), 25000.0, 0.0) * np.ones((R, T, N))
        turnover = employees * productivity
        ds = xr.Dataset(coords={"replicate": np.arange(R), "step": np.arange(T), "panel_sme": np.arange(N)})
        ds["panel_sme_id"] = (("replicate", "panel_sme"), np.tile(np.arange(N, dtype=np.int64) * 7 + 3, (R, 1)))
        ds["panel_region"] = (("replicate", "panel_sme"), REGIONS[region])
        ds["panel_sector"] = (("replicate", "panel_sme"), SECTORS[sector])
        dims = ("replicate", "step", "panel_sme")
        for name, values, units, cell in (("panel_employees", employees, "FTE", "step: point"),
                                          ("panel_turnover_eur", turnover, "EUR", "step: sum"),
                                          ("panel_productivity_eur", np.where(employees > 0, turnover / np.maximum(employees, 1e-9), 0.0),
                                           "EUR/FTE", "step: point"),
                                          ("panel_support_eur", support, "EUR", "step: sum"),
                                          ("panel_alive", alive, "1", "step: point")):
            ds[name] = (dims, values)
            ds[name].attrs.update({"units": units, "cell_methods": cell, "long_name": name.replace("_", " ")})
        ds.attrs.update({"clustersim_version": "synthetic panel", "title": "synthetic SME panel"})
        ds.to_netcdf(Path(path), engine="h5netcdf")
    return float(truth)
