# Shared by scripts/demo, scripts/test and scripts/bench: install what is missing, build.
# Sourced, not run.
set -euo pipefail

CS_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CS_BUILD_DIR=${CLUSTERSIM_BUILD_DIR:-$CS_ROOT/build}
CS_JOBS=${CLUSTERSIM_JOBS:-$(nproc)}

# Debian bookworm packages, by purpose.
CS_BUILD_PACKAGES=(cmake ninja-build g++ pkg-config libboost-dev libtbb-dev libhdf5-dev zlib1g-dev libeigen3-dev
  libtomlplusplus-dev libcli11-dev libspdlog-dev libfmt-dev librandom123-dev catch2
  libboost-mpi-dev libopenmpi-dev openmpi-bin)
# Python: Debian's packages under /usr/bin/python3 (there is no PyPI here).
CS_PYTHON_PACKAGES=(python3 python3-venv python3-numpy python3-h5py python3-h5netcdf python3-xarray
  python3-pandas python3-scipy python3-matplotlib python3-optuna python3-sqlalchemy python3-pytest
  python3-sklearn python3-statsmodels)
# python3-netcdf4: xarray's engine="netcdf4" (netCDF-C) in tests/experiments/check_merged.py.
# python3-cftime: decoding the CF time coordinate (analysis/tests/test_time.py).
# util-linux: prlimit (the bad-input catalogue's memory case).
# chromium: renders the compare report headless (analysis/tests/test_report_browser.py).
CS_TEST_PACKAGES=(hdf5-tools netcdf-bin python3-netcdf4 python3-cftime chromium util-linux "${CS_PYTHON_PACKAGES[@]}")
CS_BENCH_PACKAGES=(time valgrind)
# The fuzzers and the sanitizer builds (scripts/fuzz, scripts/test --sanitize / --tsan):
# clang with libFuzzer and the sanitizer runtimes; llvm for llvm-symbolizer (not pulled in
# without recommends), which turns sanitizer and fuzzer stacks into function names and lines.
CS_FUZZ_PACKAGES=(clang-14 clang libclang-rt-14-dev llvm)

cs_log() { printf '[%s] %s\n' "$(basename "$0")" "$*" >&2; }

# cs_require_packages PKG...: installs the missing ones with apt-get when running as root,
# otherwise prints the exact command and fails.
cs_require_packages() {
  local missing=()
  local pkg
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
    cs_log "installing missing Debian packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    cs_log "missing Debian packages: ${missing[*]}"
    echo "Run:  sudo apt-get update && sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
    exit 1
  fi
}

# cs_build [TARGET...]: configures (once) and builds in Release.
cs_build() {
  local generator=()
  if [ ! -f "$CS_BUILD_DIR/CMakeCache.txt" ]; then
    command -v ninja >/dev/null && generator=(-G Ninja)
    cmake -S "$CS_ROOT" -B "$CS_BUILD_DIR" "${generator[@]}" -DCMAKE_BUILD_TYPE=Release >/dev/null
  fi
  if [ $# -gt 0 ]; then
    local targets=()
    local t
    for t in "$@"; do targets+=(--target "$t"); done
    cmake --build "$CS_BUILD_DIR" -j "$CS_JOBS" "${targets[@]}"
  else
    cmake --build "$CS_BUILD_DIR" -j "$CS_JOBS"
  fi
}

# cs_build_in DIR [CMAKE_ARGS...] [-- TARGET...]: configures DIR once with the arguments
# (a separate build tree: sanitizers, fuzzers), then builds the targets (default: all).
cs_build_in() {
  local dir=$1
  shift
  local config=() targets=()
  while [ $# -gt 0 ] && [ "$1" != -- ]; do config+=("$1"); shift; done
  [ "${1:-}" = -- ] && shift
  local t
  for t in "$@"; do targets+=(--target "$t"); done
  local generator=()
  if [ ! -f "$dir/CMakeCache.txt" ]; then
    command -v ninja >/dev/null && generator=(-G Ninja)
    local launcher=()
    command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
    cmake -S "$CS_ROOT" -B "$dir" "${generator[@]}" "${launcher[@]}" "${config[@]}" >/dev/null
  fi
  cmake --build "$dir" -j "$CS_JOBS" "${targets[@]}"
}

CS_BIN() { echo "$CS_BUILD_DIR/models/clustersim"; }

# The Python with Debian's scientific packages: a venv over /usr/bin/python3 (the first
# python3 on PATH may be another interpreter without them).
cs_python() {
  local venv="$CS_ROOT/.venv"
  if [ ! -x "$venv/bin/python" ]; then
    /usr/bin/python3 -m venv --system-site-packages "$venv" >/dev/null
  fi
  echo "$venv/bin/python"
}
