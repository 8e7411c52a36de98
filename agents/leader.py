"""The leader: threat perception, belief that he can outlast the West, responses, ending the war."""

from __future__ import annotations

from dataclasses import dataclass

import mesa

#: Weights of the leader's threat perception (assumption; they sum to 1 so threat is in [0, 1]).
THREAT_WEIGHTS = {
    "elite_pressure": 0.3,
    "coup_risk": 0.25,
    "army_decline": 0.2,
    "unrest": 0.15,
    "exile_agreement": 0.1,
}
#: Unrest (share of citizens active) at which its threat term saturates (assumption).
UNREST_SATURATION = 0.2


@dataclass(frozen=True)
class Threats:
    """The inputs of the leader's threat perception, each in [0, 1]."""

    elite_pressure: float
    coup_risk: float
    army_decline: float
    unrest: float
    exile_agreement: float


def threat_level(threats: Threats) -> float:
    """Weighted threat in [0, 1]."""
    unrest = min(1.0, threats.unrest / UNREST_SATURATION)
    values = {**threats.__dict__, "unrest": unrest}
    return sum(THREAT_WEIGHTS[k] * min(1.0, max(0.0, values[k])) for k in THREAT_WEIGHTS)


class Leader(mesa.Agent):
    """The leader decides to continue or end the war, and how to respond to threats.

    He ends the war by negotiation when threat exceeds his commitment scaled by how sure he is
    of outlasting the West: threat > commitment x (0.4 + 0.6 x belief). His belief drifts towards
    1 - resolve, so a resolved West lowers the bar that threats must clear.
    """

    def __init__(
        self, model: mesa.Model, commitment: float, belief_outlast: float, bonus_rub: float
    ) -> None:
        super().__init__(model)
        self.commitment = commitment
        self.belief_outlast = belief_outlast
        self.threat = 0.0
        self.bonus_rub = bonus_rub
        self.repression = 0.0
        self.wants_to_end_war = False

    def update_belief(self, resolve: float, rate: float) -> None:
        """Belief that he can outlast the West drifts at `rate` towards 1 - resolve."""
        self.belief_outlast += rate * ((1.0 - resolve) - self.belief_outlast)

    def perceive(self, threats: Threats) -> None:
        """Update threat perception and whether he now prefers to end the war."""
        self.threat = threat_level(threats)
        bar = self.commitment * (0.4 + 0.6 * self.belief_outlast)
        self.wants_to_end_war = self.threat > bar

    def respond(self, response_threshold: float, bonus_budget_rub: float, repression_step: float):
        """Above the response threshold: raise the bonus 5% a week within budget, and repress."""
        if self.threat <= response_threshold:
            return False
        self.bonus_rub = min(bonus_budget_rub, self.bonus_rub * 1.05)
        self.repression = min(1.0, self.repression + repression_step)
        return True
