#!/usr/bin/python3
"""Opens the merged file of hdf5_merge_test.cpp ("a merged file opens in xarray ...") with
xarray's h5netcdf AND netCDF4 engines and checks that scenario, replicate and swept__*
are coordinates along run, that padding (a baseline with 2 items in a 4-item merge, a
failed run) is masked, so means over a padded dimension are right, and that runs pair by
replicate. Keep in sync with that test.

Usage: /usr/bin/python3 check_merged_xarray.py MERGED.h5
Exit status: 0 all checks passed, 1 a mismatch (each printed).
"""

import sys

import numpy as np
import xarray as xr

failures = []


def expect(condition, message):
    if not condition:
        failures.append(message)
        print("FAIL:", message)


def check(path, engine):
    with xr.open_dataset(path, engine=engine) as ds:
        tag = f"[{engine}]"
        for name in ["scenario", "replicate", "swept__world__rate"]:
            expect(name in ds.coords, f"{tag} {name} is not a coordinate: coords {list(ds.coords)}")
            expect(ds[name].dims == ("run",), f"{tag} {name} has dims {ds[name].dims}")
        expect("count" in ds.data_vars and "scenario" in ds["count"].coords,
               f"{tag} count does not carry the scenario coordinate")
        expect(list(ds.scenario.values) == ["baseline", "more_items", "baseline", "more_items"],
               f"{tag} scenario {list(ds.scenario.values)}")
        expect(list(ds.replicate.values) == [0, 0, 1, 1], f"{tag} replicate {list(ds.replicate.values)}")

        count = ds["count"]  # run x step x item; count = base + 10 step + item
        expect(count.dtype.kind == "f", f"{tag} count not decoded as masked (dtype {count.dtype})")
        last = count.isel(step=-1)
        expect(np.isnan(last.values[0, 2:]).all(), f"{tag} the baseline's padding is not missing: {last.values[0]}")
        expect(np.isnan(last.values[3]).all(), f"{tag} the failed run is not missing: {last.values[3]}")
        mean = float(last.isel(run=0).mean("item"))
        expect(mean == 20.5, f"{tag} baseline mean over items {mean}, expected 20.5 (padding counted?)")
        expect(float(last.isel(run=1).mean("item")) == 21.5, f"{tag} variant mean over items")
        flag = ds["flag"]  # declared fill value -1
        expect(np.isnan(flag.values[3]).all(), f"{tag} flag of the failed run not masked: {flag.values[3]}")
        expect(flag.attrs.get("_FillValue", flag.encoding.get("_FillValue")) == -1,
               f"{tag} flag _FillValue {flag.encoding.get('_FillValue')}")
        expect(np.isnan(ds["level"].values[0, :, 2:]).all(), f"{tag} level padding not NaN")

        # Runs pair by replicate: scenario x replicate, as in docs/OUTPUT.md.
        paired = last.sum("item", min_count=1).set_index(run=["scenario", "replicate"]).unstack("run")
        expect(paired.sizes == {"scenario": 2, "replicate": 2}, f"{tag} paired sizes {dict(paired.sizes)}")
        effect = paired - paired.sel(scenario="baseline")
        expect(float(effect.sel(scenario="more_items", replicate=0)) == (20 + 21 + 22 + 23) - (20 + 21),
               f"{tag} paired effect {effect.values}")


def main():
    path = sys.argv[1]
    for engine in ["h5netcdf", "netcdf4"]:
        check(path, engine)
    print("ok" if not failures else f"{len(failures)} failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
