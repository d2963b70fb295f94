#!/usr/bin/env bash
# Installs missing dependencies, then configures and builds funnelsim (Release, warnings as
# errors) into ./build. Safe to run again: it rebuilds only what changed.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/setup.sh
generator=()
command -v ninja >/dev/null 2>&1 && generator=(-G Ninja)
if [ ! -f build/CMakeCache.txt ]; then
  cmake -S . -B build "${generator[@]}" -DCMAKE_BUILD_TYPE=Release -DFUNNELSIM_WERROR=ON >/dev/null
fi
cmake --build build --parallel "$(nproc)"
