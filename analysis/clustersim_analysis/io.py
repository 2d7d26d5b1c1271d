"""Reading clustersim outputs: ordinary run files and merged sweep files.

Everything downstream sees one ``xarray.Dataset`` per scenario with a ``replicate``
dimension, whatever the input format was, so pairing by replicate is uniform.
"""
from __future__ import annotations

import os
import shutil
import tempfile
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import xarray as xr

from . import AnalysisError

BASELINE_NAME = "baseline"
# Per-run variables of a merged sweep (docs/OUTPUT.md of the experiments issue).
SWEEP_RUN_VARIABLES = ("run_id", "scenario", "replicate", "seed", "status", "error")
SWEPT_PREFIX = "swept__"


def open_output(path: str | os.PathLike) -> xr.Dataset:
    """Opens and loads a clustersim output, or raises AnalysisError naming the file."""
    p = Path(path)
    if not p.exists():
        raise AnalysisError(f"{p}: no such file")
    if p.is_dir():
        raise AnalysisError(f"{p}: is a directory, expected a clustersim .h5 output")
    try:
        ds = xr.open_dataset(p, engine="h5netcdf")
        ds.load()
        ds.close()
    except Exception as exc:  # h5py/h5netcdf raise many types for a non-HDF5 file
        raise AnalysisError(f"{p}: not a netCDF-4/HDF5 file ({type(exc).__name__}: {exc})") from None
    if "clustersim_version" not in ds.attrs:
        raise AnalysisError(f"{p}: not a clustersim output (no 'clustersim_version' global attribute)")
    for dim in ("step", "region"):
        if dim not in ds.dims:
            raise AnalysisError(f"{p}: not a clustersim output (no '{dim}' dimension)")
    if "replicate" not in ds.dims and "run" not in ds.dims:
        raise AnalysisError(f"{p}: not a clustersim output (neither a 'replicate' nor a 'run' dimension)")
    ds.attrs["_source_path"] = str(p)
    return ds


def is_merged_sweep(ds: xr.Dataset) -> bool:
    return "run" in ds.dims


def _strings(values) -> list[str]:
    return [v.decode() if isinstance(v, bytes) else str(v) for v in np.asarray(values).ravel()]


def swept_parameters(ds: xr.Dataset) -> dict[str, str]:
    """Maps each ``swept__*`` variable to its dotted scenario key."""
    out = {}
    for name in ds.data_vars:
        if name.startswith(SWEPT_PREFIX):
            key = ds[name].attrs.get("scenario_key") or name[len(SWEPT_PREFIX):].replace("__", ".")
            out[name] = str(key)
    return out


def open_parameter_sweep(path: str) -> tuple[xr.Dataset, dict[str, str]]:
    """A merged sweep with swept parameters: the dataset and its swept__* -> key map."""
    ds = open_output(path)
    if "run" not in ds.dims:
        raise AnalysisError(f"{path}: not a merged sweep (no 'run' dimension)")
    swept = swept_parameters(ds)
    if not swept:
        raise AnalysisError(f"{path}: no swept__* parameter variables")
    return ds, swept


def check_sweep(ds: xr.Dataset) -> None:
    path = ds.attrs.get("_source_path", "merged file")
    for var in ("scenario", "replicate"):
        if var not in ds.variables or ds[var].dims != ("run",):
            raise AnalysisError(f"{path}: merged sweep file without the per-run variable '{var}' (run)")


def ok_runs(ds: xr.Dataset, notes: list[str]) -> np.ndarray:
    """Indices of runs whose status is 'done'; failed runs are reported in ``notes``."""
    n = ds.sizes["run"]
    if "status" not in ds.variables:
        return np.arange(n)
    status = _strings(ds["status"].values)
    keep = np.array([s == "done" for s in status])
    if not keep.all():
        ids = _strings(ds["run_id"].values) if "run_id" in ds.variables else [str(i) for i in range(n)]
        errs = _strings(ds["error"].values) if "error" in ds.variables else [""] * n
        failed = [f"{ids[i]} ({errs[i] or status[i]})" for i in np.flatnonzero(~keep)]
        notes.append(f"{ds.attrs.get('_source_path')}: {len(failed)} failed run(s) left out: "
                     + "; ".join(failed[:10]) + (" ..." if len(failed) > 10 else ""))
    return np.flatnonzero(keep)


def split_sweep(ds: xr.Dataset, notes: list[str]) -> "OrderedDict[str, xr.Dataset]":
    """Regroups a merged sweep (run dimension) into one dataset per scenario with a
    replicate dimension. A scenario with two runs for one replicate (a parameter sweep
    under one name) cannot be paired and is an error."""
    check_sweep(ds)
    path = ds.attrs.get("_source_path", "merged file")
    keep = ok_runs(ds, notes)
    scen = np.array(_strings(ds["scenario"].values))
    reps = np.asarray(ds["replicate"].values).astype(np.int64)
    per_run = [v for v in list(SWEEP_RUN_VARIABLES) + list(swept_parameters(ds)) if v in ds.variables]
    out: "OrderedDict[str, xr.Dataset]" = OrderedDict()
    names = list(dict.fromkeys(scen[keep]))
    for name in names:
        idx = keep[scen[keep] == name]
        r = reps[idx]
        if len(set(r.tolist())) != len(r):
            raise AnalysisError(
                f"{path}: scenario '{name}' has several runs for one replicate (a parameter sweep?); "
                "compare needs one run per (scenario, replicate); use scripts/sensitivity for sweeps")
        order = idx[np.argsort(r)]
        sub = ds.isel(run=order)
        seeds = sub["seed"].values.astype(np.int64) if "seed" in sub.variables else None
        sub = sub.drop_vars([v for v in per_run if v in sub.variables])
        sub = sub.rename({"run": "replicate"}).assign_coords(replicate=np.sort(r))
        if seeds is not None:
            sub["replicate_seed"] = ("replicate", seeds)
        sub.attrs = dict(ds.attrs)
        sub.attrs["_scenario_name"] = name
        out[name] = sub
    return out


@dataclass
class Inputs:
    """Scenarios keyed by name, the baseline first, plus notes for the report."""
    scenarios: "OrderedDict[str, xr.Dataset]"
    baseline: str
    notes: list[str] = field(default_factory=list)
    sources: dict[str, str] = field(default_factory=dict)

    @property
    def others(self) -> list[str]:
        return [n for n in self.scenarios if n != self.baseline]


def load_inputs(paths: list[str], baseline: str | None = None) -> Inputs:
    """Loads run files (the first is the baseline unless named) and/or merged sweeps."""
    if not paths:
        raise AnalysisError("no input files given")
    notes: list[str] = []
    scenarios: "OrderedDict[str, xr.Dataset]" = OrderedDict()
    sources: dict[str, str] = {}
    for path in paths:
        ds = open_output(path)
        if is_merged_sweep(ds):
            parts = split_sweep(ds, notes)
        else:
            stem = Path(path).name
            for suffix in (".h5", ".hdf5", ".nc"):
                if stem.endswith(suffix):
                    stem = stem[: -len(suffix)]
            parts = OrderedDict([(stem, ds)])
        for name, part in parts.items():
            unique, k = name, 2
            while unique in scenarios:
                unique, k = f"{name}_{k}", k + 1
            scenarios[unique] = part
            sources[unique] = str(path)
    if baseline is None:
        baseline = BASELINE_NAME if BASELINE_NAME in scenarios and len(paths) == 1 else next(iter(scenarios))
    if baseline not in scenarios:
        raise AnalysisError(f"baseline '{baseline}' not found; scenarios in the input: {', '.join(scenarios)}")
    if len(scenarios) < 2:
        raise AnalysisError(f"{paths[0]}: only one scenario ('{baseline}'); compare needs a baseline and at least one scenario")
    ordered = OrderedDict([(baseline, scenarios[baseline])])
    ordered.update((k, v) for k, v in scenarios.items() if k != baseline)
    inputs = Inputs(ordered, baseline, notes, sources)
    check_structure(inputs)
    return inputs


def _coord(ds: xr.Dataset, dim: str) -> list:
    return _strings(ds[dim].values) if dim in ds.coords else list(range(ds.sizes.get(dim, 0)))


def check_structure(inputs: Inputs) -> None:
    """Scenarios must share regions, sectors and steps to be compared; replicates are
    paired on the indices they share."""
    base = inputs.scenarios[inputs.baseline]
    bsrc = inputs.sources[inputs.baseline]
    for name in inputs.others:
        ds = inputs.scenarios[name]
        src = inputs.sources[name]
        for dim in ("region", "sector"):
            a, b = _coord(base, dim), _coord(ds, dim)
            if a != b:
                diff = sorted(set(a) ^ set(b))[:5]
                raise AnalysisError(
                    f"{src}: scenario '{name}' has different {dim}s than the baseline {bsrc} "
                    f"({len(b)} vs {len(a)}; e.g. {', '.join(map(str, diff)) or 'different order'}); "
                    "only runs of the same world can be compared")
        sa, sb = base["step"].values, ds["step"].values
        if not np.array_equal(sa, sb):
            raise AnalysisError(
                f"{src}: scenario '{name}' has steps {sb[0]}..{sb[-1]} but the baseline {bsrc} has "
                f"{sa[0]}..{sa[-1]}; run both with the same run.steps")
        common = np.intersect1d(base["replicate"].values, ds["replicate"].values)
        if common.size == 0:
            raise AnalysisError(f"{src}: scenario '{name}' shares no replicate index with the baseline {bsrc}")
        if common.size < max(base.sizes["replicate"], ds.sizes["replicate"]):
            inputs.notes.append(f"'{name}' is paired with the baseline on the {common.size} replicate(s) both have.")
        if "replicate_seed" in base.variables and "replicate_seed" in ds.variables:
            a = base["replicate_seed"].sel(replicate=common).values
            b = ds["replicate_seed"].sel(replicate=common).values
            if not np.array_equal(a, b):
                inputs.notes.append(
                    f"'{name}' and the baseline use different seeds for the same replicate: effects are "
                    "paired but not with common random numbers, so intervals are wider.")


def require_variables(inputs: Inputs, variables: list[str]) -> None:
    for name, ds in inputs.scenarios.items():
        for var in variables:
            if var not in ds.variables:
                raise AnalysisError(f"{inputs.sources[name]}: scenario '{name}' lacks the indicator '{var}'")


class AtomicDir:
    """Builds a directory in a temporary sibling and moves it onto ``target`` on success,
    so a failure leaves nothing (or the previous report) at ``target``."""

    def __init__(self, target: str | os.PathLike):
        self.target = Path(target).resolve()

    def __enter__(self) -> Path:
        parent = self.target.parent
        if not parent.is_dir():
            raise AnalysisError(f"{self.target}: parent directory {parent} does not exist")
        self.tmp = Path(tempfile.mkdtemp(prefix=f".{self.target.name}.tmp-", dir=parent))
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(self.tmp, 0o777 & ~umask)  # mkdtemp makes 0700; a report is for sharing
        return self.tmp

    def __exit__(self, exc_type, exc, tb):
        if exc_type is not None:
            shutil.rmtree(self.tmp, ignore_errors=True)
            return False
        old = None
        if self.target.exists():
            old = self.target.with_name(f".{self.target.name}.old-{os.getpid()}")
            os.rename(self.target, old)
        os.rename(self.tmp, self.target)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
        return False
