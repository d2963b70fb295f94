#!/usr/bin/env bash
# Installs funnelsim's build and test dependencies: Debian 12 packages (the build, chromium for
# the report's browser check, Python for the notebooks) and the npm packages of package-lock.json
# (the report's chart libraries and playwright-core).
# Idempotent: when everything is already installed it prints nothing and exits 0.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config
  libeigen3-dev libboost-dev libtbb-dev nlohmann-json3-dev
  catch2 libcli11-dev libfmt-dev librandom123-dev
  # funnelsim serve's HTTP server.
  libcpp-httplib-dev
  # calibrate's optimiser.
  libnlopt-cxx-dev
  # funnelsim-mpi (tools/mpi, docs/scale-out.md): OpenMPI's headers and mpirun.
  libopenmpi-dev openmpi-bin
  # The HTML report is checked in Debian's chromium (with fonts).
  chromium fonts-dejavu-core
  # The notebooks, run with /usr/bin/python3.
  python3-pandas python3-matplotlib python3-nbconvert python3-ipykernel python3-nbformat
  # The Python module (python/, built for /usr/bin/python3) and its tests (tests/python/).
  python3-dev pybind11-dev python3-numpy python3-pytest
  # The workshop notebook's threshold slider (it runs without, drawing its default once), and the
  # classic notebook server whose front end draws it (checked in Chromium by the test suite).
  python3-ipywidgets python3-notebook
  # tools/test.sh's sanitizer and fuzz stages: clang, its sanitizer and libFuzzer runtimes,
  # llvm-symbolizer for readable reports.
  clang-14 libclang-rt-14-dev llvm-14
  # tools/format.sh and the test that checks formatting.
  clang-format-14
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done
# node and npm fetch the report's chart libraries: Debian's, unless some node and npm are there.
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  missing+=(nodejs npm)
fi

if [ ${#missing[@]} -gt 0 ]; then
  echo "funnelsim setup: installing ${missing[*]}" >&2
  sudo_cmd=()
  [ "$(id -u)" -ne 0 ] && sudo_cmd=(sudo)
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get update -qq
  "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# The report's npm packages (package.json, package-lock.json), installed exactly as locked when
# node_modules is missing or older than the lock file.
cd "$(dirname "$0")/.."
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "funnelsim setup: npm ci (vega, vega-lite, vega-embed, playwright-core)" >&2
  log=$(mktemp)
  if ! npm ci --no-audit --no-fund --loglevel=error >"$log" 2>&1; then
    cat "$log" >&2
    rm -f "$log"
    exit 1
  fi
  rm -f "$log"
fi
