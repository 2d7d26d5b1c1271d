"""Exit 1 unless every instrument in a run file spent money (any source, any step, every
replicate). Usage: check_spending.py RUN.h5"""
import sys

import h5py
import numpy as np


def main(path):
    with h5py.File(path, "r") as f:
        spent = np.asarray(f["instrument_spent_by_source_eur"])  # (replicate, step, instrument, source)
        ids = [x.decode() if isinstance(x, bytes) else str(x) for x in np.asarray(f["instrument"])]
    by_instrument = spent.sum(axis=(1, 3))  # (replicate, instrument)
    bad = [(ids[i], r) for r in range(by_instrument.shape[0]) for i in range(by_instrument.shape[1])
           if not by_instrument[r, i] > 0]
    for i, name in enumerate(ids):
        print(f"{name}: spent EUR {by_instrument[:, i].mean():,.0f} per replicate")
    if bad:
        print("spent nothing:", bad)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
