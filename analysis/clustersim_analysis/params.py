"""Parameter files (bounds for sensitivity and calibration) and the unit-cube mapping.

Format (TOML), one table per scenario key::

    [parameters."exit.base_rate_per_quarter"]
    lower = 0.004
    upper = 0.03
    # log = true        # sample log-uniformly (both bounds > 0)
    # integer = true    # round to an integer (e.g. exit.loss_quarters)
"""
from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from . import AnalysisError


@dataclass(frozen=True)
class Parameter:
    key: str
    lower: float
    upper: float
    log: bool = False
    integer: bool = False

    def from_unit(self, u: np.ndarray) -> np.ndarray:
        u = np.asarray(u, float)
        if self.log:
            x = np.exp(np.log(self.lower) + u * (np.log(self.upper) - np.log(self.lower)))
        else:
            x = self.lower + u * (self.upper - self.lower)
        return np.round(x) if self.integer else x

    def to_unit(self, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x, float)
        if self.log:
            return (np.log(x) - np.log(self.lower)) / (np.log(self.upper) - np.log(self.lower))
        return (x - self.lower) / (self.upper - self.lower)


def read_toml(path: str | Path, what: str) -> dict:
    p = Path(path)
    if not p.is_file():
        raise AnalysisError(f"{p}: no such {what} file")
    try:
        return tomllib.loads(p.read_text())
    except tomllib.TOMLDecodeError as exc:
        raise AnalysisError(f"{p}: not valid TOML ({exc})") from None


def load_parameters(path: str | Path) -> list[Parameter]:
    doc = read_toml(path, "parameters")
    table = doc.get("parameters")
    if not isinstance(table, dict) or not table:
        raise AnalysisError(f"{path}: needs a [parameters.\"<scenario key>\"] table with lower and upper bounds")
    return parse_parameter_table(table, str(path))


def parse_parameter_table(table: dict, where: str) -> list[Parameter]:
    out = []
    for key, spec in table.items():
        ctx = f"{where}: parameters.\"{key}\""
        if not isinstance(spec, dict):
            raise AnalysisError(f"{ctx}: must be a table with lower and upper")
        unknown = set(spec) - {"lower", "upper", "log", "integer"}
        if unknown:
            raise AnalysisError(f"{ctx}: unknown field(s) {', '.join(sorted(unknown))}; allowed: lower, upper, log, integer")
        try:
            lo, hi = float(spec["lower"]), float(spec["upper"])
        except KeyError as exc:
            raise AnalysisError(f"{ctx}: missing {exc.args[0]}") from None
        except (TypeError, ValueError):
            raise AnalysisError(f"{ctx}: lower and upper must be numbers") from None
        if not (math.isfinite(lo) and math.isfinite(hi) and lo < hi):
            raise AnalysisError(f"{ctx}: needs lower < upper, got {lo} and {hi}")
        log = bool(spec.get("log", False))
        if log and lo <= 0:
            raise AnalysisError(f"{ctx}: log = true needs lower > 0, got {lo}")
        out.append(Parameter(key, lo, hi, log, bool(spec.get("integer", False))))
    return out


def to_values(params: list[Parameter], unit_row: np.ndarray) -> dict[str, float]:
    return {p.key: float(p.from_unit(u)) for p, u in zip(params, unit_row)}


def format_value(p: Parameter, x: float) -> str:
    return str(int(round(x))) if p.integer else repr(float(x))
