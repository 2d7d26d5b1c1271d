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
    # netCDF-C's reader too, where python3-netcdf4 is installed (the file is HDF5 1.10).
    try:
        import netCDF4  # noqa: F401
    except ImportError:
        print("engine netcdf4: python3-netcdf4 not installed, not checked")
    else:
        with xr.open_dataset(path, engine="netcdf4") as nc:
            assert dict(nc.sizes) == dict(ds.sizes), (nc.sizes, ds.sizes)
            np.testing.assert_array_equal(nc.smes_active.values, ds.smes_active.values)
            np.testing.assert_array_equal(nc.turnover_eur.values, ds.turnover_eur.values)
            assert list(nc.run_id.values) == list(ds.run_id.values)
    print("ok", dict(ds.sizes))
    return 0


if __name__ == "__main__":
    sys.exit(main())
