"""Plots for the compare report. Time plots use the file's CF ``time`` coordinate (dates)
when it has one and ``step`` otherwise, and shade every instrument's window. Axis values
are written with k/M/bn suffixes: no ``1e6`` offset text that collides with the unit label.
"""
from __future__ import annotations

import math
import textwrap
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only; no display on build machines
import matplotlib.dates as mdates  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import matplotlib.ticker as mticker  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import xarray as xr  # noqa: E402

from .convergence import CONVERGENCE_MEASURES  # noqa: E402
from .money import Window, calls_over_time, spending_by_source, unspent_over_time  # noqa: E402

LEVEL_ORDER = ["less_developed", "transition", "more_developed"]
SOURCE_COLORS = {"eu": "#1f4e9c", "national": "#e08a1e", "regional": "#4a9c3b", "private": "#9a9a9a"}


def human(x: float, _pos=None) -> str:
    """1234567 -> '1.23M': tick labels and table cells without an exponent."""
    if x is None or not np.isfinite(x):
        return "n/a"
    a = abs(x)
    for scale, suffix in ((1e9, "bn"), (1e6, "M"), (1e3, "k")):
        if a >= scale:
            return f"{x / scale:.3g}{suffix}"
    return f"{x:.3g}" if a >= 1e-3 or x == 0 else f"{x:.2e}"


class TimeAxis:
    """x positions of steps: dates from the CF time coordinate, or step numbers."""

    def __init__(self, ds: xr.Dataset):
        self.steps = np.asarray(ds["step"].values)
        t = ds["time"].values if "time" in ds.variables else None
        self.dated = t is not None and np.issubdtype(np.asarray(t).dtype, np.datetime64)
        # Matplotlib date numbers (days), so bar widths and spans are plain floats.
        self.x = mdates.date2num(pd.to_datetime(t).to_pydatetime()) if self.dated else self.steps
        self.label = "date (end of quarter)" if self.dated else "step (quarter)"

    def at(self, steps) -> np.ndarray:
        idx = np.searchsorted(self.steps, np.asarray(steps))
        return np.asarray(self.x)[np.clip(idx, 0, len(self.steps) - 1)]

    def describe(self, step: int) -> str:
        if not self.dated:
            return f"step {step}"
        return f"step {step} ({mdates.num2date(self.at([step])[0]).date().isoformat()})"

    def style(self, ax) -> None:
        ax.set_xlabel(self.label, fontsize=8)
        if self.dated:
            ax.xaxis_date()
            loc = mdates.AutoDateLocator(maxticks=7)
            ax.xaxis.set_major_locator(loc)
            ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(loc))


def style_y(ax, units: str) -> None:
    ax.yaxis.set_major_formatter(mticker.FuncFormatter(human))
    ax.set_ylabel(units, fontsize=8)


def style_small_y(ax, label: str) -> None:
    """A y axis of tiny values (e.g. 1e-6 log points) in units of the power of ten, named in
    the label, instead of matplotlib's detached "1e-6" offset, which is easily missed."""
    top = max(abs(v) for v in ax.get_ylim())
    if not (0 < top < 1e-2):
        ax.set_ylabel(label, fontsize=8)
        return
    k = int(np.floor(np.log10(top)))
    ax.yaxis.set_major_formatter(mticker.FuncFormatter(lambda v, _: f"{v / 10 ** k:g}"))
    ax.set_ylabel(f"{label} × 1e{k}", fontsize=8)


def shade_windows(ax, axis: TimeAxis, wins: list[Window]) -> None:
    """Quarter t spans (t-1, t]: an instrument active in quarters start..end covers
    [start-1, end]; an early stop ends the shade with a red dashed line at the start of
    the stop quarter."""
    for k, w in enumerate(wins):
        last = w.end if w.stop is None else w.stop - 1
        lo, hi = axis.at([max(w.start - 1, int(axis.steps[0]))])[0], axis.at([last])[0]
        ax.axvspan(lo, hi, color=f"C{k % 10}", alpha=0.07, lw=0)
        if w.stop is not None:
            ax.axvline(axis.at([w.stop - 1])[0], color="tab:red", ls="--", lw=1)


def _save(fig, path: Path, top: float = 1.0) -> Path:
    fig.tight_layout(rect=(0, 0, 1, top))  # top < 1 leaves room for a suptitle
    fig.savefig(path, dpi=90)
    plt.close(fig)
    return path


def title(ax, text: str, width: int = 48) -> None:
    """A panel title wrapped to two lines at most, so neighbours do not overlap."""
    lines = textwrap.wrap(text, width)
    ax.set_title("\n".join(lines[:2]) + ("..." if len(lines) > 2 else ""), fontsize=8.5)


def _grid(n: int, cols: int = 3, height: float = 3.0):
    rows = max(1, math.ceil(n / cols))
    fig, axes = plt.subplots(rows, cols, figsize=(13, height * rows), squeeze=False)
    for ax in list(axes.flat)[n:]:
        ax.axis("off")
    return fig, axes


def plot_eu_effects(eff: pd.DataFrame, scenario: str, baseline: str, indicators: list[str], axis: TimeAxis,
                    wins: list[Window], path: Path) -> Path:
    sel = eff[(eff.scenario == scenario) & (eff.group_type == "EU")]
    inds = [i for i in indicators if i in set(sel.indicator)]
    fig, axes = _grid(len(inds))
    for ax, name in zip(axes.flat, inds):
        d = sel[sel.indicator == name].sort_values("step")
        x = axis.at(d.step)
        shade_windows(ax, axis, wins)
        ax.fill_between(x, d.effect_ci_low, d.effect_ci_high, alpha=0.3, color="tab:blue", label="95% interval")
        ax.plot(x, d.effect_mean, color="tab:blue", label="mean effect")
        ax.axhline(0, color="grey", lw=0.8)
        cum = " (cumulated)" if d.kind.iloc[0] == "flow" else ""
        title(ax, f"{d.label.iloc[0]}{cum}")
        style_y(ax, d.units.iloc[0] or "count")
        axis.style(ax)
    if inds:
        axes.flat[0].legend(fontsize=7)
    fig.suptitle(f"EU total: {scenario} minus {baseline}, paired by replicate (shaded: instrument windows)",
                 fontsize=12)
    return _save(fig, path, top=1 - 0.45 / fig.get_figheight())


def plot_group_effects(eff: pd.DataFrame, scenario: str, group_type: str, indicators: list[str],
                       horizon: int, path: Path) -> Path | None:
    sel = eff[(eff.scenario == scenario) & (eff.group_type == group_type) & (eff.step == horizon)]
    inds = [i for i in indicators if i in set(sel.indicator)]
    if not inds:
        return None
    fig, axes = _grid(len(inds), height=3.0 if group_type == "development_level" else 4.2)
    for ax, name in zip(axes.flat, inds):
        d = sel[sel.indicator == name]
        if group_type == "development_level":
            d = d.set_index("group").reindex([g for g in LEVEL_ORDER if g in set(d.group)]
                                             + sorted(set(d.group) - set(LEVEL_ORDER))).reset_index()
        y = np.arange(len(d))
        err = np.vstack([d.effect_mean - d.effect_ci_low, d.effect_ci_high - d.effect_mean])
        ax.barh(y, d.effect_mean, xerr=np.nan_to_num(err), color="tab:orange", alpha=0.8, capsize=3)
        ax.set_yticks(y, d.group, fontsize=8)
        ax.axvline(0, color="grey", lw=0.8)
        title(ax, d.label.iloc[0])
        ax.xaxis.set_major_formatter(mticker.FuncFormatter(human))
        ax.set_xlabel(f"effect ({d.units.iloc[0] or 'count'})", fontsize=8)
    fig.suptitle(f"{scenario}: effect by {group_type.replace('_', ' ')} at step {horizon} (bars: 95% interval)",
                 fontsize=12)
    return _save(fig, path, top=1 - 0.45 / fig.get_figheight())


def plot_top_regions(eff: pd.DataFrame, scenario: str, indicator: str, horizon: int, path: Path, top=20):
    sel = eff[(eff.scenario == scenario) & (eff.group_type == "region") & (eff.step == horizon)
              & (eff.indicator == indicator)].copy()
    if sel.empty:
        return None
    sel = sel.reindex(sel.effect_mean.abs().sort_values(ascending=False).index).head(top)[::-1]
    fig, ax = plt.subplots(figsize=(8, 0.3 * len(sel) + 1.5))
    err = np.vstack([sel.effect_mean - sel.effect_ci_low, sel.effect_ci_high - sel.effect_mean])
    ax.barh(np.arange(len(sel)), sel.effect_mean, xerr=np.nan_to_num(err), color="tab:green", alpha=0.8, capsize=2)
    ax.set_yticks(np.arange(len(sel)), sel.group, fontsize=8)
    ax.axvline(0, color="grey", lw=0.8)
    ax.xaxis.set_major_formatter(mticker.FuncFormatter(human))
    ax.set_xlabel(f"effect on {sel.label.iloc[0].lower()} at step {horizon} ({sel.units.iloc[0] or 'count'})")
    ax.set_title(f"{scenario}: {len(sel)} regions with the largest effect", fontsize=11)
    return _save(fig, path)


def plot_convergence(conv, scenario: str, baseline: str, axis: TimeAxis, wins: list[Window], path: Path) -> Path:
    """Top: sigma of each run, interval as thin dashed lines (two filled bands would hide
    each other). Bottom: the paired effect with its filled band."""
    measures = list(CONVERGENCE_MEASURES)
    fig, axes = plt.subplots(2, len(measures), figsize=(13, 6.4), squeeze=False, sharex=True)
    for k, m in enumerate(measures):
        raw = conv.sigma_raw[(scenario, m)]
        x = axis.at(raw["step"])
        top, bottom = axes[0, k], axes[1, k]
        for label, key, color in ((baseline, "baseline", "tab:grey"), (scenario, "scenario", "tab:blue")):
            mean, lo, hi = raw[key]
            top.plot(x, mean, color=color, label=label, lw=1.6)
            top.plot(x, lo, color=color, ls=":", lw=0.8)
            top.plot(x, hi, color=color, ls=":", lw=0.8)
        top.set_ylabel("sigma (log points)", fontsize=8)
        top.set_title("Sigma-convergence of " + CONVERGENCE_MEASURES[m][2], fontsize=9)
        top.legend(fontsize=7)
        mean, lo, hi = raw["effect"]
        shade_windows(bottom, axis, wins)
        bottom.fill_between(x, lo, hi, color="tab:purple", alpha=0.3, label="95% interval")
        bottom.plot(x, mean, color="tab:purple", label="scenario minus baseline")
        bottom.axhline(0, color="grey", lw=0.8)
        style_small_y(bottom, "sigma effect (log points)")
        bottom.legend(fontsize=7)
        axis.style(bottom)
    return _save(fig, path)


def plot_money(ds: xr.Dataset, name: str, axis: TimeAxis, wins: list[Window], path: Path) -> Path:
    """Spending per quarter by funding source (stacked), calls (applications, awards,
    success rate), failed projects and unspent money by instrument."""
    fig, axes = plt.subplots(2, 2, figsize=(13, 6.8))
    spend = spending_by_source(ds)
    ax = axes[0, 0]
    shade_windows(ax, axis, wins)
    x = axis.at(spend.index.values)
    ax.stackplot(x, *[spend[c].values for c in spend.columns], labels=list(spend.columns),
                 colors=[SOURCE_COLORS.get(c, "#777") for c in spend.columns], alpha=0.85)
    ax.set_title(f"{name}: money disbursed per quarter by funding source", fontsize=9)
    style_y(ax, "EUR per quarter")
    axis.style(ax)
    ax.legend(fontsize=7, loc="upper right")
    calls = calls_over_time(ds)
    ax = axes[0, 1]
    shade_windows(ax, axis, wins)
    x = axis.at(calls.index.values)
    for col, color in (("applications", "tab:blue"), ("awards", "tab:green")):
        if col in calls:
            ax.bar(x, calls[col].values, width=(40 if axis.dated else 0.6), color=color, alpha=0.6, label=col)
    style_y(ax, "per quarter")
    axis.style(ax)
    ax.set_title("calls: applications, awards and success rate", fontsize=9)
    if "success_rate" in calls:
        ax2 = ax.twinx()
        ax2.plot(x, calls.success_rate.values, "o-", color="black", ms=3, lw=1, label="success rate")
        ax2.set_ylim(0, 1.05)
        ax2.set_ylabel("success rate (awards / applications)", fontsize=8)
        ax2.legend(fontsize=7, loc="upper left")
    ax.legend(fontsize=7, loc="upper right")
    ax = axes[1, 0]
    shade_windows(ax, axis, wins)
    if "projects_failed" in calls:
        ax.plot(x, np.cumsum(calls.projects_failed.values), color="tab:red", label="projects failed (cumulative)")
    if "awards" in calls:
        ax.plot(x, np.cumsum(calls.awards.values), color="tab:green", label="awards (cumulative)")
    style_y(ax, "count")
    axis.style(ax)
    ax.set_title("awards and failed projects, cumulative", fontsize=9)
    ax.legend(fontsize=7)
    ax = axes[1, 1]
    shade_windows(ax, axis, wins)
    unspent = unspent_over_time(ds)
    if unspent is not None:
        for k, col in enumerate(unspent.columns):
            ax.plot(axis.at(unspent.index.values), unspent[col].values, color=f"C{k % 10}", label=col)
    style_y(ax, "EUR")
    axis.style(ax)
    ax.set_title("unspent money (after the window or a stop: returned to funders)", fontsize=9)
    ax.legend(fontsize=7)
    return _save(fig, path)
