#!/usr/bin/env bash
# Checks that two funnelsim binaries give byte-identical outputs: every shipped scenario through
# `validate --resolved`, `run` (files, report, printed text), and `compare`, `sweep`,
# `sensitivity` and `report` on the what-if scenarios; then every bad-scenario file's message and
# exit code. Made for refactors that must change nothing a user sees.
#   tools/check_outputs_identical.sh BEFORE_BINARY AFTER_BINARY
# Build BEFORE from the older commit, e.g.
#   git worktree add /tmp/before OLD && cmake -S /tmp/before -B /tmp/before/build
#   -DCMAKE_BUILD_TYPE=Release && cmake --build /tmp/before/build --target funnelsim
# Prints each case as "same" or "DIFFERENT" (with the first differing lines) and exits 1 if
# any case differs.
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -eq 2 ] || { echo "usage: $0 BEFORE_BINARY AFTER_BINARY" >&2; exit 2; }
before=$(realpath "$1")
after=$(realpath "$2")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# One case: NAME then the funnelsim arguments; "@OUT" stands for the case's output folder.
# The command runs from the source root with both binaries; stdout, stderr, the exit code and
# every file written under the case's folder are compared.
cases=()
add() { cases+=("$(printf '%q ' "$@")"); }

for s in scenarios/*.json; do
  name=$(basename "$s" .json)
  [ "$name" = schema ] && continue
  add "validate $name" validate "$s" --resolved
  reps=20
  [ "$name" = million_leads ] && reps=2
  add "run $name" run "$s" --replications "$reps" --seed 7 --threads 2 --out @OUT/result --report @OUT/report.html
done
add "run precision" run scenarios/saas_baseline.json --precision mqls=5% --seed 3 --out @OUT/result
add "run set first-replication" run scenarios/channel_mix.json --replications 10 --first-replication 5 \
  --set /scoring/mql_threshold=70 --out @OUT/result
add "compare threshold and capacity" compare scenarios/saas_baseline.json scenarios/threshold_raise.json \
  scenarios/sdr_capacity.json --replications 20 --seed 5 --out @OUT/result --report @OUT/report.html
add "compare recycling" compare scenarios/nurture_recycle.json scenarios/nurture_recycle_off.json \
  --replications 20 --out @OUT/result
add "compare uncertain" compare scenarios/uncertain_rates.json scenarios/uncertain_rates.json \
  --set /scoring/mql_threshold=70 --replications 20 --out @OUT/result
add "compare precision" compare scenarios/saas_baseline.json scenarios/threshold_raise.json \
  --precision sqls=20% --out @OUT/result
add "sweep threshold" sweep scenarios/saas_baseline.json --param /scoring/mql_threshold=55:75:10 \
  --objective "maximize sqls" --pareto cost_per_sql_marketing,sqls --replications 10 --out @OUT/result \
  --report @OUT/report.html
add "sweep two params" sweep scenarios/channel_mix.json --param /scoring/mql_threshold=60,70 \
  --param /sources/0/leads_per_week=50,80 --replications 10 --out @OUT/result
add "sensitivity channel_mix" sensitivity scenarios/channel_mix.json --replications 5 --out @OUT/result \
  --report @OUT/report.html
add "sensitivity saas_baseline subset" sensitivity scenarios/saas_baseline.json --vary 10% --metric sqls \
  --params /scoring/mql_threshold,/sources/0/leads_per_week --replications 10 --out @OUT/result
add "report of a run" run scenarios/saas_baseline.json --replications 10 --out @OUT/result --quiet
for f in tests/bad_scenarios/[0-9][0-9]_*.json; do
  add "bad $(basename "$f" .json) validate" validate "$f"
  add "bad $(basename "$f" .json) run" run "$f" --replications 2
done

run_case() {  # binary, folder to keep the outputs in, arguments...
  # Both binaries write into the same path ($work/run), so paths printed or embedded in a
  # report are the same; the outputs are then moved aside for comparison.
  local binary=$1 keep=$2 dir=$work/run
  shift 2
  rm -rf "$dir"
  mkdir -p "$dir" "$(dirname "$keep")"
  local args=()
  for a in "$@"; do args+=("${a//@OUT/$dir}"); done
  local rc=0
  "$binary" "${args[@]}" >"$dir/stdout" 2>"$dir/stderr" </dev/null || rc=$?
  echo "$rc" >"$dir/exit"
  if [ -d "$dir/result" ] && [ "${args[0]}" = run ] && [ -f "$dir/result/summary.json" ]; then
    "$binary" report "$dir/result" --out "$dir/from_report.html" >"$dir/report_stdout" 2>&1 || true
  fi
  mv "$dir" "$keep"
}

failed=0
i=0
for c in "${cases[@]}"; do
  eval "set -- $c"
  label=$1
  shift
  i=$((i + 1))
  run_case "$before" "$work/before/$i" "$@"
  run_case "$after" "$work/after/$i" "$@"
  if diff -r "$work/before/$i" "$work/after/$i" >"$work/diff" 2>&1; then
    echo "same       $label"
  else
    echo "DIFFERENT  $label"
    head -20 "$work/diff" | sed 's/^/    /'
    failed=$((failed + 1))
  fi
done
echo "$((i - failed)) of $i cases byte-identical (stdout, stderr, exit code, every file written)"
[ "$failed" -eq 0 ]
