"""Regime politics in whole runs: invariants, comparative statics over seeds, the coup success share.

Runs are small (1,000 soldier agents of 600 soldiers, one year) and cached, so that tests sharing a
condition and seed share the run. Statistical tests compare conditions on the same seeds (common
random numbers).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest

from agents.elites import Elite
from agents.soldiers import SoldierStatus
from model.metrics import OUTCOMES
from model.model import OutlastModel
from model.scenario import PRESETS
from outlast.analysis.politics_checks import (
    CHECK_SIZES,
    COUP_CONDITIONS,
    coup_experiment,
    coup_success_share,
    pool_coups,
    powell_thyne_share,
)
from outlast.experiments import engine
from outlast.experiments.design import run_seed
from outlast.experiments.engine import LocalBackend

SEEDS = range(1000, 1012)
#: Exile talks that reach an agreement within about four months (as in COUP_CONDITIONS).
FAST_EXILE = {"exile_support": 1.0, "exile_formation_week": 0, "exile_progress_per_week": 0.08}


@dataclass(frozen=True)
class Run:
    """What the tests read from one run."""

    attempts: int
    successes: int
    outcome: str
    end_week: int
    war_ended: bool
    purges: int
    min_loyalty: float
    min_stability: float
    legitimacy: float
    minority_unrest: float
    partner_cooperation: float
    final: dict[str, float]


@functools.cache
def _run(key: tuple[tuple[str, Any], ...], seed: int) -> Run:
    model = OutlastModel(rng=seed, **dict(key))
    model.run_model()
    w = model.weekly_table()
    return Run(
        attempts=model.coup_attempts,
        successes=model.coups_succeeded,
        outcome=model.outcome,
        end_week=model.outcome_week if model.outcome_week >= 0 else model.params.horizon_weeks,
        war_ended=model.war_ended,
        purges=model.elites.purges,
        min_loyalty=float(w["elite_loyalty"].min()),
        min_stability=float(w["stability_index"].min()),
        legitimacy=float(w["legitimacy"].mean()),
        minority_unrest=float(w["minority_unrest"].mean()),
        partner_cooperation=float(w["partner_cooperation"].iloc[-1]),
        final=dict(model.metrics),
    )


def run(overrides: dict[str, Any], seed: int) -> Run:
    """One cached run of `overrides` on the small check sizes."""
    return _run(tuple(sorted({**CHECK_SIZES, **overrides}.items())), seed)


def runs(overrides: dict[str, Any], seeds=SEEDS) -> list[Run]:
    return [run(overrides, seed) for seed in seeds]


def first_seed(overrides, predicate, seeds=range(1000, 1040)) -> int:
    """The first seed whose run satisfies `predicate` (the test fails if none does)."""
    for seed in seeds:
        if predicate(run(overrides, seed)):
            return seed
    pytest.fail(f"no seed in {seeds} gives the required run")


# ---- invariants -----------------------------------------------------------------------------


def test_purged_elites_are_replaced_by_new_agents_every_week():
    overrides = {**COUP_CONDITIONS["combined-fast"], **CHECK_SIZES}
    seed = first_seed(COUP_CONDITIONS["combined-fast"], lambda r: r.purges > 0)
    model = OutlastModel(rng=seed, **overrides)
    elites = model.elites
    while model.running:
        ids_before = [a.unique_id for a in elites.agents]
        purges_before, defections_before = elites.purges, elites.defections
        model.step()
        live = model.agents_by_type[Elite]
        assert len(live) == elites.n
        assert set(live) == set(elites.agents)
        changed = [i for i, a in enumerate(elites.agents) if a.unique_id != ids_before[i]]
        # A seat changes hands when its holder is purged or defects to the exile government.
        purged = [i for i in changed if elites.purged_week[i] == model.week]
        assert len(purged) == elites.purges - purges_before
        assert len(changed) - len(purged) == elites.defections - defections_before
    assert elites.purges > 0


def test_a_failed_coup_purges_the_plotters_and_frightens_everyone():
    conditions = COUP_CONDITIONS["exile-fast+fund"]
    seed = first_seed(conditions, lambda r: r.attempts > r.successes)
    model = OutlastModel(rng=seed, **{**conditions, **CHECK_SIZES})
    s = model.params
    while model.running:
        repression_before = model.leader.repression
        attempts_before = model.coup_attempts
        model.step()
        if model.coup_attempts > attempts_before and model.outcome == "ongoing":
            plotters = np.flatnonzero(model.elites.purged_week == model.week)
            assert plotters.size > 0
            assert (model.elites.fear >= s.purge_fear - 1e-12).all()
            assert model.leader.repression >= (
                repression_before + s.repression_after_failed_coup - s.repression_relax_per_week
            )
            assert model.coup_events[-1].succeeded is False
            return
    pytest.fail("the chosen run had no failed coup")


@pytest.mark.parametrize(
    ("conditions", "outcome"),
    [
        (COUP_CONDITIONS["combined-fast"], "regime_change"),
        (
            {
                **COUP_CONDITIONS["combined-fast"],
                "coup_threshold_power_share": 0.95,
                "resolve_belief_effect": 0.1,
            },
            "ended_by_negotiation",
        ),
    ],
)
def test_the_outcome_is_final_once_reached(conditions, outcome):
    seed = first_seed(conditions, lambda r: r.outcome == outcome)
    model = OutlastModel(rng=seed, **{**conditions, **CHECK_SIZES})
    model.run_model()
    assert model.outcome == outcome and not model.running
    week, metrics = model.week, dict(model.metrics)
    for _ in range(3):
        model.step()
    assert (model.week, model.outcome, model.metrics) == (week, outcome, metrics)
    codes = model.weekly_table()["outcome_code"].to_numpy()
    assert (codes[:-1] == 0).all() and codes[-1] == OUTCOMES.index(outcome)
    if outcome == "ended_by_negotiation":
        assert model.war_ended


def test_elites_and_the_leader_read_the_armys_decline():
    control = OutlastModel(rng=3, **{**CHECK_SIZES, "horizon_weeks": 10})
    model = OutlastModel(rng=3, **{**CHECK_SIZES, "horizon_weeks": 10})
    control.step()
    model.step()
    strength_before = model.regime_strength()
    active = np.flatnonzero(model.corps.view("status") == SoldierStatus.ACTIVE)
    lost = active[: int(0.3 * active.size)]
    model.corps.status[lost] = SoldierStatus.KILLED
    assert model.army_decline() == pytest.approx(0.3, abs=0.02)
    assert model.regime_strength() == pytest.approx(strength_before - 0.35 * 0.3, abs=0.02)
    control.step()
    model.step()
    # Against the same seed without the losses (the same random numbers, model/streams.py), the
    # threat rises by at least the decline's weight times the decline: the elites' pressure and
    # the coup risk it brings add to it, nothing takes from it.
    weight = model.leader.rule.threat_weights["army_decline"]
    assert control.army_decline() == 0.0
    assert model.leader.threat >= control.leader.threat + weight * model.army_decline()
    signals = model._elite_signals()
    assert signals.army_decline == model.army_decline() > 0.25


def test_the_exile_backfire_preset_is_the_package_with_a_strong_rally():
    assert PRESETS["exile-backfire"] == {**PRESETS["combined"], "rally_effect": 0.5}


def test_pooled_coup_share_and_its_tolerance():
    assert powell_thyne_share() == pytest.approx(243 / 488)
    share = pool_coups([(2, 1), (0, 0), (1, 1), (1, 0)])
    assert (share.attempts, share.successes, share.runs, share.runs_with_attempts) == (4, 2, 4, 3)
    assert share.share == 0.5
    assert share.standard_error == pytest.approx((share.observed * (1 - share.observed) / 4) ** 0.5)
    assert share.within(z=1.0)
    assert not pool_coups([(100, 90)]).within(z=3.0)
    low, high = share.interval(0.90)
    assert 0.0 < low < 0.5 < high < 1.0
    assert high - 0.5 == pytest.approx(0.5 - low)  # Wilson's is symmetric only at one half


def test_the_coup_share_runs_on_the_engine_with_the_sweeps_seeds(tmp_path, monkeypatch):
    conditions = {name: COUP_CONDITIONS[name] for name in ("exile-fast", "combined-fast")}
    sizes = {**CHECK_SIZES, "horizon_weeks": 3}
    exp = coup_experiment(conditions, seeds=2, sizes=sizes, master_seed=9)
    assert exp.scenarios[1].defection_payment_usd == PRESETS["combined"]["defection_payment_usd"]
    seeds: list[int] = []
    original = engine.run_simulation

    def counted(scenario, seed, *args):
        seeds.append(seed)
        return original(scenario, seed, *args)

    monkeypatch.setattr(engine, "run_simulation", counted)
    share = coup_success_share(conditions, 2, sizes, master_seed=9, out=tmp_path / "coups")
    assert seeds == [run_seed(9, p, i) for p in range(2) for i in range(2)]
    assert share.runs == 4
    # Its runs are stored: asked again, it reads them instead of running them again.
    assert coup_success_share(conditions, 2, sizes, master_seed=9, out=tmp_path / "coups") == share
    assert len(seeds) == 4


# ---- comparative statics over seeds ---------------------------------------------------------


@pytest.mark.slow
def test_an_exile_agreement_lowers_elite_loyalty_and_raises_coup_attempts():
    agreeing = COUP_CONDITIONS["exile-fast"]
    # The same government-in-exile, formed and visible, whose talks never get anywhere.
    stalled = {**agreeing, "exile_progress_per_week": 0.0, "exile_progress_noise": 0.0}
    with_agreement, without = runs(agreeing), runs(stalled)
    assert all(r.final["exile_agreement"] == 1.0 for r in with_agreement)
    assert all(r.final["exile_agreement"] == 0.0 for r in without)
    assert np.mean([r.min_loyalty for r in with_agreement]) < np.mean(
        [r.min_loyalty for r in without]
    )
    assert sum(r.attempts for r in with_agreement) > sum(r.attempts for r in without)


@pytest.mark.slow
def test_stronger_resolve_makes_a_negotiated_end_earlier_and_more_likely():
    # Coups are made impossible so that only the leader's choice can end the war; his belief
    # adapts within months so that a year shows the effect.
    base = {
        **COUP_CONDITIONS["combined-fast"],
        "coup_threshold_power_share": 0.95,
        "resolve_belief_effect": 0.1,
    }
    seeds = range(1000, 1008)
    weak = runs({**base, "western_resolve": 0.1}, seeds)
    strong = runs({**base, "western_resolve": 0.9}, seeds)
    ended = [np.mean([r.outcome == "ended_by_negotiation" for r in rs]) for rs in (weak, strong)]
    weeks = [np.mean([r.end_week for r in rs]) for rs in (weak, strong)]
    assert ended[1] > ended[0]
    assert weeks[1] < weeks[0]
    assert all(s.end_week <= w.end_week for w, s in zip(weak, strong, strict=True))


@pytest.mark.slow
def test_a_stronger_minority_campaign_cuts_partner_cooperation_and_raises_minority_unrest():
    seeds = range(1000, 1006)
    weak = runs({"minority_campaign_intensity": 0.2}, seeds)
    strong = runs({"minority_campaign_intensity": 1.0}, seeds)
    for w, s in zip(weak, strong, strict=True):
        assert s.partner_cooperation < w.partner_cooperation
        assert s.final["regime_capacity"] < w.final["regime_capacity"]
    assert np.mean([r.minority_unrest for r in strong]) > np.mean([r.minority_unrest for r in weak])
    higher = sum(s.minority_unrest > w.minority_unrest for w, s in zip(weak, strong, strict=True))
    assert higher >= len(seeds) - 1


@pytest.mark.slow
def test_a_strong_rally_reverses_the_exile_lever():
    seeds = range(1000, 1010)
    package = {**PRESETS["combined"], **FAST_EXILE}
    no_exile = runs({**package, "exile_support": 0.0}, seeds)
    exile = runs(package, seeds)  # default rally effect (0.1)
    backfire = runs({**PRESETS["exile-backfire"], **FAST_EXILE}, seeds)

    def mean(rs, field):
        return np.mean([getattr(r, field) for r in rs])

    # With the default rally the exile government destabilises the regime ...
    assert mean(exile, "attempts") > mean(no_exile, "attempts")
    assert mean(exile, "min_stability") < mean(no_exile, "min_stability")
    # ... with a strong rally it makes the regime more stable than no exile government at all.
    assert mean(backfire, "attempts") <= mean(no_exile, "attempts")
    assert mean(backfire, "min_stability") > mean(no_exile, "min_stability")
    assert mean(backfire, "min_loyalty") > mean(no_exile, "min_loyalty")
    assert mean(backfire, "legitimacy") > mean(no_exile, "legitimacy")
    assert sum(r.outcome != "ongoing" for r in backfire) <= sum(
        r.outcome != "ongoing" for r in no_exile
    )


@pytest.mark.slow
def test_about_half_of_coup_attempts_succeed_as_in_powell_and_thyne():
    share = coup_success_share(seeds=16, master_seed=1000, backend=LocalBackend(2))
    assert share.observed == pytest.approx(243 / 488)
    assert share.attempts >= 20, "too few attempts for the check to mean anything"
    # Three binomial standard errors: the tolerance the sample of attempts allows.
    assert share.within(z=3.0), (share.share, share.attempts, share.standard_error)


@pytest.mark.slow
@pytest.mark.parametrize("preset", ["exile", "minorities", "defection_fund", "resolve", "combined"])
def test_each_lever_preset_moves_the_regime_along_its_path(preset):
    seeds = range(1000, 1002)
    for seed in seeds:
        base = run(PRESETS["baseline"], seed).final
        lever = run(PRESETS[preset], seed).final
        if preset in ("exile", "combined"):
            assert lever["exile_progress"] > 0.0
            assert lever["legitimacy"] > base["legitimacy"]  # the default rally effect
        if preset in ("minorities", "combined"):
            assert lever["partner_cooperation"] < base["partner_cooperation"]
            assert lever["regime_capacity"] < base["regime_capacity"]
        if preset == "minorities":  # in the package the exile's rally offsets it
            assert lever["leader_commitment"] < base["leader_commitment"]
        if preset in ("defection_fund", "combined"):
            # How far the fund shrinks the army is the army's calibration; politics reads the
            # result through the army's decline (next test).
            assert lever["fund_spent_usd"] + lever["fund_balance_usd"] > 0.0
        if preset in ("resolve", "combined"):
            assert lever["leader_belief_outlast"] < base["leader_belief_outlast"] - 0.2
            assert lever["elite_pressure"] >= base["elite_pressure"]
