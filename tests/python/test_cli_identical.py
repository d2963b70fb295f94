"""The module's files are the CLI's, byte for byte: every shipped scenario's run (with its report)
and compare, sweep, sensitivity and precision runs, from the same source folder with the same
relative paths (a report shows where its results came from)."""
import pytest

import funnelsim
from conftest import SHIPPED, cli, folder_files


def same_files(python_folder, cli_folder):
    ours, theirs = folder_files(python_folder), folder_files(cli_folder)
    assert sorted(ours) == sorted(theirs)
    for name in theirs:
        assert ours[name] == theirs[name], f"{name} differs"


@pytest.mark.parametrize("name", SHIPPED)
def test_run_of_every_shipped_scenario(in_source_root, tmp_path, name):
    reps = "2" if name == "million_leads.json" else "4"
    path = f"scenarios/{name}"
    printed = cli("run", path, "--replications", reps, "--seed", "7", "--threads", "2", "--out", tmp_path / "cli",
                  "--report", tmp_path / "cli" / "report.html")
    result = funnelsim.run(path, replications=int(reps), seed=7, threads=2)
    result.to_files(tmp_path / "py", report=funnelsim.report_charts_available())
    same_files(tmp_path / "py", tmp_path / "cli")
    assert printed.stdout == result.text


def test_run_with_changes_and_a_first_replication(in_source_root, tmp_path):
    cli("run", "scenarios/channel_mix.json", "--replications", "10", "--first-replication", "5", "--set",
        "/scoring/mql_threshold=70", "--out", tmp_path / "cli", "--quiet")
    funnelsim.run(funnelsim.load("scenarios/channel_mix.json", set={"/scoring/mql_threshold": 70}), replications=10,
                  first_replication=5).to_files(tmp_path / "py")
    same_files(tmp_path / "py", tmp_path / "cli")


def test_run_to_precision(in_source_root, tmp_path):
    # A cap, as the default one (100,000) with its files is over the default memory budget.
    cli("run", "scenarios/saas_baseline.json", "--precision", "mqls=5%", "--replications", "5000", "--seed", "3",
        "--out", tmp_path / "cli", "--quiet")
    funnelsim.run("scenarios/saas_baseline.json", precision="mqls=5%", replications=5000,
                  seed=3).to_files(tmp_path / "py")
    same_files(tmp_path / "py", tmp_path / "cli")


def test_compare(in_source_root, tmp_path):
    files = ["scenarios/saas_baseline.json", "scenarios/threshold_raise.json", "scenarios/sdr_capacity.json"]
    printed = cli("compare", *files, "--replications", "6", "--seed", "5", "--out", tmp_path / "cli", "--report",
                  tmp_path / "cli" / "report.html")
    c = funnelsim.compare(files[0], files[1:], replications=6, seed=5)
    c.to_files(tmp_path / "py", report=funnelsim.report_charts_available())
    same_files(tmp_path / "py", tmp_path / "cli")
    assert printed.stdout == c.text


def test_compare_uncertain_with_changes(in_source_root, tmp_path):
    cli("compare", "scenarios/uncertain_rates.json", "scenarios/uncertain_rates.json", "--set",
        "/scoring/mql_threshold=70", "--replications", "6", "--out", tmp_path / "cli", "--quiet")
    s = funnelsim.load("scenarios/uncertain_rates.json", set={"/scoring/mql_threshold": 70})
    funnelsim.compare(s, s, replications=6).to_files(tmp_path / "py")
    same_files(tmp_path / "py", tmp_path / "cli")


def test_sweep_with_a_range_an_objective_and_a_front(in_source_root, tmp_path):
    printed = cli("sweep", "scenarios/saas_baseline.json", "--param", "/scoring/mql_threshold=55:75:10", "--objective",
                  "maximize sqls", "--pareto", "cost_per_sql_marketing,sqls", "--replications", "4", "--out",
                  tmp_path / "cli", "--report", tmp_path / "cli" / "report.html")
    s = funnelsim.sweep("scenarios/saas_baseline.json", params={"/scoring/mql_threshold": "55:75:10"},
                        objective="maximize sqls", pareto=("cost_per_sql_marketing", "sqls"), replications=4)
    s.to_files(tmp_path / "py", report=funnelsim.report_charts_available())
    same_files(tmp_path / "py", tmp_path / "cli")
    assert printed.stdout == s.text


def test_sweep_of_two_lists(in_source_root, tmp_path):
    cli("sweep", "scenarios/channel_mix.json", "--param", "/scoring/mql_threshold=60,70", "--param",
        "/sources/0/leads_per_week=50,80", "--replications", "4", "--out", tmp_path / "cli", "--quiet")
    funnelsim.sweep("scenarios/channel_mix.json",
                    params={"/scoring/mql_threshold": [60, 70], "/sources/0/leads_per_week": [50, 80]},
                    replications=4).to_files(tmp_path / "py")
    same_files(tmp_path / "py", tmp_path / "cli")


def test_sensitivity(in_source_root, tmp_path):
    printed = cli("sensitivity", "scenarios/saas_baseline.json", "--vary", "10%", "--metric", "sqls", "--params",
                  "/scoring/mql_threshold,/sources/0/leads_per_week", "--replications", "4", "--out",
                  tmp_path / "cli", "--report", tmp_path / "cli" / "report.html")
    t = funnelsim.sensitivity("scenarios/saas_baseline.json", vary="10%", metric="sqls",
                              params=["/scoring/mql_threshold", "/sources/0/leads_per_week"], replications=4)
    t.to_files(tmp_path / "py", report=funnelsim.report_charts_available())
    same_files(tmp_path / "py", tmp_path / "cli")
    assert printed.stdout == t.text


def test_sensitivity_of_every_parameter(in_source_root, tmp_path):
    cli("sensitivity", "scenarios/channel_mix.json", "--replications", "3", "--out", tmp_path / "cli", "--quiet")
    funnelsim.sensitivity("scenarios/channel_mix.json", replications=3).to_files(tmp_path / "py")
    same_files(tmp_path / "py", tmp_path / "cli")


def test_sensitivity_with_uncertain_inputs(in_source_root, tmp_path):
    cli("sensitivity", "scenarios/uncertain_rates.json", "--params", "/scoring/mql_threshold", "--replications", "4",
        "--out", tmp_path / "cli", "--quiet")
    funnelsim.sensitivity("scenarios/uncertain_rates.json", params="/scoring/mql_threshold",
                          replications=4).to_files(tmp_path / "py")
    same_files(tmp_path / "py", tmp_path / "cli")


def test_report_of_a_run_is_the_cli_reports(in_source_root, tmp_path):
    if not funnelsim.report_charts_available():
        pytest.skip("built without the chart libraries")
    cli("run", "scenarios/channel_mix.json", "--replications", "3", "--report", tmp_path / "cli.html", "--quiet")
    funnelsim.run("scenarios/channel_mix.json", replications=3).report(tmp_path / "py.html")
    assert (tmp_path / "py.html").read_bytes() == (tmp_path / "cli.html").read_bytes()
