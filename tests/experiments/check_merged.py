"""Checks the merged-sweep contract of docs/OUTPUT.md with xarray (h5netcdf engine).
Usage: check_merged.py MERGED.h5 RUNS SWEPT_KEY... (SWEPT_KEY may be empty)"""
import sys

import numpy as np
import xarray as xr


def main():
    path, runs, keys = sys.argv[1], int(sys.argv[2]), [k for k in sys.argv[3:] if k]
    ds = xr.open_dataset(path, engine="h5netcdf")
    assert ds.sizes["run"] == runs, ds.sizes
    assert "replicate" not in ds.dims
    for name, kind in [("run_id", "O"), ("scenario", "O"), ("status", "O"), ("error", "O"),
                       ("replicate", "i"), ("seed", "i")]:
        assert ds[name].dims == ("run",), (name, ds[name].dims)
        assert ds[name].dtype.kind == kind, (name, ds[name].dtype)
    assert set(ds.status.values) <= {"done", "failed"}, set(ds.status.values)
    assert "baseline" in set(ds.scenario.values)
    for key in keys:
        var = ds["swept__" + key.replace(".", "__")]
        assert var.dims == ("run",) and var.dtype == np.float64 and var.attrs["scenario_key"] == key
    assert ds.smes_active.dims[:2] == ("run", "step"), ds.smes_active.dims
    done = ds.status.values == "done"
    assert np.isnan(ds.turnover_eur.values[~done]).all()
    assert not np.isnan(ds.turnover_eur.values[done]).any()
    assert all(len(r) == 16 for r in ds.run_id.values)
    assert "experiment_sha" in ds.attrs
    print("ok", dict(ds.sizes))
    return 0


if __name__ == "__main__":
    sys.exit(main())
