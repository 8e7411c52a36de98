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


# ---- contacts with the government-in-exile, their detection, defections --------------------------


def pressing_circle(seed=1):
    """A circle in which every elite presses (loyalty as drawn, no fear)."""
    model, c = circle(seed)
    c.action[:] = EliteAction.PRESSING
    return model, c


def test_only_pressing_military_and_security_chiefs_contact_the_exile():
    _, c = pressing_circle()
    c.action[::2] = EliteAction.LOYAL
    made = c.contact_exile(1.0, np.random.default_rng(0))
    chiefs = np.isin(c.kind, [EliteKind.MILITARY, EliteKind.SECURITY])
    assert set(made) == set(np.flatnonzero(chiefs & (c.action == EliteAction.PRESSING)))
    assert c.contact_exile(0.0, np.random.default_rng(0)).size == 0


def test_more_detection_finds_more_contacts_and_none_at_zero():
    def detected(chance):
        _, c = pressing_circle()
        c.contact_exile(1.0, np.random.default_rng(0))
        return c.detect_contacts(chance, np.random.default_rng(1)).size

    assert detected(0.0) == 0
    assert 0 < detected(0.2) < detected(0.8)


def defectors(outside_option, chance=1.0, fear=0.0, seed=1):
    _, c = pressing_circle(seed)
    c.contact_exile(1.0, np.random.default_rng(0))
    signals = replace(QUIET, outside_option=outside_option, repression_fear=fear)
    seats = c.defect(signals, RULE, chance, 0.2, np.random.default_rng(2))
    return c, seats


def test_a_chief_defects_when_the_exiles_offer_outweighs_his_loss():
    c, seats = defectors(0.5)
    offer = np.asarray(RULE.outside_option_by_kind)[c.kind] * 0.5
    loyalty = c.loyalty.copy()
    assert seats.size == c.defections > 0
    assert np.all(np.isin(c.kind[seats], [EliteKind.MILITARY, EliteKind.SECURITY]))
    # The successors owe their seats to the leader: loyal, more loyal, not in contact.
    assert np.all(c.action[seats] == EliteAction.LOYAL) and not c.in_contact[seats].any()
    assert np.all(c.loyalty[seats] >= MAKEUP.loyalty_range[0] + 0.2)
    assert c.purges == 0  # a defection is not a purge
    # With the chance at 1, every chief in contact who stayed had more to lose (a plot's loss)
    # than to gain.
    stayed = np.flatnonzero(c.in_contact)
    assert stayed.size and np.all(offer[stayed] <= RULE.conspiracy_cost + loyalty[stayed])


def test_fear_and_a_smaller_offer_keep_chiefs_from_defecting():
    assert defectors(0.5)[1].size > defectors(0.2)[1].size
    assert defectors(0.5, fear=0.6)[1].size == 0
    assert defectors(0.0)[1].size == 0
    assert defectors(0.5, chance=0.0)[1].size == 0


def test_a_refilled_seat_is_a_new_agent():
    model, c = pressing_circle()
    c.contact_exile(1.0, np.random.default_rng(0))
    seats = c.defect(replace(QUIET, outside_option=1.0), RULE, 1.0, 0.2, np.random.default_rng(2))
    assert len(model.agents_by_type[Elite]) == c.n
    assert all(c.agents[i].unique_id > c.n for i in seats)


def choose_actions_in_numpy(c, signals, rule, rng):
    """`EliteCircle.choose_actions` as numpy wrote it before it was compiled (the reference).

    Returns the leanings (pressing, signal, cost ratio) and the actions.
    """
    pressing_nb = c.neighbour_share(c.action >= EliteAction.PRESSING)
    conspiring_nb = c.neighbour_share(c.action == EliteAction.CONSPIRING)
    fear = c.total_fear(signals)
    outside_option = np.asarray(rule.outside_option_by_kind)[c.kind] * signals.outside_option
    gain = c.war_cost(signals, rule) + outside_option
    loss = rule.conspiracy_cost + c.loyalty + fear + signals.rally
    dissatisfaction = gain + rule.neighbour_weight * pressing_nb - c.loyalty - fear - signals.rally
    pressing = dissatisfaction > rule.press_threshold
    fundamental = rule.resilience * signals.regime_strength
    signal = (
        fundamental
        + rule.signal_noise * rng.standard_normal(c.n)
        - rule.neighbour_weight * conspiring_nb
    )
    at_stake = loss + gain
    ratio = np.divide(loss, at_stake, out=np.ones(c.n), where=at_stake > 0)
    cost_ratio = np.where(pressing, ratio, 1.0)
    theta_hat = regime_change_threshold(cost_ratio, c.power)
    threshold = switching_signal(theta_hat, cost_ratio, rule.signal_noise)
    conspiring = pressing & (signal < threshold)
    actions = np.where(
        conspiring,
        EliteAction.CONSPIRING,
        np.where(pressing, EliteAction.PRESSING, EliteAction.LOYAL),
    ).astype(np.int8)
    return (pressing, signal, cost_ratio), actions


def test_the_compiled_choice_is_numpys_to_the_bit():
    """The compiled loop (`_leanings`) performs numpy's operations: the same actions every week.

    Random states (actions, fear above 1 after repression, zero loyalty and costs so that
    nothing is at stake, an elite without ties) and signals; the leanings are compared bit for
    bit (their bytes), and the actions chosen from them.
    """
    states = np.random.default_rng(11)
    for seed in range(40):
        _, c = circle(seed, n=int(states.integers(20, 300)))
        if seed % 5 == 0:  # an isolated elite: no neighbours' power, shares 0
            rows = c.adjacency.tolil()
            rows[0, :] = 0
            rows[:, 0] = 0
            c.adjacency = rows.tocsr()
            c.adjacency.eliminate_zeros()
            c._neighbour_power = c.adjacency @ c.power
        if seed % 7 == 0:  # nothing at stake for some
            c.loyalty[::3] = 0.0
            c.base_cost[::3] = 0.0
        for _ in range(6):
            c.action = states.integers(0, 3, c.n).astype(np.int8)
            c.fear = states.uniform(0.0, 1.2, c.n)
            signals = EliteSignals(*states.uniform(0.0, 1.0, 7))
            rule = replace(
                RULE,
                neighbour_weight=float(states.uniform(0, 1)),
                press_threshold=float(states.uniform(-0.5, 1.0)),
                conspiracy_cost=0.0 if seed % 7 == 0 else float(states.uniform(0, 1)),
            )
            leanings, actions = choose_actions_in_numpy(
                c, signals, rule, np.random.default_rng(seed)
            )
            normal = np.random.default_rng(seed).standard_normal(c.n)
            for compiled, numpy_value in zip(
                c.leanings(signals, rule, normal), leanings, strict=True
            ):
                assert compiled.dtype == numpy_value.dtype
                assert compiled.tobytes() == numpy_value.tobytes()
            c.choose_actions(signals, rule, np.random.default_rng(seed))
            assert np.array_equal(c.action, actions)
