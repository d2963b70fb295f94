"""Ctrl-C (SIGINT, as a Jupyter kernel interrupt sends) during a long job: KeyboardInterrupt, no
result and no files, and the module works afterwards. Each job runs in a child process that
test sends SIGINT to once it has started. The time from the signal to the exception is printed
(tools/bench_python.py measures it), not asserted."""
import os
import pathlib
import signal
import subprocess
import sys
import time

import pytest

from conftest import SOURCE_DIR

CHILD = pathlib.Path(__file__).with_name("interrupt_child.py")


@pytest.mark.parametrize("kind", ["run", "compare", "sweep", "sensitivity"])
def test_sigint_stops_the_job_with_keyboard_interrupt_and_writes_nothing(tmp_path, kind):
    out = tmp_path / "out"
    child = subprocess.Popen([sys.executable, str(CHILD), kind, str(SOURCE_DIR / "scenarios" / "saas_baseline.json"),
                              str(out)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             env=dict(os.environ))
    try:
        assert child.stdout.readline().strip() == "started"
        sent = time.monotonic()
        child.send_signal(signal.SIGINT)
        stdout, stderr = child.communicate(timeout=120)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    assert child.returncode == 0, stderr
    lines = stdout.splitlines()
    assert lines[0].startswith("interrupted "), stdout
    print(f"{kind}: KeyboardInterrupt {1000 * (float(lines[0].split()[1]) - sent):.0f} ms after SIGINT")
    assert not out.exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".funnelsim")]  # no staging, no lock
    assert lines[1].startswith("again ") and float(lines[1].split()[1]) > 0
