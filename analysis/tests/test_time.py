"""The engine's CF time coordinate, decoded by xarray with cftime from a real run file."""
from __future__ import annotations

import subprocess
from pathlib import Path

import cftime
import numpy as np
import xarray as xr

ROOT = Path(__file__).resolve().parents[2]


def run(binary, tmp_path, *sets):
    out = tmp_path / "run.h5"
    cmd = [binary, "run", str(ROOT / "scenarios" / "baseline.toml"), "-o", str(out), "--quiet",
           "--set", "population.smes=2000", "--set", "run.steps=9", "--set", "run.replicates=1", *sets]
    return subprocess.run(cmd, capture_output=True, text=True), out


def test_time_coordinate_decodes_to_calendar_quarters(clustersim_binary, tmp_path):
    proc, out = run(clustersim_binary, tmp_path, "--set", "run.start_date=2023-10-01")
    assert proc.returncode == 0, proc.stderr
    with xr.open_dataset(out, engine="h5netcdf", use_cftime=True) as ds:
        time = ds["time"]
        assert "time" in ds.coords and time.dims == ("step",)
        assert time.encoding["units"] == "days since 2023-10-01"
        assert time.encoding["calendar"] == "proleptic_gregorian"
        assert time.attrs["standard_name"] == "time"
        expected = [cftime.DatetimeProlepticGregorian(2023 + (9 + 3 * t) // 12, (9 + 3 * t) % 12 + 1, 1)
                    for t in range(10)]
        assert list(time.values) == expected  # 2023-10-01, 2024-01-01, ..., 2026-01-01
        assert "time" in ds["employment"].coords
        raw = xr.open_dataset(out, engine="h5netcdf", decode_times=False)
        # Real quarters: Q4 2023 has 92 days, Q1 2024 (leap year) 91, Q2 2024 91, Q3 2024 92.
        assert np.diff(raw["time"].values)[:4].tolist() == [92, 91, 91, 92]
        raw.close()


def test_bad_start_date_is_a_clear_error(clustersim_binary, tmp_path):
    for bad, rule in (("2023-02-01", "first day of a calendar quarter"), ("2023-02-30", "not a calendar date"),
                      ("01.01.2023", "YYYY-MM-DD")):
        proc, out = run(clustersim_binary, tmp_path, "--set", f"run.start_date={bad}")
        assert proc.returncode == 2, proc.stderr
        assert "run.start_date" in proc.stderr and rule in proc.stderr
        assert not out.exists()
