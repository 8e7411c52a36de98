"""Foreign partners of Russia: how much they cooperate as their publics learn of minorities' plight.

The archetypes are an assumption: stylised partners, not estimates. ``muslim_public`` marks partners
whose publics the Western minority campaign reaches; ``capacity_weight`` is each partner's share of
the external support (supplies, trade, budget) the regime gets from partners.
"""

from __future__ import annotations

from dataclasses import dataclass

import mesa


@dataclass(frozen=True)
class Archetype:
    """A stylised foreign partner."""

    name: str
    muslim_public: bool
    base_cooperation: float
    capacity_weight: float
    sensitivity: float


#: Stylised partners (assumption).
ARCHETYPES = (
    Archetype("Iran", True, 0.8, 0.2, 0.4),
    Archetype("Gulf monarchies", True, 0.6, 0.15, 0.5),
    Archetype("Turkey", True, 0.5, 0.15, 0.7),
    Archetype("Central Asian states", True, 0.7, 0.15, 0.6),
    Archetype("China", False, 0.8, 0.35, 0.05),
)
#: Reach of the campaign in partners whose publics are not mainly Muslim (assumption).
NON_MUSLIM_REACH = 0.2
#: Weight of Western diplomacy relative to the public campaign in driving awareness (assumption).
DIPLOMACY_WEIGHT = 0.5


class ForeignPartner(mesa.Agent):
    """One partner archetype; cooperation = base x (1 - sensitivity x scale x awareness), >= 0.

    Awareness of Russian Muslims' treatment in the partner's public moves each week at its rate
    towards reach x (campaign + 0.5 x diplomacy), capped at 1; reach is 1 for partners with mainly
    Muslim publics and 0.2 for the others.
    """

    def __init__(self, model: mesa.Model, archetype: Archetype, awareness_rate: float) -> None:
        super().__init__(model)
        self.archetype = archetype
        self.awareness_rate = awareness_rate
        self.awareness = 0.0
        self.cooperation = archetype.base_cooperation

    def update(self, campaign: float, diplomacy: float, sensitivity_scale: float) -> None:
        """Awareness moves towards what the campaign and diplomacy drive; cooperation follows."""
        a = self.archetype
        reach = 1.0 if a.muslim_public else NON_MUSLIM_REACH
        driven = min(1.0, reach * (campaign + DIPLOMACY_WEIGHT * diplomacy))
        self.awareness += self.awareness_rate * (driven - self.awareness)
        cut = min(1.0, a.sensitivity * sensitivity_scale * self.awareness)
        self.cooperation = a.base_cooperation * (1.0 - cut)
