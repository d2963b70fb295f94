#!/usr/bin/env bash
# How long `funnelsim run` takes to stop after SIGINT: a benchmark, not a test (the tests in
# tests/test_interrupt.cpp assert what a stop does, never how long it takes, so a busy machine
# cannot fail them). Starts a run that would take minutes, waits until it is simulating, sends
# SIGINT half a second later and times the exit; prints each trial and the median and maximum.
#   tools/bench_stop_latency.sh [FUNNELSIM_BINARY] [TRIALS]
set -euo pipefail
cd "$(dirname "$0")/.."
binary=${1:-build/funnelsim}
trials=${2:-5}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

latencies=()
for ((i = 1; i <= trials; i++)); do
  : >"$work/err"
  "$binary" run scenarios/saas_baseline.json --replications 20000 --threads "$(nproc)" \
    --out "$work/out" >/dev/null 2>"$work/err" &
  pid=$!
  until grep -q "estimated peak memory" "$work/err"; do
    kill -0 "$pid" 2>/dev/null || { echo "run ended before it simulated:" >&2; cat "$work/err" >&2; exit 1; }
    sleep 0.01
  done
  sleep 0.5
  start=$(date +%s.%N)
  kill -INT "$pid"
  status=0
  wait "$pid" || status=$?
  end=$(date +%s.%N)
  [ "$status" -eq 130 ] || { echo "trial $i: exit $status, expected 130" >&2; exit 1; }
  ms=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", (b - a) * 1000 }')
  latencies+=("$ms")
  echo "trial $i: stopped ${ms} ms after SIGINT (exit 130)"
done
printf '%s\n' "${latencies[@]}" | sort -n |
  awk '{ v[NR] = $1 } END { printf "stop latency over %d trials: median %.1f ms, max %.1f ms\n", NR, (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2), v[NR] }'
