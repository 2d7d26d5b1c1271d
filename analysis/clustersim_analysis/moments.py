"""Moments for calibration: scalar statistics of a run, averaged over replicates.

A moment is a table in the targets file::

    [[moments]]
    name = "yearly_exit_rate"
    statistic = "rate"          # level | ratio | rate | spread
    flow = "smes_exited"        # rate: sum of the flow over (step - window, step] ...
    stock = "smes_active"       # ... divided by the stock at step - window
    window = 4                  # quarters (4 = a yearly rate)
    step = 40                   # default: the last step
    target = 0.05
    weight = 1.0
    # scale = 0.01              # default |target|: deviations are relative

Indicators are EU totals: any recorded series (summed over region, cluster or sector) or
a derived indicator of indicators.lookup (a ratio or <flow>_cumulative).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import xarray as xr

from . import AnalysisError
from .indicators import region_ratio
from .sensitivity import indicator_total

STATISTICS = {
    "level": ("indicator",),
    "ratio": ("numerator", "denominator"),
    "rate": ("flow", "stock"),
    "spread": ("numerator",),
}
OPTIONAL = {"name", "statistic", "step", "target", "weight", "scale", "window", "denominator", "measure",
            "description"}


@dataclass(frozen=True)
class Moment:
    name: str
    statistic: str
    fields: dict
    target: float
    weight: float = 1.0
    scale: float | None = None
    step: int | None = None
    description: str = ""

    @property
    def divisor(self) -> float:
        return self.scale if self.scale else (abs(self.target) if self.target else 1.0)


def parse_moments(items, where: str) -> list[Moment]:
    if not isinstance(items, list) or not items:
        raise AnalysisError(f"{where}: needs at least one [[moments]] table")
    out, seen = [], set()
    for k, m in enumerate(items):
        ctx = f"{where}: moments[{k}]"
        if not isinstance(m, dict):
            raise AnalysisError(f"{ctx}: must be a table")
        stat = m.get("statistic")
        if stat not in STATISTICS:
            raise AnalysisError(f"{ctx}: statistic must be one of {', '.join(STATISTICS)}, got {stat!r}")
        allowed = OPTIONAL | set(STATISTICS[stat])
        unknown = set(m) - allowed
        if unknown:
            raise AnalysisError(f"{ctx}: unknown field(s) {', '.join(sorted(unknown))} for statistic '{stat}'")
        for f in STATISTICS[stat] + ("target",):
            if f not in m:
                raise AnalysisError(f"{ctx}: missing '{f}' (statistic '{stat}' needs {', '.join(STATISTICS[stat])})")
        name = str(m.get("name", f"moment_{k}"))
        if name in seen:
            raise AnalysisError(f"{ctx}: duplicate name '{name}'")
        seen.add(name)
        weight = float(m.get("weight", 1.0))
        if weight < 0:
            raise AnalysisError(f"{ctx}: weight must be >= 0, got {weight}")
        fields = {f: m[f] for f in ("indicator", "numerator", "denominator", "flow", "stock", "window", "measure")
                  if f in m}
        if stat == "spread" and fields.get("measure", "cv") not in ("cv", "sd_log"):
            raise AnalysisError(f"{ctx}: measure must be 'cv' or 'sd_log'")
        out.append(Moment(name, stat, fields, float(m["target"]), weight,
                          float(m["scale"]) if "scale" in m else None,
                          int(m["step"]) if "step" in m else None, str(m.get("description", ""))))
    return out


def _at(da: xr.DataArray, step: int) -> np.ndarray:
    return da.sel(step=step).values


def moment_values(ds: xr.Dataset, moments: list[Moment]) -> dict[str, float]:
    """Each moment's value in a run: the statistic per replicate, then the mean."""
    steps = ds["step"].values
    out = {}
    for m in moments:
        step = int(steps[-1]) if m.step is None else m.step
        if step not in steps:
            raise AnalysisError(f"moment '{m.name}': step {step} is not in the run ({steps[0]}..{steps[-1]})")
        f = m.fields
        with np.errstate(invalid="ignore", divide="ignore"):
            if m.statistic == "level":
                v = _at(indicator_total(ds, f["indicator"]), step)
            elif m.statistic == "ratio":
                v = _at(indicator_total(ds, f["numerator"]), step) / _at(indicator_total(ds, f["denominator"]), step)
            elif m.statistic == "rate":
                window = int(f.get("window", 4))
                start = step - window
                if start not in steps:
                    raise AnalysisError(f"moment '{m.name}': window {window} before step {step} starts before the run")
                flow = indicator_total(ds, f["flow"])
                sel = (flow["step"] > start) & (flow["step"] <= step)
                v = flow.isel(step=sel.values).sum("step").values / _at(indicator_total(ds, f["stock"]), start)
            else:  # spread across regions
                if "denominator" in f:
                    y = region_ratio(ds, f["numerator"], f["denominator"])
                else:
                    y = ds[f["numerator"]].astype(float)
                y = y.sel(step=step)
                if f.get("measure", "cv") == "cv":
                    v = (y.std("region", ddof=1) / y.mean("region")).values
                else:
                    v = np.log(y.where(y > 0)).std("region", ddof=1).values
        out[m.name] = float(np.nanmean(v))
    return out


def objective(values: dict[str, float], moments: list[Moment]) -> float:
    """SMM distance: sum_k w_k ((m_k - target_k) / scale_k)^2."""
    total = 0.0
    for m in moments:
        v = values[m.name]
        if not np.isfinite(v):
            return float("inf")
        total += m.weight * ((v - m.target) / m.divisor) ** 2
    return total


def check_variables(ds: xr.Dataset, moments: list[Moment], where: str) -> None:
    from .indicators import lookup, variables_of
    for m in moments:
        for key in ("indicator", "numerator", "denominator", "flow", "stock"):
            name = m.fields.get(key)
            if name is None:
                continue
            if name in ds.variables:
                continue
            try:
                needed = variables_of(lookup(ds, name, with_kind=False))
            except AnalysisError:
                needed = [name]
            for var in needed:
                if var not in ds.variables:
                    raise AnalysisError(f"{where}: moment '{m.name}': the run has no variable '{var}'")
