"""The soldiers' kernel: one rule for the vectorized and per-agent paths, Granovetter's cascade,
the unit network, losses and rotation."""

import mesa
import networkx as nx
import numpy as np
import pytest
import scipy.sparse as sp

from agents.soldiers import (
    DecisionWeights,
    Soldier,
    SoldierChoice,
    SoldierCorps,
    SoldierStatus,
    WeekInputs,
    adjacency_from_graph,
    choose,
    contacts_line,
    leave_margin,
    unit_network,
)
from model.model import OutlastModel

PEERS_ONLY = DecisionWeights(
    peer_weight=1.0,
    grievance_weight=0.0,
    money_weight=0.0,
    fear_weight=0.0,
    punishment_weight=0.0,
    surrender_barrier=0.0,
)


def make_corps(n: int, unit_size: int, weights=PEERS_ONLY, seed: int = 0, ties: int = 4):
    model = mesa.Model(rng=seed)
    corps = SoldierCorps(
        model,
        capacity=n,
        unit_size=unit_size,
        ties=ties,
        rewire_prob=0.0,
        weights=weights,
        rng=model.rng,
        eager_views=True,
    )
    zeros = np.zeros(n)
    corps.recruit(
        region=np.zeros(n, dtype=int),
        minority=np.zeros(n, dtype=bool),
        kind=np.zeros(n, dtype=int),
        at_front=np.zeros(n, dtype=bool),
        loyalty=zeros,
        pay_value=zeros,
        exposure=np.ones(n),
        threshold=zeros,
        week=0,
        rng=model.rng,
    )
    return model, corps


def quiet_week(corps: SoldierCorps) -> WeekInputs:
    """Inputs with nothing but the peers: no grievance, offer, deterrence, punishment or noise."""
    idx = corps.active_index()
    left_ties, _ = corps.peer_counts()
    left_share = left_ties.astype(np.float32) / corps.degree
    zeros = np.zeros(idx.size, dtype=np.float32)
    return WeekInputs(idx, left_share[idx], zeros, zeros, zeros, zeros, 0.0, 0.0)


def granovetter_cascade(thresholds_people: list[int], per_agent: bool = False) -> int:
    """Run Granovetter's riot among 100 soldiers of one unit, all tied to all; return how many left.

    A soldier with threshold k (people) leaves once k of the other 99 have left, i.e. when the
    share of his ties who left is at least k/99; the threshold is set half a person lower so
    float rounding cannot decide a tie.
    """
    n = len(thresholds_people)
    _, corps = make_corps(n, unit_size=n)
    corps.set_network(adjacency_from_graph(nx.complete_graph(n), n))
    corps.threshold[:n] = (np.array(thresholds_people) - 0.5) / (n - 1)
    for _ in range(n + 1):
        week = quiet_week(corps)
        choice = corps.decide_each(week) if per_agent else corps.decide_all(week)
        corps.status[week.index[choice == SoldierChoice.DESERT]] = SoldierStatus.DESERTED
    return int((corps.view("status") == SoldierStatus.DESERTED).sum())


@pytest.mark.parametrize("per_agent", [False, True])
def test_granovetter_uniform_thresholds_all_join(per_agent):
    assert granovetter_cascade(list(range(100)), per_agent) == 100


@pytest.mark.parametrize("per_agent", [False, True])
def test_granovetter_moving_threshold_one_to_two_stops_the_cascade(per_agent):
    thresholds = list(range(100))
    thresholds[1] = 2
    assert granovetter_cascade(thresholds, per_agent) == 1


@pytest.mark.slow
def test_granovetter_normal_thresholds_jump_with_spread():
    """Granovetter's normal thresholds (mean 25 of 100): few join at a small spread, almost all
    at a large one; the jump lies near a spread of 12."""
    rng = np.random.default_rng(7)

    def mean_share(sd: float) -> float:
        shares = []
        for _ in range(20):
            thresholds = np.clip(np.round(rng.normal(25, sd, 100)), 0, 99).astype(int)
            shares.append(granovetter_cascade(list(thresholds)) / 100)
        return float(np.mean(shares))

    assert mean_share(4.0) < 0.1
    assert mean_share(20.0) > 0.8


def test_rule_works_on_scalars_and_arrays_alike():
    w = DecisionWeights(0.5, 0.4, 0.1, 0.2, 0.6, 0.3)
    rng = np.random.default_rng(3)
    n = 50
    args = [
        rng.random(n),
        rng.random(n),
        rng.random(n),
        rng.random(n) < 0.5,
        rng.random(n) < 0.5,
        1 + rng.random(n),
        rng.random(n) * 2,
        rng.normal(0, 0.1, n),
        rng.random(n) * 0.1,
        0.3,
        rng.logistic(0, 0.1, n),
        rng.normal(0.4, 0.2, n),
    ]
    margins = leave_margin(*args, w)
    for i in range(n):
        scalar = leave_margin(*(a[i] if isinstance(a, np.ndarray) else a for a in args), w)
        assert scalar == pytest.approx(margins[i], abs=1e-12)
    choice = choose(margins, args[4])
    assert set(np.unique(choice)) <= set(SoldierChoice)
    assert np.all((choice == SoldierChoice.SURRENDER) == ((margins >= 0) & args[4]))
    assert np.all((choice == SoldierChoice.DESERT) == ((margins >= 0) & ~args[4]))


def test_front_barrier_and_offer_enter_only_at_the_front():
    w = DecisionWeights(0.0, 0.0, 0.1, 0.0, 0.0, 0.5)
    common = dict(
        peer_left_share=0.0,
        grievance=0.0,
        offer_value=2.0,
        aware=True,
        exposure=1.0,
        pay_value=0.0,
        loyalty=0.0,
        deterrence=0.0,
        punishment=0.0,
        shock=0.0,
        threshold=0.0,
        w=w,
    )
    rear = leave_margin(at_front=False, **common)
    front = leave_margin(at_front=True, **common)
    assert rear == 0.0
    assert front == pytest.approx(-0.5 + 0.1 * 2.0)
    unaware = leave_margin(at_front=True, **{**common, "aware": False})
    assert unaware == pytest.approx(-0.5)


def test_contact_is_recorded_once_per_soldier():
    margin = np.array([-0.1, -0.1, -0.1, -0.6, 0.2])
    aware = np.array([True, True, False, True, True])
    front = np.array([True, True, True, True, False])
    contacted = np.array([False, True, False, False, False])
    assert contacts_line(margin, aware, front, contacted, 0.5).tolist() == [
        True,
        False,
        False,
        False,
        False,
    ]


@pytest.mark.parametrize("seed", [1, 2])
def test_vectorized_and_per_agent_runs_agree_exactly(seed):
    params = dict(
        n_soldier_agents=1_500,
        horizon_weeks=25,
        leave_threshold_mean=0.1,
        offer_reach_per_week=0.1,
        defection_payment_usd=30_000.0,
        seized_asset_fund_usd=1e6,
        soldiers_per_agent=30.0,
    )
    fast = OutlastModel(rng=seed, **params)
    slow = OutlastModel(rng=seed, per_agent_decisions=True, **params)
    fast.run_model()
    slow.run_model()
    a, b = fast.weekly_table(), slow.weekly_table()
    assert a["desertions_week"].sum() > 0
    assert a["surrenders_week"].sum() > 0
    assert a["hotline_contacts_week"].sum() > 0
    assert a.equals(b)
    for column in ("status", "aware", "contacted", "at_front"):
        assert np.array_equal(fast.corps.view(column), slow.corps.view(column))


def test_vectorized_and_per_agent_choices_agree_on_the_same_inputs():
    w = DecisionWeights(1.0, 0.4, 0.08, 0.15, 0.6, 0.6)
    _, corps = make_corps(400, unit_size=50, weights=w, seed=5)
    rng = np.random.default_rng(11)
    n = corps.size
    corps.at_front[:n] = rng.random(n) < 0.6
    corps.aware[:n] = rng.random(n) < 0.5
    corps.threshold[:n] = rng.normal(0.2, 0.3, n)
    corps.pay_value[:n] = rng.random(n)
    corps.status[rng.choice(n, 40, replace=False)] = SoldierStatus.DESERTED
    idx = corps.active_index()
    left_ties, _ = corps.peer_counts()
    week = WeekInputs(
        idx,
        left_ties[idx].astype(np.float32) / corps.degree[idx],
        rng.random(idx.size).astype(np.float32),
        rng.random(idx.size).astype(np.float32),
        np.zeros(idx.size, dtype=np.float32),
        rng.logistic(0, 0.1, idx.size).astype(np.float32),
        0.2,
        0.3,
    )
    saved = corps.contacted.copy()
    vector = corps.decide_all(week)
    vector_contacts = corps.contacted.copy()
    corps.contacted[:] = saved
    each = corps.decide_each(week)
    assert np.array_equal(vector, each)
    assert np.array_equal(vector_contacts, corps.contacted)
    assert 0 < (vector != SoldierChoice.STAY).sum() < idx.size


def test_soldier_views_are_registered_agents_on_the_arrays():
    model = OutlastModel(rng=3, n_soldier_agents=300, horizon_weeks=2)
    soldiers = model.agents_by_type[Soldier]
    assert len(soldiers) == model.corps.size
    soldier = model.corps.agent(7)
    assert soldier in soldiers
    soldier.aware = True
    assert model.corps.aware[7]
    model.corps.threshold[7] = 0.25
    assert soldier.threshold == pytest.approx(0.25)
    with pytest.raises(IndexError, match="out of range"):
        model.corps.agent(model.corps.size)


def test_unit_network_is_symmetric_within_units_without_self_ties():
    rng = np.random.default_rng(0)
    adj = unit_network(1_000, 50, 8, 0.2, rng)
    assert (adj != adj.T).nnz == 0
    assert adj.diagonal().sum() == 0
    rows, cols = adj.nonzero()
    assert np.all(rows // 50 == cols // 50)
    assert 6 <= adj.sum(axis=1).mean() <= 8


def test_casualties_follow_exposure_and_invalided_ratio():
    _, corps = make_corps(40_000, unit_size=100, seed=2)
    n = corps.size
    corps.at_front[:n] = True
    corps.exposure[: n // 2] = 2.0
    killed, invalided = corps.casualties(0.02, 2.0, np.random.default_rng(1), corps.active_index())
    assert np.all(corps.status[killed] == SoldierStatus.KILLED)
    assert np.all(corps.status[invalided] == SoldierStatus.INVALIDED)
    high = (killed < n // 2).sum()
    low = (killed >= n // 2).sum()
    assert 1.7 < high / low < 2.3
    assert 1.8 < invalided.size / killed.size < 2.2
    rear_only = corps.status == SoldierStatus.ACTIVE
    assert rear_only.sum() == n - killed.size - invalided.size


def test_rotation_keeps_the_front_share_near_its_target():
    _, corps = make_corps(20_000, unit_size=100, seed=4)
    rng = np.random.default_rng(9)
    for _ in range(100):
        corps.rotate(0.05, 0.6, rng, corps.active_index())
    assert corps.view("at_front").mean() == pytest.approx(0.6, abs=0.02)


def test_awareness_spreads_along_ties_without_broadcast():
    _, corps = make_corps(2_000, unit_size=100, seed=6, ties=8)
    rng = np.random.default_rng(2)
    corps.aware[0] = True
    for _ in range(30):
        _, aware_ties = corps.peer_counts()
        active = corps.active_index()
        unaware = active[~corps.aware[active]]
        corps.spread_awareness(0.0, 0.3, aware_ties, rng, unaware)
    aware_units = np.unique(corps.unit[: corps.size][corps.view("aware")])
    assert corps.view("aware").sum() > 20
    assert aware_units.tolist() == [0]


@pytest.mark.parametrize(
    ("n_slots", "unit_size", "ties"), [(1_000, 50, 8), (203, 10, 4), (7, 3, 2)]
)
def test_unit_network_without_rewiring_is_a_ring_lattice_in_each_unit(n_slots, unit_size, ties):
    adj = unit_network(n_slots, unit_size, ties, 0.0, np.random.default_rng(0))
    units = []
    for start in range(0, n_slots, unit_size):
        size = min(unit_size, n_slots - start)
        # A unit smaller than the ring's reach ties each soldier to every mate once.
        ring = nx.watts_strogatz_graph(size, min(ties, size - 1), 0.0)
        units.append(nx.to_scipy_sparse_array(ring, format="csr"))
    expected = sp.block_diag(units, format="csr")
    assert adj.has_sorted_indices
    assert np.all(adj.data == 1.0)
    assert (adj != expected).nnz == 0


def test_unit_network_with_heavy_rewiring_keeps_its_invariants():
    adj = unit_network(5_003, 7, 6, 1.0, np.random.default_rng(1))
    rows, cols = adj.nonzero()
    assert (adj != adj.T).nnz == 0
    assert np.all(rows != cols)
    assert np.all(rows // 7 == cols // 7)
    assert adj.has_sorted_indices and np.all(adj.data == 1.0)
    assert np.array_equal(adj.indptr, np.concatenate(([0], np.cumsum(np.diff(adj.indptr)))))


def test_census_counts_what_numpy_counts():
    _, corps = make_corps(5_000, unit_size=50)
    rng = np.random.default_rng(12)
    n = corps.size
    corps.status[:n] = rng.integers(0, 5, n)
    corps.at_front[:n] = rng.random(n) < 0.6
    corps.aware[:n] = rng.random(n) < 0.3
    corps.minority[:n] = rng.random(n) < 0.2
    status = corps.view("status")
    census = corps.census()
    assert census.by_status.tolist() == [int(np.sum(status == k)) for k in range(5)]
    active = status == SoldierStatus.ACTIVE
    assert corps.active_count() == int(np.sum(active))
    assert census.active_at_front == int(np.sum(active & corps.view("at_front")))
    assert census.active_aware == int(np.sum(active & corps.view("aware")))
    assert census.killed_minority == int(
        np.sum((status == SoldierStatus.KILLED) & corps.view("minority"))
    )


def test_slots_with_either_lists_what_flatnonzero_lists():
    from agents import soldier_kernel

    rng = np.random.default_rng(4)
    for n in (0, 1, 1_000, 33_333):
        status = rng.integers(0, 5, n).astype(np.int8)
        for index_type in (np.int32, np.int64):
            first, second = soldier_kernel.slots_with_either(status, 0, 3, index_type)
            assert first.dtype == second.dtype == index_type
            assert np.array_equal(first, np.flatnonzero(status == 0))
            assert np.array_equal(second, np.flatnonzero(status == 3))
