"""funnelsim.observe: the funnel a CRM export records, the CLI's files byte for byte, its errors
naming the argument."""
import datetime

import pytest

import funnelsim
from conftest import cli, folder_files

SAMPLE = "data/crm_sample"
MAPPING = "data/crm_sample/mapping.json"


def test_observe_gives_the_clis_files_and_text(in_source_root, tmp_path):
    printed = cli("observe", SAMPLE, "--mapping", MAPPING, "--from", "2025-01-06", "--to", "2025-02-09", "--out",
                  tmp_path / "cli", "--report", tmp_path / "cli" / "report.html")
    observed = funnelsim.observe(SAMPLE, mapping=MAPPING, from_date="2025-01-06", to_date=datetime.date(2025, 2, 9))
    observed.to_files(tmp_path / "py", report=funnelsim.report_charts_available())
    ours, theirs = folder_files(tmp_path / "py"), folder_files(tmp_path / "cli")
    if not funnelsim.report_charts_available():
        theirs.pop("report.html", None)
    assert sorted(ours) == sorted(theirs)
    for name in theirs:
        assert ours[name] == theirs[name], f"{name} differs"
    assert printed.stdout == observed.text


def test_observed_tables_line_up_with_a_run(in_source_root):
    observed = funnelsim.observe(SAMPLE, mapping=MAPPING)
    assert isinstance(observed, funnelsim.Result)
    assert observed.summary["kind"] == "observed"
    run = funnelsim.run("scenarios/saas_baseline.json", replications=2, seed=1)
    def whole_funnel(table):  # a source's columns are "source.metric"; the export's sources are its own
        return [c for c in table.columns if "." not in c]
    assert whole_funnel(observed.replications) == whole_funnel(run.replications)
    assert len(observed.replications) == 1
    sqls = observed.summary["metrics"]["sqls"]
    assert observed.replications["sqls"][0] == sqls["mean"]
    assert set(observed.weekly["source"]) >= {"paid_search"}


def test_observe_errors_name_the_argument(in_source_root):
    with pytest.raises(funnelsim.UsageError) as e:
        funnelsim.observe(SAMPLE, format="pipedrive")
    assert e.value.subject.startswith("format")
    with pytest.raises(funnelsim.UsageError) as e:
        funnelsim.observe(SAMPLE, date_order="year-first")
    assert e.value.subject == "date_order"
    assert "month-first" in str(e.value)
    with pytest.raises(funnelsim.UsageError) as e:
        funnelsim.observe(SAMPLE, from_date="2025-02-01", to_date="2025-01-01")
    assert e.value.subject == "to_date"
    with pytest.raises(funnelsim.UsageError) as e:
        funnelsim.observe(SAMPLE, from_date="01/02/2025")
    assert e.value.subject.startswith("from_date")
    with pytest.raises(funnelsim.UsageError):
        funnelsim.observe([])
    with pytest.raises(TypeError):
        funnelsim.observe(SAMPLE, from_date=20250101)


def test_observe_of_a_missing_file_names_it(in_source_root, tmp_path):
    with pytest.raises(funnelsim.UsageError) as e:
        funnelsim.observe(tmp_path / "nothing.csv")
    assert "nothing.csv" in str(e.value)
