"""The money side of a run: spending by funding source over time, calls (applications,
awards, success rate), failed projects and funds returned, and when each instrument ran.

Everything is read from the instrument variables of the output file (docs/OUTPUT.md) and
the instruments of the resolved scenario in its ``scenario`` attribute.
"""
from __future__ import annotations

import tomllib
from dataclasses import dataclass

import numpy as np
import pandas as pd
import xarray as xr


@dataclass(frozen=True)
class Window:
    """Quarters start..end in which an instrument can award; ``stop`` = its early stop."""
    instrument: str
    start: int
    end: int
    stop: int | None = None


def windows(ds: xr.Dataset) -> list[Window]:
    """Instrument windows from the resolved scenario (empty when it has none)."""
    try:
        scenario = tomllib.loads(str(ds.attrs.get("scenario", "")))
    except tomllib.TOMLDecodeError:
        return []
    last = int(ds["step"].values[-1])
    out = []
    for inst in scenario.get("instruments", []):
        start, end = int(inst.get("start_step", 1)), int(inst.get("end_step", last))
        stop = inst.get("stop_step")
        stop = int(stop) if stop is not None and 0 < int(stop) <= end else None
        out.append(Window(str(inst.get("id", "?")), start, min(end, last), stop))
    return out


def has_instruments(ds: xr.Dataset) -> bool:
    return "instrument" in ds.dims and ds.sizes["instrument"] > 0 and "instrument_spent_eur" in ds.variables


def spending_by_source(ds: xr.Dataset) -> pd.DataFrame:
    """Mean over replicates of the money disbursed in each quarter, by source (columns),
    summed over instruments; index = step."""
    if "instrument_spent_by_source_eur" in ds.variables:
        da = ds["instrument_spent_by_source_eur"].sum("instrument").mean("replicate")
        return pd.DataFrame(da.transpose("step", "source").values, index=ds["step"].values,
                            columns=[str(s) for s in da["source"].values])
    da = ds["instrument_spent_eur"].sum("instrument").mean("replicate")
    return pd.DataFrame({"all sources": da.values}, index=ds["step"].values)


def _mean(ds, var):
    return ds[var].mean("replicate") if var in ds.variables else None


def calls_over_time(ds: xr.Dataset) -> pd.DataFrame:
    """Per quarter, summed over instruments, mean over replicates: applications, awards,
    success rate (awards / applications of the quarter's calls), failed projects."""
    cols = {}
    for var, col in (("instrument_applications", "applications"), ("instrument_awards", "awards"),
                     ("instrument_projects_failed", "projects_failed")):
        m = _mean(ds, var)
        if m is not None:
            cols[col] = m.sum("instrument").values
    df = pd.DataFrame(cols, index=ds["step"].values)
    if {"applications", "awards"} <= set(df):
        with np.errstate(invalid="ignore", divide="ignore"):
            df["success_rate"] = np.where(df.applications > 0, df.awards / df.applications, np.nan)
    return df


def instrument_table(ds: xr.Dataset) -> pd.DataFrame:
    """One row per instrument over the whole run, mean over replicates: budget allocated,
    spent, committed and unspent (returned or still available) at the end, applications,
    awards, success rate, failed projects and their share of awards."""
    last = ds["step"].values[-1]
    rows = []
    for k, inst in enumerate(ds["instrument"].values):
        one = ds.isel(instrument=k)

        def total(var):
            return float(one[var].sum("step").mean("replicate")) if var in one.variables else np.nan

        def at_end(var):
            return float(one[var].sel(step=last).mean("replicate")) if var in one.variables else np.nan

        apps, awards, failed = (total("instrument_applications"), total("instrument_awards"),
                                total("instrument_projects_failed"))
        rows.append({
            "instrument": str(inst),
            "type": str(ds["instrument_type"].values[k]) if "instrument_type" in ds.variables else "",
            "budget allocated (EUR)": at_end("instrument_budget_eur"),
            "spent (EUR)": total("instrument_spent_eur"),
            "committed at end (EUR)": at_end("instrument_committed_eur"),
            "unspent at end (EUR)": at_end("instrument_unspent_eur"),
            "applications": apps, "awards": awards,
            "success rate": awards / apps if apps > 0 else np.nan,
            "projects failed": failed,
            "failed share of awards": failed / awards if awards > 0 else np.nan,
        })
        if "instrument_smes_supported_distinct" in one.variables:  # files from before it have neither
            paid, smes = total("instrument_paid_to_smes_eur"), at_end("instrument_smes_supported_distinct")
            rows[-1].update({"paid to SMEs (EUR)": paid, "distinct SMEs supported": smes,
                             "paid to SMEs per SME (EUR)": paid / smes if smes > 0 else np.nan})
    return pd.DataFrame(rows)


def unspent_over_time(ds: xr.Dataset) -> pd.DataFrame | None:
    """Allocated money neither paid nor committed at the end of each quarter, by
    instrument (after an instrument's end or stop: returned to the funders)."""
    m = _mean(ds, "instrument_unspent_eur")
    if m is None:
        return None
    return pd.DataFrame(m.transpose("step", "instrument").values, index=ds["step"].values,
                        columns=[str(i) for i in ds["instrument"].values])
