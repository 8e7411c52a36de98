from dataclasses import replace

import mesa
import numpy as np
import pytest
from scipy.stats import norm

from agents.elites import (
    CoupRule,
    Elite,
    EliteAction,
    EliteCircle,
    EliteKind,
    EliteMakeup,
    EliteRule,
    EliteSignals,
    coup_success_probability,
    regime_change_threshold,
    switching_signal,
)
from model.scenario import Scenario

RULE = EliteRule.from_scenario(Scenario())
MAKEUP = EliteMakeup.from_scenario(Scenario())
QUIET = EliteSignals(
    regime_strength=0.95,
    army_decline=0.0,
    capacity_shortfall=0.0,
    outside_option=0.0,
    repression_fear=0.0,
    resolve_cost=0.045,
    rally=0.0,
)


def circle(seed=1, n=200):
    model = mesa.Model(rng=seed)
    return model, EliteCircle(model, replace(MAKEUP, n=n), np.random.default_rng(seed))


def share_after(signals, weeks=6, seed=3):
    """Power shares pressing-or-conspiring and conspiring after some weeks under fixed signals."""
    _, c = circle(seed)
    rng = np.random.default_rng(seed)
    for _ in range(weeks):
        c.choose_actions(signals, RULE, rng)
    return 1.0 - c.power_share(EliteAction.LOYAL), c.power_share(EliteAction.CONSPIRING)


def test_global_game_threshold_is_a_fixed_point_of_the_attacking_mass():
    # At theta = theta_hat, the power-weighted mass of elites whose signal falls below their
    # switching signal must equal theta_hat (Morris & Shin with heterogeneous costs).
    rng = np.random.default_rng(0)
    cost = rng.uniform(0.05, 0.95, 500)
    power = rng.pareto(1.5, 500) + 1.0
    noise = 0.08
    theta_hat = regime_change_threshold(cost, power)
    x_star = switching_signal(theta_hat, cost, noise)
    mass = np.average(norm.cdf((x_star - theta_hat) / noise), weights=power)
    assert mass == pytest.approx(theta_hat, abs=1e-9)


def test_homogeneous_costs_give_the_textbook_threshold():
    cost = np.full(10, 0.3)
    assert regime_change_threshold(cost, np.ones(10)) == pytest.approx(0.7)
    # The marginal attacker at theta* = 1 - c sees the switching signal theta* + sigma Phi^-1(1-c).
    assert float(switching_signal(0.7, 0.3, 0.1)) == pytest.approx(0.7 + 0.1 * norm.ppf(0.7))


def test_elites_who_do_not_press_never_conspire():
    _, c = circle()
    aloof = EliteRule(**{**RULE.__dict__, "press_threshold": 5.0})
    offered = EliteSignals(**{**QUIET.__dict__, "outside_option": 0.5, "regime_strength": 0.2})
    c.choose_actions(offered, aloof, np.random.default_rng(0))
    assert (c.action == EliteAction.LOYAL).all()


def test_a_quiet_regime_keeps_its_elites_loyal():
    pressure, conspiracy = share_after(QUIET)
    assert pressure < 0.1
    assert conspiracy == 0.0


def test_an_outside_option_raises_pressure_and_conspiracy():
    quiet = share_after(QUIET)
    offered = share_after(EliteSignals(**{**QUIET.__dict__, "outside_option": 0.5}))
    assert offered[0] > quiet[0] + 0.2
    assert offered[1] > quiet[1]


def test_conspiracy_falls_with_the_regime_strength_elites_perceive():
    base = {**QUIET.__dict__, "outside_option": 0.2}
    weak = share_after(EliteSignals(**{**base, "regime_strength": 0.6}))[1]
    strong = share_after(EliteSignals(**{**base, "regime_strength": 0.95}))[1]
    assert weak > strong


@pytest.mark.parametrize("field", ["repression_fear", "rally"])
def test_fear_and_rally_hold_elites_back(field):
    base = {**QUIET.__dict__, "outside_option": 0.5}
    free = share_after(EliteSignals(**base))
    held = share_after(EliteSignals(**{**base, field: 0.4}))
    assert held[0] < free[0]
    assert held[1] <= free[1]


def test_army_decline_raises_the_military_cost_most():
    _, c = circle()
    quiet = c.war_cost(QUIET, RULE)
    declining = c.war_cost(EliteSignals(**{**QUIET.__dict__, "army_decline": 0.5}), RULE)
    rise = declining - quiet
    assert (rise > 0).all()
    assert rise[c.kind == EliteKind.MILITARY].min() > rise[c.kind != EliteKind.MILITARY].max()


def test_power_is_heavy_tailed():
    _, c = circle(n=300)
    top_decile = np.sort(c.power)[-30:].sum() / c.power.sum()
    assert top_decile > 0.25  # a Pareto tail with alpha 1.5; uniform power would give 0.1


def test_the_network_has_factions():
    _, c = circle()
    same = c.faction[:, None] == c.faction[None, :]
    adj = c.adjacency.toarray() > 0
    within = adj[same].mean()
    between = adj[~same].mean()
    assert within > 5 * between


def test_a_purged_elite_is_replaced_by_a_new_loyal_agent():
    model, c = circle()
    seats = np.array([3, 17, 42])
    c.action[seats] = EliteAction.CONSPIRING
    old = [c.agents[i] for i in seats]
    power_before = c.power[seats].copy()
    n_agents = len(model.agents_by_type[Elite])
    c.purge(seats, week=5, fear=0.5, newcomer_loyalty=0.2, rng=np.random.default_rng(9))
    assert len(model.agents_by_type[Elite]) == n_agents == c.n
    for agent, i in zip(old, seats, strict=True):
        assert agent not in model.agents
        new = c.agents[i]
        assert new in model.agents and new.unique_id != agent.unique_id
        assert new.index == i and new.action == EliteAction.LOYAL
        assert new.loyalty >= MAKEUP.loyalty_range[0] + 0.2
        assert new.fear == 0.5
    assert (c.power[seats] == power_before).all()
    assert (c.purged_week[seats] == 5).all()
    assert c.purges == 3


def test_neighbours_of_excludes_the_seats_themselves():
    _, c = circle()
    seats = np.array([0, 1])
    nb = c.neighbours_of(seats)
    adj = c.adjacency.toarray() > 0
    expected = np.flatnonzero(adj[seats].any(axis=0))
    assert set(nb) == set(expected) - {0, 1}


def test_agents_read_and_write_the_arrays():
    _, c = circle()
    c.agents[5].fear = 0.3
    assert c.fear[5] == 0.3
    c.action[6] = EliteAction.PRESSING
    assert c.agents[6].action == EliteAction.PRESSING


@pytest.mark.parametrize(
    ("name", "low", "high"),
    [("conspiring_power", 0.3, 0.6), ("army_decline", 0.0, 0.4), ("unrest_pressure", 0.0, 0.5)],
)
def test_coup_success_rises_with_power_decline_and_unrest(name, low, high):
    args = {"conspiring_power": 0.3, "army_decline": 0.0, "unrest_pressure": 0.0}
    rule = CoupRule.from_scenario(Scenario())
    p_low = coup_success_probability(**{**args, name: low}, rule=rule)
    p_high = coup_success_probability(**{**args, name: high}, rule=rule)
    assert 0.0 < p_low < p_high < 1.0
