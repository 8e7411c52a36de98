"""Soldiers: state in numpy arrays (`SoldierCorps`), each soldier a thin mesa.Agent view (`Soldier`).

The weekly decision to stay, desert (from the rear) or surrender (at the front) is one rule,
`leave_margin` and `choose` (agents/soldier_kernel.py), written once: numpy evaluates it on
scalars and arrays, numba compiles it into the kernel's loops. The kernel's step
(`SoldierCorps.decide`), the rule on arrays (`decide_all`) and the per-agent step
(`Soldier.decide`, through `decide_each`) call it on the same random draws, so they agree exactly
(tests/agents/test_soldiers.py, tests/perf/test_golden.py). This module holds the state and
draws the random numbers; the loops are in agents/soldier_kernel.py, the unit network in
agents/unit_network.py. docs/MODEL.md, "Soldiers: the leave rule", gives the equations and their
calibration.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from typing import TYPE_CHECKING, Any

import numpy as np
import scipy.sparse as sp

from agents import soldier_kernel as kernel
from agents.soldier_kernel import (
    STATUS_NAMES,
    DecisionWeights,
    SoldierChoice,
    SoldierStatus,
    choose,
    contacts_line,
    leave_margin,
    logistic_shock,
    shock_brackets,
)
from agents.unit_network import adjacency_from_graph, number_units, unit_network, unit_ties
from agents.views import ArrayAgent, ArrayColumn

if TYPE_CHECKING:
    import mesa

# The public names of soldiers: the status and choice enums and the rule come from the kernel.
__all__ = [
    "EAGER_VIEW_LIMIT",
    "KIND_NAMES",
    "STATUS_NAMES",
    "ArmyWeek",
    "ArmyWeekResult",
    "Census",
    "DecisionWeights",
    "Soldier",
    "SoldierChoice",
    "SoldierCorps",
    "SoldierKind",
    "SoldierStatus",
    "WeekInputs",
    "adjacency_from_graph",
    "choose",
    "contacts_line",
    "leave_margin",
    "logistic_shock",
    "unit_network",
]


class SoldierKind(IntEnum):
    """How a soldier was recruited (the int8 ``kind``): it sets his loyalty and exposure."""

    PROFESSIONAL = 0
    MOBILISED = 1
    CONTRACT = 2


#: Lower-case kind names, indexed by kind code.
KIND_NAMES = tuple(kind.name.lower() for kind in SoldierKind)

# Status codes passed to compiled code as plain ints: numba types an IntEnum member by inspecting
# its whole class on every call (about 40 us), more than the loop it feeds costs at 22,500 soldiers.
_ACTIVE = int(SoldierStatus.ACTIVE)
_DESERTED = int(SoldierStatus.DESERTED)

# Soldier views are registered with the model eagerly up to this many soldiers; above it they are
# created on first access, because registering a million mesa agents costs seconds while the whole
# kernel week costs milliseconds.
EAGER_VIEW_LIMIT = 50_000


@dataclass
class WeekInputs:
    """Per-soldier inputs of this week's decision, gathered once for both paths.

    Every array is aligned with `index`, the soldiers active at decision time. The compiled
    kernel gathers its inputs in its loop; these serve the per-agent path and the rule on arrays.
    """

    index: np.ndarray
    peer_left_share: np.ndarray
    grievance: np.ndarray
    offer_value: np.ndarray
    deterrence: np.ndarray
    shock: np.ndarray
    punishment: float
    contact_margin: float


@dataclass(frozen=True)
class ArmyWeek:
    """What the soldier kernel needs from the rest of the model for one week.

    Per-region arrays are indexed by a soldier's home region.
    """

    rotation_rate: float
    share_at_front: float
    death_hazard: float
    invalided_per_death: float
    offer_reach: float
    awareness_per_tie: float
    grievance_by_region: np.ndarray
    minority_grievance_by_region: np.ndarray
    offer_value_by_region: np.ndarray
    punishment: float
    contact_margin: float
    noise_scale: float
    crossing_success_prob: float
    detection_per_week: float
    deterrence_decay: float
    deterrence_per_caught: float

    @classmethod
    def from_scenario(
        cls,
        scenario: Any,
        *,
        offer_reach: float,
        grievance_by_region: np.ndarray,
        minority_grievance_by_region: np.ndarray,
        offer_value_by_region: np.ndarray,
        punishment: float,
    ) -> ArmyWeek:
        """A week's inputs: the Scenario's army rules and this week's state of the model.

        The Scenario is any object with its fields; the keywords are what the rest of the model
        decides this week (the offer's reach, grievances, the offer's value, punishment).
        """
        s = scenario
        return cls(
            rotation_rate=s.rotation_rate_per_week,
            share_at_front=s.share_at_front,
            death_hazard=s.front_death_hazard_per_week,
            invalided_per_death=s.invalided_per_death,
            offer_reach=offer_reach,
            awareness_per_tie=s.awareness_spread_per_tie,
            grievance_by_region=grievance_by_region,
            minority_grievance_by_region=minority_grievance_by_region,
            offer_value_by_region=offer_value_by_region,
            punishment=punishment,
            contact_margin=s.contact_margin,
            noise_scale=s.leave_noise_scale,
            crossing_success_prob=s.crossing_success_prob,
            detection_per_week=s.deserter_detection_per_week,
            deterrence_decay=s.deterrence_decay_per_week,
            deterrence_per_caught=s.caught_deterrence * s.punishment_severity,
        )


@dataclass(frozen=True)
class Census:
    """Counts of soldiers (agents, not soldiers represented)."""

    by_status: np.ndarray  #: agents in each status, indexed by `SoldierStatus`
    active_at_front: int
    active_aware: int
    killed_minority: int


@dataclass
class ArmyWeekResult:
    """Who left the force, and how, in one week of the soldier kernel (soldier indices)."""

    killed: np.ndarray
    invalided: np.ndarray
    deserters: np.ndarray
    surrendered: np.ndarray
    died_crossing: np.ndarray
    caught: np.ndarray
    contacts: int


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
        """This week's choice by the same rule as the compiled kernel, from the same draws.

        Args:
            week: This week's inputs.
            j: This soldier's position in ``week.index``.

        Returns:
            The `SoldierChoice`. A first contact with the surrender line is recorded on him.

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

    `week` is the soldier kernel: one week of rotation, front losses, awareness, peer signals, the
    leave decision and its resolution, for every soldier at once. The model calls it; the
    benchmarks time it alone.

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
        self._use_network(*unit_ties(capacity, unit_size, ties, rewire_prob, rng))
        self.unit_deterrence = np.zeros(capacity // unit_size + 1, dtype=np.float32)

    @property
    def capacity(self) -> int:
        """Allocated slots."""
        return self.status.size

    @property
    def adjacency(self) -> sp.csr_array:
        """The unit network as a symmetric 0/1 float32 CSR matrix over all slots.

        Made on each access from the corps' CSR structure (which is all the kernel reads), for
        analysis and tests.
        """
        return sp.csr_array(
            (np.ones(self._indices.size, dtype=np.float32), self._indices, self._indptr),
            shape=(self.capacity, self.capacity),
        )

    def set_network(self, adjacency: sp.csr_array) -> None:
        """Use `adjacency` (symmetric 0/1 CSR over all slots, no self-ties) as the unit network.

        Raises:
            ValueError: If it has the wrong shape, is not symmetric or has weights other than 1.

        """
        adjacency = sp.csr_array(adjacency, dtype=np.float32)
        adjacency.sum_duplicates()
        if adjacency.shape != (self.capacity, self.capacity):
            raise ValueError(f"adjacency must be {self.capacity} x {self.capacity} slots")
        if (adjacency != adjacency.T).nnz or np.any(adjacency.data != 1.0):
            raise ValueError("adjacency must be symmetric with every tie of weight 1")
        self._use_network(adjacency.indptr, adjacency.indices)

    def _use_network(self, indptr: np.ndarray, indices: np.ndarray) -> None:
        """Take the unit network's CSR structure: row pointers and each row's mates."""
        self._indptr, self._indices = indptr, indices
        ties = np.diff(indptr)
        self.degree = np.maximum(ties, 1).astype(np.float32)
        self.max_degree = int(ties.max(initial=0))
        # Peer signals are counts of ties kept up to date incrementally (`peer_counts`); a new
        # network starts them afresh.
        self._signal = np.zeros(self.capacity, dtype=np.uint8)
        self._left_ties = np.zeros(self.capacity, dtype=np.int32)
        self._aware_ties = np.zeros(self.capacity, dtype=np.int32)

    def _grow(self, needed: int, rng: np.random.Generator) -> None:
        new_capacity = max(needed, 2 * self.capacity)
        new_capacity = -(-new_capacity // self.unit_size) * self.unit_size
        old = self.capacity
        for name in _COLUMNS:
            column = getattr(self, name)
            grown = np.zeros(new_capacity, dtype=column.dtype)
            grown[:old] = column
            setattr(self, name, grown)
        # New slots start at a unit boundary, so the new block has no ties to the old one; the
        # slots between the old capacity and that boundary (if any) have no ties.
        start = -(-old // self.unit_size) * self.unit_size
        block_ptr, block_mates = unit_ties(
            new_capacity - start, self.unit_size, self.ties, self.rewire_prob, rng
        )
        old_ties = int(self._indptr[old])
        index = np.int32 if max(new_capacity, old_ties + block_mates.size) < 2**31 else np.int64
        self._use_network(
            np.concatenate(
                [
                    self._indptr,
                    np.full(start - old, old_ties),
                    old_ties + block_ptr[1:].astype(index),
                ],
                dtype=index,
            ),
            np.concatenate([self._indices[:old_ties], start + block_mates.astype(index)]),
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
    ) -> range:
        """Append new soldiers; they fill slots in order, so each week's recruits form new units.

        Returns:
            The slots of the new soldiers, a range.

        """
        n = region.size
        if self.size + n > self.capacity:
            self._grow(self.size + n, rng)
        slots = range(self.size, self.size + n)
        new = slice(self.size, self.size + n)
        self.status[new] = SoldierStatus.ACTIVE
        self.region[new] = region
        self.minority[new] = minority
        self.kind[new] = kind
        self.at_front[new] = at_front
        number_units(self.unit[new], self.size, self.unit_size)
        self.loyalty[new] = loyalty
        self.threshold[new] = threshold
        self.aware[new] = False
        self.contacted[new] = False
        self.pay_value[new] = pay_value
        self.exposure[new] = exposure
        self.week_recruited[new] = week
        self.size += n
        if self.eager_views:
            for i in slots:
                self.agent(i)
        return slots

    def agent(self, index: int) -> Soldier:
        """The Soldier view of one soldier, created and registered with the model on first use."""
        if not 0 <= index < self.size:
            raise IndexError(f"soldier index {index} out of range 0..{self.size - 1}")
        view = self._views.get(index)
        if view is None:
            view = self._views[index] = Soldier(self.model, self, index)
        return view

    def view(self, name: str) -> np.ndarray:
        """The live part (recruited soldiers) of one column."""
        return getattr(self, name)[: self.size]

    def census(self) -> Census:
        """The soldiers counted by status and by what the metrics read, in one pass."""
        n = self.size
        counts = kernel.census(
            self.status[:n], self.at_front[:n], self.aware[:n], self.minority[:n]
        )
        statuses = len(SoldierStatus)
        return Census(
            by_status=counts[:statuses],
            active_at_front=int(counts[statuses]),
            active_aware=int(counts[statuses + 1]),
            killed_minority=int(counts[statuses + 2]),
        )

    def active_count(self) -> int:
        """Number of active soldiers (one pass over the status bytes)."""
        # Compared with a plain int: numpy compares an IntEnum member four times slower.
        return int(np.count_nonzero(self.view("status") == _ACTIVE))

    def active_index(self) -> np.ndarray:
        """Indices of the active soldiers (int32 while the slots fit)."""
        return kernel.slots_with(self.view("status"), _ACTIVE, self._index_type)

    @property
    def _index_type(self) -> type:
        return np.int32 if self.capacity < 2**31 else np.int64

    def peer_counts(self) -> tuple[np.ndarray, np.ndarray]:
        """Per slot: unit ties who left (deserted or surrendered), and aware active unit ties.

        Equal to the CSR product of the adjacency with the two signals, but kept incrementally:
        one pass over the soldiers finds whose signal changed since the last call, and only
        their CSR rows are added to (or taken from) their mates' counts, O(changes x degree).
        The network is symmetric, so a soldier's row lists the mates whose counts he enters.

        Returns:
            Two int32 arrays over every slot (empty slots count zero). They are the corps' own
            state: read them, do not change them.

        """
        kernel.update_peer_counts(
            self.view("status"),
            self.view("aware"),
            self._signal,
            self._indptr,
            self._indices,
            self._left_ties,
            self._aware_ties,
        )
        return self._left_ties, self._aware_ties

    def rotate(
        self, rate: float, share_at_front: float, rng: np.random.Generator, active: np.ndarray
    ) -> np.ndarray:
        """Move ``active`` soldiers between front and rear, keeping the front share near its target.

        Rear to front at ``rate``, front to rear at ``rate * (1 - s) / s``, so that the share ``s``
        at the front is the stationary share.

        Returns:
            The active soldiers at the front after the move, ascending.

        """
        # numpy compares float32 draws with a Python float in float32: these are the same moves.
        to_rear = rate * (1.0 - share_at_front) / share_at_front
        return kernel.rotate(
            self.at_front,
            active,
            rng.random(active.size, dtype=np.float32),
            np.array([rate, to_rear], dtype=np.float32),
        )

    def casualties(
        self,
        hazard: float,
        invalided_per_death: float,
        rng: np.random.Generator,
        front: np.ndarray,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Front losses among the active soldiers ``front``: killed, or invalided out for good.

        A front soldier is killed with probability ``hazard`` x his exposure and invalided out with
        that times ``invalided_per_death``; one draw per front soldier decides both.

        Returns:
            Indices killed, indices invalided.

        """
        # float32 chances: numpy multiplies the float32 exposure by Python floats in float32.
        return kernel.front_losses(
            self.status,
            self.exposure,
            front,
            rng.random(front.size, dtype=np.float32),
            np.float32(hazard),
            np.float32(1.0 + invalided_per_death),
        )

    def spread_awareness(
        self,
        reach: float,
        per_tie: float,
        aware_ties: np.ndarray,
        rng: np.random.Generator,
        unaware: np.ndarray,
    ) -> None:
        """Broadcast reach plus spread from aware active unit mates (1 - (1 - p)^k for k ties).

        ``unaware`` are the active soldiers not yet aware; ``aware_ties`` counts each slot's
        aware active ties (`peer_counts`).
        """
        if reach <= 0.0 and per_tie <= 0.0:
            return
        # The chance for each possible count of ties, computed once in float32.
        counts = np.arange(self.max_degree + 1, dtype=np.float32)
        p_hear = 1.0 - (1.0 - reach) * np.power(1.0 - per_tie, counts)
        kernel.hear(
            self.aware, unaware, rng.random(unaware.size, dtype=np.float32), p_hear, aware_ties
        )

    def _margins(self, week: WeekInputs) -> np.ndarray:
        """The margins to leaving by the rule, evaluated by numpy on gathered inputs."""
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
        """The rule on whole arrays (numpy): every soldier's choice, aligned with ``week.index``.

        First contacts with the surrender line are recorded in ``contacted``.
        """
        soldiers = week.index
        margin = self._margins(week)
        at_front = self.at_front[soldiers]
        first = contacts_line(
            margin, self.aware[soldiers], at_front, self.contacted[soldiers], week.contact_margin
        )
        self.contacted[soldiers[first]] = True
        return choose(margin, at_front)

    def decide_each(self, week: WeekInputs) -> np.ndarray:
        """The per-agent path: each active Soldier view decides by the same rule."""
        choice = np.empty(week.index.size, dtype=np.int8)
        for j, i in enumerate(week.index):
            choice[j] = self.agent(int(i)).decide(week, j)
        return choice

    def week_inputs(
        self,
        week: ArmyWeek,
        soldiers: np.ndarray,
        left_ties: np.ndarray,
        shock: np.ndarray,
    ) -> WeekInputs:
        """Gather this week's decision inputs for ``soldiers``.

        ``left_ties`` counts each slot's ties who left (`peer_counts`); ``shock`` is aligned
        with ``soldiers``.
        """
        region = self.region[soldiers].astype(np.intp)
        minority_extra = self.minority[soldiers] * week.minority_grievance_by_region[region]
        return WeekInputs(
            index=soldiers,
            peer_left_share=left_ties[soldiers].astype(np.float32) / self.degree[soldiers],
            grievance=week.grievance_by_region[region] + minority_extra,
            offer_value=week.offer_value_by_region[region],
            deterrence=self.unit_deterrence[self.unit[soldiers].astype(np.intp)],
            shock=shock,
            punishment=week.punishment,
            contact_margin=week.contact_margin,
        )

    def decide(
        self,
        week: ArmyWeek,
        idx: np.ndarray,
        left_ties: np.ndarray,
        rng: np.random.Generator,
        per_agent: bool = False,
    ) -> tuple[np.ndarray, int]:
        """This week's choices of the active soldiers ``idx``, aligned with it, and first contacts.

        Per Soldier agent, or by the compiled loop over the soldiers (`soldier_kernel.decide`),
        from the same draws. The loop brackets each soldier's shock between the bounds of its
        draw's bin (`shock_brackets`) and settles from them every soldier whose margin both
        bounds place on the same side of each boundary of the rule (leaving at 0, contacting
        the line at -contact_margin); the few others get numpy's exact shock. Every choice and
        contact is the one the exact shock gives.
        """
        uniform = rng.random(idx.size, dtype=np.float32)
        if per_agent:
            contacted_before = int(np.count_nonzero(self.view("contacted")))
            shock = logistic_shock(uniform, week.noise_scale)
            choice = self.decide_each(self.week_inputs(week, idx, left_ties, shock))
            return choice, int(np.count_nonzero(self.view("contacted"))) - contacted_before
        tables = (
            self.contacted,
            week.grievance_by_region,
            week.minority_grievance_by_region,
            week.offer_value_by_region,
            left_ties,
            float(week.punishment),
            float(week.contact_margin),
            self.weights,
        )
        choice = np.empty(idx.size, dtype=np.int8)
        undecided = np.empty(idx.size, dtype=np.int64)
        lower, upper = shock_brackets(week.noise_scale)
        n_undecided, contacts = kernel.decide(
            idx, uniform, lower, upper, self._columns(), *tables, choice, undecided
        )
        if n_undecided:
            positions = undecided[:n_undecided]
            shock = logistic_shock(uniform[positions], week.noise_scale)
            contacts += kernel.decide_exactly(
                idx, positions, shock, self._columns(), *tables, choice
            )
        return choice, contacts

    def _columns(self) -> tuple[np.ndarray, ...]:
        """The columns the compiled rule reads, in the order `soldier_kernel._margin` takes them."""
        return (
            self.aware,
            self.at_front,
            self.exposure,
            self.pay_value,
            self.loyalty,
            self.threshold,
            self.region,
            self.minority,
            self.unit,
            self.degree,
            self.unit_deterrence,
        )

    def week(
        self, week: ArmyWeek, rng: np.random.Generator, per_agent: bool = False
    ) -> ArmyWeekResult:
        """The soldier kernel: one week of the army, for every soldier.

        Rotation, front losses, peer signals, awareness of the line and the offer, the leave
        decision (compiled, or per Soldier agent when ``per_agent``: same rule, same draws),
        crossings, deserters caught and returned to the rear, and units' deterrence.

        Returns:
            Who was killed, invalided, deserted, surrendered, died crossing or was caught.

        """
        # The active soldiers, and the deserters at large before this week's: the military police
        # may catch only those. One pass lists both: until the catch below no soldier enters or
        # leaves DESERTED (rotation moves active soldiers, losses turn active front soldiers
        # KILLED or INVALIDED, awareness and the decision write other columns; the choices are
        # written after the catch).
        active, at_large = kernel.slots_with_either(
            self.view("status"), _ACTIVE, _DESERTED, self._index_type
        )
        front = self.rotate(week.rotation_rate, week.share_at_front, rng, active)
        killed, invalided = self.casualties(week.death_hazard, week.invalided_per_death, rng, front)
        left_ties, aware_ties = self.peer_counts()
        # Still active after the losses (none became active since `active` was listed).
        idx, unaware = kernel.active_and_unaware(
            self.view("status"), self.view("aware"), self._index_type
        )
        self.spread_awareness(week.offer_reach, week.awareness_per_tie, aware_ties, rng, unaware)
        choice, contacts = self.decide(week, idx, left_ties, rng, per_agent)
        deserters, attempts = kernel.split_choices(idx, choice)
        crossed = rng.random(attempts.size) < week.crossing_success_prob
        surrendered, died_crossing = attempts[crossed], attempts[~crossed]
        caught = at_large[rng.random(at_large.size) < week.detection_per_week]
        self.status[caught] = SoldierStatus.ACTIVE
        self.at_front[caught] = False
        self.status[deserters] = SoldierStatus.DESERTED
        self.status[surrendered] = SoldierStatus.SURRENDERED
        self.status[died_crossing] = SoldierStatus.KILLED
        self.unit_deterrence *= 1.0 - week.deterrence_decay
        np.add.at(self.unit_deterrence, self.unit[caught], week.deterrence_per_caught)
        return ArmyWeekResult(
            killed=killed,
            invalided=invalided,
            deserters=deserters,
            surrendered=surrendered,
            died_crossing=died_crossing,
            caught=caught,
            contacts=contacts,
        )
