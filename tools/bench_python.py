#!/usr/bin/python3
"""What the Python module costs over the command line, and how fast it stops on Ctrl-C.

  /usr/bin/python3 tools/bench_python.py [--build build] [--scenario scenarios/saas_baseline.json]
                                         [--replications 200] [--repeats 11] [--threads 0]

Overhead: `funnelsim run SCENARIO --replications N --quiet` (a whole process: start, load, run)
against `funnelsim.run(path, replications=N)` in this process (load and run, as a notebook cell
does), and the same with outputs (`--out DIR` against `.to_files(DIR)`). The two alternate,
REPEATS times each; the figures are medians of wall time and of CPU time (user + system of all
threads: steadier than wall time on a shared machine). Stop latency: a child process runs a long
job and gets SIGINT; the time until its KeyboardInterrupt, median of 5.
"""
import argparse
import os
import pathlib
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent


def cpu_children():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def cpu_self():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def timed(fn, cpu):
    c0, t0 = cpu(), time.perf_counter()
    fn()
    return time.perf_counter() - t0, cpu() - c0


CHILD = r"""
import sys, time, funnelsim
started = []
def progress(done, total):
    if not started:
        started.append(1)
        print("started", flush=True)
try:
    funnelsim.run(sys.argv[1], replications=100000, progress=progress)
except KeyboardInterrupt:
    print(repr(time.monotonic()), flush=True)
"""


def stop_latency(python, env, scenario, repeats=5):
    latencies = []
    for _ in range(repeats):
        child = subprocess.Popen([python, "-c", CHILD, scenario], stdout=subprocess.PIPE, text=True, env=env)
        assert child.stdout.readline().strip() == "started"
        time.sleep(0.3)  # well inside the run
        sent = time.monotonic()
        child.send_signal(signal.SIGINT)
        out, _ = child.communicate(timeout=60)
        latencies.append(float(out.strip()) - sent)
    return latencies


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", default=str(ROOT / "build"))
    parser.add_argument("--scenario", default="scenarios/saas_baseline.json")
    parser.add_argument("--replications", type=int, default=200)
    parser.add_argument("--repeats", type=int, default=11)
    parser.add_argument("--threads", type=int, default=0, help="0: all cores")
    args = parser.parse_args()

    build = pathlib.Path(args.build).resolve()
    sys.path.insert(0, str(build / "python"))
    import funnelsim  # noqa: E402

    os.chdir(ROOT)
    cli = str(build / "funnelsim")
    threads = ["--threads", str(args.threads)] if args.threads else []
    n = str(args.replications)
    work = pathlib.Path(tempfile.mkdtemp())
    try:
        def cli_run():
            subprocess.run([cli, "run", args.scenario, "--replications", n, "--quiet", *threads], check=True)

        def py_run():
            funnelsim.run(args.scenario, replications=args.replications, threads=args.threads or None)

        def cli_out():
            subprocess.run([cli, "run", args.scenario, "--replications", n, "--quiet", "--out", str(work / "cli"),
                            *threads], check=True)

        def py_out():
            funnelsim.run(args.scenario, replications=args.replications,
                          threads=args.threads or None).to_files(work / "py")

        py_run()  # warm: the schema compiled, the library's pages in, pandas not involved
        cli_run()
        rows = []
        for label, a, b in (("run", cli_run, py_run), ("run + files", cli_out, py_out)):
            cli_t, py_t = [], []
            for _ in range(args.repeats):
                cli_t.append(timed(a, cpu_children))
                py_t.append(timed(b, cpu_self))
            rows.append((label, cli_t, py_t))
    finally:
        shutil.rmtree(work, ignore_errors=True)

    print(f"{args.scenario}, {args.replications} replications, threads {args.threads or 'all'}, "
          f"medians of {args.repeats} alternating repeats")
    print(f"{'':14}{'CLI wall s':>11}{'Python wall s':>15}{'overhead':>10}{'CLI cpu s':>11}{'Python cpu s':>14}"
          f"{'overhead':>10}")
    for label, cli_t, py_t in rows:
        cw, pw = statistics.median(t[0] for t in cli_t), statistics.median(t[0] for t in py_t)
        cc, pc = statistics.median(t[1] for t in cli_t), statistics.median(t[1] for t in py_t)
        print(f"{label:14}{cw:11.3f}{pw:15.3f}{100 * (pw / cw - 1):+9.1f}%{cc:11.3f}{pc:14.3f}"
              f"{100 * (pc / cc - 1):+9.1f}%")

    env = dict(os.environ, PYTHONPATH=str(build / "python"))
    latencies = stop_latency(sys.executable, env, args.scenario)
    print("KeyboardInterrupt after SIGINT: median {:.0f} ms (of {}: {})".format(
        1000 * statistics.median(latencies), len(latencies), ", ".join(f"{1000 * x:.0f}" for x in latencies)))


if __name__ == "__main__":
    main()
