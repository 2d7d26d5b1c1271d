"""Exit 0 when two clustersim outputs (run files or merged sweep files) hold identical
content: the same variables with bit-identical values (NaN-aware, strings equal) and the
same scenario / experiment attributes. Attributes that describe the invocation
(command_line, created) may differ.
Usage: compare_outputs.py A.h5 B.h5 [--allow-new PREFIX,...]
--allow-new: variables of B missing from A whose names start with one of the prefixes
are ignored (new outputs; every variable A has must still be identical)."""
import sys

import h5py
import numpy as np


def variables(f):
    out = {}
    f.visititems(lambda name, obj: out.__setitem__(name, obj) if isinstance(obj, h5py.Dataset) else None)
    return out


def main():
    a, b = (h5py.File(p, "r") for p in sys.argv[1:3])
    va, vb = variables(a), variables(b)
    if len(sys.argv) > 4 and sys.argv[3] == "--allow-new":
        prefixes = tuple(sys.argv[4].split(","))
        vb = {k: v for k, v in vb.items() if k in va or not k.split("/")[-1].startswith(prefixes)}
    # Every difference is reported, not only the first: a variable added or removed must not
    # hide value differences in the variables both files hold.
    problems = []
    if sorted(va) != sorted(vb):
        problems.append(f"different variables: {sorted(set(va) ^ set(vb))}")
    for name in sorted(set(va) & set(vb)):
        x, y = va[name][()], vb[name][()]
        same = x.dtype == y.dtype and x.shape == y.shape and (
            np.array_equal(x, y) if x.dtype.kind in "OSU" else np.array_equal(x.view(np.uint8), y.view(np.uint8)))
        if not same:
            problems.append(f"{name} differs")
    for attr in ("scenario", "experiment_sha", "experiment"):
        if a.attrs.get(attr) != b.attrs.get(attr):
            problems.append(f"attribute {attr} differs")
    if problems:
        print("\n".join(problems), file=sys.stderr)
        return 1
    print(f"identical: {len(va)} variables")
    return 0


if __name__ == "__main__":
    sys.exit(main())
