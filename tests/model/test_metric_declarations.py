"""Each metric is declared once with the function that computes it; the DataCollector and the
summary derive from the declarations; the army census is taken once a week."""

import ast
from pathlib import Path

import mesa
import pytest

from agents.soldiers import SoldierCorps
from model.metrics import (
    METRIC_NAMES,
    METRICS,
    SUMMARY,
    compute_metrics,
    metric_reporters,
    summary,
)
from model.model import OutlastModel

METRICS_PY = Path(__file__).resolve().parents[2] / "model" / "metrics.py"


@pytest.fixture(scope="module")
def model():
    m = OutlastModel(rng=2, preset="combined", n_soldier_agents=1_000, horizon_weeks=3)
    m.run_model()
    return m


def test_every_metric_has_its_compute_function_and_a_unique_name():
    assert all(callable(m.compute) for m in METRICS)
    assert len(set(METRIC_NAMES)) == len(METRICS)


def test_the_weekly_table_and_this_weeks_metrics_follow_the_declarations(model):
    table = model.weekly_table()
    assert [c for c in table.columns if c != "date"] == list(METRIC_NAMES)
    assert list(model.metrics) == list(METRIC_NAMES)
    assert compute_metrics(model) == model.metrics
    assert table.iloc[-1][list(METRIC_NAMES)].tolist() == list(model.metrics.values())


def test_values_stay_in_their_declared_ranges(model):
    for m in METRICS:
        assert m.lo <= model.metrics[m.name] <= m.hi, m.name


def test_the_summary_derives_from_its_declarations(model):
    result = summary(model)
    assert list(result) == [item.name for item in SUMMARY]
    for name in set(result) & set(METRIC_NAMES):
        assert result[name] == model.metrics[name]


@pytest.mark.parametrize("preset", [None, "combined"])
def test_the_metrics_collector_records_what_mesas_own_collector_records(preset):
    # MetricsCollector appends this week's model.metrics without Mesa's reporter calls and deep
    # copies; Mesa's own DataCollector over the same reporters must record the same rows.
    m = OutlastModel(rng=5, preset=preset, n_soldier_agents=2_000, horizon_weeks=30)
    reference = mesa.DataCollector(model_reporters=metric_reporters())
    reference.collect(m)
    while m.running:
        m.step()
        reference.collect(m)
    ours = m.datacollector
    assert list(ours.model_vars) == list(reference.model_vars) == list(METRIC_NAMES)
    for name in METRIC_NAMES:
        mine, theirs = ours.model_vars[name], reference.model_vars[name]
        assert len(mine) == len(theirs) == m.week + 1
        assert [type(v) for v in mine] == [type(v) for v in theirs], name
        assert mine == theirs, name
    assert ours._collection_steps == reference._collection_steps
    assert ours.get_model_vars_dataframe().equals(reference.get_model_vars_dataframe())


def test_the_census_is_taken_once_a_week(monkeypatch):
    m = OutlastModel(rng=1, n_soldier_agents=500, citizens_per_region=20, horizon_weeks=3)
    calls = []
    census = SoldierCorps.census
    monkeypatch.setattr(SoldierCorps, "census", lambda self: calls.append(1) or census(self))
    m.step()
    assert len(calls) == 1


def test_metrics_do_not_import_the_model():
    # The model imports the metrics; the metrics read the model only through its attributes.
    for node in ast.walk(ast.parse(METRICS_PY.read_text("utf-8"))):
        if isinstance(node, ast.ImportFrom):
            assert node.module != "model.model"
        if isinstance(node, ast.Import):
            assert all(alias.name != "model.model" for alias in node.names)


@pytest.mark.parametrize("recruits_per_week", [0.0, None])
def test_force_below_start_week_is_the_first_week_the_weekly_force_fell_below_week_0(
    recruits_per_week,
):
    # Without recruits deaths shrink the army; with the default recruits the small test army
    # grows. The summary must agree with the weekly table either way (the fund's test reads it).
    overrides = {} if recruits_per_week is None else {"recruits_per_week_at_defaults": 0.0}
    m = OutlastModel(
        rng=4, n_soldier_agents=2_000, horizon_weeks=20, citizens_per_region=200, **overrides
    )
    m.run_model()
    force = m.weekly_table()["force_active"]
    below = force.index[force < force.iloc[0]]
    expected = int(below[0]) if len(below) else None
    assert summary(m)["force_below_start_week"] == expected
    assert (expected is None) == (recruits_per_week is None)
