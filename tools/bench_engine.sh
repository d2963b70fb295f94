#!/usr/bin/env bash
# The engine's speed on the three reference scenarios (README, "Speed"): `funnelsim bench` on
# saas_baseline (sales desk and pipeline), channel_mix (no capacity) and million_leads (a million
# leads a replication), then a plain `funnelsim run` of the same scenario, seed and replications,
# whose checksum must equal the one bench printed: the timings are of the very work a run does.
# Exits 1 if a checksum differs. A benchmark: it prints figures and asserts nothing about them.
#   tools/bench_engine.sh [REPEATS=3]
# Environment: FUNNELSIM (binary, default build/funnelsim).
set -euo pipefail
cd "$(dirname "$0")/.."
repeats=${1:-3}
bin=${FUNNELSIM:-build/funnelsim}
status=0
echo "bench_engine: $(nproc) cores, load $(cut -d' ' -f1 /proc/loadavg), $("$bin" --version 2>/dev/null || echo "$bin")"
for spec in saas_baseline:200 channel_mix:200 million_leads:8; do
  scenario=scenarios/${spec%%:*}.json
  replications=${spec##*:}
  printed=$("$bin" bench "$scenario" --replications "$replications" --repeats "$repeats" --max-threads 2)
  echo "$printed"
  timed=$(sed -n 's/^checksum of the replications (sha256): //p' <<<"$printed")
  plain=$("$bin" run "$scenario" --replications "$replications" 2>/dev/null |
    sed -n 's/^checksum of the replications (sha256): //p')
  if [ -n "$timed" ] && [ "$timed" = "$plain" ]; then
    echo "a plain run prints the same checksum: yes"
  else
    echo "a plain run prints the same checksum: NO (run: ${plain:-none})"
    status=1
  fi
  echo
done
exit "$status"
