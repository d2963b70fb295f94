#!/usr/bin/env python3
"""Back-test table: the weekly leads, MQLs and SQLs observe measured beside the P5-P95 a run of the
calibrated scenario predicts for the same weeks, and how many fall inside (docs/calibrate.md,
"Back-test").

    tools/backtest_weeks.py RUN_DIR OBSERVED_DIR --from-week W [--sources all|NAME,NAME...]

RUN_DIR: `funnelsim run` of calibrated.json (weekly.csv: source, series, week, ..., p5, p95).
OBSERVED_DIR: `funnelsim observe --from DAY0` of the whole export (weekly.csv: source, week,
leads, mqls_in_week, sqls_in_week), DAY0 the run's day 0, so both number the weeks alike.
Weeks W onwards are compared: those after the calibration window.
"""
import argparse
import csv
import sys

SERIES = {"leads": "leads", "mqls": "mqls_in_week", "sqls": "sqls_in_week"}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("run_dir")
    parser.add_argument("observed_dir")
    parser.add_argument("--from-week", type=int, required=True, help="first week compared (1-based, as weekly.csv)")
    parser.add_argument("--sources", default="all",
                        help="comma-separated: all (the whole funnel, default) and/or source names")
    args = parser.parse_args()
    sources = [s for s in args.sources.split(",") if s]
    predicted = {}
    with open(f"{args.run_dir}/weekly.csv", newline="") as f:
        for row in csv.DictReader(f):
            if row["source"] in sources and row["series"] in SERIES and int(row["week"]) >= args.from_week:
                predicted[(row["source"], int(row["week"]), row["series"])] = (float(row["p5"]), float(row["p95"]))
    observed = {}
    with open(f"{args.observed_dir}/weekly.csv", newline="") as f:
        for row in csv.DictReader(f):
            if row["source"] in sources and int(row["week"]) >= args.from_week:
                for series, column in SERIES.items():
                    observed[(row["source"], int(row["week"]), series)] = float(row[column])
    keys = sorted(set(predicted) & set(observed), key=lambda k: (sources.index(k[0]), k[1], list(SERIES).index(k[2])))
    if not keys:
        print(f"backtest_weeks: no week >= {args.from_week} of {args.sources} in both folders", file=sys.stderr)
        return 2
    inside = 0
    print(f"{'source':22} {'week':>4} {'series':6} {'observed':>9} {'predicted P5-P95':>18}")
    for key in keys:
        low, high = predicted[key]
        seen = observed[key]
        ok = low <= seen <= high
        inside += ok
        print(f"{key[0]:22} {key[1]:4d} {key[2]:6} {seen:9.0f} {low:8.1f} .. {high:<7.1f} {'' if ok else 'outside'}")
    print(f"{inside} of {len(keys)} inside P5-P95 ({100 * inside / len(keys):.0f}%; expected about 90%)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
