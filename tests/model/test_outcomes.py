"""Outcomes and backlash: the leader's threat after the week's purges, the successor's stance, and
each lever's backlash (its direction over seeds, and that it can be switched off).

Runs are small (1,000 soldier agents of 600 soldiers, one year; `CHECK_SIZES`). Comparisons use
the same seeds under two settings (common random numbers).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

from agents.leader import threat_level
from model import model as model_module
from model.metrics import SUCCESSOR_STANCES
from model.model import OutlastModel
from model.scenario import PRESETS, Scenario
from outlast.analysis.politics_checks import CHECK_SIZES, COUP_CONDITIONS

SEEDS = range(1000, 1012)
#: Failed coups are rarer than negotiated ends: the timing check needs more seeds.
COUP_SEEDS = range(1000, 1030)
#: Fast exile talks (COUP_CONDITIONS) and a belief that adapts within months, so that a year holds
#: failed coups, regime changes and negotiated ends.
FAST_PACKAGE = {**COUP_CONDITIONS["combined-fast"], "resolve_belief_effect": 0.1}
BACKLASH_FIELDS = (
    "rally_effect",
    "campaign_rally_effect",
    "campaign_repression_floor",
    "fund_punishment_backlash",
    "hardline_successor_prob",
)


def small(overrides: dict[str, Any], seed: int) -> OutlastModel:
    """A finished small run of `overrides`."""
    model = OutlastModel(rng=seed, **{**CHECK_SIZES, **overrides})
    model.run_model()
    return model


def weekly(overrides: dict[str, Any], seed: int) -> pd.DataFrame:
    return small(overrides, seed).weekly_table()


# ---- threat and timing --------------------------------------------------------------------------


def test_the_leader_reads_threat_after_the_weeks_failed_coup_and_purges():
    failed_coup_weeks = negotiated_ends = 0
    for seed in COUP_SEEDS:
        model = OutlastModel(rng=seed, **{**CHECK_SIZES, **FAST_PACKAGE})
        read = {}
        perceive = model.leader.perceive

        def record(threats, model=model, read=read, perceive=perceive):
            read[model.week] = (threats, model.elite_pressure, model.conspiring_power)
            perceive(threats)

        model.leader.perceive = record
        model.run_model()
        for event in model.coup_events:
            if event.succeeded:
                continue
            failed_coup_weeks += 1
            threats, chosen_pressure, chosen_conspiring = read[event.week]
            # Every plotter was purged: no coup risk is left, and the pressure the leader reads
            # lacks the plotters' power that the elites' chosen pressure still counts.
            assert threats.coup_risk == 0.0
            assert chosen_conspiring >= model.coup_rule.threshold
            assert threats.elite_pressure <= chosen_pressure - chosen_conspiring + 1e-12
        if model.outcome == "ended_by_negotiation":
            negotiated_ends += 1
            threats, _, _ = read[model.outcome_week]
            # The end follows from the post-purge threat alone.
            assert threat_level(threats, model.leader.rule) > model.leader.bar
    assert failed_coup_weeks >= 2 and negotiated_ends >= 3, "the setting shows no failed coups"


# ---- the successor's stance ---------------------------------------------------------------------


@pytest.mark.parametrize(("hardline", "agreement"), [(0.0, False), (0.5, False), (1.0, True)])
def test_a_new_regime_ends_the_war_or_continues_it_hard_line_or_not(hardline, agreement):
    model = OutlastModel(rng=3, n_soldier_agents=200, hardline_successor_prob=hardline)
    model.exile.agreement = agreement
    rule = model.coup_rule
    p_end = rule.war_end_prob_agreement if agreement else rule.war_end_prob
    draws = 2_000
    stances = []
    for _ in range(draws):
        model._succession()
        stances.append(model.successor_stance)
        assert model.war_ended == (model.successor_stance == "ends_war")
    share = {s: stances.count(s) / draws for s in SUCCESSOR_STANCES}
    expected = {
        "none": 0.0,
        "ends_war": p_end,
        "hard_line": (1 - p_end) * hardline,
        "continues": (1 - p_end) * (1 - hardline),
    }
    for stance, p in expected.items():
        # Four binomial standard errors (or none where the share must be exactly 0 or 1).
        assert share[stance] == pytest.approx(p, abs=4 * np.sqrt(p * (1 - p) / draws))


def test_regime_change_and_the_successors_stance_are_reported_apart_from_war_ended():
    overrides = {
        **FAST_PACKAGE,
        "war_end_prob_after_coup_agreement": 0.0,
        "war_end_prob_after_coup": 0.0,
    }
    for hardline, stance in ((1.0, "hard_line"), (0.0, "continues")):
        changes = 0
        for seed in SEEDS:
            model = small({**overrides, "hardline_successor_prob": hardline}, seed)
            final = model.metrics
            assert final["regime_change"] == float(model.outcome == "regime_change")
            if model.outcome == "regime_change":
                changes += 1
                assert model.successor_stance == stance and not model.war_ended
                assert final["war_ended"] == 0.0
            else:
                assert model.successor_stance == "none"
            assert final["successor_stance_code"] == SUCCESSOR_STANCES.index(model.successor_stance)
        assert changes >= 1, "no regime change in the setting"


# ---- backlash: the minority campaign ------------------------------------------------------------


def test_the_campaigns_rally_raises_legitimacy_and_lowers_unrest():
    campaign = PRESETS["minorities"]
    gains = []
    for seed in range(1000, 1006):
        off = weekly({**campaign, "campaign_rally_effect": 0.0}, seed)
        on = weekly({**campaign, "campaign_rally_effect": 0.3}, seed)
        assert (on["legitimacy"] >= off["legitimacy"]).all()
        gains.append(off["unrest"].mean() - on["unrest"].mean())
    assert np.mean(gains) > 0 and min(gains) >= 0


def test_the_campaigns_repression_floor_holds_and_deters_desertion():
    campaign = PRESETS["minorities"]
    floor = 0.5 * campaign["minority_campaign_intensity"]
    fewer = []
    for seed in range(1000, 1006):
        off = weekly({**campaign, "campaign_repression_floor": 0.0}, seed)
        on = weekly({**campaign, "campaign_repression_floor": 0.5}, seed)
        # The leader's relaxation at the end of a week may dip below the floor until next week.
        relax = Scenario.model_fields["repression_relax_per_week"].default
        assert (on["repression"].iloc[1:] >= floor - relax - 1e-12).all()
        fewer.append(off["desertions_total"].iloc[-1] - on["desertions_total"].iloc[-1])
    assert min(fewer) > 0


def test_the_campaigns_backlash_switched_off_is_the_model_without_it(monkeypatch):
    overrides = {
        **PRESETS["minorities"],
        "campaign_rally_effect": 0.0,
        "campaign_repression_floor": 0.0,
    }
    with_terms = weekly(overrides, 1000)
    # The model without the campaign's backlash: the exile rally alone, no repression floor.
    monkeypatch.setattr(OutlastModel, "rally", lambda m: m.params.rally_effect * m.exile.visibility)
    monkeypatch.setattr(OutlastModel, "_campaign_crackdown", lambda m: None)
    without = weekly(overrides, 1000)
    pd.testing.assert_frame_equal(with_terms, without)


# ---- backlash: the fund -------------------------------------------------------------------------


def test_the_funds_backlash_raises_expected_punishment_and_cuts_desertion():
    fund = PRESETS["defection_fund"]
    base = OutlastModel(rng=1, **{**CHECK_SIZES, **fund, "fund_punishment_backlash": 0.0})
    harsh = OutlastModel(rng=1, **{**CHECK_SIZES, **fund, "fund_punishment_backlash": 0.3})
    assert harsh.expected_punishment() > base.expected_punishment()
    fewer = []
    for seed in range(1000, 1006):
        off = weekly({**fund, "fund_punishment_backlash": 0.0}, seed)
        on = weekly({**fund, "fund_punishment_backlash": 0.3}, seed)
        fewer.append(off["desertions_total"].iloc[-1] - on["desertions_total"].iloc[-1])
    assert min(fewer) > 0


def test_the_funds_backlash_needs_an_offer_and_switched_off_is_the_model_without_it(monkeypatch):
    no_offer = OutlastModel(rng=1, n_soldier_agents=200, fund_punishment_backlash=1.0)
    plain = OutlastModel(rng=1, n_soldier_agents=200, fund_punishment_backlash=0.0)
    assert no_offer.expected_punishment() == plain.expected_punishment()
    overrides = {**PRESETS["defection_fund"], "fund_punishment_backlash": 0.0}
    with_term = weekly(overrides, 1000)
    monkeypatch.setattr(model_module, "collective_punishment", lambda s, levers: 0.0)
    pd.testing.assert_frame_equal(with_term, weekly(overrides, 1000))


# ---- the presets --------------------------------------------------------------------------------


def test_the_backlash_preset_is_the_package_with_every_backlash_strong_and_lasts_longer():
    backlash = PRESETS["backlash"]
    assert {k: v for k, v in backlash.items() if k not in BACKLASH_FIELDS} == PRESETS["combined"]
    for name in BACKLASH_FIELDS:
        assert backlash[name] > Scenario.model_fields[name].default
    strong = {name: backlash[name] for name in BACKLASH_FIELDS}
    package = [small(FAST_PACKAGE, seed) for seed in SEEDS]
    lashed = [small({**FAST_PACKAGE, **strong}, seed) for seed in SEEDS]
    ended = [sum(m.war_ended for m in runs) for runs in (package, lashed)]
    assert ended[1] < ended[0]


@pytest.mark.parametrize(
    ("preset", "lever"),
    [
        ("combined-no-exile", "exile_support"),
        ("combined-no-minorities", "minority_campaign_intensity"),
        ("combined-no-fund", "defection_payment_usd"),
        ("combined-no-resolve", "western_resolve"),
    ],
)
def test_each_combined_minus_one_preset_drops_only_its_lever(preset, lever):
    combined, minus = PRESETS["combined"], PRESETS[preset]
    changed = {k for k in combined if minus[k] != combined[k]}
    assert lever in changed
    for name in changed:
        assert minus[name] == Scenario.model_fields[name].default
