"""The kernel's exact shortcuts: peer counts kept incrementally equal the full CSR product
through every kind of change; the bracketed shock gives the exact choices."""

import mesa
import networkx as nx
import numpy as np
import pytest

from agents.soldier_kernel import shock_brackets
from agents.soldiers import (
    ArmyWeek,
    DecisionWeights,
    SoldierCorps,
    SoldierStatus,
    adjacency_from_graph,
    logistic_shock,
)

WEIGHTS = DecisionWeights(1.0, 0.4, 0.08, 0.15, 0.6, 0.6)


def make_corps(capacity: int, seed: int) -> SoldierCorps:
    model = mesa.Model(rng=seed)
    return SoldierCorps(
        model,
        capacity=capacity,
        unit_size=50,
        ties=8,
        rewire_prob=0.2,
        weights=WEIGHTS,
        rng=model.rng,
        eager_views=False,
    )


def enlist(corps: SoldierCorps, n: int, rng: np.random.Generator) -> None:
    zeros = np.zeros(n)
    corps.recruit(
        region=np.zeros(n, dtype=int),
        minority=np.zeros(n, dtype=bool),
        kind=np.zeros(n, dtype=int),
        at_front=rng.random(n) < 0.5,
        loyalty=zeros,
        pay_value=zeros,
        exposure=np.ones(n),
        threshold=zeros,
        week=0,
        rng=rng,
    )


def full_product(corps: SoldierCorps) -> tuple[np.ndarray, np.ndarray]:
    """The signals as one CSR product over every slot (what the counts replace)."""
    n = corps.size
    status = corps.view("status")
    signals = np.zeros((corps.capacity, 2), dtype=np.float32)
    signals[:n, 0] = (status == SoldierStatus.DESERTED) | (status == SoldierStatus.SURRENDERED)
    signals[:n, 1] = corps.view("aware") & (status == SoldierStatus.ACTIVE)
    summed = corps.adjacency @ signals
    return summed[:, 0], summed[:, 1]


def assert_counts_equal_product(corps: SoldierCorps) -> None:
    left_ties, aware_ties = corps.peer_counts()
    left, aware = full_product(corps)
    assert np.array_equal(left_ties, left)
    assert np.array_equal(aware_ties, aware)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_incremental_counts_equal_the_full_product_through_random_changes(seed):
    rng = np.random.default_rng(seed)
    corps = make_corps(3_000, seed)
    enlist(corps, 2_000, rng)
    assert_counts_equal_product(corps)
    for round_ in range(12):
        n = corps.size
        # Any status change, written directly into the arrays (as a test or the model might),
        # including deserters caught and made active again and aware soldiers who leave.
        changed = rng.choice(n, size=int(rng.integers(0, 300)), replace=False)
        corps.status[changed] = rng.choice(list(SoldierStatus), size=changed.size)
        corps.aware[rng.choice(n, size=int(rng.integers(0, 300)), replace=False)] = True
        if round_ % 4 == 3:
            enlist(corps, 700, rng)  # past capacity on the second time: the corps grows
        assert_counts_equal_product(corps)
    assert corps.capacity > 3_000


def test_counts_follow_a_new_network():
    rng = np.random.default_rng(4)
    corps = make_corps(200, 4)
    enlist(corps, 200, rng)
    corps.status[:50] = SoldierStatus.DESERTED
    corps.aware[100:] = True
    assert_counts_equal_product(corps)
    corps.set_network(adjacency_from_graph(nx.erdos_renyi_graph(200, 0.1, seed=1), 200))
    assert_counts_equal_product(corps)


def test_kernel_weeks_keep_counts_equal_to_the_product():
    rng = np.random.default_rng(5)
    corps = make_corps(4_000, 5)
    enlist(corps, 4_000, rng)
    regions = np.zeros(1)
    week = ArmyWeek(
        rotation_rate=0.05,
        share_at_front=0.6,
        death_hazard=0.01,
        invalided_per_death=2.0,
        offer_reach=0.05,
        awareness_per_tie=0.1,
        grievance_by_region=regions + 0.5,
        minority_grievance_by_region=regions,
        offer_value_by_region=regions + 2.0,
        punishment=0.1,
        contact_margin=0.5,
        noise_scale=0.2,
        crossing_success_prob=0.7,
        detection_per_week=0.1,
        deterrence_decay=0.1,
        deterrence_per_caught=0.05,
    )
    left = 0
    for _ in range(20):
        result = corps.week(week, rng)
        left += result.deserters.size + result.surrendered.size
        assert_counts_equal_product(corps)
    assert left > 100


def test_set_network_rejects_asymmetric_or_weighted_adjacency():
    corps = make_corps(10, 0)
    directed = adjacency_from_graph(nx.path_graph(10), 10).tolil()
    directed[0, 1] = 0
    with pytest.raises(ValueError, match="symmetric"):
        corps.set_network(directed.tocsr())
    weighted = adjacency_from_graph(nx.path_graph(10), 10) * 2
    with pytest.raises(ValueError, match="weight 1"):
        corps.set_network(weighted)
    with pytest.raises(ValueError, match="10 x 10"):
        corps.set_network(adjacency_from_graph(nx.path_graph(5), 5))


def test_bracketed_shock_gives_the_exact_choices_and_contacts_at_the_rule_boundaries():
    """Thresholds are set so that, with the exact shocks of the coming draws, margins sit within
    float rounding of leaving (0) or of contacting the line (-contact_margin). The bounds of the
    shock's bracket place these margins on both sides of a boundary, so the compiled decision
    must compute their exact shocks; it must then agree with the per-agent path, which computes
    every shock exactly."""
    rng = np.random.default_rng(8)
    corps = make_corps(3_000, 8)
    enlist(corps, 3_000, rng)
    n = corps.size
    corps.at_front[:n] = rng.random(n) < 0.6
    corps.aware[:n] = rng.random(n) < 0.5
    corps.pay_value[:n] = rng.random(n)
    corps.status[rng.choice(n, 200, replace=False)] = SoldierStatus.DESERTED
    week = ArmyWeek(
        rotation_rate=0.05,
        share_at_front=0.6,
        death_hazard=0.01,
        invalided_per_death=2.0,
        offer_reach=0.05,
        awareness_per_tie=0.1,
        grievance_by_region=np.array([0.3]),
        minority_grievance_by_region=np.array([0.0]),
        offer_value_by_region=np.array([1.5]),
        punishment=0.1,
        contact_margin=0.5,
        noise_scale=0.3,
        crossing_success_prob=0.7,
        detection_per_week=0.1,
        deterrence_decay=0.1,
        deterrence_per_caught=0.05,
    )
    idx = corps.active_index()
    left_ties, _ = corps.peer_counts()
    state = rng.bit_generator.state
    uniform = rng.random(idx.size, dtype=np.float32)
    exact = logistic_shock(uniform.copy(), week.noise_scale)
    corps.threshold[:n] = 0.0
    push_and_shock = corps._margins(corps.week_inputs(week, idx, left_ties, exact))
    contact_side = np.arange(idx.size) % 2 == 1
    corps.threshold[idx] = push_and_shock + np.where(contact_side, week.contact_margin, 0.0)

    lower, upper = shock_brackets(week.noise_scale)
    bins = (np.clip(uniform, 1e-7, 1 - 1e-7) * lower.size).astype(int)
    low = corps._margins(corps.week_inputs(week, idx, left_ties, lower[bins]))
    high = corps._margins(corps.week_inputs(week, idx, left_ties, upper[bins]))
    assert np.all(low <= high)
    boundary = np.where(contact_side, -week.contact_margin, 0.0)
    assert np.all((low < boundary) & (high >= boundary))

    contacted = corps.contacted.copy()
    results = []
    for per_agent in (False, True):
        corps.contacted[:] = contacted
        rng.bit_generator.state = state
        choice, contacts = corps.decide(week, idx, left_ties, rng, per_agent=per_agent)
        assert contacts == np.count_nonzero(corps.contacted != contacted)
        results.append((choice, corps.contacted.copy()))
    (fast, fast_contacted), (each, each_contacted) = results
    assert np.array_equal(fast, each)
    assert np.array_equal(fast_contacted, each_contacted)
    assert 0 < np.count_nonzero(fast) < idx.size
    assert np.count_nonzero(fast_contacted) > 0
