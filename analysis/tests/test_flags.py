"""CF flags of the code variables, read from a real run file with xarray and cftime.

Code variables are found in the file, not listed here: every Int32 variable (the model's
dtype of codes; counts are Int64, and the model refuses an Int32 variable without flags)
and every variable with flag_values. A new code variable without flags therefore fails,
and so does a count that reads like a code ("1 if ...", "index along ...") recorded as
Int64 without flags.
"""
from __future__ import annotations

import re
import subprocess
from pathlib import Path

import h5py
import numpy as np
import pytest
import xarray as xr

ROOT = Path(__file__).resolve().parents[2]
WORD = re.compile(r"^[A-Za-z0-9_.+@-]+$")
CODE_LIKE = re.compile(r"^(1 if |1 while |index along |maturity label)")


@pytest.fixture(scope="module")
def run_file(clustersim_binary, tmp_path_factory):
    """metacluster.toml at the default scale for 12 steps: clusters, meta-cluster slots, an
    instrument and the SME panel, so every index dimension is non-empty (about 2 s)."""
    out = tmp_path_factory.mktemp("flags") / "metacluster.h5"
    proc = subprocess.run([clustersim_binary, "run", str(ROOT / "scenarios" / "metacluster.toml"), "-o", str(out),
                           "--quiet", "--set", "run.steps=12"], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    return out


def text(value) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def code_variables(f: h5py.File) -> list[str]:
    names = [name for name, v in f.items() if isinstance(v, h5py.Dataset) and
             (v.dtype == np.int32 or "flag_values" in v.attrs)]
    return sorted(names)


def test_every_code_variable_has_cf_flags(run_file):
    with h5py.File(run_file, "r") as f:
        codes = code_variables(f)
        # The ones known today are all found (the list can grow, never shrink silently).
        assert {"cluster_active", "cluster_maturity", "cluster_metacluster", "metacluster_active", "panel_alive",
                "panel_cluster", "panel_digital", "panel_exporting", "panel_green", "panel_region_index",
                "panel_sector_index", "panel_support_instrument"} <= set(codes)
        for name in codes:
            v = f[name]
            assert "flag_values" in v.attrs and "flag_meanings" in v.attrs, f"{name}: no flag_values/flag_meanings"
            values = np.atleast_1d(v.attrs["flag_values"])
            meanings = text(v.attrs["flag_meanings"]).split(" ")
            assert values.dtype == v.dtype, f"{name}: flag_values {values.dtype}, variable {v.dtype} (CF: same type)"
            assert len(values) == len(meanings) == len(set(values.tolist())), name
            assert all(WORD.match(m) for m in meanings), f"{name}: {meanings}"
            raw = v[...]
            fill = v.attrs.get("_FillValue")
            coded = raw if fill is None else raw[raw != fill]
            assert np.isin(coded, values).all(), f"{name}: values {np.setdiff1d(coded, values)} have no meaning"
            assert fill is None or fill not in values, f"{name}: the fill value is also a flag"
            if (raw == -1).any():
                assert fill == -1, f"{name}: -1 is a sentinel but not the _FillValue"
            if "index_dimension" in v.attrs:
                dim = text(v.attrs["index_dimension"])
                coordinate = [text(c) for c in f[dim][...]]
                assert values.tolist() == list(range(len(coordinate))), name
                assert meanings == coordinate, f"{name}: meanings are not the {dim} coordinate"
        # An Int64 series that reads like a code would have escaped the Int32 rule.
        for name, v in f.items():
            if isinstance(v, h5py.Dataset) and v.dtype == np.int64 and "flag_values" not in v.attrs:
                assert not CODE_LIKE.match(text(v.attrs.get("long_name", ""))), f"{name} looks like a code"


def test_xarray_and_cftime_decode_codes_and_dates(run_file):
    with xr.open_dataset(run_file, engine="h5netcdf", use_cftime=True) as ds:
        assert type(ds["time"].values[0]).__module__.startswith("cftime")
        maturity = ds["cluster_maturity"]
        labels = dict(zip(np.atleast_1d(maturity.attrs["flag_values"]).tolist(),
                          maturity.attrs["flag_meanings"].split()))
        assert labels == {0: "none", 1: "bronze", 2: "silver", 3: "gold"}
        # -1 ("none") is masked: the index decodes to NaN, never to -1.
        for name in ("cluster_metacluster", "panel_cluster", "panel_region_index"):
            assert ds[name].encoding["_FillValue"] == -1
            assert not (ds[name] == -1).any(), name
        # Decoding a panel SME's region with its flags gives the region coordinate.
        region = ds["panel_region_index"].isel(replicate=0, step=0)
        alive = region.notnull()
        assert int(alive.sum()) > 0
        meanings = ds["panel_region_index"].attrs["flag_meanings"].split()
        decoded = [meanings[int(i)] for i in region.values[alive.values]]
        assert decoded == [str(r) for r in ds["region"].values[region.values[alive.values].astype(int)]]
