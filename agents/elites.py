"""Elites: military, security and civilian insiders on a patronage network, and coup coordination.

Elite state lives in arrays (`EliteCircle`); each elite is an `Elite` mesa.Agent view on one row.
Each week an elite weighs his personal cost of the war, the outside option an exile agreement offers,
fear (his own, after purges, and the leader's repression), his loyalty and what his network
neighbours did last week, and chooses to stay loyal, press the leader to end the war, or conspire.

Conspiring is a coordination problem, solved with the switching strategies of the global game of
regime change (Morris & Shin 1998): the regime falls when the power share attacking it reaches its
fundamental theta. Elite i, with a private signal x_i = theta + sigma e_i and a cost-benefit ratio
c_i of attacking, attacks when x_i < x*_i. With an improper uniform prior and power weights w_i the
equilibrium is exact for heterogeneous costs: the regime falls when theta <= theta_hat =
sum_i w_i (1 - c_i), and x*_i = theta_hat + sigma Phi^-1(1 - c_i). An elite who does not even press
has c_i = 1 and never attacks. Little (2017) shows that once a regime survives, there is an
equilibrium in which no officer moves however dissatisfied; a failed coup's purges and fear
reproduce that here.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from typing import TYPE_CHECKING

import networkx as nx
import numba
import numpy as np
import scipy.sparse as sp
from scipy.special import ndtri

from agents.from_scenario import ScenarioLike, by_part
from agents.regime import weighted_mean
from agents.views import ArrayAgent, ArrayColumn

if TYPE_CHECKING:
    import mesa


class EliteAction(IntEnum):
    """An elite's choice this week (the int8 ``action``), in rising opposition to the leader."""

    LOYAL = 0
    PRESSING = 1
    CONSPIRING = 2


class EliteKind(IntEnum):
    """Where an elite's power lies (``kind``); it sets his costs of the war and outside option."""

    MILITARY = 0
    SECURITY = 1
    CIVILIAN = 2


#: Lower-case action names, indexed by action code.
ACTION_NAMES = tuple(action.name.lower() for action in EliteAction)
#: Lower-case kind names, in code order; each kind's numbers are Scenario fields named after it
#: (``elite_share_military``, ``elite_army_cost_security``, ...).
KIND_NAMES = tuple(kind.name.lower() for kind in EliteKind)


def _by_kind(scenario: ScenarioLike, template: str) -> tuple[float, ...]:
    """A value by kind, in code order, from the fields ``template.format(kind)``."""
    return tuple(by_part(scenario, template, KIND_NAMES).values())


@dataclass(frozen=True)
class EliteSignals:
    """What elites see this week, each a share or utility in [0, 1].

    Attributes:
        regime_strength: The regime's perceived strength (army, calm, capacity, legitimacy).
        army_decline: The army's decline (from its start or its recent peak).
        capacity_shortfall: 1 - the regime's economic capacity.
        outside_option: What an exile agreement offers (amnesty, a role), before kind weights.
        repression_fear: Fear every elite feels from the leader's repression.
        resolve_cost: Expected lasting cost of the war from Western resolve (sanctions kept).
        rally: The rally effect of a visible exile government (raises loyalty, taints plotting).

    """

    regime_strength: float
    army_decline: float
    capacity_shortfall: float
    outside_option: float
    repression_fear: float
    resolve_cost: float
    rally: float


@dataclass(frozen=True)
class EliteMakeup:
    """Who the elites are at the start and when a seat is refilled.

    Attributes:
        n: Number of elites.
        power_alpha: Pareto shape of power (heavy-tailed: a few hold most of it).
        n_factions: Factions in the patronage network.
        p_within: Tie probability within a faction.
        p_between: Tie probability between factions.
        kind_shares: Shares of the kinds (`KIND_NAMES` order), summing to 1.
        base_cost_range: Per kind, the (lowest, highest) base cost of the war (sanctions, lost
            business, risk), drawn uniformly.
        loyalty_range: The (lowest, highest) personal loyalty to the leader, drawn uniformly.

    """

    n: int
    power_alpha: float
    n_factions: int
    p_within: float
    p_between: float
    kind_shares: tuple[float, ...]
    base_cost_range: tuple[tuple[float, float], ...]
    loyalty_range: tuple[float, float]

    @classmethod
    def from_scenario(cls, scenario: ScenarioLike) -> EliteMakeup:
        """The elites' make-up of a Scenario."""
        s = scenario
        return cls(
            n=s.n_elites,
            power_alpha=s.elite_power_alpha,
            n_factions=s.n_factions,
            p_within=s.tie_prob_within_faction,
            p_between=s.tie_prob_between_factions,
            kind_shares=_by_kind(s, "elite_share_{}"),
            base_cost_range=tuple(
                zip(
                    _by_kind(s, "elite_base_cost_min_{}"),
                    _by_kind(s, "elite_base_cost_max_{}"),
                    strict=True,
                )
            ),
            loyalty_range=(s.elite_loyalty_min, s.elite_loyalty_max),
        )


@dataclass(frozen=True)
class EliteRule:
    """Parameters of the elites' weekly choice.

    Attributes:
        neighbour_weight: Weight of neighbours' pressing (on dissatisfaction) and conspiring
            (lowering the perceived fundamental).
        signal_noise: Standard deviation sigma of each elite's private signal.
        press_threshold: Dissatisfaction above which an elite presses the leader.
        conspiracy_cost: Base loss from a failed plot (prison, death), before fear and loyalty.
        resilience: Power share that must conspire to topple the regime at full strength; the
            global game's fundamental is resilience x perceived strength.
        army_cost_by_kind: How each kind's cost of the war rises with the army's decline.
        economy_cost_by_kind: How each kind's cost rises with the regime's lost capacity.
        outside_option_by_kind: How much each kind values an exile agreement's amnesty and role.

    """

    neighbour_weight: float
    signal_noise: float
    press_threshold: float
    conspiracy_cost: float
    resilience: float
    army_cost_by_kind: tuple[float, ...]
    economy_cost_by_kind: tuple[float, ...]
    outside_option_by_kind: tuple[float, ...]

    @classmethod
    def from_scenario(cls, scenario: ScenarioLike) -> EliteRule:
        """The elites' rule of a Scenario."""
        s = scenario
        return cls(
            neighbour_weight=s.elite_neighbour_weight,
            signal_noise=s.elite_signal_noise,
            press_threshold=s.press_threshold,
            conspiracy_cost=s.conspiracy_cost,
            resilience=s.coup_resilience,
            army_cost_by_kind=_by_kind(s, "elite_army_cost_{}"),
            economy_cost_by_kind=_by_kind(s, "elite_economy_cost_{}"),
            outside_option_by_kind=_by_kind(s, "elite_outside_option_{}"),
        )


@dataclass(frozen=True)
class CoupRule:
    """When a coup is attempted, its chance of success, and what follows either way.

    Attributes:
        threshold: Conspiring power share that triggers an attempt.
        intercept: Log-odds of success at the threshold with an intact army and calm.
        power_coef: Rise in log-odds per share of conspiring power above the threshold.
        army_coef: Rise in log-odds per share of army decline.
        unrest_coef: Rise in log-odds per unit of unrest pressure.
        war_end_prob: Chance a new regime ends the war with no exile agreement.
        war_end_prob_agreement: Chance a new regime ends the war given an exile agreement.
        purge_fear: Fear after a purge (every elite after a failed coup, successors, neighbours).
        newcomer_loyalty: Extra loyalty of a purged elite's successor.
        detection_per_week: Chance a conspirator is detected in a week, times 1 + repression.
        repression_after_failure: Rise in repression after a failed coup.
        hardline_prob: Chance a new regime that does not end the war is hard-line.

    """

    threshold: float
    intercept: float
    power_coef: float
    army_coef: float
    unrest_coef: float
    war_end_prob: float
    war_end_prob_agreement: float
    purge_fear: float
    newcomer_loyalty: float
    detection_per_week: float
    repression_after_failure: float
    hardline_prob: float

    @classmethod
    def from_scenario(cls, scenario: ScenarioLike) -> CoupRule:
        """The coup rule of a Scenario."""
        s = scenario
        return cls(
            threshold=s.coup_threshold_power_share,
            intercept=s.coup_success_intercept,
            power_coef=s.coup_success_power_coef,
            army_coef=s.coup_success_army_coef,
            unrest_coef=s.coup_success_unrest_coef,
            war_end_prob=s.war_end_prob_after_coup,
            war_end_prob_agreement=s.war_end_prob_after_coup_agreement,
            purge_fear=s.purge_fear,
            newcomer_loyalty=s.newcomer_loyalty,
            detection_per_week=s.conspirator_detection_per_week,
            repression_after_failure=s.repression_after_failed_coup,
            hardline_prob=s.hardline_successor_prob,
        )


class Elite(ArrayAgent):
    """One member of the elite: a mesa.Agent view on a row of `EliteCircle`."""

    kind = ArrayColumn("kind", int)
    faction = ArrayColumn("faction", int)
    power = ArrayColumn("power", float)
    loyalty = ArrayColumn("loyalty", float)
    fear = ArrayColumn("fear", float)
    base_cost = ArrayColumn("base_cost", float)
    action = ArrayColumn("action", int)


def patronage_network(
    n: int, n_factions: int, p_within: float, p_between: float, seed: int
) -> nx.Graph:
    """A stochastic block model of patronage factions (networkx, seeded).

    Returns:
        A graph whose nodes carry their faction (block) as the attribute "block".

    """
    sizes = [n // n_factions + (1 if i < n % n_factions else 0) for i in range(n_factions)]
    probs = [
        [p_within if i == j else p_between for j in range(n_factions)] for i in range(n_factions)
    ]
    # The dense generator: networkx's sparse one divides by log(1 - p), zero for tiny p.
    return nx.stochastic_block_model(sizes, probs, seed=seed, sparse=False)


def regime_change_threshold(cost_ratio: np.ndarray, power: np.ndarray) -> float:
    """The global game's threshold theta_hat = sum_i w_i (1 - c_i), w the power shares.

    Elite i attacks when the posterior chance that theta <= theta_hat exceeds c_i, i.e. when
    x_i < x*_i = theta_hat + sigma Phi^-1(1 - c_i); the attacking mass at theta_hat is then
    sum_i w_i Phi(Phi^-1(1 - c_i)) = sum_i w_i (1 - c_i), which must equal theta_hat
    (Morris & Shin 1998, with heterogeneous costs and an improper uniform prior).

    Examples:
        >>> regime_change_threshold(np.array([0.2, 1.0]), np.array([1.0, 1.0]))
        0.4

    """
    return float(weighted_mean(1.0 - cost_ratio, power))


def switching_signal(theta_hat: float, cost_ratio: np.ndarray | float, noise: float) -> np.ndarray:
    """Each elite's switching signal x*_i = theta_hat + sigma Phi^-1(1 - c_i).

    c is clipped to [1e-9, 1 - 1e-9] so that Phi^-1 stays finite.

    Examples:
        >>> float(switching_signal(0.4, 0.5, 0.1))
        0.4

    """
    c = np.clip(cost_ratio, 1e-9, 1.0 - 1e-9)
    return theta_hat + noise * ndtri(1.0 - c)


@numba.njit(cache=True)
def _leanings(
    action, power, indptr, indices, neighbour_power, own_fear, kind, base_cost, loyalty, normal,
    cost_by_kind, terms,
):  # fmt: skip
    """`EliteCircle.choose_actions` up to the global game's threshold, one loop per elite.

    Each elite's pressing, private signal and cost-benefit ratio, by the operations numpy
    performed on the arrays, in the same order: the neighbours' shares as scipy's CSR product
    sums them (row by row in stored order, from 0.0, each tie's weight 1.0 times the power
    times 1.0 or 0.0), the fear clipped to [0, 1], and each sum left to right as written in
    `choose_actions`' docstring. ``cost_by_kind`` holds the rule's army, economy and outside
    option costs by kind (rows); ``terms`` the week's signals and the rule's numbers (see the
    caller). Tested equal bit for bit to the numpy expressions (tests/agents/test_elites.py).

    Returns:
        pressing (bool), signal and cost ratio (float64), per elite.

    """
    (repression_fear, army_decline, capacity_shortfall, outside_option, resolve_cost, rally,
     conspiracy_cost, neighbour_weight, press_threshold, fundamental, noise) = (
        terms[0], terms[1], terms[2], terms[3], terms[4], terms[5], terms[6], terms[7], terms[8],
        terms[9], terms[10])  # fmt: skip
    n = power.size
    pressing = np.empty(n, dtype=np.bool_)
    signal = np.empty(n, dtype=np.float64)
    cost_ratio = np.empty(n, dtype=np.float64)
    for i in range(n):
        pressing_power = 0.0
        conspiring_power = 0.0
        for k in range(indptr[i], indptr[i + 1]):
            j = indices[k]
            pressing_power += 1.0 * (power[j] * (1.0 if action[j] >= EliteAction.PRESSING else 0.0))
            conspiring_power += 1.0 * (
                power[j] * (1.0 if action[j] == EliteAction.CONSPIRING else 0.0)
            )
        total = neighbour_power[i]
        pressing_nb = pressing_power / total if total > 0 else 0.0
        conspiring_nb = conspiring_power / total if total > 0 else 0.0
        fear = min(max(own_fear[i] + repression_fear, 0.0), 1.0)
        k = kind[i]
        outside = cost_by_kind[2, k] * outside_option
        war_cost = (
            base_cost[i]
            + cost_by_kind[0, k] * army_decline
            + cost_by_kind[1, k] * capacity_shortfall
            + resolve_cost
        )
        gain = war_cost + outside
        loss = conspiracy_cost + loyalty[i] + fear + rally
        dissatisfaction = gain + neighbour_weight * pressing_nb - loyalty[i] - fear - rally
        presses = dissatisfaction > press_threshold
        pressing[i] = presses
        signal[i] = fundamental + noise * normal[i] - neighbour_weight * conspiring_nb
        at_stake = loss + gain
        ratio = loss / at_stake if at_stake > 0 else 1.0
        cost_ratio[i] = ratio if presses else 1.0
    return pressing, signal, cost_ratio


class EliteCircle:
    """All elites as arrays, with the patronage network as a graph and as CSR.

    Args:
        model: The owning mesa model.
        makeup: Their number, power, factions, kinds, base costs and loyalty.
        rng: numpy Generator.

    """

    def __init__(self, model: mesa.Model, makeup: EliteMakeup, rng: np.random.Generator) -> None:
        self.model = model
        self.makeup = makeup
        n = makeup.n
        self.n = n
        self.graph = patronage_network(
            n, makeup.n_factions, makeup.p_within, makeup.p_between, seed=int(rng.integers(2**31))
        )
        self.adjacency = sp.csr_array(nx.to_scipy_sparse_array(self.graph, format="csr"))
        self.faction = np.array([self.graph.nodes[i]["block"] for i in range(n)])
        self.kind = rng.choice(len(EliteKind), size=n, p=makeup.kind_shares)
        # The power of a seat; a purged elite's successor inherits it.
        self.power = rng.pareto(makeup.power_alpha, size=n) + 1.0
        self.loyalty = np.zeros(n)
        self.fear = np.zeros(n)
        self.base_cost = np.zeros(n)
        self.action = np.full(n, EliteAction.LOYAL, dtype=np.int8)
        self.purged_week = np.full(n, -1)
        self.purges = 0
        # Contacts with the government-in-exile: who is in contact, and the run's counts.
        self.in_contact = np.zeros(n, dtype=bool)
        self.contacts_detected = 0
        self.defections = 0
        for i in range(n):
            self._fill_seat(i, rng, fear=0.0, extra_loyalty=0.0)
        self.agents: list[Elite] = [Elite(model, self, i) for i in range(n)]
        # Each elite's neighbours' total power, the denominator of `neighbour_share`: the network
        # and the seats' power never change (a successor inherits his seat's power), so it is
        # computed once (tests/agents/test_elites.py checks it after every week).
        self._neighbour_power = self.adjacency @ self.power

    def _fill_seat(
        self, i: int, rng: np.random.Generator, fear: float, extra_loyalty: float
    ) -> None:
        lo, hi = self.makeup.base_cost_range[int(self.kind[i])]
        self.base_cost[i] = rng.uniform(lo, hi)
        self.loyalty[i] = rng.uniform(*self.makeup.loyalty_range) + extra_loyalty
        self.fear[i] = fear
        self.action[i] = EliteAction.LOYAL
        self.in_contact[i] = False

    def purge(
        self,
        seats: np.ndarray,
        week: int,
        fear: float,
        newcomer_loyalty: float,
        rng: np.random.Generator,
    ) -> None:
        """Replace the elites in `seats`: the old agents leave the model, loyalists take their seats.

        A successor keeps the seat's kind, faction and power, draws a new base cost, and owes his
        seat to the leader (`newcomer_loyalty` added to his loyalty); he starts with `fear`.
        """
        self._refill(seats, fear, newcomer_loyalty, rng)
        self.purged_week[np.asarray(seats, dtype=int)] = week
        self.purges += len(seats)

    def _refill(
        self, seats: np.ndarray, fear: float, newcomer_loyalty: float, rng: np.random.Generator
    ) -> None:
        """The elites in `seats` leave the model; successors owing their seats take them."""
        for i in np.asarray(seats, dtype=int):
            self.agents[i].remove()
            self._fill_seat(int(i), rng, fear=fear, extra_loyalty=newcomer_loyalty)
            self.agents[i] = Elite(self.model, self, int(i))

    def purge_detected(
        self,
        seats: np.ndarray,
        week: int,
        fear: float,
        newcomer_loyalty: float,
        rng: np.random.Generator,
    ) -> None:
        """Purge elites the security services detected; their network neighbours' fear rises too."""
        if len(seats):
            self.frighten(self.neighbours_of(seats), fear)
            self.purge(seats, week, fear, newcomer_loyalty, rng)

    def frighten(self, seats: np.ndarray, fear: float) -> None:
        """Raise the fear of the elites in `seats` to at least `fear`."""
        self.fear[seats] = np.maximum(self.fear[seats], fear)

    def neighbours_of(self, seats: np.ndarray) -> np.ndarray:
        """Seats tied to any of `seats` on the patronage network (excluding `seats`)."""
        mask = np.zeros(self.n)
        mask[seats] = 1.0
        tied = (self.adjacency @ mask) > 0
        tied[seats] = False
        return np.flatnonzero(tied)

    def power_share(self, action: EliteAction) -> float:
        """Share of total power held by elites taking `action`."""
        return float(self.power[self.action == action].sum() / self.power.sum())

    def mean_fear(self) -> float:
        """Power-weighted mean of elites' own fear."""
        return float(weighted_mean(self.fear, self.power))

    def neighbour_share(self, mask: np.ndarray) -> np.ndarray:
        """Per elite: power-weighted share of network neighbours for whom `mask` holds."""
        weighted = self.adjacency @ (self.power * mask)
        total = self._neighbour_power
        return np.divide(weighted, total, out=np.zeros(self.n), where=total > 0)

    def war_cost(self, signals: EliteSignals, rule: EliteRule) -> np.ndarray:
        """Each elite's personal cost of continuing the war.

        base cost + army sensitivity x army decline + economic sensitivity x capacity shortfall
        + the cost of Western resolve (sanctions that will not be lifted).
        """
        return (
            self.base_cost
            + np.asarray(rule.army_cost_by_kind)[self.kind] * signals.army_decline
            + np.asarray(rule.economy_cost_by_kind)[self.kind] * signals.capacity_shortfall
            + signals.resolve_cost
        )

    def total_fear(self, signals: EliteSignals) -> np.ndarray:
        """Own fear (purges) plus the fear of repression, capped at 1."""
        return np.clip(self.fear + signals.repression_fear, 0.0, 1.0)

    def leanings(
        self, signals: EliteSignals, rule: EliteRule, normal: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Each elite's pressing, private signal and cost-benefit ratio (`choose_actions`).

        ``normal`` are the signals' standard normal draws. One compiled loop (`_leanings`),
        numpy's operations in numpy's order: 2 numpy calls where there were about 30.
        """
        return _leanings(
            self.action,
            self.power,
            self.adjacency.indptr,
            self.adjacency.indices,
            self._neighbour_power,
            self.fear,
            self.kind,
            self.base_cost,
            self.loyalty,
            normal,
            np.array(
                [rule.army_cost_by_kind, rule.economy_cost_by_kind, rule.outside_option_by_kind],
                dtype=np.float64,
            ),
            np.array(
                [
                    signals.repression_fear,
                    signals.army_decline,
                    signals.capacity_shortfall,
                    signals.outside_option,
                    signals.resolve_cost,
                    signals.rally,
                    rule.conspiracy_cost,
                    rule.neighbour_weight,
                    rule.press_threshold,
                    rule.resilience * signals.regime_strength,
                    rule.signal_noise,
                ],
                dtype=np.float64,
            ),
        )

    def choose_actions(
        self, signals: EliteSignals, rule: EliteRule, rng: np.random.Generator
    ) -> None:
        """Each elite chooses loyal, pressing or conspiring, seeing last week's neighbours.

        Gain from ending the war G = war cost + kind weight x outside option. Loss if a plot fails
        L = conspiracy cost + loyalty + fear + rally. Dissatisfaction
        D = G + neighbour weight x neighbours pressing - loyalty - fear - rally; an elite presses
        when D > press threshold. The cost-benefit ratio of attacking is c = L / (L + G) for a
        pressing elite and 1 for the others. A pressing elite conspires when his private signal
        of the fundamental, lowered by neighbour weight x neighbours conspiring (what his patrons
        and clients do tells him how many will move), falls below his switching signal (see
        `switching_signal`). The fundamental is resilience x perceived strength: the power share
        a plot needs.
        """
        pressing, signal, cost_ratio = self.leanings(signals, rule, rng.standard_normal(self.n))
        theta_hat = regime_change_threshold(cost_ratio, self.power)
        threshold = switching_signal(theta_hat, cost_ratio, rule.signal_noise)
        conspiring = pressing & (signal < threshold)
        self.action = np.where(
            conspiring,
            EliteAction.CONSPIRING,
            np.where(pressing, EliteAction.PRESSING, EliteAction.LOYAL),
        ).astype(np.int8)

    def chiefs_pressing(self) -> np.ndarray:
        """Mask of military and security elites who press or conspire this week."""
        chiefs = (self.kind == EliteKind.MILITARY) | (self.kind == EliteKind.SECURITY)
        return chiefs & (self.action >= EliteAction.PRESSING)

    def contact_exile(self, chance: float, rng: np.random.Generator) -> np.ndarray:
        """Pressing chiefs not yet in contact with the exile government make contact with `chance`.

        One uniform draw per elite (every seat, so the draws do not depend on who presses).

        Returns:
            The seats that made contact this week.

        """
        new = self.chiefs_pressing() & ~self.in_contact & (rng.random(self.n) < chance)
        self.in_contact |= new
        return np.flatnonzero(new)

    def detect_contacts(self, chance: float, rng: np.random.Generator) -> np.ndarray:
        """Each elite in contact with the exile is detected by the security services with `chance`.

        Returns:
            The detected seats (the caller purges them like detected conspirators).

        """
        detected = self.in_contact & (rng.random(self.n) < chance)
        self.contacts_detected += int(detected.sum())
        return np.flatnonzero(detected)

    def plot_loss(self, signals: EliteSignals, rule: EliteRule) -> np.ndarray:
        """L = conspiracy cost + loyalty + fear + rally: what a failed plot, or a defection, costs.

        The regime treats a defector as it treats a plotter (assets seized, family at risk).
        """
        return rule.conspiracy_cost + self.loyalty + self.total_fear(signals) + signals.rally

    def defect(
        self,
        signals: EliteSignals,
        rule: EliteRule,
        chance: float,
        newcomer_loyalty: float,
        rng: np.random.Generator,
    ) -> np.ndarray:
        """Pressing chiefs in contact whose outside option outweighs their loss defect with `chance`.

        The outside option is the kind weight x the exile agreement's offer (`EliteSignals`); a
        defector's seat is refilled by a successor owing it to the leader (`newcomer_loyalty`),
        without fear: nobody was purged. One uniform draw per elite.

        Returns:
            The seats whose holders defected this week.

        """
        offer = np.asarray(rule.outside_option_by_kind)[self.kind] * signals.outside_option
        willing = self.chiefs_pressing() & self.in_contact & (offer > self.plot_loss(signals, rule))
        seats = np.flatnonzero(willing & (rng.random(self.n) < chance))
        self._refill(seats, 0.0, newcomer_loyalty, rng)
        self.defections += seats.size
        return seats

    def decay_fear(self, rate: float) -> None:
        """Own fear fades by `rate` each week."""
        self.fear *= 1.0 - rate


def coup_success_probability(
    conspiring_power: float, army_decline: float, unrest_pressure: float, rule: CoupRule
) -> float:
    """Logistic chance that a coup succeeds, rising with conspiring power, army decline and unrest.

    log-odds = intercept + power coef x (conspiring power - threshold) + army coef x army decline
    + unrest coef x unrest pressure (unrest scaled to [0, 1]).

    Examples:
        >>> rule = CoupRule(0.3, 0.0, 4.0, 3.0, 3.0, 0.4, 0.85, 0.5, 0.2, 0.05, 0.1)
        >>> coup_success_probability(0.3, 0.0, 0.0, rule)
        0.5

    """
    log_odds = (
        rule.intercept
        + rule.power_coef * (conspiring_power - rule.threshold)
        + rule.army_coef * army_decline
        + rule.unrest_coef * unrest_pressure
    )
    return float(1.0 / (1.0 + np.exp(-log_odds)))
