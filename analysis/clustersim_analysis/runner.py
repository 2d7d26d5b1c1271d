"""Runs clustersim for a list of parameter points and extracts scalar outputs.

Every point uses the same ``run.seed`` and replicate count (common random numbers), so
differences between points come from the parameters, not from the random draws.
"""
from __future__ import annotations

import os
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Callable

import xarray as xr

from . import AnalysisError

CLUSTERSIM_ENV = "CLUSTERSIM"


class RunFailed(Exception):
    """clustersim failed for a point (exit code 1 for the analysis command)."""


def repo_root() -> Path:
    return Path(os.environ.get("CLUSTERSIM_ROOT") or Path(__file__).resolve().parents[2])


def find_clustersim(explicit: str | None = None) -> str:
    """--clustersim, then $CLUSTERSIM, then PATH, then the build folder."""
    candidates = []
    if explicit:
        candidates.append(explicit)
    if os.environ.get(CLUSTERSIM_ENV):
        candidates.append(os.environ[CLUSTERSIM_ENV])
    on_path = shutil.which("clustersim")
    if on_path:
        candidates.append(on_path)
    build = os.environ.get("CLUSTERSIM_BUILD_DIR") or str(repo_root() / "build")
    candidates.append(str(Path(build) / "models" / "clustersim"))
    for c in candidates:
        if os.path.isfile(c) and os.access(c, os.X_OK):
            return c
        if explicit and c == explicit:
            raise AnalysisError(f"--clustersim {explicit}: not an executable file")
    raise AnalysisError("clustersim not found (tried $CLUSTERSIM, PATH and "
                        f"{build}/models/clustersim): build it with scripts/demo, or pass --clustersim PATH")


def run_point(binary: str, scenario: str, sets: dict[str, str], out: Path, threads: int) -> None:
    cmd = [binary, "run", scenario, "-o", str(out), "--quiet", "--threads", str(threads)]
    for k, v in sets.items():
        cmd += ["--set", f"{k}={v}"]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        msg = (proc.stderr.strip() or proc.stdout.strip()).splitlines()
        raise RunFailed(f"clustersim exited with {proc.returncode} for "
                        f"{' '.join('--set ' + k + '=' + v for k, v in sets.items())}: "
                        + (msg[-1] if msg else "(no message)"))


def evaluate(binary: str, scenario: str, common_sets: dict[str, str], points: list[dict[str, str]],
             extract: Callable[[xr.Dataset], dict[str, float]], workdir: Path, jobs: int = 2,
             threads: int | None = None, progress: Callable[[int, int], None] | None = None,
             keep: bool = False) -> list[dict[str, float]]:
    """Runs every point (common_sets then the point's own keys) and returns extract(ds) per point.

    Threads, not processes: each worker only waits on a clustersim subprocess."""
    workdir.mkdir(parents=True, exist_ok=True)
    threads = threads or max(1, (os.cpu_count() or 1) // max(1, jobs))
    done = [0]

    def one(i: int) -> dict[str, float]:
        out = workdir / f"point_{i:05d}.h5"
        run_point(binary, scenario, {**common_sets, **points[i]}, out, threads)
        try:
            with xr.open_dataset(out, engine="h5netcdf") as ds:
                ds.load()
                values = extract(ds)
        finally:
            if not keep:
                out.unlink(missing_ok=True)
        done[0] += 1
        if progress:
            progress(done[0], len(points))
        return values

    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        return list(pool.map(one, range(len(points))))
