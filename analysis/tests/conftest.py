"""Shared fixtures: synthetic clustersim outputs built with xarray, and the real binary."""
from __future__ import annotations

import os
import sys
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

ANALYSIS = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ANALYSIS))

from clustersim_analysis.runner import find_clustersim  # noqa: E402
from clustersim_analysis import AnalysisError  # noqa: E402

REGIONS = ["AA01", "AA02", "BB01", "BB02", "CC01", "CC02"]
LEVELS = ["more_developed", "more_developed", "transition", "transition", "less_developed", "less_developed"]
SECTORS = ["digital", "health", "tourism"]
CLUSTERS = ["C0001", "C0002"]
SERIES = ["smes_active", "employment", "turnover_eur", "smes_innovating", "partnerships_concluded",
          "smes_exporting", "digital_adopters", "green_adopters", "smes_entered", "smes_exited",
          "cluster_member_smes"]
# Flows ("step: sum", in the quarter) as the model marks them; the rest are stocks.
FLOWS = {"turnover_eur", "partnerships_concluded", "smes_entered", "smes_exited"}
UNITS = {"employment": "FTE", "turnover_eur": "EUR"}
START_DATE = "2021-01-01"


def quarter_days(steps: int, start: str = START_DATE) -> np.ndarray:
    """Days since start of the end of each quarter 0..steps (real calendar quarters)."""
    t0 = np.datetime64(start, "M")
    ends = np.array([t0 + np.timedelta64(3 * t, "M") for t in range(steps + 1)]).astype("datetime64[D]")
    return (ends - np.datetime64(start, "D")).astype(np.int64)


def mark(ds: xr.Dataset, var: str, units: str, long_name: str, flow: bool) -> None:
    """The attributes a clustersim output carries on a series variable."""
    ds[var].attrs.update({"units": units, "long_name": long_name,
                          "cell_methods": "step: sum" if flow else "step: point"})


def instruments(ds: xr.Dataset, spend: dict, steps: int, stop: int | None = None) -> xr.Dataset:
    """Two instruments with the output's instrument variables and the scenario's
    [[instruments]] tables: ``spend`` maps source -> EUR per quarter per instrument."""
    R, T = ds.sizes["replicate"], steps + 1
    sources = list(spend)
    arr = np.zeros((R, T, 2, len(sources)))
    for j, s in enumerate(sources):
        arr[:, 1:, :, j] = spend[s]
    ds = ds.assign_coords(instrument=np.array(["vouchers", "core_funding"], dtype=object),
                          source=np.array(sources, dtype=object))
    ds["instrument_type"] = ("instrument", np.array(["innovation_vouchers", "cluster_core_funding"], dtype=object))
    ds["instrument_spent_by_source_eur"] = (("replicate", "step", "instrument", "source"), arr)
    ds["instrument_spent_eur"] = ds["instrument_spent_by_source_eur"].sum("source")
    budget = float(arr.sum(axis=(1, 3)).max()) * 1.25
    ds["instrument_budget_eur"] = xr.full_like(ds["instrument_spent_eur"], budget)
    ds["instrument_unspent_eur"] = budget - ds["instrument_spent_eur"].cumsum("step")
    ds["instrument_committed_eur"] = xr.zeros_like(ds["instrument_spent_eur"])
    calls = (ds["step"] % 4 == 1).astype(float)
    ds["instrument_applications"] = (xr.ones_like(ds["instrument_spent_eur"]) * 40 * calls).transpose(*ds["instrument_spent_eur"].dims)
    ds["instrument_awards"] = ds["instrument_applications"] * 0.25
    ds["instrument_projects_failed"] = ds["instrument_awards"].shift(step=2, fill_value=0) * 0.5
    flows = ("instrument_spent_eur", "instrument_spent_by_source_eur", "instrument_applications",
             "instrument_awards", "instrument_projects_failed")
    for v in [v for v in ds.data_vars if v.startswith("instrument_") and "step" in ds[v].dims]:
        mark(ds, v, "EUR" if v.endswith("_eur") else "1", v.replace("_", " "), v in flows)
    stop_line = f"stop_step = {stop}\n" if stop else ""
    ds.attrs["scenario"] = ("[run]\nsteps = %d\n\n[[instruments]]\nid = \"vouchers\"\nstart_step = 1\n"
                            "end_step = %d\n%s\n[[instruments]]\nid = \"core_funding\"\nstart_step = 2\n"
                            "end_step = %d\n" % (steps, steps - 2, stop_line, steps))
    return ds


def synthetic_run(replicates=4, steps=8, regions=REGIONS, add=None, seed=0, spend=None, seeds=None,
                  extra=(), stop=None) -> xr.Dataset:
    """A small dataset with the layout of docs/OUTPUT.md. ``add`` maps a variable to an
    array (replicate,) added to every region at every step >= 1 (a known effect);
    ``spend`` maps source -> EUR per quarter per instrument (2 instruments); ``extra``
    adds further region series (e.g. sme_partnerships) made like the others."""
    rng = np.random.default_rng(seed)
    R, T, G = replicates, steps + 1, len(regions)
    dims = ("replicate", "step", "region")
    ds = xr.Dataset(coords={"replicate": np.arange(R, dtype=np.int64), "step": np.arange(T, dtype=np.int64),
                            "region": np.array(regions, dtype=object), "cluster": np.array(CLUSTERS, dtype=object),
                            "sector": np.array(SECTORS, dtype=object)})
    base_rng = np.random.default_rng(1234)  # shared by all scenarios: the "common random numbers"
    size = base_rng.uniform(50, 150, size=(1, 1, G))
    growth = 1 + 0.01 * np.arange(T)[None, :, None] * base_rng.uniform(0.5, 1.5, size=(1, 1, G))
    noise = 1 + 0.01 * base_rng.standard_normal((R, T, G))
    ds = ds.assign_coords(time=("step", quarter_days(steps)))
    ds["time"].attrs.update({"units": f"days since {START_DATE}", "calendar": "proleptic_gregorian",
                             "standard_name": "time"})
    for k, var in enumerate(list(SERIES) + list(extra)):
        val = size * growth * noise * (k + 1)
        if var == "turnover_eur":
            val = val * 1e5
        ds[var] = (dims, val)
        mark(ds, var, UNITS.get(var, "1"), var.replace("_", " "), var in FLOWS)
    for var, eff in (add or {}).items():
        eff = xr.DataArray(np.asarray(eff, float), dims="replicate")
        attrs = dict(ds[var].attrs)
        ds[var] = (ds[var] + eff * (ds["step"] >= 1)).transpose(*dims)
        ds[var].attrs = attrs
    ds["replicate_seed"] = ("replicate", np.array(seeds if seeds is not None else 1000 + np.arange(R), dtype=np.int64))
    ds["region_development_level"] = ("region", np.array(LEVELS[:G] if G <= len(LEVELS) else ["transition"] * G, dtype=object))
    ds["region_name"] = ("region", np.array(regions, dtype=object))
    sec = np.stack([ds["smes_active"].sum("region").values / 3] * 3, axis=-1)
    ds["sector_smes_active"] = (("replicate", "step", "sector"), sec)
    ds["sector_employment"] = (("replicate", "step", "sector"), np.stack([ds["employment"].sum("region").values / 3] * 3, -1))
    ds["sector_turnover_eur"] = (("replicate", "step", "sector"), np.stack([ds["turnover_eur"].sum("region").values / 3] * 3, -1))
    ds["cluster_members"] = (("replicate", "step", "cluster"), np.full((R, T, 2), 100.0))
    ds["cluster_active"] = (("replicate", "step", "cluster"), np.ones((R, T, 2)))
    for var in ("sector_smes_active", "sector_employment", "sector_turnover_eur"):
        mark(ds, var, UNITS.get(var[7:], "1"), var.replace("_", " "), var[7:] in FLOWS)
    ds.attrs.update({"clustersim_version": "synthetic", "model": "cluster", "scenario": "[run]\n",
                     "seed": 1, "title": "synthetic"})
    if spend:
        ds = instruments(ds, spend, steps, stop)
    return ds


def write(ds: xr.Dataset, path: Path) -> Path:
    ds.to_netcdf(path, engine="h5netcdf")
    return path


def merged_sweep(parts: dict[str, xr.Dataset], failed: set = frozenset(), swept: dict | None = None) -> xr.Dataset:
    """Merges scenario datasets into the experiments issue's layout: a run dimension and
    per-run run_id, scenario, replicate, seed, status, error (and swept__* variables)."""
    runs = []
    for name, ds in parts.items():
        for r in ds["replicate"].values:
            one = ds.sel(replicate=r).drop_vars(["replicate", "replicate_seed"])
            runs.append((name, int(r), int(ds["replicate_seed"].sel(replicate=r)), one))
    series = [v for v in runs[0][3].data_vars if "step" in runs[0][3][v].dims]
    static = [v for v in runs[0][3].data_vars if v not in series]
    out = xr.concat([r[3][series] for r in runs], dim="run")
    for v in static:
        out[v] = runs[0][3][v]
    ids = [f"{n}/r{r}" for n, r, _, _ in runs]
    out["run_id"] = ("run", np.array(ids, dtype=object))
    out["scenario"] = ("run", np.array([r[0] for r in runs], dtype=object))
    out["replicate"] = ("run", np.array([r[1] for r in runs], dtype=np.int64))
    out["seed"] = ("run", np.array([r[2] for r in runs], dtype=np.int64))
    out["status"] = ("run", np.array(["failed" if i in failed else "done" for i in ids], dtype=object))
    out["error"] = ("run", np.array(["boom" if i in failed else "" for i in ids], dtype=object))
    for key, values in (swept or {}).items():
        name = "swept__" + key.replace(".", "__")
        out[name] = ("run", np.asarray(values, float))
        out[name].attrs["scenario_key"] = key
    out.attrs = dict(runs[0][3].attrs)
    return out


@pytest.fixture(scope="session")
def clustersim_binary():
    root = ANALYSIS.parent
    for candidate in (os.environ.get("CLUSTERSIM"), os.environ.get("CLUSTERSIM_BUILD_DIR") and
                      os.path.join(os.environ["CLUSTERSIM_BUILD_DIR"], "models", "clustersim"),
                      root / "build" / "models" / "clustersim"):
        if candidate and os.access(candidate, os.X_OK):
            return str(candidate)
    try:
        return find_clustersim()
    except AnalysisError:
        pytest.skip("clustersim not built (scripts/test builds it; or set CLUSTERSIM=path)")
