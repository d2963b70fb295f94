#!/usr/bin/env bash
# Newcomer's first command: set up, build, and simulate the shipped SaaS baseline quarter.
# Extra arguments go to `funnelsim run` (e.g. --replications 1000 --out results).
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/build.sh >/dev/null
./build/funnelsim run scenarios/saas_baseline.json "$@"
