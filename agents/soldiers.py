"""Soldiers: state in numpy arrays (`SoldierCorps`), each soldier a thin mesa.Agent view (`Soldier`).

The weekly decision to stay, desert (from the rear) or surrender (at the front) is one rule,
`leave_margin` and `choose`, written as numpy expressions that work on scalars and arrays alike.
The vectorized step (`SoldierCorps.decide_all`) and the per-agent step (`Soldier.decide`, through
`SoldierCorps.decide_each`) call the same rule on the same random draws, so they agree exactly
(tests/agents/test_soldiers.py checks it). docs/MODEL.md, "Soldiers: the leave rule", gives the
equations and their calibration.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import networkx as nx
import numpy as np
import scipy.sparse as sp

from agents.views import ArrayAgent, ArrayColumn

if TYPE_CHECKING:
    import mesa

# Status codes. Every recruited soldier is in exactly one of them.
ACTIVE, DESERTED, SURRENDERED, KILLED, INVALIDED = 0, 1, 2, 3, 4
STATUS_NAMES = ("active", "deserted", "surrendered", "killed", "invalided")
# Recruitment kinds.
PROFESSIONAL, MOBILISED, CONTRACT = 0, 1, 2
KIND_NAMES = ("professional", "mobilised", "contract")
# Weekly choices.
STAY, DESERT, SURRENDER = 0, 1, 2

# Soldier views are registered with the model eagerly up to this many soldiers; above it they are
# created on first access, because registering a million mesa agents costs seconds while the whole
# vectorized week costs milliseconds.
EAGER_VIEW_LIMIT = 50_000


@dataclass(frozen=True)
class DecisionWeights:
    """The weights of the leave rule, taken from the Scenario once per run."""

    peer_weight: float
    grievance_weight: float
    money_weight: float
    fear_weight: float
    punishment_weight: float
    surrender_barrier: float


def leave_margin(
    peer_left_share: Any,
    grievance: Any,
    offer_value: Any,
    aware: Any,
    at_front: Any,
    exposure: Any,
    pay_value: Any,
    loyalty: Any,
    deterrence: Any,
    punishment: Any,
    shock: Any,
    threshold: Any,
    w: DecisionWeights,
) -> Any:
    """How far a soldier's push to leave this week passes his threshold (scalar or array).

    push = peer_weight * peer_left_share + grievance_weight * grievance
           - money_weight * pay_value - loyalty - deterrence - punishment_weight * punishment
           + at_front * (fear_weight * exposure - surrender_barrier + aware * money_weight * offer_value)

    and the margin is push + shock - threshold. He leaves when the margin is at least zero
    (Granovetter's threshold rule with a weekly shock).

    Args:
        peer_left_share: Share of his unit ties who deserted or surrendered.
        grievance: His grievance (home region's, plus discrimination if a minority soldier).
        offer_value: Value of the Western payment to him, log1p(payment / yearly home income),
            already discounted by trust and the fund's credibility (0 if no payment).
        aware: Whether he knows of the surrender line and the offer.
        at_front: Whether he is at the front (the offer, the danger and the crossing apply there).
        exposure: His death-hazard multiplier (minority, recruitment kind).
        pay_value: Value of a year's Kremlin pay to him, log1p(monthly pay / monthly home income).
        loyalty: His loyalty (by recruitment kind).
        deterrence: His unit's deterrence from caught deserters.
        punishment: Expected punishment (severity x repression x chance of being caught).
        shock: This week's logistic shock.
        threshold: His threshold.
        w: The rule's weights.

    Returns:
        push + shock - threshold, in utility units.

    """
    push = (
        w.peer_weight * peer_left_share
        + w.grievance_weight * grievance
        - w.money_weight * pay_value
        - loyalty
        - deterrence
        - w.punishment_weight * punishment
        + at_front
        * (w.fear_weight * exposure - w.surrender_barrier + aware * (w.money_weight * offer_value))
    )
    return push + shock - threshold


def choose(margin: Any, at_front: Any) -> Any:
    """Leave when the margin is at least zero: a leaver at the front surrenders, in the rear deserts.

    Returns:
        STAY, DESERT or SURRENDER (an int8 array, or a 0-d array for scalars).

    """
    return np.where(margin >= 0.0, np.where(at_front, SURRENDER, DESERT), STAY).astype(np.int8)


def contacts_line(margin: Any, aware: Any, at_front: Any, contacted: Any, contact_margin: float):
    """Whether this is a soldier's first contact with the surrender line.

    An aware front soldier who has not contacted it yet does so when his margin is within
    `contact_margin` of leaving: he considers surrender, though most go no further.
    """
    return aware & at_front & ~contacted & (margin >= -contact_margin)


def logistic_shock(uniform: np.ndarray, scale: float) -> np.ndarray:
    """Turn uniform draws in (0, 1) into logistic shocks of the given scale."""
    u = np.clip(uniform, 1e-7, 1 - 1e-7)
    return (scale * (np.log(u) - np.log1p(-u))).astype(np.float32)


def unit_network(n_slots: int, unit_size: int, ties: int, rewire_prob: float, rng) -> sp.csr_array:
    """Ties between unit mates: a Watts-Strogatz ring within each unit, built directly as CSR.

    Slot i belongs to unit ``i // unit_size``. Each slot is tied to the ``ties/2`` next slots of its
    unit on a ring (wrapping within the unit); each tie is rewired with ``rewire_prob`` to a random
    slot of the same unit. The result is symmetric with no self-ties. Building a 10^6-node
    Watts-Strogatz graph with networkx takes seconds and gigabytes; this takes a fraction of a second
    (`adjacency_from_graph` takes a networkx graph where one is wanted instead).

    Args:
        n_slots: Number of soldier slots (a multiple of unit_size is not required).
        unit_size: Slots per unit.
        ties: Ties per slot before symmetrising (even).
        rewire_prob: Chance each tie is rewired within the unit.
        rng: numpy Generator.

    Returns:
        A symmetric 0/1 CSR matrix of shape (n_slots, n_slots), dtype float32.

    """
    slots = np.arange(n_slots, dtype=np.int64)
    unit_start = (slots // unit_size) * unit_size
    this_unit_size = np.minimum(unit_size, n_slots - unit_start)
    local = slots - unit_start
    src, dst = [], []
    for offset in range(1, ties // 2 + 1):
        target_local = (local + offset) % this_unit_size
        rewire = rng.random(n_slots) < rewire_prob
        random_local = (rng.random(n_slots) * this_unit_size).astype(np.int64)
        target_local = np.where(rewire, random_local, target_local)
        target = unit_start + target_local
        keep = target != slots
        src.append(slots[keep])
        dst.append(target[keep])
    rows = np.concatenate(src + dst)
    cols = np.concatenate(dst + src)
    adj = sp.csr_array(
        (np.ones(rows.size, dtype=np.float32), (rows, cols)), shape=(n_slots, n_slots)
    )
    adj.data[:] = 1.0  # duplicate ties summed to 2 by the constructor count once
    adj.sort_indices()
    return adj


def adjacency_from_graph(graph: nx.Graph, n_slots: int) -> sp.csr_array:
    """The 0/1 CSR adjacency of a networkx graph on nodes 0..k-1, padded to ``n_slots`` slots."""
    adj = nx.to_scipy_sparse_array(graph, nodelist=range(graph.number_of_nodes()), format="coo")
    return sp.csr_array(
        (np.ones(adj.nnz, dtype=np.float32), (adj.row, adj.col)), shape=(n_slots, n_slots)
    )


@dataclass
class WeekInputs:
    """Per-soldier inputs of this week's decision, gathered once for both paths.

    Every array is aligned with `index`, the soldiers active at decision time.
    """

    index: np.ndarray
    peer_left_share: np.ndarray
    grievance: np.ndarray
    offer_value: np.ndarray
    deterrence: np.ndarray
    shock: np.ndarray
    punishment: float
    contact_margin: float


class Soldier(ArrayAgent):
    """One soldier: a mesa.Agent whose attributes are a row of the `SoldierCorps` arrays."""

    status = ArrayColumn("status", int)
    at_front = ArrayColumn("at_front", bool)
    region = ArrayColumn("region", int)
    minority = ArrayColumn("minority", bool)
    kind = ArrayColumn("kind", int)
    unit = ArrayColumn("unit", int)
    loyalty = ArrayColumn("loyalty", float)
    threshold = ArrayColumn("threshold", float)
    aware = ArrayColumn("aware", bool)
    contacted = ArrayColumn("contacted", bool)
    pay_value = ArrayColumn("pay_value", float)
    exposure = ArrayColumn("exposure", float)

    def decide(self, week: WeekInputs, j: int) -> int:
        """This week's choice by the same rule as the vectorized path, from the same draws.

        Args:
            week: This week's inputs.
            j: This soldier's position in ``week.index``.

        Returns:
            STAY, DESERT or SURRENDER. A first contact with the surrender line is recorded on him.

        """
        corps: SoldierCorps = self.population
        i = self.index
        margin = leave_margin(
            week.peer_left_share[j],
            week.grievance[j],
            week.offer_value[j],
            corps.aware[i],
            corps.at_front[i],
            corps.exposure[i],
            corps.pay_value[i],
            corps.loyalty[i],
            week.deterrence[j],
            week.punishment,
            week.shock[j],
            corps.threshold[i],
            corps.weights,
        )
        if contacts_line(
            margin, corps.aware[i], corps.at_front[i], corps.contacted[i], week.contact_margin
        ):
            self.contacted = True
        return int(choose(margin, corps.at_front[i]))


# Columns of the corps and their dtypes; grown together when recruits arrive.
_COLUMNS: dict[str, Any] = {
    "status": np.int8,
    "at_front": np.bool_,
    "region": np.int16,
    "minority": np.bool_,
    "kind": np.int8,
    "unit": np.int32,
    "loyalty": np.float32,
    "threshold": np.float32,
    "aware": np.bool_,
    "contacted": np.bool_,
    "pay_value": np.float32,
    "exposure": np.float32,
    "week_recruited": np.int16,
}


class SoldierCorps:
    """All soldiers of a run as parallel numpy arrays, with the unit network as CSR.

    Args:
        model: The owning mesa model (for registering Soldier views).
        capacity: Slots to allocate at first; grows by doubling when recruits exceed it.
        unit_size: Agents per unit.
        ties: Unit ties per soldier.
        rewire_prob: Watts-Strogatz rewiring probability.
        weights: Weights of the leave rule.
        rng: numpy Generator for the network.
        eager_views: Register a Soldier view for every recruit (small runs) or on demand.

    """

    def __init__(
        self,
        model: mesa.Model,
        capacity: int,
        unit_size: int,
        ties: int,
        rewire_prob: float,
        weights: DecisionWeights,
        rng: np.random.Generator,
        eager_views: bool,
    ) -> None:
        self.model = model
        self.size = 0
        self.unit_size = unit_size
        self.ties = ties
        self.rewire_prob = rewire_prob
        self.weights = weights
        self.eager_views = eager_views
        self._views: dict[int, Soldier] = {}
        for name, dtype in _COLUMNS.items():
            setattr(self, name, np.zeros(capacity, dtype=dtype))
        self.set_network(unit_network(capacity, unit_size, ties, rewire_prob, rng))
        self.unit_deterrence = np.zeros(capacity // unit_size + 1, dtype=np.float32)

    @property
    def capacity(self) -> int:
        """Allocated slots."""
        return self.status.size

    def set_network(self, adjacency: sp.csr_array) -> None:
        """Use `adjacency` (symmetric 0/1 CSR over all slots) as the unit network."""
        if adjacency.shape != (self.capacity, self.capacity):
            raise ValueError(f"adjacency must be {self.capacity} x {self.capacity} slots")
        self.adjacency = sp.csr_array(adjacency, dtype=np.float32)
        self.degree = np.maximum(self.adjacency.sum(axis=1), 1).astype(np.float32)

    def _grow(self, needed: int, rng: np.random.Generator) -> None:
        new_capacity = max(needed, 2 * self.capacity)
        new_capacity = -(-new_capacity // self.unit_size) * self.unit_size
        old = self.capacity
        for name in _COLUMNS:
            column = getattr(self, name)
            grown = np.zeros(new_capacity, dtype=column.dtype)
            grown[:old] = column
            setattr(self, name, grown)
        # New slots start at a unit boundary, so the new block has no ties to the old one.
        start = -(-old // self.unit_size) * self.unit_size
        block = unit_network(new_capacity - start, self.unit_size, self.ties, self.rewire_prob, rng)
        self.set_network(
            sp.csr_array(
                sp.block_diag(
                    [self.adjacency[:start, :start], block], format="csr", dtype=np.float32
                )
            )
        )
        deterrence = np.zeros(new_capacity // self.unit_size + 1, dtype=np.float32)
        deterrence[: self.unit_deterrence.size] = self.unit_deterrence
        self.unit_deterrence = deterrence

    def recruit(
        self,
        region: np.ndarray,
        minority: np.ndarray,
        kind: np.ndarray,
        at_front: np.ndarray,
        loyalty: np.ndarray,
        pay_value: np.ndarray,
        exposure: np.ndarray,
        threshold: np.ndarray,
        week: int,
        rng: np.random.Generator,
    ) -> np.ndarray:
        """Append new soldiers; they fill slots in order, so each week's recruits form new units.

        Returns:
            The indices of the new soldiers.

        """
        n = region.size
        if self.size + n > self.capacity:
            self._grow(self.size + n, rng)
        idx = np.arange(self.size, self.size + n)
        self.status[idx] = ACTIVE
        self.region[idx] = region
        self.minority[idx] = minority
        self.kind[idx] = kind
        self.at_front[idx] = at_front
        self.unit[idx] = idx // self.unit_size
        self.loyalty[idx] = loyalty
        self.threshold[idx] = threshold
        self.aware[idx] = False
        self.contacted[idx] = False
        self.pay_value[idx] = pay_value
        self.exposure[idx] = exposure
        self.week_recruited[idx] = week
        self.size += n
        if self.eager_views:
            for i in idx:
                self.agent(int(i))
        return idx

    def agent(self, index: int) -> Soldier:
        """The Soldier view of one soldier, created and registered with the model on first use."""
        if not 0 <= index < self.size:
            raise IndexError(f"soldier index {index} out of range 0..{self.size - 1}")
        view = self._views.get(index)
        if view is None:
            view = self._views[index] = Soldier(self.model, self, index)
        return view

    def register_all(self) -> None:
        """Create a view for every soldier (for per-agent stepping and inspection)."""
        for i in range(self.size):
            self.agent(i)

    def view(self, name: str) -> np.ndarray:
        """The live part (recruited soldiers) of one column."""
        return getattr(self, name)[: self.size]

    def counts(self) -> np.ndarray:
        """Agents in each status: active, deserted, surrendered, killed, invalided."""
        return np.bincount(self.view("status"), minlength=len(STATUS_NAMES))

    def active_index(self) -> np.ndarray:
        """Indices of the active soldiers."""
        return np.flatnonzero(self.view("status") == ACTIVE)

    def peer_signals(self) -> tuple[np.ndarray, np.ndarray]:
        """Per slot: share of unit ties who left (deserted or surrendered), and aware active ties.

        One CSR product over both signals, for every slot (empty slots carry zeros).
        """
        n = self.size
        status = self.view("status")
        signals = np.zeros((self.capacity, 2), dtype=np.float32)
        signals[:n, 0] = (status == DESERTED) | (status == SURRENDERED)
        signals[:n, 1] = self.view("aware") & (status == ACTIVE)
        summed = self.adjacency @ signals
        return summed[:, 0] / self.degree, summed[:, 1]

    def rotate(self, rate: float, share_at_front: float, rng: np.random.Generator) -> None:
        """Move active soldiers between front and rear, keeping the front share near its target.

        Rear to front at ``rate``, front to rear at ``rate * (1 - s) / s``, so that the share ``s``
        at the front is the stationary share.
        """
        active = self.active_index()
        front = self.at_front[active]
        to_rear = rate * (1.0 - share_at_front) / share_at_front
        u = rng.random(active.size, dtype=np.float32)
        move = np.where(front, u < to_rear, u < rate)
        self.at_front[active[move]] = ~front[move]

    def casualties(
        self, hazard: float, invalided_per_death: float, rng: np.random.Generator
    ) -> tuple[np.ndarray, np.ndarray]:
        """Front losses: killed, or invalided out of the force for good.

        A front soldier is killed with probability ``hazard`` x his exposure and invalided out with
        that times ``invalided_per_death``; one draw per front soldier decides both.

        Returns:
            Indices killed, indices invalided.

        """
        at_risk = np.flatnonzero((self.view("status") == ACTIVE) & self.view("at_front"))
        u = rng.random(at_risk.size, dtype=np.float32)
        death_p = hazard * self.exposure[at_risk]
        killed = at_risk[u < death_p]
        invalided = at_risk[(u >= death_p) & (u < death_p * (1.0 + invalided_per_death))]
        self.status[killed] = KILLED
        self.status[invalided] = INVALIDED
        return killed, invalided

    def spread_awareness(
        self, reach: float, per_tie: float, aware_ties: np.ndarray, rng: np.random.Generator
    ) -> None:
        """Broadcast reach plus spread from aware active unit mates (1 - (1 - p)^k for k ties)."""
        if reach <= 0.0 and per_tie <= 0.0:
            return
        unaware = np.flatnonzero((self.view("status") == ACTIVE) & ~self.view("aware"))
        p_hear = 1.0 - (1.0 - reach) * np.power(1.0 - per_tie, aware_ties[unaware])
        u = rng.random(unaware.size, dtype=np.float32)
        self.aware[unaware[u < p_hear]] = True

    def margins(self, week: WeekInputs) -> np.ndarray:
        """Every active soldier's margin to leaving this week, by the shared rule."""
        i = week.index
        return leave_margin(
            week.peer_left_share,
            week.grievance,
            week.offer_value,
            self.aware[i],
            self.at_front[i],
            self.exposure[i],
            self.pay_value[i],
            self.loyalty[i],
            week.deterrence,
            week.punishment,
            week.shock,
            self.threshold[i],
            self.weights,
        )

    def decide_all(self, week: WeekInputs) -> np.ndarray:
        """The vectorized path: every active soldier's choice, aligned with ``week.index``.

        First contacts with the surrender line are recorded in ``contacted``.
        """
        i = week.index
        margin = self.margins(week)
        at_front = self.at_front[i]
        first = contacts_line(
            margin, self.aware[i], at_front, self.contacted[i], week.contact_margin
        )
        self.contacted[i[first]] = True
        return choose(margin, at_front)

    def decide_each(self, week: WeekInputs) -> np.ndarray:
        """The per-agent path: each active Soldier view decides by the same rule."""
        choice = np.empty(week.index.size, dtype=np.int8)
        for j, i in enumerate(week.index):
            choice[j] = self.agent(int(i)).decide(week, j)
        return choice
