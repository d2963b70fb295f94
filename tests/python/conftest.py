"""Shared fixtures of the Python module's tests. ctest runs them with Debian's Python and
PYTHONPATH=<build>/python; FUNNELSIM_CLI names the command they compare against and
FUNNELSIM_SOURCE_DIR the source tree (scenarios/)."""
import os
import pathlib
import subprocess

import pytest

SOURCE_DIR = pathlib.Path(os.environ.get("FUNNELSIM_SOURCE_DIR", pathlib.Path(__file__).resolve().parents[2]))
CLI = os.environ.get("FUNNELSIM_CLI", str(SOURCE_DIR / "build" / "funnelsim"))
SHIPPED = sorted(p.name for p in (SOURCE_DIR / "scenarios").glob("*.json") if p.name != "schema.json")


@pytest.fixture
def in_source_root(monkeypatch):
    """Runs the test from the source root, so that "scenarios/x.json" reads as the CLI reads it."""
    monkeypatch.chdir(SOURCE_DIR)
    return SOURCE_DIR


@pytest.fixture
def scenario_path():
    return str(SOURCE_DIR / "scenarios" / "channel_mix.json")


def cli(*args, cwd=SOURCE_DIR, check=True):
    """Runs the funnelsim command; returns the CompletedProcess (text)."""
    done = subprocess.run([CLI, *map(str, args)], cwd=cwd, capture_output=True, text=True)
    if check and done.returncode != 0:
        raise AssertionError(f"funnelsim {' '.join(map(str, args))} exited {done.returncode}: {done.stderr}")
    return done


def folder_files(folder):
    """{name: bytes} of every file in a result folder."""
    return {p.name: p.read_bytes() for p in pathlib.Path(folder).iterdir()}
