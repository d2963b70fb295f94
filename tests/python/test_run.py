"""funnelsim.run and Result: the summary, the tables, files, the report, progress, arguments."""
import builtins
import json
import math
import os
import sys
import threading
import types

import pytest

import funnelsim
from conftest import folder_files


@pytest.fixture(scope="module")
def result():
    from conftest import SOURCE_DIR
    return funnelsim.run(str(SOURCE_DIR / "scenarios" / "channel_mix.json"), replications=6, seed=3)


def test_summary_is_summary_json_parsed(result):
    s = result.summary
    assert s["run_id"] == result.run_id
    assert s["replications"] == 6 and s["seed"] == 3
    assert s == json.loads(result.files["summary.json"])
    assert s["metrics"]["leads"]["n_defined"] == 6


def test_replications_has_one_row_per_replication(result):
    table = result.replications
    assert list(table["replication"]) == list(range(6))
    summary_mean = result.summary["metrics"]["mqls"]["mean"]
    assert math.isclose(table["mqls"].mean(), summary_mean, rel_tol=1e-12)


def test_weekly_is_the_long_table_of_weekly_series(result):
    weekly = result.weekly
    assert {"source", "series", "week", "first_day", "mean"} <= set(weekly.columns)
    assert "all" in set(weekly["source"])


def test_files_are_the_set_with_its_run_id(result):
    files = result.files
    assert files["run_id"] == result.run_id + "\n"
    assert set(files) == {"summary.json", "summary.csv", "replications.csv", "weekly.csv", "run_id"}
    assert len(result.run_id) == 16 and int(result.run_id, 16) >= 0


def test_text_is_the_printed_summary(result):
    assert "mqls" in result.text and result.text == repr(result)


def test_to_files_writes_the_set_and_refuses_a_folder_of_other_files(result, tmp_path):
    written = result.to_files(tmp_path / "out")
    assert written == str((tmp_path / "out").resolve())
    assert {k: v.decode() for k, v in folder_files(tmp_path / "out").items()} == result.files
    result.to_files(tmp_path / "out", report=True)  # a result folder is replaced as a whole
    assert "report.html" in folder_files(tmp_path / "out")
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("keep me")
    with pytest.raises(funnelsim.UsageError) as e:
        result.to_files(tmp_path / "mine")
    assert "to_files" in str(e.value) and "notes.txt" in str(e.value)
    assert (tmp_path / "mine" / "notes.txt").read_text() == "keep me"


def test_report_writes_the_html_and_never_over_a_scenario_file(result, tmp_path, in_source_root):
    if not funnelsim.report_charts_available():
        pytest.skip("built without the chart libraries")
    path = result.report(tmp_path / "r.html")
    html = open(path, encoding="utf-8").read()
    assert html.startswith("<!DOCTYPE html>") and html == result.report_html()
    threshold = funnelsim.run("scenarios/threshold_raise.json", replications=2)
    before = open("scenarios/saas_baseline.json", "rb").read()
    with pytest.raises(funnelsim.UsageError) as e:
        threshold.report("scenarios/saas_baseline.json")  # the base its extends names
    assert "scenario file of this job" in str(e.value)
    assert open("scenarios/saas_baseline.json", "rb").read() == before
    with pytest.raises(funnelsim.UsageError):
        threshold.report(tmp_path)


def test_a_dict_runs_like_its_file(in_source_root):
    from_file = funnelsim.run("scenarios/channel_mix.json", replications=3)
    from_dict = funnelsim.run(funnelsim.load("scenarios/channel_mix.json").to_dict(), replications=3)
    # Same document, same run_id and numbers; only the provenance says one was a file.
    assert {k: v for k, v in from_dict.files.items() if k != "summary.json"} == \
        {k: v for k, v in from_file.files.items() if k != "summary.json"}
    dict_summary, file_summary = json.loads(from_dict.files["summary.json"]), json.loads(from_file.files["summary.json"])
    dict_made, file_made = dict_summary.pop("provenance"), file_summary.pop("provenance")
    assert dict_summary == file_summary
    assert dict_made["resolved_sha256"] == file_made["resolved_sha256"]
    assert file_made["file"]["path"] == "scenarios/channel_mix.json"
    assert dict_made.get("file") is None


def test_thread_count_does_not_change_results(in_source_root):
    one = funnelsim.run("scenarios/saas_baseline.json", replications=8, threads=1)
    two = funnelsim.run("scenarios/saas_baseline.json", replications=8, threads=2)
    assert one.files == two.files
    uncertain = [funnelsim.run("scenarios/uncertain_rates.json", replications=6, threads=t).files for t in (1, 2)]
    assert uncertain[0] == uncertain[1]


def test_first_replication_runs_those_replications(in_source_root):
    whole = funnelsim.run("scenarios/channel_mix.json", replications=6, seed=3).replications
    tail = funnelsim.run("scenarios/channel_mix.json", replications=3, seed=3, first_replication=3).replications
    assert list(tail["replication"]) == [3, 4, 5]
    assert tail.drop(columns="replication").reset_index(drop=True).equals(
        whole.drop(columns="replication").iloc[3:].reset_index(drop=True))


def test_precision_adds_replications_until_the_target_holds(in_source_root):
    r = funnelsim.run("scenarios/channel_mix.json", precision="mqls=5%", replications=500)
    p = r.summary["precision"]
    assert p["met"] is True and p["achieved"] < 0.05
    assert r.summary["replications"] % 50 == 0 and len(r.replications) == r.summary["replications"]


def test_progress_is_called_from_the_calling_thread_up_to_the_total(in_source_root):
    calls = []
    caller = threading.get_ident()
    funnelsim.run("scenarios/saas_baseline.json", replications=40, threads=2,
                  progress=lambda done, total: calls.append((done, total, threading.get_ident())))
    assert calls, "no progress reported"
    assert {c[2] for c in calls} == {caller}
    dones = [c[0] for c in calls]
    assert dones == sorted(dones) and calls[-1][:2] == (40, 40)


def test_a_progress_callback_that_raises_stops_the_job(in_source_root, tmp_path):
    class Stop(Exception):
        pass

    def progress(done, total):
        raise Stop()

    with pytest.raises(Stop):
        funnelsim.run("scenarios/saas_baseline.json", replications=2000, progress=progress).to_files(tmp_path / "x")
    assert not (tmp_path / "x").exists()


def test_progress_true_draws_a_tqdm_bar_when_tqdm_is_there(in_source_root, monkeypatch):
    bars = []

    class FakeTqdm:
        def __init__(self, total, **kwargs):
            self.total, self.n, self.closed = total, 0, False
            bars.append(self)

        def update(self, k):
            self.n += k

        def close(self):
            self.closed = True

    auto = types.ModuleType("tqdm.auto")
    auto.tqdm = FakeTqdm
    monkeypatch.setitem(sys.modules, "tqdm", types.ModuleType("tqdm"))
    monkeypatch.setitem(sys.modules, "tqdm.auto", auto)
    funnelsim.run("scenarios/channel_mix.json", replications=30, progress=True)
    assert len(bars) == 1 and bars[0].n == 30 and bars[0].total == 30 and bars[0].closed


def test_progress_true_without_tqdm_draws_a_line_on_stderr(in_source_root, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "tqdm", None)  # import tqdm raises ImportError
    monkeypatch.setitem(sys.modules, "tqdm.auto", None)
    funnelsim.run("scenarios/channel_mix.json", replications=30, progress=True)
    assert "30/30 replications" in capsys.readouterr().err


def test_without_pandas_the_tables_are_numpy_columns(result, monkeypatch):
    real_import = builtins.__import__

    def no_pandas(name, *args, **kwargs):
        if name == "pandas" or name.startswith("pandas."):
            raise ImportError("no pandas here")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_pandas)
    columns = result.replications
    assert isinstance(columns, dict)
    import numpy
    assert isinstance(columns["mqls"], numpy.ndarray) and columns["mqls"].dtype == float
    assert list(columns["replication"]) == list(range(6))
    weekly = result.weekly
    assert weekly["source"].dtype == object and "all" in set(weekly["source"])


@pytest.mark.parametrize("kwargs, subject", [
    ({"replications": 0}, "replications"),
    ({"replications": 2.5}, "replications"),
    ({"seed": -1}, "seed"),
    ({"seed": 2**53}, "seed"),
    ({"threads": 0}, "threads"),
    ({"first_replication": -1}, "first_replication"),
    ({"memory_budget": 0}, "memory_budget"),
])
def test_bad_run_controls_are_usage_errors_naming_the_argument(scenario_path, kwargs, subject):
    with pytest.raises(funnelsim.UsageError) as e:
        funnelsim.run(scenario_path, **kwargs)
    assert e.value.subject == subject


def test_a_bad_precision_target_names_precision(scenario_path):
    with pytest.raises(funnelsim.UsageError) as e:
        funnelsim.run(scenario_path, precision="nonsense=1%")
    assert e.value.subject.startswith("precision")
    with pytest.raises(TypeError):
        funnelsim.run(scenario_path, precision=0.01)


def test_a_job_over_its_memory_budget_is_refused_before_it_runs(in_source_root):
    with pytest.raises(MemoryError) as e:
        funnelsim.run("scenarios/saas_baseline.json", replications=1_000_000, memory_budget=64)
    assert "memory_budget=64" in str(e.value)


def test_arguments_of_the_wrong_type_are_type_errors(scenario_path):
    with pytest.raises(TypeError):
        funnelsim.run(3)
    with pytest.raises(TypeError):
        funnelsim.run(scenario_path, replications=2, progress="yes")
