"""Runs a long job and waits for SIGINT (test_interrupt.py sends it once the job has started).
Prints "started" when the first replications are done, then one line: "interrupted AT" with the
monotonic clock when KeyboardInterrupt arrived, or "finished". Afterwards it checks the module
still works: "again SQLS" after a short run.
  interrupt_child.py KIND SCENARIO OUT_FOLDER"""
import sys
import time

import funnelsim

kind, scenario, out = sys.argv[1:4]
started = False


def progress(done, total):
    global started
    if not started:
        started = True
        print("started", flush=True)


jobs = {
    "run": lambda: funnelsim.run(scenario, replications=20_000, progress=progress),
    "compare": lambda: funnelsim.compare(scenario, [scenario], replications=10_000, progress=progress),
    "sweep": lambda: funnelsim.sweep(scenario, params={"/scoring/mql_threshold": [60, 65, 70]}, replications=5_000,
                                     progress=progress),
    "sensitivity": lambda: funnelsim.sensitivity(scenario, replications=2_000, progress=progress),
}
try:
    jobs[kind]().to_files(out)
    print("finished", flush=True)
except KeyboardInterrupt:
    print(f"interrupted {time.monotonic()!r}", flush=True)
again = funnelsim.run(scenario, replications=2)
print(f"again {again.summary['metrics']['sqls']['mean']}", flush=True)
