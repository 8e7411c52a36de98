import subprocess
import sys

import mesa
import numpy as np
import pandas as pd
import pytest

from agents.elites import Elite
from agents.leader import Leader
from agents.partners import ForeignPartner
from agents.regions import MinorityRegion
from agents.soldiers import Soldier, SoldierStatus
from model.metrics import METRIC_NAMES, METRICS, OUTCOMES
from model.model import OutlastModel
from model.scenario import ScenarioError, field_names


def run(seed, **kw):
    m = OutlastModel(rng=seed, **kw)
    m.run_model()
    return m


def test_same_seed_gives_bit_identical_weekly_metrics(small):
    a = run(7, **small).weekly_table()
    b = run(7, **small).weekly_table()
    pd.testing.assert_frame_equal(a, b, check_exact=True)


def test_same_seed_is_identical_across_processes(small):
    code = (
        "import sys, hashlib; from model.model import OutlastModel;"
        f"m = OutlastModel(rng=7, **{small!r}); m.run_model();"
        "sys.stdout.write(hashlib.sha256(m.weekly_table().to_csv().encode()).hexdigest())"
    )
    digests = {
        subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        ).stdout
        for _ in range(2)
    }
    local = run(7, **small).weekly_table().to_csv().encode()
    import hashlib

    assert digests == {hashlib.sha256(local).hexdigest()}


def test_different_seeds_differ(small):
    a = run(1, **small).weekly_table()
    b = run(2, **small).weekly_table()
    assert not a.drop(columns=["week", "date"]).equals(b.drop(columns=["week", "date"]))


def test_every_soldier_is_in_exactly_one_state_every_week(small):
    m = OutlastModel(rng=3, **small, defection_payment_usd=50_000, seized_asset_fund_usd=1e9)
    while m.running:
        m.step()
        status = m.corps.view("status")
        assert set(np.unique(status)) <= set(SoldierStatus)
        assert m.corps.census().by_status.sum() == m.corps.size


@pytest.mark.parametrize("preset", ["baseline", "combined"])
def test_every_metric_stays_in_its_range(small, preset):
    df = run(5, preset=preset, **small).weekly_table()
    for metric in METRICS:
        values = df[metric.name].to_numpy(dtype=float)
        assert np.isfinite(values).all(), metric.name
        assert (values >= metric.lo).all() and (values <= metric.hi).all(), metric.name


def test_collects_every_declared_metric_every_week(small):
    m = run(1, **small)
    df = m.weekly_table()
    assert [c for c in df.columns if c != "date"] == list(METRIC_NAMES)
    assert len(df) == m.week + 1
    assert df["week"].tolist() == list(range(m.week + 1))


def test_every_agent_kind_is_registered_with_mesa(small):
    m = OutlastModel(rng=1, **small)
    types = m.agents_by_type
    assert len(types[Soldier]) == m.corps.size == small["n_soldier_agents"]
    assert len(types[MinorityRegion]) == 85
    assert len(types[Elite]) == small["n_elites"]
    assert len(types[Leader]) == 1
    assert len(types[ForeignPartner]) >= 3


def test_soldier_view_reads_and_writes_the_arrays(small):
    m = OutlastModel(rng=1, **small)
    soldier = m.corps.agent(10)
    assert soldier.status == SoldierStatus.ACTIVE
    soldier.status = SoldierStatus.DESERTED
    assert m.corps.status[10] == SoldierStatus.DESERTED
    assert soldier.region == m.corps.region[10]


def test_accepts_every_scenario_field_as_a_keyword(small):
    from model.scenario import Scenario

    defaults = Scenario().model_dump()
    kwargs = {name: defaults[name] for name in field_names()}
    kwargs.update(small)
    m = OutlastModel(rng=1, **kwargs)
    assert m.params.horizon_weeks == small["horizon_weeks"]


def test_rejects_bad_keywords():
    with pytest.raises(ScenarioError, match="unknown parameter"):
        OutlastModel(rng=1, no_such_thing=3)
    with pytest.raises(ScenarioError, match="'legitimacy'"):
        OutlastModel(rng=1, legitimacy=7)


def test_seed_given_as_text_is_cast(small):
    # SolaraViz's seed box returns a string after editing.
    a = run("11", **small).weekly_table()
    b = run(11, **small).weekly_table()
    pd.testing.assert_frame_equal(a, b)


def test_stops_at_horizon_or_outcome(small):
    m = run(1, **small)
    assert not m.running
    assert m.outcome in OUTCOMES
    assert m.week == small["horizon_weeks"] or m.outcome != "ongoing"


def test_batch_run_returns_metrics_for_two_values_and_two_seeds(small):
    small = {**small, "horizon_weeks": 8}
    results = mesa.batch_run(
        OutlastModel,
        parameters={**small, "western_resolve": [0.2, 0.9]},
        rng=[1, 2],
        max_steps=8,
        number_processes=1,
        data_collection_period=-1,
        display_progress=False,
    )
    df = pd.DataFrame(results)
    assert len(df) == 4
    assert set(df["western_resolve"]) == {0.2, 0.9}
    assert {"stability_index", "force_active", "elite_loyalty"} <= set(df.columns)
    assert df["force_active"].gt(0).all()


def test_lever_switches_on_at_its_week(small):
    m = OutlastModel(
        rng=1,
        **small,
        defection_payment_usd=10_000,
        seized_asset_fund_usd=1e9,
        fund_income_usd_per_week=1e6,
        defection_offer_start_week=10,
    )
    for _ in range(9):
        m.step()
    assert m.levers.defection_payment_usd == 0.0
    assert m.fund.balance_usd == 1e9
    m.step()
    assert m.levers.defection_payment_usd == 10_000
    assert m.fund.balance_usd + m.fund.spent_usd == pytest.approx(1e9 + 1e6)


def test_a_higher_sign_up_bonus_recruits_more(small):
    """The scale of recruitment is fixed at the default pay and bonus, so a scenario's bonus counts."""
    small = {**small, "horizon_weeks": 12}

    def recruits(bonus):
        return sum(
            run(seed, **small, signup_bonus_rub=bonus).weekly_table()["recruits_week"].sum()
            for seed in (1, 2, 3)
        )

    assert recruits(2_000_000) > 1.15 * recruits(1_000_000)


def test_no_pay_and_no_bonus_still_builds_a_force(small):
    m = OutlastModel(rng=1, **small, signup_bonus_rub=0, monthly_pay_rub=0)
    assert m.corps.size == small["n_soldier_agents"]
    m.step()
    assert m.metrics["recruits_week"] == 0
