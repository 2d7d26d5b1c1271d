"""Indicators as the analysis sees them: recorded series and ratios derived from them.

An indicator is aggregated per replicate (sum over the regions of a group, or a ratio of
such sums) before any difference or average is taken, so a ratio is never an average of
regional ratios.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import xarray as xr

GROUP_TYPES = ("EU", "development_level", "region", "sector")
EU_TOTAL = "EU total"


@dataclass(frozen=True)
class Indicator:
    name: str
    label: str
    units: str
    numerator: str                    # region series variable
    denominator: str | None = None    # ratio indicators
    sector_numerator: str | None = None
    sector_denominator: str | None = None
    cumulative: bool = False          # running sum of a per-quarter flow from step 1


INDICATORS = {i.name: i for i in [
    Indicator("smes_active", "Active SMEs", "SMEs", "smes_active", sector_numerator="sector_smes_active"),
    Indicator("employment", "Employment", "FTE", "employment", sector_numerator="sector_employment"),
    Indicator("turnover_eur", "Turnover", "EUR/quarter", "turnover_eur", sector_numerator="sector_turnover_eur"),
    Indicator("productivity_eur_per_fte", "Productivity (turnover per FTE)", "EUR/FTE/quarter",
              "turnover_eur", "employment", "sector_turnover_eur", "sector_employment"),
    Indicator("turnover_per_sme_eur", "Turnover per SME", "EUR/SME/quarter",
              "turnover_eur", "smes_active", "sector_turnover_eur", "sector_smes_active"),
    Indicator("smes_innovating", "SMEs with a new-to-firm product or process", "SMEs", "smes_innovating"),
    Indicator("partnerships_concluded", "SMEs concluding a partnership", "SMEs/quarter", "partnerships_concluded"),
    Indicator("partnerships_concluded_cumulative", "Partnerships concluded since step 0", "partnerships",
              "partnerships_concluded", cumulative=True),
    Indicator("smes_exporting", "Exporting SMEs", "SMEs", "smes_exporting"),
    Indicator("digital_adopters", "Digital adopters", "SMEs", "digital_adopters"),
    Indicator("green_adopters", "Green adopters", "SMEs", "green_adopters"),
    Indicator("cluster_member_smes", "SMEs in a cluster organisation", "SMEs", "cluster_member_smes"),
    Indicator("smes_entered", "Start-ups", "SMEs/quarter", "smes_entered"),
    Indicator("smes_exited", "Exits", "SMEs/quarter", "smes_exited"),
]}

HEADLINE = ["smes_active", "employment", "turnover_eur", "productivity_eur_per_fte", "smes_innovating",
            "partnerships_concluded_cumulative", "smes_exporting", "digital_adopters", "green_adopters",
            "cluster_member_smes"]


def variables_of(ind: Indicator) -> list[str]:
    return [v for v in (ind.numerator, ind.denominator) if v]


def has_sector(ind: Indicator, ds: xr.Dataset) -> bool:
    return ind.sector_numerator is not None and all(
        v in ds.variables for v in (ind.sector_numerator, ind.sector_denominator) if v)


def _group_sum(da: xr.DataArray, ds: xr.Dataset, group_type: str) -> xr.DataArray:
    """(replicate, step, region) -> (replicate, step, group)."""
    da = da.astype(float)
    if group_type == "EU":
        return da.sum("region").expand_dims(group=[EU_TOTAL], axis=-1)
    if group_type == "region":
        return da.rename(region="group")
    if group_type == "development_level":
        levels = xr.DataArray([str(v) for v in ds["region_development_level"].values], dims="region",
                              coords={"region": da["region"]}, name="group")
        out = da.groupby(levels).sum("region")
        return out.transpose("replicate", "step", "group")
    raise ValueError(group_type)


def aggregate(ds: xr.Dataset, ind: Indicator, group_type: str) -> xr.DataArray:
    """Per-replicate series of the indicator by group: (replicate, step, group)."""
    if group_type == "sector":
        num = ds[ind.sector_numerator].astype(float).rename(sector="group")
        den = ds[ind.sector_denominator].astype(float).rename(sector="group") if ind.sector_denominator else None
    else:
        num = _group_sum(ds[ind.numerator], ds, group_type)
        den = _group_sum(ds[ind.denominator], ds, group_type) if ind.denominator else None
    if den is not None:
        out = num / den.where(den != 0)
    else:
        out = num
    if ind.cumulative:
        out = out.where(out["step"] > 0, 0.0).cumsum("step")
    return out.transpose("replicate", "step", "group")


def region_ratio(ds: xr.Dataset, numerator: str, denominator: str) -> xr.DataArray:
    """(replicate, step, region) ratio with empty regions as NaN."""
    den = ds[denominator].astype(float)
    return ds[numerator].astype(float) / den.where(den > 0)


def common_replicates(a: xr.Dataset, b: xr.Dataset) -> np.ndarray:
    return np.intersect1d(a["replicate"].values, b["replicate"].values)
