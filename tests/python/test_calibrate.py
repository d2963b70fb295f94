"""funnelsim.calibrate: the CLI's files byte for byte, the calibrated scenario ready to run, its
errors naming the argument, and a progress callback that raises stopping the fit."""
import json
import os

import pytest

import funnelsim
from conftest import SOURCE_DIR, cli, folder_files

ALPHA = "/sources/0/profile/readiness/alpha"


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    """saas_baseline's paid_search alone over three weeks, no warm-up, and an export of it."""
    folder = tmp_path_factory.mktemp("calibrate")
    document = json.loads((SOURCE_DIR / "scenarios" / "saas_baseline.json").read_text())
    document["sources"] = document["sources"][:1]
    document["pipeline"].pop("opportunity_rate_by_source", None)  # names sources this funnel lacks
    document.update(horizon_days=21, warmup_days=0, name="paid_search_only")
    scenario = folder / "small.json"
    scenario.write_text(json.dumps(document, indent=2))
    cli("export-crm", scenario, "--format", "hubspot", "--quiet", "--out", folder / "export")
    cli("observe", folder / "export", "--mapping", folder / "export" / "mapping.json", "--quiet", "--out",
        folder / "observed")
    return folder


def fit(small, **given):
    options = dict(free=[ALPHA], replications=4, seed=7, threads=2)
    options.update(given)
    return funnelsim.calibrate(small / "small.json", small / "export", **options)


def test_calibrate_gives_the_clis_files_and_text(small, tmp_path):
    out = tmp_path / "cli"
    printed = cli("calibrate", small / "small.json", "--observed", small / "export", "--free", ALPHA,
                  "--replications", 4, "--seed", 7, "--threads", 2, "--out", out, "--report", out / "report.html")
    result = fit(small)
    result.to_files(tmp_path / "py", report=funnelsim.report_charts_available())
    ours, theirs = folder_files(tmp_path / "py"), folder_files(out)
    if not funnelsim.report_charts_available():
        theirs.pop("report.html", None)
    assert sorted(ours) == sorted(theirs)
    for name in theirs:
        assert ours[name] == theirs[name], f"{name} differs"
    assert printed.stdout == result.text
    # Written elsewhere, calibrated.json names the base from the folder it is written into.
    result.to_files(tmp_path / "a" / "b")
    extends = json.loads((tmp_path / "a" / "b" / "calibrated.json").read_text())["extends"]
    assert extends == os.path.relpath(small / "small.json", tmp_path / "a" / "b")


def test_calibrate_on_the_observe_folder_fits_alike(small):
    from_export = fit(small)
    from_folder = funnelsim.calibrate(small / "small.json", small / "observed", free=ALPHA, replications=4, seed=7)
    # The same fit, distributions included: the folder's samples.csv holds the samples behind them.
    ours, theirs = dict(from_export.summary), dict(from_folder.summary)
    assert ours["distributions"]
    assert ours == theirs


def test_the_calibrated_scenario_runs(small, monkeypatch):
    monkeypatch.chdir(small)  # calibrated.json extends the base by a path from the current folder
    result = fit(small)
    fitted = {p["pointer"]: p for p in result.summary["parameters"]}
    assert fitted[ALPHA]["how"] == "fitted"
    assert fitted[ALPHA]["ci95_low"] <= fitted[ALPHA]["estimate"] <= fitted[ALPHA]["ci95_high"]
    assert result.calibrated["extends"] == "small.json"
    table = result.table
    row = table[(table["kind"] == "parameter_fitted") & (table["name"] == ALPHA)]
    assert list(row["simulated_or_estimate"]) == [pytest.approx(fitted[ALPHA]["estimate"])]
    assert (table["kind"] == "moment").sum() == len(result.summary["moments"])
    scenario = result.scenario
    assert scenario.name == "paid_search_only_calibrated"
    assert scenario.resolved()["sources"][0]["profile"]["readiness"]["alpha"] == pytest.approx(
        fitted[ALPHA]["estimate"])
    assert funnelsim.run(scenario, replications=2).summary["metrics"]["leads"]["mean"] > 0


def test_calibrate_errors_name_the_argument(small):
    base = small / "small.json"
    with pytest.raises(funnelsim.UsageError) as e:
        funnelsim.calibrate(json.loads(base.read_text()), small / "export")
    assert e.value.subject == "base"
    with pytest.raises(funnelsim.UsageError) as e:
        funnelsim.calibrate(base, small / "observed", to_date="2025-02-01")
    assert e.value.subject == "to_date"
    with pytest.raises(funnelsim.UsageError) as e:
        funnelsim.calibrate(base, small / "export", from_date="01/02/2025")
    assert e.value.subject.startswith("from_date")
    with pytest.raises(funnelsim.UsageError) as e:
        funnelsim.calibrate(base, small / "export", replications=2)
    assert e.value.subject == "replications"
    with pytest.raises(funnelsim.UsageError) as e:
        funnelsim.calibrate(base, small / "export", free="/sources/0/no_such_field")
    assert e.value.subject == "free /sources/0/no_such_field"
    assert "expected a positive number in the base scenario, found nothing" in str(e.value)
    with pytest.raises(funnelsim.UsageError):
        funnelsim.calibrate(base, [])
    with pytest.raises(TypeError):
        funnelsim.calibrate(base, small / "export", free=[3])


def test_a_progress_callback_that_raises_stops_the_fit(small):
    seen = []

    def stop(done, total):
        seen.append((done, total))
        raise RuntimeError("enough")

    with pytest.raises(RuntimeError, match="enough"):
        fit(small, progress=stop)
    assert len(seen) == 1
