"""Indicators as the analysis sees them, read from the output file itself.

Every series variable on (replicate, step, region) is an indicator: its name, ``units``
and ``long_name`` come from the file's attributes, and whether it is a stock or a flow
from its CF ``cell_methods`` ("step: point" = a stock observed at the end of the step,
"step: sum" = a flow summed over the step's quarter). There is no second list of the
model's variables here. The only indicators defined in this module are ratios of two
recorded variables (productivity, turnover per SME) and ``<flow>_cumulative``.

An indicator is aggregated per replicate (sum over the regions of a group, or a ratio of
such sums) before any difference or average is taken, so a ratio is never an average of
regional ratios.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import xarray as xr

from . import AnalysisError

GROUP_TYPES = ("EU", "development_level", "region", "sector")
EU_TOTAL = "EU total"
STOCK, FLOW, RATIO = "stock", "flow", "ratio"
CELL_METHODS = {"step: point": STOCK, "step: sum": FLOW}
CUMULATIVE_SUFFIX = "_cumulative"
REGION_SERIES_DIMS = ("replicate", "step", "region")


@dataclass(frozen=True)
class Indicator:
    name: str
    label: str
    units: str
    kind: str                         # STOCK, FLOW or RATIO
    numerator: str                    # region series variable
    denominator: str | None = None    # ratio indicators
    sector_numerator: str | None = None
    sector_denominator: str | None = None
    cumulative: bool = False          # running sum of a per-quarter flow from step 1
    region_mean: bool = False         # a regional mean ("region: mean"): groups average, not sum


# Ratios of recorded variables: (name, label, numerator, denominator, what the
# denominator counts when it is a count). Units are derived from the variables' own units.
RATIOS = [
    ("productivity_eur_per_fte", "Productivity (turnover per FTE)", "turnover_eur", "employment", None),
    ("turnover_per_sme_eur", "Turnover per SME", "turnover_eur", "smes_active", "SME"),
]


def _source(ds: xr.Dataset) -> str:
    return ds.attrs.get("_source_path", "the output file")


def kind_of(ds: xr.Dataset, var: str) -> str:
    """STOCK or FLOW from the variable's ``cell_methods``; AnalysisError when absent."""
    cm = ds[var].attrs.get("cell_methods")
    if cm is None:
        raise AnalysisError(
            f"{_source(ds)}: variable '{var}' has no 'cell_methods' attribute, so the analysis cannot tell a "
            "stock ('step: point', taken at the end of the horizon) from a flow ('step: sum', summed over it); "
            "rerun the scenario with a clustersim that records cell_methods")
    step = re.search(r"\bstep:\s*(point|sum)\b", str(cm))
    kind = CELL_METHODS.get(f"step: {step.group(1)}") if step else None
    if kind is None:
        raise AnalysisError(f"{_source(ds)}: variable '{var}': cell_methods '{cm}' is neither "
                            f"{' nor '.join(repr(k) for k in CELL_METHODS)}")
    return kind


def is_region_mean(ds: xr.Dataset, var: str) -> bool:
    """True when cell_methods says the value is a mean over the region's SMEs
    ("step: point region: mean", e.g. region_knowledge): a group's value is then the
    unweighted mean over its regions, never a sum."""
    return re.search(r"\bregion:\s*mean\b", str(ds[var].attrs.get("cell_methods", ""))) is not None


def _units(ds: xr.Dataset, var: str) -> str:
    """The units shown: "" for a count (units "1", shown as "count"), "index" for a
    dimensionless regional mean (e.g. region_knowledge), else the file's units."""
    u = str(ds[var].attrs.get("units", ""))
    if u == "1":
        return "index" if is_region_mean(ds, var) else ""
    return u


def _ratio_units(ds: xr.Dataset, num: str, den: str, counted: str | None) -> str:
    a, b = _units(ds, num) or "1", _units(ds, den) or counted or den  # a count's unit is what it counts
    return f"{a} per {b}"


def region_series(ds: xr.Dataset) -> list[str]:
    """Series variables on (replicate, step, region), in file order."""
    return [v for v in ds.data_vars if tuple(ds[v].dims) == REGION_SERIES_DIMS]


def _sector_twin(ds: xr.Dataset, var: str) -> str | None:
    name = f"sector_{var}"
    return name if name in ds.variables and "sector" in ds[name].dims else None


def indicators_of(ds: xr.Dataset, with_kind: bool = True) -> dict[str, Indicator]:
    """Every indicator the file supports, keyed by name: its region series, their
    ``_cumulative`` running sums (flows only) and the ratios whose parts it records.
    ``with_kind=False`` skips reading cell_methods (kind is then '')."""
    out: dict[str, Indicator] = {}
    for var in region_series(ds):
        kind = kind_of(ds, var) if with_kind else ""
        label = str(ds[var].attrs.get("long_name") or var)
        mean = is_region_mean(ds, var)
        out[var] = Indicator(var, label, _units(ds, var), kind, var, region_mean=mean,
                             sector_numerator=None if mean else _sector_twin(ds, var))
    for name, label, num, den, counted in RATIOS:
        if num in out and den in out:
            out[name] = Indicator(name, label, _ratio_units(ds, num, den, counted), RATIO, num, den,
                                  _sector_twin(ds, num), _sector_twin(ds, den))
    return out


def lookup(ds: xr.Dataset, name: str, with_kind: bool = True) -> Indicator:
    """An indicator by name, including ``<series>_cumulative`` (the running sum of a flow
    from step 1; with ``with_kind`` the series must be marked a flow)."""
    known = indicators_of(ds, with_kind)
    if name in known:
        return known[name]
    base = name[: -len(CUMULATIVE_SUFFIX)] if name.endswith(CUMULATIVE_SUFFIX) else None
    if base in known and known[base].kind in (FLOW, ""):
        b = known[base]
        return Indicator(name, f"{b.label} (cumulated from step 1)", b.units, FLOW, b.numerator,
                         sector_numerator=b.sector_numerator, cumulative=True)
    hint = " (only a flow has a cumulative)" if base in known else ""
    raise AnalysisError(f"{_source(ds)}: unknown indicator '{name}'{hint}; known: {', '.join(known)} "
                        f"or <flow>{CUMULATIVE_SUFFIX}")


def variables_of(ind: Indicator) -> list[str]:
    return [v for v in (ind.numerator, ind.denominator) if v]


def has_sector(ind: Indicator, ds: xr.Dataset) -> bool:
    return ind.sector_numerator is not None and all(
        v in ds.variables for v in (ind.sector_numerator, ind.sector_denominator) if v) and (
        ind.denominator is None or ind.sector_denominator is not None)


def _group_sum(da: xr.DataArray, ds: xr.Dataset, group_type: str, mean: bool = False) -> xr.DataArray:
    """(replicate, step, region) -> (replicate, step, group): sums, or unweighted means of
    a regional mean."""
    da = da.astype(float)
    if group_type == "EU":
        out = da.mean("region") if mean else da.sum("region")
        return out.expand_dims(group=[EU_TOTAL], axis=-1)
    if group_type == "region":
        return da.rename(region="group")
    if group_type == "development_level":
        levels = xr.DataArray([str(v) for v in ds["region_development_level"].values], dims="region",
                              coords={"region": da["region"]}, name="group")
        grouped = da.groupby(levels)
        out = grouped.mean("region") if mean else grouped.sum("region")
        return out.transpose("replicate", "step", "group")
    raise ValueError(group_type)


def cumulate(da: xr.DataArray) -> xr.DataArray:
    """Running sum of a per-quarter flow from step 1 (step 0 holds no quarter's flow)."""
    return da.where(da["step"] > 0, 0.0).cumsum("step")


def aggregate(ds: xr.Dataset, ind: Indicator, group_type: str, horizon_view: bool = False) -> xr.DataArray:
    """Per-replicate series of the indicator by group: (replicate, step, group).

    With ``horizon_view`` a flow is cumulated from step 1, so the value at step h is the
    total over the horizon 1..h; a stock stays the value at the end of step h."""
    if group_type == "sector":
        num = ds[ind.sector_numerator].astype(float).rename(sector="group")
        den = ds[ind.sector_denominator].astype(float).rename(sector="group") if ind.sector_denominator else None
    else:
        num = _group_sum(ds[ind.numerator], ds, group_type, ind.region_mean)
        den = _group_sum(ds[ind.denominator], ds, group_type) if ind.denominator else None
    out = num / den.where(den != 0) if den is not None else num
    if ind.cumulative or (horizon_view and ind.kind == FLOW):
        out = cumulate(out)
    return out.transpose("replicate", "step", "group")


def region_ratio(ds: xr.Dataset, numerator: str, denominator: str) -> xr.DataArray:
    """(replicate, step, region) ratio with empty regions as NaN."""
    den = ds[denominator].astype(float)
    return ds[numerator].astype(float) / den.where(den > 0)


def common_replicates(a: xr.Dataset, b: xr.Dataset) -> np.ndarray:
    return np.intersect1d(a["replicate"].values, b["replicate"].values)
