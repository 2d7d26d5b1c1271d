#!/usr/bin/python3
"""Checks that a file written from example_layout() in hdf5_writer_test.cpp opens in
xarray with engine="h5netcdf" and reads back as written: dimensions, coordinates,
values, dtypes, variable and global attributes; and, through h5py, that every
dimension scale is attached where h5netcdf and netCDF-C will look for it. Keep the
expectations below in sync with that test.

Usage: /usr/bin/python3 open_with_readers.py FILE
Exit status: 0 all checks passed, 1 a mismatch (each printed), 2 usage error,
3 a Python module is missing (the message names the Debian package).
"""

import math
import sys

REPLICATES, STEPS, REGIONS, CLUSTERS, SECTORS = 2, 3, 4, 2, 3

# Variable -> the dimension scale attached to each axis.
ATTACHED = {
    "region_population": ["region"],
    "cluster_region": ["cluster"],
    "sector_share": ["region", "sector"],
    "firms": ["replicate", "step", "region"],
    "turnover_eur": ["replicate", "step", "region", "sector"],
    "members": ["replicate", "step", "cluster"],
    "mean_wage_eur": ["replicate", "step", "region"],
}


def long_scenario_text():
    return "".join(f"[instrument_{i}]\nbudget_eur = {i * 1000}\n" for i in range(5000))


def check_xarray(path, expect, np, xr):
    with xr.open_dataset(path, engine="h5netcdf") as ds:
        sizes = dict(ds.sizes)
        expected_sizes = {"replicate": REPLICATES, "step": STEPS, "region": REGIONS,
                          "cluster": CLUSTERS, "sector": SECTORS}
        expect(sizes == expected_sizes, f"dimension sizes {sizes}, expected {expected_sizes}")
        # Placeholder datasets of dimensions without coordinates must stay hidden.
        for name in ("replicate", "step", "sector"):
            expect(name not in ds.variables, f"dimension placeholder '{name}' shows up as a variable")

        regions = ds["region"].values.tolist()
        expect(regions == ["DE11", "FR10", "ES30", "ITC4"], f"region coordinate {regions!r}")
        expect(all(isinstance(r, str) for r in regions), f"region codes are not str: {regions!r}")
        clusters = ds["cluster"].values
        expect(clusters.dtype == np.int64 and clusters.tolist() == [101, 202],
               f"cluster coordinate {clusters!r}")
        expect(ds["region"].attrs.get("long_name") == "NUTS-2 region code",
               f"region long_name {ds['region'].attrs.get('long_name')!r}")

        r = np.arange(REPLICATES).reshape(-1, 1, 1)
        t = np.arange(STEPS).reshape(1, -1, 1)

        firms = ds["firms"]
        expect(firms.dims == ("replicate", "step", "region"), f"firms dims {firms.dims}")
        expect(firms.dtype == np.int64, f"firms dtype {firms.dtype}")
        expected = 1000 * r + 100 * t + np.arange(REGIONS).reshape(1, 1, -1)
        expect(np.array_equal(firms.values, expected), f"firms values\n{firms.values}\nexpected\n{expected}")
        # A one-character text attribute: h5netcdf returns it as bytes, xarray decodes it.
        expect(firms.attrs.get("units") == "1", f"firms units {firms.attrs.get('units')!r}")
        expect(firms.attrs.get("long_name") == "number of SMEs",
               f"firms long_name {firms.attrs.get('long_name')!r}")
        fr10 = firms.sel(region="FR10").values
        expect(np.array_equal(fr10, (1000 * r + 100 * t + 1)[:, :, 0]), f"firms at FR10 {fr10}")

        turnover = ds["turnover_eur"]
        expect(turnover.dims == ("replicate", "step", "region", "sector"), f"turnover dims {turnover.dims}")
        expect(turnover.dtype == np.float64, f"turnover dtype {turnover.dtype}")
        cell = np.arange(REGIONS * SECTORS).reshape(1, 1, REGIONS, SECTORS)
        expected = 1e6 * r[..., np.newaxis] + 1e3 * t[..., np.newaxis] + cell + 0.25
        expect(np.array_equal(turnover.values, expected), "turnover_eur values differ")
        expect(turnover.attrs.get("units") == "EUR", f"turnover units {turnover.attrs.get('units')!r}")
        expect(turnover.attrs.get("long_name") == "turnover per quarter",
               f"turnover long_name {turnover.attrs.get('long_name')!r}")
        expect(turnover.attrs.get("cell_methods") == "step: sum",
               f"turnover cell_methods {turnover.attrs.get('cell_methods')!r}")
        fill = turnover.encoding.get("_FillValue")
        expect(fill is not None and math.isnan(fill), f"turnover _FillValue {fill!r}")

        members = ds["members"]
        expect(members.dtype == np.int32, f"members dtype {members.dtype}")
        expected = 10 * r + t + np.arange(CLUSTERS).reshape(1, 1, -1)
        expect(np.array_equal(members.values, expected), f"members values {members.values}")
        wage = ds["mean_wage_eur"]
        expect(wage.dtype == np.float32, f"mean_wage_eur dtype {wage.dtype}")

        attrs = ds.attrs
        expect(attrs.get("title") == "clustersim test output", f"title {attrs.get('title')!r}")
        expect(attrs.get("seed") == 42, f"seed {attrs.get('seed')!r}")
        expect(attrs.get("time_step_years") == 0.25, f"time_step_years {attrs.get('time_step_years')!r}")
        expect(attrs.get("currency_note") == "amounts in € (euro)",
               f"currency_note {attrs.get('currency_note')!r}")
        expect(attrs.get("comment") == "", f"comment {attrs.get('comment')!r}")
        scenario = attrs.get("scenario")
        expect(isinstance(scenario, str) and scenario == long_scenario_text(),
               f"scenario attribute differs (type {type(scenario).__name__}, "
               f"{len(scenario) if scenario is not None else 0} characters)")


def check_scales(path, expect, h5py):
    with h5py.File(path, "r") as f:
        for dim in ("replicate", "step", "region", "cluster", "sector"):
            expect(h5py.h5ds.is_scale(f[dim].id), f"H5DS: '{dim}' is not a dimension scale")
        for variable, dims in ATTACHED.items():
            dataset = f[variable]
            for axis, dim in enumerate(dims):
                expect(h5py.h5ds.is_attached(dataset.id, f[dim].id, axis),
                       f"H5DS: '{dim}' is not attached to axis {axis} of '{variable}'")
                scales = [scale.name for scale in dataset.dims[axis].values()]
                expect(scales == [f"/{dim}"], f"H5DS: axis {axis} of '{variable}' has scales {scales}")


def main(argv):
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    path = argv[1]
    try:
        import numpy as np
        import xarray as xr
        import h5netcdf  # noqa: F401  (xarray imports it lazily; fail early with a clear message)
        import h5py
    except ImportError as error:
        print(f"missing Python module ({error}): install the Debian packages "
              "python3-xarray python3-h5netcdf python3-h5py", file=sys.stderr)
        return 3

    problems = []

    def expect(condition, message):
        if not condition:
            problems.append(message)

    for check in (lambda: check_xarray(path, expect, np, xr), lambda: check_scales(path, expect, h5py)):
        try:
            check()
        except Exception as error:  # a missing variable or attribute is a mismatch too
            problems.append(f"reading failed: {type(error).__name__}: {error}")

    for problem in problems:
        print(f"{path}: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
