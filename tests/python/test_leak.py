"""No leak over 1,000 runs: the resident set after run 1,000 is within a margin of the one after
run 100 (by then the allocators' caches and Python's arenas are warm).

Each run is channel_mix for 5 replications, reading everything a notebook reads (summary,
replications, weekly, text) and, every tenth run, a scenario error. What a leak would cost:
the run's result files alone are about 150 kB (measured in the test), its replication table
and summary more, so keeping each run's result would add over 900 x that, 135 MiB, between the
two readings. The margin, 8 MiB, is far under that and over what memory does without a leak:
measured on the 2-core machine, +0.2 MiB over 2,700 runs reading only the files, about +1 MiB
with pandas reading the tables (its own caches, levelling off), +1.4 MiB in this test."""
import gc
import os

import funnelsim
from conftest import SOURCE_DIR

RUNS = 1000
MARGIN_MIB = 8


def rss_mib():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def test_rss_is_flat_over_1000_runs():
    scenario = funnelsim.load(str(SOURCE_DIR / "scenarios" / "channel_mix.json"))
    readings = {}
    kb_per_run = 0.0
    for i in range(1, RUNS + 1):
        result = funnelsim.run(scenario, replications=5, seed=i)
        kb_per_run = sum(len(text) for text in result.files.values()) / 1000
        assert result.summary["replications"] == 5
        assert len(result.replications) == 5
        assert len(result.weekly) > 0
        assert result.text
        if i % 10 == 0:
            try:
                scenario.with_changes({"/scoring/mql_threshold": -1})
            except funnelsim.ScenarioError:
                pass
        del result
        if i in (100, RUNS):
            gc.collect()
            readings[i] = rss_mib()
    growth = readings[RUNS] - readings[100]
    leak_floor = (RUNS - 100) * kb_per_run / 1024
    print(f"RSS after run 100: {readings[100]:.1f} MiB, after run {RUNS}: {readings[RUNS]:.1f} MiB "
          f"(+{growth:.2f} MiB); keeping each run's files alone would add {leak_floor:.0f} MiB")
    assert leak_floor > 2 * MARGIN_MIB  # the margin could not hide a leak of one result per run
    assert growth < MARGIN_MIB
