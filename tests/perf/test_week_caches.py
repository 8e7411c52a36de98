"""What the week reuses instead of recomputing gives what the plain computation gives.

Each value the model keeps or reads through a shortcut (for speed, issue #15) is checked against
the computation it replaces after every week of runs that purge, refill and defect elites, and
grow and shrink the army.
"""

import numpy as np
import pytest

from agents.regions import TRADITIONS, RecruitmentRule
from model.model import KIND_EXPOSURE_FIELDS, KIND_LOYALTY_FIELDS, OutlastModel

RUNS = [
    {"rng": 3, "preset": "combined"},
    {"rng": 5, "preset": "exile"},
    {"rng": 7, "preset": None},
    # Mobilisation: the army grows, then shrinks from a new peak (the decline's reference moves).
    {"rng": 6, "preset": "historical-2022", "soldiers_per_agent": 19.0},
]


def _plain_recruitment_weights(rule: RecruitmentRule, r, reward: float, unrest) -> np.ndarray:
    """RecruitmentRule.weights as the formula reads, every term computed afresh."""
    income = (
        r.yearly_income_rub()
        * (np.average(r.subsistence_rub, weights=r.men_16_61) / r.subsistence_rub)
        ** rule.price_adjustment
    )
    tradition_effect = np.where(
        r.tradition == TRADITIONS.index("buddhist"),
        rule.buddhist_effect,
        np.where(r.tradition == TRADITIONS.index("muslim"), rule.muslim_effect, 0.0),
    )
    return (
        r.men_16_61
        * (reward / income) ** rule.pay_elasticity
        * np.exp(rule.unemployment_effect * r.unemployment)
        * np.exp(rule.rural_effect * r.rural_share)
        * (1.0 + rule.garrison_effect * r.garrison_per_man)
        * np.exp(tradition_effect * r.minority_share)
        * np.exp(-rule.unrest_penalty * unrest)
    )


def _plain_enlist_tables(m):
    s = m.params
    kinds = sorted(KIND_LOYALTY_FIELDS)
    exposure = [
        getattr(s, KIND_EXPOSURE_FIELDS[k]) if KIND_EXPOSURE_FIELDS[k] else 1.0 for k in kinds
    ]
    loyalty = [getattr(s, KIND_LOYALTY_FIELDS[k]) for k in kinds]
    return (
        np.array(exposure),
        np.array(loyalty),
        np.log1p(s.monthly_pay_rub / m.regions.mean_income_rub),
    )


def _weeks(case):
    m = OutlastModel(
        n_soldier_agents=3_000, citizens_per_region=40, horizon_weeks=60, n_elites=30, **case
    )
    yield m
    while m.running:
        m.step()
        yield m


@pytest.mark.parametrize("case", RUNS, ids=lambda c: f"{c['preset']}-{c['rng']}")
def test_shortcuts_equal_the_plain_computations_after_every_week(case):
    weeks = 0
    for m in _weeks(case):
        weeks += 1
        r = m.regions
        elites = m.elites
        assert m.minority_unrest() == float(
            np.average(r.unrest, weights=r.men_16_61 * r.minority_share)
        )
        assert elites.mean_fear() == float(np.average(elites.fear, weights=elites.power))
        assert np.array_equal(elites._neighbour_power, elites.adjacency @ elites.power)
        reward = m.params.monthly_pay_rub * 12.0 + m.leader.bonus_rub
        assert np.array_equal(
            m.recruitment_rule.weights(r, reward, r.unrest),
            _plain_recruitment_weights(m.recruitment_rule, r, reward, r.unrest),
        )
        for cached, plain in zip(m._enlist_tables, _plain_enlist_tables(m), strict=True):
            assert np.array_equal(cached, plain)
    assert weeks > 10


def _plain_army_decline(m) -> float:
    """OutlastModel.army_decline computed afresh from the corps and the active force's history."""
    active = float(m.corps.active_count())
    recent = m.active_history[-m.params.army_trend_window_weeks :]
    reference = max([m.initial_active, *recent]) if recent else m.initial_active
    from_start = 1.0 - active / m.initial_active if m.initial_active else 0.0
    from_peak = 1.0 - active / reference if reference else 0.0
    return float(np.clip(max(from_start, from_peak), 0.0, 1.0))


@pytest.mark.parametrize("case", RUNS, ids=lambda c: f"{c['preset']}-{c['rng']}")
def test_the_weeks_army_decline_is_the_plain_one_at_every_reading(case):
    # army_decline is kept from the army's move to the end of the week (the memo in `step`):
    # every reading, inside the week or after it, must equal the decline computed afresh.
    readings = []
    memo_hits = []
    for m in _weeks(case):
        if not readings and "army_decline" not in m.__dict__:
            kept = m.army_decline

            def checked(m=m, kept=kept):
                value = kept()
                memo_hits.append(m._week_memo is not None and "army_decline" in m._week_memo)
                assert value == _plain_army_decline(m)
                readings.append(value)
                return value

            m.army_decline = checked
        assert m.army_decline() == _plain_army_decline(m)
        assert m.active_history[-1] == float(m.corps.active_count())
    assert len(readings) > 3 * len(m.active_history)
    assert any(memo_hits)


def test_the_region_table_read_once_is_the_table_read_afresh_and_a_copy():
    from model.model import _regions_table, load_regions

    first = load_regions()
    assert first.equals(_regions_table.__wrapped__())
    first.loc[0, "men_16_61_2021"] = -1.0
    first["extra"] = 1
    again = load_regions()
    assert again.equals(_regions_table.__wrapped__())
    assert again is not first
