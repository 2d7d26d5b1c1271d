"""Exit 0 when replicate I of FULL.h5 equals the single-replicate file ONE.h5 bit for bit:
every series variable, the replicate coordinate (== I) and replicate_seed.
Usage: replicate_equal.py FULL.h5 ONE.h5 I"""
import sys

import h5py
import numpy as np


def main():
    full, one, i = h5py.File(sys.argv[1], "r"), h5py.File(sys.argv[2], "r"), int(sys.argv[3])
    if list(one["replicate"][()]) != [i]:
        print(f"replicate coordinate is {one['replicate'][()]}, expected [{i}]", file=sys.stderr)
        return 1
    if one["replicate_seed"][0] != full["replicate_seed"][i]:
        print("replicate_seed differs", file=sys.stderr)
        return 1
    checked = 0
    replicates = full["replicate"].shape[0]
    for name, var in full.items():
        # Series variables are (replicate, step, ...); statics have at most one dimension.
        if var.ndim >= 2 and var.shape[0] == replicates:
            x, y = var[i], one[name][0]
            if x.dtype != y.dtype or not np.array_equal(x.view(np.uint8), y.view(np.uint8)):
                print(f"{name} differs", file=sys.stderr)
                return 1
            checked += 1
    if checked == 0:
        print("no series variables found", file=sys.stderr)
        return 1
    print(f"identical: {checked} series variables")
    return 0


if __name__ == "__main__":
    sys.exit(main())
