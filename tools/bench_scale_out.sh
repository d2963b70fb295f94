#!/usr/bin/env bash
# Scale-out benchmark of funnelsim-mpi (docs/scale-out.md):
#   1. parallel efficiency at 1 and 2 ranks on this machine (one thread per rank, so that 2 ranks
#      use the 2 cores as 2 threads of one process would);
#   2. a model of the efficiency at 8 to 512 ranks from what was measured: the compute per
#      replication, the bytes gathered per replication, the fixed start-up of a rank and rank 0's
#      assembly per replication, with a stated network bandwidth and latency;
#   3. an oversubscribed -np 8 run checked for output identical to a plain run (correctness only:
#      8 ranks on 2 cores say nothing about speed).
# Usage: tools/bench_scale_out.sh [BUILD_DIR] [REPLICATIONS]   (default build, 200)
# Environment: SCENARIO (default scenarios/saas_baseline.json), BANDWIDTH_GBPS (default 10),
# LATENCY_US (default 5), MODEL_REPLICATIONS (default 100000).
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
replications=${2:-200}
scenario=${SCENARIO:-scenarios/saas_baseline.json}
bandwidth_gbps=${BANDWIDTH_GBPS:-10}
latency_us=${LATENCY_US:-5}
model_replications=${MODEL_REPLICATIONS:-100000}
cli="$build/funnelsim"
mpi_cli="$build/funnelsim-mpi"
[ -x "$mpi_cli" ] || { echo "bench_scale_out: $mpi_cli not built (configure with -DFUNNELSIM_MPI=ON)" >&2; exit 2; }
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
mpirun=(mpirun --oversubscribe --bind-to none)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

seconds() {  # seconds COMMAND...: wall time of one run, its output discarded
  local start end
  start=$(date +%s%N)
  "$@" >/dev/null 2>&1
  end=$(date +%s%N)
  awk -v a="$start" -v b="$end" 'BEGIN { printf "%.3f", (b - a) / 1e9 }'
}

echo "scenario $scenario, $replications replications, $(nproc) cores"
t_setup=$(seconds "$cli" run "$scenario" --replications 1 --threads 1 --quiet)
t_plain=$(seconds "$cli" run "$scenario" --replications "$replications" --threads 1 --quiet)
t_threads2=$(seconds "$cli" run "$scenario" --replications "$replications" --threads 2 --quiet)
t_np1=$(seconds "${mpirun[@]}" -np 1 "$mpi_cli" run "$scenario" --replications "$replications" --threads 1 --quiet)
t_np2=$(seconds "${mpirun[@]}" -np 2 "$mpi_cli" run "$scenario" --replications "$replications" --threads 1 --quiet)
"$cli" run "$scenario" --replications "$replications" --shard 1/1 --quiet --out "$work/shard"
bytes=$(stat -c %s "$work/shard/shard.json")
t_merge=$(seconds "$cli" merge "$work/shard" --out "$work/merged" --quiet)

awk -v setup="$t_setup" -v plain="$t_plain" -v threads2="$t_threads2" -v np1="$t_np1" -v np2="$t_np2" -v n="$replications" \
    -v bytes="$bytes" -v merge="$t_merge" -v gbps="$bandwidth_gbps" -v lat="$latency_us" \
    -v big="$model_replications" 'BEGIN {
  compute = (plain - setup) / n            # seconds of one core per replication
  per_rep_bytes = bytes / n
  assemble = (merge - setup) / n; if (assemble < 0) assemble = 0
  printf "measured:\n"
  printf "  plain run, 1 thread         %8.2f s\n", plain
  printf "  plain run, 2 threads        %8.2f s   efficiency %5.1f%% (what this machine gives 2 workers now)\n", threads2,
         100 * plain / (2 * threads2)
  printf "  mpirun -np 1, 1 thread      %8.2f s   efficiency %5.1f%%\n", np1, 100 * plain / np1
  printf "  mpirun -np 2, 1 thread each %8.2f s   efficiency %5.1f%% (speed-up %.2f on %d cores)\n", np2,
         100 * plain / (2 * np2), plain / np2, 2
  printf "  start-up of a rank (read, compile, warm-up rule) %.3f s\n", setup
  printf "  compute per replication     %.4f s of one core\n", compute
  printf "  gathered per replication    %.0f bytes (shard JSON)\n", per_rep_bytes
  printf "  rank 0 assembly per replication %.5f s (merge of one shard, start-up taken off)\n", assemble
  printf "\nmodel for %d replications, one core per rank, %.0f Gbit/s into rank 0, %.0f us latency:\n", big, gbps, lat
  printf "  T(P) = setup + compute*R/P + gather(R*bytes at the bandwidth, plus log2(P) latencies) + assembly*R\n"
  printf "  %6s %12s %12s %12s %12s\n", "ranks", "T(P) s", "compute s", "serial s", "efficiency"
  t1 = setup + compute * big + assemble * big
  for (p = 8; p <= 512; p *= 2) {
    gather = big * per_rep_bytes * 8 / (gbps * 1e9) + log(p) / log(2) * lat * 1e-6
    serial = setup + gather + assemble * big
    t = serial + compute * big / p
    printf "  %6d %12.2f %12.2f %12.2f %11.1f%%\n", p, t, compute * big / p, serial, 100 * t1 / (p * t)
  }
  printf "  (the serial part, chiefly rank 0 parsing the rows of every rank and summarizing them, bounds the speed-up at\n"
  printf "   (compute + assembly) / assembly = %.0f ranks)\n", (compute + assemble) / (assemble > 0 ? assemble : 1e-9)
}'

echo
echo "oversubscribed check: mpirun -np 8 against a plain run, every file byte for byte"
"$cli" run "$scenario" --replications 40 --quiet --out "$work/plain8"
"${mpirun[@]}" -np 8 "$mpi_cli" run "$scenario" --replications 40 --threads 1 --quiet --out "$work/np8"
"$cli" sweep "$scenario" --param /scoring/mql_threshold=50,60,70 --replications 10 --quiet --out "$work/sweep_plain"
"${mpirun[@]}" -np 8 "$mpi_cli" sweep "$scenario" --param /scoring/mql_threshold=50,60,70 --replications 10 \
  --threads 1 --quiet --out "$work/sweep_np8"
if diff -r "$work/plain8" "$work/np8" >/dev/null && diff -r "$work/sweep_plain" "$work/sweep_np8" >/dev/null; then
  echo "identical: yes (run and sweep)"
else
  echo "identical: NO" >&2
  exit 1
fi
