"""Elites: military, security and civilian insiders on a patronage network, and coup coordination.

Elite state lives in arrays (`EliteCircle`); each elite is an `Elite` mesa.Agent view. Each week an
elite reads a noisy private signal of the regime's strength and chooses to stay loyal, press the
leader to end the war, or conspire. Conspiring follows the global-game logic of Morris & Shin
(1998): with a private signal x of the regime's strength and a cost c of attacking, an agent
attacks when x falls below 1 - c (the limit of small noise with a uniform prior). Fear from purges
and repression raises c; an exile agreement's outside option and conspiring neighbours lower it.
Little (2017) shows that once a regime survives, no one moves however dissatisfied: here a failed
coup's purge and fear reproduce that.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import networkx as nx
import numpy as np
import scipy.sparse as sp

from agents.views import ArrayAgent, ArrayColumn

if TYPE_CHECKING:
    import mesa

LOYAL, PRESSING, CONSPIRING = 0, 1, 2
ACTION_NAMES = ("loyal", "pressing", "conspiring")
MILITARY, SECURITY, CIVILIAN = 0, 1, 2
KIND_NAMES = ("military", "security", "civilian")
#: Shares of elites by kind (assumption).
KIND_SHARES = (0.4, 0.3, 0.3)
#: How much each kind's cost of the war rises with the army's decline (assumption: the military
#: bears losses most, civilians least; civilians bear sanctions, in their base cost).
ARMY_COST_SENSITIVITY = np.array([0.8, 0.4, 0.2])
BASE_COST_RANGE = {MILITARY: (0.05, 0.25), SECURITY: (0.0, 0.15), CIVILIAN: (0.15, 0.4)}


@dataclass(frozen=True)
class EliteSignals:
    """What elites see this week."""

    regime_strength: float
    army_decline: float
    outside_option: float
    repression_fear: float
    rally: float


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
        A graph whose nodes carry their ``faction`` (block) as the attribute "block".

    """
    sizes = [n // n_factions + (1 if i < n % n_factions else 0) for i in range(n_factions)]
    probs = [
        [p_within if i == j else p_between for j in range(n_factions)] for i in range(n_factions)
    ]
    # The dense generator: networkx's sparse one divides by log(1 - p), zero for tiny p.
    return nx.stochastic_block_model(sizes, probs, seed=seed, sparse=False)


class EliteCircle:
    """All elites as arrays, with the patronage network as a graph and as CSR.

    Args:
        model: The owning mesa model.
        n: Number of elites.
        power_alpha: Pareto shape of power (heavy-tailed).
        n_factions: Factions in the network.
        p_within: Tie probability within a faction.
        p_between: Tie probability between factions.
        rng: numpy Generator.

    """

    def __init__(
        self,
        model: mesa.Model,
        n: int,
        power_alpha: float,
        n_factions: int,
        p_within: float,
        p_between: float,
        rng: np.random.Generator,
    ) -> None:
        self.model = model
        self.n = n
        self.graph = patronage_network(
            n, n_factions, p_within, p_between, seed=int(rng.integers(2**31))
        )
        self.adjacency = sp.csr_array(nx.to_scipy_sparse_array(self.graph, format="csr"))
        self.faction = np.array([self.graph.nodes[i]["block"] for i in range(n)])
        self.kind = rng.choice(3, size=n, p=KIND_SHARES)
        self.power = rng.pareto(power_alpha, size=n) + 1.0
        self.loyalty = np.zeros(n)
        self.fear = np.zeros(n)
        self.base_cost = np.zeros(n)
        self.action = np.full(n, LOYAL, dtype=np.int8)
        self.purged_week = np.full(n, -1)
        self.purges = 0
        for i in range(n):
            self._fill_seat(i, rng, fear=0.0)
        self.agents: list[Elite] = [Elite(model, self, i) for i in range(n)]

    def _fill_seat(self, i: int, rng: np.random.Generator, fear: float) -> None:
        lo, hi = BASE_COST_RANGE[int(self.kind[i])]
        self.base_cost[i] = rng.uniform(lo, hi)
        self.loyalty[i] = rng.uniform(0.1, 0.4)
        self.fear[i] = fear
        self.action[i] = LOYAL

    def purge(self, seats: np.ndarray, week: int, fear: float, rng: np.random.Generator) -> None:
        """Replace the elites in `seats` with new loyalists: the old agents leave the model."""
        for i in seats:
            self.agents[i].remove()
            self._fill_seat(int(i), rng, fear=fear)
            self.loyalty[i] += 0.2  # a newcomer owes his seat to the leader
            self.purged_week[i] = week
            self.agents[i] = Elite(self.model, self, int(i))
        self.purges += len(seats)

    def power_share(self, action: int) -> float:
        """Share of total power held by elites taking `action`."""
        return float(self.power[self.action == action].sum() / self.power.sum())

    def neighbour_share(self, mask: np.ndarray) -> np.ndarray:
        """Per elite: power-weighted share of network neighbours for whom `mask` holds."""
        weighted = self.adjacency @ (self.power * mask)
        total = self.adjacency @ self.power
        return np.divide(weighted, total, out=np.zeros(self.n), where=total > 0)

    def choose_actions(
        self,
        signals: EliteSignals,
        neighbour_weight: float,
        signal_noise: float,
        press_threshold: float,
        conspiracy_cost: float,
        rng: np.random.Generator,
    ) -> None:
        """Each elite chooses loyal, pressing or conspiring from last week's neighbours' actions.

        Dissatisfaction = cost of the war + outside option + neighbours pressing - loyalty - fear.
        An elite presses when dissatisfaction exceeds `press_threshold`, and a pressing elite
        conspires when his private signal of regime strength falls below 1 - c, with
        c = conspiracy_cost + fear - outside option - neighbour weight x neighbours conspiring.
        """
        pressing_nb = self.neighbour_share(self.action >= PRESSING)
        conspiring_nb = self.neighbour_share(self.action == CONSPIRING)
        cost_of_war = self.base_cost + ARMY_COST_SENSITIVITY[self.kind] * signals.army_decline
        fear = np.clip(self.fear + signals.repression_fear, 0.0, 1.0)
        dissatisfaction = (
            cost_of_war
            + signals.outside_option
            + neighbour_weight * pressing_nb
            - self.loyalty
            - signals.rally
            - fear
            + (1.0 - signals.regime_strength) * 0.5
        )
        private_signal = signals.regime_strength + signal_noise * rng.standard_normal(self.n)
        attack_cost = np.clip(
            conspiracy_cost + fear - signals.outside_option - neighbour_weight * conspiring_nb,
            0.0,
            1.0,
        )
        pressing = dissatisfaction > press_threshold
        conspiring = pressing & (private_signal < 1.0 - attack_cost)
        self.action = np.where(conspiring, CONSPIRING, np.where(pressing, PRESSING, LOYAL)).astype(
            np.int8
        )

    def decay_fear(self, rate: float) -> None:
        """Fear fades by `rate` each week."""
        self.fear *= 1.0 - rate


def coup_success_probability(
    conspiring_power: float,
    threshold: float,
    army_decline: float,
    unrest: float,
    intercept: float,
    power_coef: float,
    army_coef: float,
    unrest_coef: float,
) -> float:
    """Logistic chance that a coup succeeds, rising with conspiring power, army decline and unrest."""
    log_odds = (
        intercept
        + power_coef * (conspiring_power - threshold)
        + army_coef * army_decline
        + unrest_coef * unrest
    )
    return float(1.0 / (1.0 + np.exp(-log_odds)))
