#!/usr/bin/env bash
# The whole test suite: set up, build (warnings are errors), run every test through ctest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/build.sh
cd build
ctest --output-on-failure --parallel "$(nproc)"
