"""funnelsim.load, Scenario and ScenarioError: files, dicts, changes, documents, errors."""
import json

import pytest

import funnelsim
from conftest import SOURCE_DIR, cli


def test_load_a_file_reads_its_extends_and_names_it_after_the_file(in_source_root):
    s = funnelsim.load("scenarios/threshold_raise.json")
    assert s.path == "scenarios/threshold_raise.json"
    assert s.to_dict()["scoring"]["mql_threshold"] == 75
    assert "extends" not in s.to_dict()
    base = funnelsim.load("scenarios/saas_baseline.json")
    assert (s.seed, s.replications, s.horizon_days) == (base.seed, base.replications, base.horizon_days)
    assert "threshold_raise" in repr(s)


def test_set_changes_fields_before_validation_keeping_their_json_type(scenario_path):
    s = funnelsim.load(scenario_path, set={"/scoring/mql_threshold": 71, "/description": "75"})
    d = s.to_dict()
    assert d["scoring"]["mql_threshold"] == 71
    assert d["description"] == "75"  # a string stays a string, as --set '"75"'


def test_to_dict_is_the_document_the_cli_reads(in_source_root):
    s = funnelsim.load("scenarios/threshold_raise.json", set={"/scoring/mql_threshold": 70})
    assert s.to_dict()["scoring"]["mql_threshold"] == 70
    # A dict of the document loads into the same scenario.
    again = funnelsim.load(s.to_dict())
    assert again.to_dict() == s.to_dict()
    assert again.path is None


@pytest.mark.parametrize("name", ["saas_baseline.json", "uncertain_rates.json", "nurture_recycle.json"])
def test_resolved_is_what_validate_resolved_prints(in_source_root, name):
    printed = json.loads(cli("validate", f"scenarios/{name}", "--resolved").stdout)
    assert funnelsim.load(f"scenarios/{name}").resolved() == printed


def test_with_changes_returns_a_new_scenario_and_leaves_the_old_one(scenario_path):
    s = funnelsim.load(scenario_path)
    raised = s.with_changes({"/scoring/mql_threshold": 80})
    assert raised.to_dict()["scoring"]["mql_threshold"] == 80
    assert s.to_dict()["scoring"]["mql_threshold"] != 80
    assert raised.path == s.path  # still that file's scenario, as --set keeps it


def test_a_dict_without_a_name_is_called_scenario():
    d = funnelsim.load(str(SOURCE_DIR / "scenarios" / "channel_mix.json")).to_dict()
    del d["name"]
    assert funnelsim.load(d).name == "scenario"


def test_a_dict_extends_a_file_relative_to_the_current_folder(in_source_root):
    s = funnelsim.load({"extends": "scenarios/saas_baseline.json", "name": "mine", "scoring": {"mql_threshold": 72}})
    base = funnelsim.load("scenarios/saas_baseline.json").to_dict()
    d = s.to_dict()
    assert d["name"] == "mine" and d["scoring"]["mql_threshold"] == 72
    assert d["sources"] == base["sources"]


def test_uncertain_lists_the_pointers_of_uncertain_inputs(in_source_root):
    assert sorted(funnelsim.load("scenarios/uncertain_rates.json").uncertain) == [
        "/pipeline/win_rate/at_readiness_1",
        "/profile_defaults/events/pricing_page_visit/rate_at_readiness_1",
        "/sales_acceptance/midpoint",
    ]
    assert funnelsim.load("scenarios/saas_baseline.json").uncertain == []


# --- errors --------------------------------------------------------------------------------

def test_a_bad_value_names_its_pointer_what_was_expected_and_what_was_found(scenario_path):
    with pytest.raises(funnelsim.ScenarioError) as e:
        funnelsim.load(scenario_path, set={"/horizon_days": 0})
    err = e.value
    assert isinstance(err, ValueError)
    assert err.pointer == "/horizon_days"
    assert err.expected == "an integer >= 1"
    assert err.found == "0"
    assert err.issues == [funnelsim.Issue("/horizon_days", "an integer >= 1", "0")]
    assert str(err) == "/horizon_days: expected an integer >= 1, found 0"
    assert err.context is None


def test_every_issue_is_listed_when_there_are_several(scenario_path):
    with pytest.raises(funnelsim.ScenarioError) as e:
        funnelsim.load(scenario_path, set={"/horizon_days": 0, "/scoring/decay/model": "x", "/replications": 0})
    assert [issue.pointer for issue in e.value.issues] == ["/horizon_days", "/replications", "/scoring/decay/model"]
    assert e.value.issues[2].expected == 'one of "none", "half_life", "window"'
    assert len(str(e.value).splitlines()) == 3


def test_the_same_messages_as_the_cli_for_every_bad_scenario_file(in_source_root):
    """The library's issues, unchanged: each line the CLI prints is one Issue."""
    for path in sorted((SOURCE_DIR / "tests" / "bad_scenarios").glob("[0-9][0-9]_*.json")):
        printed = cli("validate", path, check=False)
        if printed.returncode != 2:
            continue  # the catalogue also holds files that only fail at run time
        with pytest.raises(funnelsim.ScenarioError) as e:
            funnelsim.load(path)
        lines = [line.strip() for line in printed.stderr.splitlines()[1:] if line.strip()]
        assert [str(issue) for issue in e.value.issues] == lines, path.name


def test_a_missing_file_is_a_scenario_error_at_the_root():
    with pytest.raises(funnelsim.ScenarioError) as e:
        funnelsim.load("/nonexistent/x.json")
    assert e.value.pointer == ""
    assert e.value.expected == "a readable scenario file"


def test_a_change_under_a_missing_parent_names_it(scenario_path):
    with pytest.raises(funnelsim.ScenarioError) as e:
        funnelsim.load(scenario_path, set={"/no/such/field": 1})
    assert e.value.pointer == "/no/such/field"
    assert "parent /no/such exists" in e.value.expected


def test_a_change_that_is_not_a_pointer_is_refused(scenario_path):
    with pytest.raises(funnelsim.ScenarioError) as e:
        funnelsim.load(scenario_path, set={"scoring": 1})
    assert e.value.pointer == "scoring"
    assert "JSON Pointer" in e.value.expected


def test_values_that_are_not_json_are_refused():
    with pytest.raises(funnelsim.ScenarioError) as e:
        funnelsim.load({"sources": [], "horizon_days": float("nan")})
    assert e.value.pointer == ""
    with pytest.raises(funnelsim.ScenarioError) as e:
        funnelsim.load(str(SOURCE_DIR / "scenarios" / "channel_mix.json"), set={"/description": object()})
    assert e.value.pointer == "/description"


def test_a_dict_extending_a_missing_file_names_extends(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(funnelsim.ScenarioError) as e:
        funnelsim.load({"extends": "missing.json"})
    assert e.value.pointer == "/extends"
    assert "the base of the scenario dict" in e.value.found


def test_with_changes_validates_the_result(scenario_path):
    with pytest.raises(funnelsim.ScenarioError) as e:
        funnelsim.load(scenario_path).with_changes({"/replications": 0})
    assert e.value.pointer == "/replications"


def test_wrong_argument_types_are_type_errors(scenario_path):
    with pytest.raises(TypeError):
        funnelsim.load(42)
    with pytest.raises(TypeError):
        funnelsim.load(scenario_path, set=[("/seed", 1)])
