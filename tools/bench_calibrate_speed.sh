#!/usr/bin/env bash
# Speed of calibrate on a saas_baseline-sized export (docs/calibrate.md, "Cost"): export-crm of
# SCENARIO (one quarter, its own seed), then one calibrate with the default free set (each
# source's readiness alpha and behaviour-rate scale, the acceptance midpoint, the SDRs' handle-time
# scale) and the default R, on THREADS threads.
# Prints the wall and CPU time and where the time goes: evaluations x replications x the cost of
# one replication (trace, measure), from fit.json's counts. The issue's target: under 3 minutes
# on 2 cores.
#   tools/bench_calibrate_speed.sh [SCENARIO=scenarios/saas_baseline.json] [THREADS=2]
# Environment: CALIBRATE_ARGS (more calibrate arguments, e.g. "--replications 24"), FUNNELSIM (binary),
# KEEP (a folder to copy the export and the fit into, to compare fits).
set -euo pipefail
cd "$(dirname "$0")/.."
scenario=${1:-scenarios/saas_baseline.json}
threads=${2:-2}
bin=${FUNNELSIM:-build/funnelsim}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$bin" export-crm "$scenario" --format hubspot --quiet --out "$work/export"
leads=$(($(wc -l <"$work/export/contacts.csv") - 1))
echo "bench_calibrate_speed: $scenario, $leads leads in the export, $threads threads, $(nproc) cores, load $(cut -d' ' -f1 /proc/loadavg)"
# shellcheck disable=SC2086  # CALIBRATE_ARGS is a list of arguments
/usr/bin/time -f "%e %U %S" -o "$work/time" "$bin" calibrate "$scenario" --observed "$work/export" \
  --threads "$threads" --quiet --out "$work/fit" ${CALIBRATE_ARGS:-}
/usr/bin/python3 - "$work" <<'PY'
import json, sys
work = sys.argv[1]
wall, user, system = (float(x) for x in open(f"{work}/time").read().split())
fit = json.load(open(f"{work}/fit/fit.json"))
r, e = fit["replications"], fit["evaluations"]
m = len(fit["moments"])
p = sum(1 for q in fit["parameters"] if q["how"] == "fitted")
# calibrate.cpp: one pass of the lead counts and 1 + 2p of S and the Jacobian on n replications,
# every other evaluation (the objective's) on R.
n = max(r, 5 * m + 10, 100)
wide = 2 + 2 * p
reps = wide * n + (e - wide) * r
cpu = user + system
print(f"free parameters {p}, moments {m}, R = {r}, n = {n}, warm-up {fit['warmup']['days']} days")
print(f"evaluations {e}: {e - wide} of the objective x {r} replications + {wide} x {n} = {reps} replications simulated")
print(f"wall {wall:.1f} s ({wall / 60:.2f} min), CPU {cpu:.1f} s; {1000 * cpu / reps:.1f} ms CPU a replication")
print(f"J: {fit['j']['verdict']}")
PY
if [ -n "${KEEP:-}" ]; then
  mkdir -p "$KEEP"
  cp -r "$work/export" "$work/fit" "$KEEP/"
fi
