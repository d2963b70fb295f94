#!/usr/bin/env bash
# Coverage of calibrate's 95% intervals (docs/calibrate.md, "Coverage"): N synthetic exports of a
# known truth (export-crm of SCENARIO under seeds 1001..1000+N), each calibrated from a base moved
# away from the truth (BASE_SET), then per parameter how often the interval covers the truth's
# value, the mean absolute error and the mean interval width; and the run time of each fit.
#   tools/bench_calibrate.sh [N=20] [SCENARIO=scenarios/saas_baseline.json] [REPLICATIONS=24]
# Environment: FREE (the --free list), BASE_SET (--set arguments for the base alone), TRUTH_SET
# (--set arguments for truth and base alike, e.g. --set /horizon_days=42), SCALE_TRUTH (the true
# factor of a '*' pattern in FREE, a scale of the base's fields: its truth is not in the scenario),
# FUNNELSIM (binary). FREE=default leaves --free out: calibrate's default set (a source's
# behaviour-rate scale, absent from the shipped scenarios, has the truth 1 there, and the SDR
# handle-time scale SCALE_TRUTH, default 1). A source's behaviour-rate scale, absent from the shipped scenarios (1), its truth
# 1.4 and the base's 1:
#   FREE=/sources/0/profile/event_rate_scale,/sales_acceptance/midpoint TRUTH_SET='--set
#   /sources/0/profile/event_rate_scale=1.4' BASE_SET='--set /sources/0/profile/event_rate_scale=1
#   --set /sales_acceptance/midpoint=0.65' tools/bench_calibrate.sh
# Example, the SDR handle-time scale with the base's handle times 1/1.3 of the truth's:
#   FREE='/sales/teams/*/handle_time/mean_minutes' SCALE_TRUTH=1.3 BASE_SET='--set
#   /sales/teams/0/handle_time/mean_minutes=11.538 --set /sales/teams/1/handle_time/mean_minutes=19.231'
#   tools/bench_calibrate.sh
set -euo pipefail
cd "$(dirname "$0")/.."
seeds=${1:-20}
scenario=${2:-scenarios/saas_baseline.json}
replications=${3:-24}
free=${FREE:-/sources/0/profile/readiness/alpha,/sales_acceptance/midpoint}
free_args=(--free "$free")
if [ "$free" = default ]; then
  free_args=()
  export SCALE_TRUTH=${SCALE_TRUTH:-1}
fi
base_set=${BASE_SET:---set /sources/0/profile/readiness/alpha=2.5 --set /sales_acceptance/midpoint=0.65}
truth_set=${TRUTH_SET:-}
bin=${FUNNELSIM:-build/funnelsim}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "bench_calibrate: $seeds exports of $scenario $truth_set, --free $free, base $base_set, R = $replications, $(nproc) cores"
for s in $(seq 1 "$seeds"); do
  # shellcheck disable=SC2086  # TRUTH_SET and BASE_SET are lists of arguments
  "$bin" export-crm "$scenario" $truth_set --format hubspot --seed $((1000 + s)) --quiet --out "$work/export$s"
  started=$(date +%s.%N)
  # Each fit its own simulation seed: under one seed every fit would share the same simulated
  # replications (the same error in S, in G and in the simulated means), and the N coverage
  # outcomes would not be independent draws.
  # shellcheck disable=SC2086
  "$bin" calibrate "$scenario" $truth_set $base_set --observed "$work/export$s" "${free_args[@]}" --replications "$replications" \
    --seed $((90000 + s)) --quiet --out "$work/fit$s"
  echo "$s $(date +%s.%N) $started" >>"$work/times"
done
/usr/bin/python3 - "$work" "$scenario" "$seeds" "$truth_set" <<'PY'
import json, os, shlex, sys
work, scenario, seeds, truth_set = sys.argv[1], sys.argv[2], int(sys.argv[3]), shlex.split(sys.argv[4])
truth_doc = json.load(open(scenario))
def at(doc, pointer):
    if "*" in pointer.split("/"):
        return float(os.environ["SCALE_TRUTH"])  # a scale: the factor from the base to the truth
    for token in pointer.split("/")[1:]:
        if token == "event_rate_scale" and token not in doc:
            return 1.0  # the schema's default: the scenario leaves it out
        doc = doc[int(token)] if isinstance(doc, list) else doc[token]
    return doc
# TRUTH_SET's numbers are the truth's too (a field the scenario leaves out, such as a source's
# event_rate_scale, has its truth only there).
for flag, assignment in zip(truth_set[::2], truth_set[1::2]):
    pointer, value = assignment.split("=", 1)
    parent, last = pointer.rsplit("/", 1)
    node = truth_doc
    for token in parent.split("/")[1:]:
        node = node[int(token)] if isinstance(node, list) else node[token]
    node[int(last) if isinstance(node, list) else last] = json.loads(value)
rows, rejected = {}, 0
for s in range(1, seeds + 1):
    fit = json.load(open(f"{work}/fit{s}/fit.json"))
    rejected += bool(fit["j"]["rejected"])
    for p in fit["parameters"]:
        truth = at(truth_doc, p["pointer"])
        low, high = p["ci95_low"], p["ci95_high"]
        rows.setdefault(p["pointer"], []).append((low <= truth <= high, abs(p["estimate"] - truth), high - low, truth))
times = [float(line.split()[1]) - float(line.split()[2]) for line in open(f"{work}/times")]
print(f"{'parameter':42} {'truth':>9} {'covered':>9} {'mean |error|':>13} {'mean width':>11}")
for pointer, r in rows.items():
    n = len(r)
    print(f"{pointer:42} {r[0][3]:9.4g} {sum(c for c, _, _, _ in r):4d}/{n:<4d} {sum(e for _, e, _, _ in r) / n:13.4g}"
          f" {sum(w for _, _, w, _ in r) / n:11.4g}")
print(f"J rejected (p < 0.05) in {rejected} of {seeds} fits")
print(f"run time per fit: mean {sum(times) / len(times):.1f} s, min {min(times):.1f} s, max {max(times):.1f} s")
PY
