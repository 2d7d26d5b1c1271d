"""Small statistical helpers shared by compare, sensitivity and calibration."""
from __future__ import annotations

import warnings

import numpy as np
from scipy import stats


def t_interval(samples: np.ndarray, axis: int = 0, level: float = 0.95):
    """Mean and two-sided Student-t interval of the mean along ``axis``.

    Returns (mean, low, high, n). With one sample the interval is NaN: a single
    replicate says nothing about the spread."""
    x = np.asarray(samples, dtype=float)
    n = np.sum(np.isfinite(x), axis=axis)
    with np.errstate(invalid="ignore", divide="ignore"), warnings.catch_warnings():
        # All-NaN cells (an empty region, a one-replicate run) give NaN, which is the answer.
        warnings.simplefilter("ignore", RuntimeWarning)
        mean = np.nanmean(x, axis=axis)
        sd = np.nanstd(x, axis=axis, ddof=1) if x.shape[axis] > 1 else np.full_like(mean, np.nan)
        q = stats.t.ppf(0.5 + level / 2, np.maximum(n - 1, 1))
        half = np.where(n > 1, q * sd / np.sqrt(n), np.nan)
    return mean, mean - half, mean + half, n


def bootstrap_ratio(num: np.ndarray, den: np.ndarray, rng: np.random.Generator,
                    resamples: int = 2000, level: float = 0.95):
    """Ratio of means and its percentile bootstrap interval over paired samples."""
    num = np.asarray(num, float)
    den = np.asarray(den, float)
    n = num.size
    with np.errstate(invalid="ignore", divide="ignore"):
        point = num.mean() / den.mean()
        if n < 2:
            return point, np.nan, np.nan
        idx = rng.integers(0, n, size=(resamples, n))
        boot = num[idx].mean(axis=1) / den[idx].mean(axis=1)
    boot = boot[np.isfinite(boot)]
    if boot.size < resamples // 2:
        return point, np.nan, np.nan
    a = (1 - level) / 2
    return point, float(np.quantile(boot, a)), float(np.quantile(boot, 1 - a))


def ols_slope(x: np.ndarray, y: np.ndarray) -> float:
    ok = np.isfinite(x) & np.isfinite(y)
    x, y = x[ok], y[ok]
    if x.size < 3 or np.ptp(x) == 0:
        return np.nan
    xc = x - x.mean()
    return float(np.dot(xc, y - y.mean()) / np.dot(xc, xc))
