#!/usr/bin/python3
"""`clustersim run`, `sweep` and `merge` on a full disk (issue 16): each must end with a
clear message naming the file and "No space left on device", a non-zero exit status (not
a signal: HDF5's exit cleanup used to crash with SIGSEGV), and no temporary or partial
file left behind.

Mounts small tmpfs file systems, so it needs root; exits 77 (ctest: skipped) with the
reason when not root or when mounting fails (e.g. in an unprivileged container).

Usage: /usr/bin/python3 full_disk.py SOURCE_DIR   (CLUSTERSIM_BIN names the binary)
"""

import os
import subprocess
import sys
import tempfile

SKIP = 77
BIN = os.environ.get("CLUSTERSIM_BIN", "")
SOURCE = sys.argv[1] if len(sys.argv) > 1 else "."
SMALL = ["--set", "population.smes=3000", "--set", "population.regions=20", "--set", "world.source=synthetic", "--set", "run.steps=200"]
failures = []


def expect(condition, message):
    if not condition:
        failures.append(message)
        print("FAIL:", message)


def clustersim(*args, cwd=None):
    r = subprocess.run([BIN, *args], capture_output=True, text=True, cwd=cwd, timeout=600)
    print(f"$ clustersim {' '.join(args)}\n  exit {r.returncode}\n  stderr: {r.stderr.strip()[-600:]}")
    return r


def mount_tmpfs(size):
    point = tempfile.mkdtemp(prefix="clustersim-full-disk-")
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", point], capture_output=True, text=True)
    if r.returncode != 0:
        os.rmdir(point)
        print(f"SKIPPED: mount -t tmpfs failed ({r.stderr.strip()}); the full-disk test needs it")
        sys.exit(SKIP)
    return point


def unmount(point):
    subprocess.run(["umount", point], check=False)
    os.rmdir(point)


def files_under(point):
    return sorted(os.path.relpath(os.path.join(d, f), point) for d, _, fs in os.walk(point) for f in fs)


def expect_clean_failure(r, what, names):
    expect(r.returncode > 0, f"{what}: exit status {r.returncode}, expected a non-zero exit (not a signal)")
    expect("No space left on device" in r.stderr, f"{what}: no 'No space left on device' in stderr")
    expect(names in r.stderr, f"{what}: stderr does not name '{names}'")
    expect("Segmentation" not in r.stderr, f"{what}: crashed")


def check_run():
    point = mount_tmpfs("256k")
    try:
        out = os.path.join(point, "out.h5")
        r = clustersim("run", f"{SOURCE}/scenarios/baseline.toml", "-o", out, "--quiet", *SMALL)
        expect_clean_failure(r, "run", out)
        expect(files_under(point) == [], f"run: files left on the full disk: {files_under(point)}")
    finally:
        unmount(point)


def write_experiment(directory):
    path = os.path.join(directory, "exp.toml")
    with open(path, "w") as f:
        f.write(f'baseline = "{SOURCE}/scenarios/baseline.toml"\nreplicates = 2\n'
                "[set]\nrun.steps = 40\npopulation.smes = 3000\npopulation.regions = 20\nworld.source = \"synthetic\"\n"
                '[[variant]]\nname = "more_clusters"\n[variant.set]\npopulation.clusters = 60\n')
    return path


def check_sweep(scratch):
    point = mount_tmpfs("400k")
    try:
        sweep = os.path.join(point, "sweep")
        r = clustersim("sweep", write_experiment(scratch), "-d", sweep, "-j", "1")
        expect(r.returncode > 0, f"sweep: exit status {r.returncode}, expected a non-zero exit (not a signal)")
        expect("No space left on device" in r.stderr, "sweep: no 'No space left on device' in stderr")
        left = [f for f in files_under(point) if ".tmp-" in f]
        expect(left == [], f"sweep: temporary files left: {left}")
        expect(not os.path.exists(os.path.join(sweep, "merged.h5")), "sweep: a merged.h5 on a full disk")
    finally:
        unmount(point)


def check_merge(scratch):
    sweep = os.path.join(scratch, "sweep")
    r = clustersim("sweep", write_experiment(scratch), "-d", sweep, "-j", "2")
    expect(r.returncode == 0, f"merge: the sweep to merge failed: {r.stderr}")
    point = mount_tmpfs("64k")
    try:
        merged = os.path.join(point, "all.h5")
        r = clustersim("merge", sweep, "-o", merged)
        expect_clean_failure(r, "merge", merged)
        expect(files_under(point) == [], f"merge: files left on the full disk: {files_under(point)}")
    finally:
        unmount(point)


def main():
    if not BIN:
        print("usage: CLUSTERSIM_BIN=... full_disk.py SOURCE_DIR")
        return 2
    if os.geteuid() != 0:
        print("SKIPPED: not root; the full-disk test mounts a tmpfs")
        return SKIP
    with tempfile.TemporaryDirectory(prefix="clustersim-full-disk-") as scratch:
        check_run()
        check_sweep(scratch)
        check_merge(scratch)
    print("ok" if not failures else f"{len(failures)} failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
