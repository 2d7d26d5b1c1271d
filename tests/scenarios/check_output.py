"""Opens a clustersim output with xarray (h5netcdf engine) and checks the layout promised
in docs/OUTPUT.md. Exit code 0 = OK; otherwise the first problem is printed."""
import sys

import numpy as np
import xarray as xr

REGION_VARS = ["smes_active", "employment", "turnover_eur", "smes_innovating", "partnerships_concluded",
               "smes_exporting", "digital_adopters", "green_adopters"]
CLUSTER_VARS = ["cluster_members", "cluster_budget_eur"]
GLOBAL_ATTRS = ["scenario", "seed", "clustersim_version", "command_line", "created"]


def fail(msg):
    print(f"check_output: {sys.argv[1]}: {msg}", file=sys.stderr)
    sys.exit(1)


INSTRUMENT_VARS = ["instrument_budget_eur", "instrument_spent_eur", "instrument_applications", "instrument_awards",
                   "instrument_smes_supported"]


def check_instruments(ds):
    """The instrument layout (docs/OUTPUT.md) and the accounting invariant: for every
    instrument and funding source, at every step, allocated = disbursed + committed + unspent
    to the cent, and the disbursements of the quarters add up to the cumulative disbursement."""
    for dim in ["instrument", "source"]:
        if dim not in ds.dims or dim not in ds.coords:
            fail(f"missing dimension or coordinate {dim}")
    if list(ds["source"].values) != ["eu", "national", "regional", "private"]:
        fail(f"sources are {list(ds['source'].values)}")
    for name in INSTRUMENT_VARS:
        if ds[name].dims != ("replicate", "step", "instrument"):
            fail(f"{name} has dims {ds[name].dims}")
    if ds["instrument_spent_by_source_eur"].dims != ("replicate", "step", "instrument", "source"):
        fail("instrument_spent_by_source_eur has the wrong dims")
    if ds.sizes["instrument"] == 0:
        return

    def cents(name):
        return np.rint(ds[name].values * 100).astype(np.int64)

    allocated = cents("instrument_allocated_by_source_eur")
    disbursed = cents("instrument_disbursed_by_source_eur")
    committed = cents("instrument_committed_by_source_eur")
    unspent = cents("instrument_unspent_by_source_eur")
    if not (allocated == disbursed + committed + unspent).all():
        fail("accounting invariant broken: allocated != disbursed + committed + unspent")
    if not (np.cumsum(cents("instrument_spent_by_source_eur"), axis=1) == disbursed).all():
        fail("quarterly spending by source does not add up to the cumulative disbursement")
    if not (cents("instrument_spent_by_source_eur").sum(axis=3) == cents("instrument_spent_eur")).all():
        fail("spending by source does not add up to instrument_spent_eur")
    if (committed < 0).any() or (unspent < 0).any():
        fail("negative committed or unspent money")


def main():
    path, steps, replicates = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    ds = xr.open_dataset(path, engine="h5netcdf")
    for dim in ["replicate", "step", "region", "cluster", "sector"]:
        if dim not in ds.dims:
            fail(f"missing dimension {dim}")
        if dim not in ds.coords:
            fail(f"dimension {dim} has no coordinate variable")
    if ds.sizes["step"] != steps + 1 or ds.sizes["replicate"] != replicates:
        fail(f"sizes {dict(ds.sizes)}")
    if "units" not in ds["step"].attrs:
        fail("step has no units")
    if not all(isinstance(v, str) and v for v in ds["region"].values):
        fail("region codes are not strings")
    if not all(isinstance(v, str) and v for v in ds["cluster"].values):
        fail("cluster ids are not strings")
    for name, dims in [(v, ("replicate", "step", "region")) for v in REGION_VARS] + \
                      [(v, ("replicate", "step", "cluster")) for v in CLUSTER_VARS]:
        if name not in ds:
            fail(f"missing variable {name}")
        var = ds[name]
        if var.dims != dims:
            fail(f"{name} has dims {var.dims}, expected {dims}")
        for attr in ["units", "long_name"]:
            if not var.attrs.get(attr):
                fail(f"{name} has no {attr}")
        if not np.all(np.isfinite(var.values)):
            fail(f"{name} has non-finite values (a slice was not written)")
    for name, var in ds.data_vars.items():
        if "long_name" not in var.attrs:
            fail(f"{name} has no long_name")
    for attr in GLOBAL_ATTRS:
        if attr not in ds.attrs:
            fail(f"missing global attribute {attr}")
    if "[run]" not in ds.attrs["scenario"]:
        fail("scenario attribute does not hold the resolved TOML")
    active = ds["smes_active"].sum("region")
    if not (active > 0).all():
        fail("no active SMEs")
    members = ds["cluster_members"].sum("cluster")
    if not (members == ds["cluster_member_smes"].sum("region")).all():
        fail("cluster_members disagrees with cluster_member_smes")
    check_instruments(ds)
    print(f"ok: {path} {dict(ds.sizes)}")


if __name__ == "__main__":
    main()
