"""funnelsim.compare, sweep and sensitivity: their results and their errors."""
import pytest

import funnelsim


def test_compare_pairs_each_variant_with_the_base(in_source_root):
    base = funnelsim.load("scenarios/saas_baseline.json")
    raised = base.with_changes({"/scoring/mql_threshold": 75})
    c = funnelsim.compare(base, [raised], replications=10, seed=5)
    assert c.summary["run_id"] == c.run_id and c.summary["replications"] == 10
    table = c.table
    row = table[(table["scope_kind"] == "funnel") & (table["metric"] == "mqls")].iloc[0]
    assert row["diff_mean"] < 0  # a higher threshold can only remove MQLs (common random numbers)
    assert set(c.files) == {"compare.json", "compare.csv", "run_id"}
    assert "mqls" in c.text


def test_compare_takes_one_variant_or_several_and_paths(in_source_root):
    one = funnelsim.compare("scenarios/saas_baseline.json", "scenarios/threshold_raise.json", replications=4)
    two = funnelsim.compare("scenarios/saas_baseline.json",
                            ["scenarios/threshold_raise.json", "scenarios/sdr_capacity.json"], replications=4)
    assert one.table["variant"].nunique() == 1 and two.table["variant"].nunique() == 2
    with pytest.raises(funnelsim.UsageError):
        funnelsim.compare("scenarios/saas_baseline.json", [], replications=4)


def test_a_bad_variant_says_which_one(in_source_root, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"extends": "%s", "horizon_days": 0}' % (in_source_root / "scenarios" / "saas_baseline.json"))
    with pytest.raises(funnelsim.ScenarioError) as e:
        funnelsim.compare("scenarios/saas_baseline.json", ["scenarios/threshold_raise.json", str(bad)])
    assert e.value.context == str(bad) and e.value.pointer == "/horizon_days"
    with pytest.raises(funnelsim.ScenarioError) as e:
        funnelsim.compare("scenarios/saas_baseline.json", [{"sources": []}])
    assert e.value.context == "variants[0]" and e.value.pointer == "/sources"


def test_compare_with_precision_reports_it(in_source_root):
    c = funnelsim.compare("scenarios/saas_baseline.json", "scenarios/threshold_raise.json", precision="sqls=20%",
                          replications=5000)  # a cap: the default one's tables are over the memory budget
    assert c.summary["precision"]["met"] is True


def test_sweep_runs_the_grid_and_marks_the_best_point(in_source_root):
    s = funnelsim.sweep("scenarios/channel_mix.json", params={"/scoring/mql_threshold": [60, 70],
                                                               "/sources/0/leads_per_week": "50:80:30"},
                        objective="maximize sqls", pareto=("cost_per_sql_marketing", "sqls"), replications=4)
    points = s.summary["points"]
    assert len(points) == 4
    assert sum(p["best"] for p in points) == 1
    table = s.table
    assert set(table["point"]) == {0, 1, 2, 3}
    assert set(table["/scoring/mql_threshold"]) == {60, 70}


@pytest.mark.parametrize("kwargs, subject", [
    ({"params": {"/scoring/mql_threshold": "9:1:x"}}, "params /scoring/mql_threshold"),
    ({"params": {"/seed": [1, 2]}}, "params /seed"),
    ({"params": {"/scoring/mql_threshold": [60]}, "objective": "maximize nothing"}, "objective"),
    ({"params": {"/scoring/mql_threshold": [60]}, "pareto": "sqls"}, "pareto"),
    ({"params": {}}, "params"),
])
def test_sweep_usage_errors_name_the_argument(in_source_root, kwargs, subject):
    with pytest.raises(funnelsim.UsageError) as e:
        funnelsim.sweep("scenarios/channel_mix.json", replications=2, **kwargs)
    assert e.value.subject == subject


def test_a_sweep_point_that_is_no_scenario_says_which_point(in_source_root):
    with pytest.raises(funnelsim.ScenarioError) as e:
        funnelsim.sweep("scenarios/channel_mix.json", params={"/horizon_days": [28, 0]}, replications=2)
    assert e.value.pointer == "/horizon_days"
    assert e.value.context == "scenarios/channel_mix.json at sweep point 1 (/horizon_days=0)"
    assert str(e.value).startswith(e.value.context + ": /horizon_days: expected an integer >= 1")


def test_sensitivity_ranks_the_parameters_asked_for(in_source_root):
    t = funnelsim.sensitivity("scenarios/saas_baseline.json", vary="10%", metric="sqls",
                              params=["/scoring/mql_threshold", "/sources/0/leads_per_week"], replications=4)
    assert [p["pointer"] for p in t.summary["parameters"]][0] in {"/scoring/mql_threshold", "/sources/0/leads_per_week"}
    assert list(t.table["rank"]) == [1, 2]
    assert t.summary["metric"] == "sqls"


def test_sensitivity_takes_vary_as_a_fraction(in_source_root):
    a = funnelsim.sensitivity("scenarios/channel_mix.json", vary=0.1, params="/scoring/mql_threshold", replications=3)
    b = funnelsim.sensitivity("scenarios/channel_mix.json", vary="10%", params="/scoring/mql_threshold", replications=3)
    assert a.table.equals(b.table)


@pytest.mark.parametrize("kwargs, subject", [
    ({"vary": "200%"}, "vary"),
    ({"metric": "sqlz"}, "metric"),
    ({"params": ["/no/such"]}, "params /no/such"),
])
def test_sensitivity_usage_errors_name_the_argument(in_source_root, kwargs, subject):
    with pytest.raises(funnelsim.UsageError) as e:
        funnelsim.sensitivity("scenarios/channel_mix.json", replications=2, **kwargs)
    assert e.value.subject == subject
