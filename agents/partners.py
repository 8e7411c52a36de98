"""Foreign partners of Russia: how much they cooperate as their publics learn of minorities' plight.

The archetypes are an assumption: stylised partners, not estimates. ``muslim_public`` marks partners
whose publics the Western minority campaign reaches fully; ``capacity_weight`` is each partner's
share of the external support (supplies, trade, budget) the regime gets from partners. Their
numbers are Scenario fields (``partner_<key>_base_cooperation``, ``..._capacity_weight``,
``..._sensitivity``).
"""

from __future__ import annotations

from dataclasses import dataclass

import mesa

from agents.from_scenario import ScenarioLike

#: The stylised partners: Scenario key, name, and whether their publics are mainly Muslim.
PARTNERS = (
    ("iran", "Iran", True),
    ("gulf", "Gulf monarchies", True),
    ("turkey", "Turkey", True),
    ("central_asia", "Central Asian states", True),
    ("china", "China", False),
)


@dataclass(frozen=True)
class Archetype:
    """A stylised foreign partner."""

    name: str
    muslim_public: bool
    base_cooperation: float
    capacity_weight: float
    sensitivity: float


@dataclass(frozen=True)
class PartnerRule:
    """The partners and how their cooperation answers the West's campaign and diplomacy.

    Attributes:
        archetypes: The partners, in `PARTNERS` order.
        awareness_rate: Weekly rate at which a public's awareness moves towards what the campaign
            and diplomacy drive.
        sensitivity_scale: Multiplies every partner's sensitivity.
        non_muslim_reach: Reach of the campaign in partners whose publics are not mainly Muslim.
        diplomacy_weight: Weight of diplomacy relative to the campaign in driving awareness.

    """

    archetypes: tuple[Archetype, ...]
    awareness_rate: float
    sensitivity_scale: float
    non_muslim_reach: float
    diplomacy_weight: float

    @classmethod
    def from_scenario(cls, scenario: ScenarioLike) -> PartnerRule:
        """The partners of a Scenario (``partner_*`` fields)."""
        s = scenario
        return cls(
            archetypes=tuple(
                Archetype(
                    name,
                    muslim,
                    getattr(s, f"partner_{key}_base_cooperation"),
                    getattr(s, f"partner_{key}_capacity_weight"),
                    getattr(s, f"partner_{key}_sensitivity"),
                )
                for key, name, muslim in PARTNERS
            ),
            awareness_rate=s.partner_awareness_rate_per_week,
            sensitivity_scale=s.partner_awareness_sensitivity,
            non_muslim_reach=s.partner_non_muslim_reach,
            diplomacy_weight=s.partner_diplomacy_weight,
        )

    def base_support(self) -> float:
        """Partners' capacity-weighted cooperation before any campaign."""
        return sum(a.base_cooperation * a.capacity_weight for a in self.archetypes)


class ForeignPartner(mesa.Agent):
    """One partner archetype; cooperation = base x (1 - sensitivity x scale x awareness), >= 0.

    Awareness of Russian Muslims' treatment in the partner's public moves each week at its rate
    towards reach x (campaign + diplomacy weight x diplomacy), capped at 1; reach is 1 for
    partners with mainly Muslim publics and the rule's non-Muslim reach for the others.
    """

    def __init__(self, model: mesa.Model, archetype: Archetype, rule: PartnerRule) -> None:
        super().__init__(model)
        self.archetype = archetype
        self.rule = rule
        self.awareness = 0.0
        self.cooperation = archetype.base_cooperation

    def update(self, campaign: float, diplomacy: float) -> None:
        """Awareness moves towards what the campaign and diplomacy drive; cooperation follows."""
        a = self.archetype
        rule = self.rule
        reach = 1.0 if a.muslim_public else rule.non_muslim_reach
        driven = min(1.0, reach * (campaign + rule.diplomacy_weight * diplomacy))
        self.awareness += rule.awareness_rate * (driven - self.awareness)
        cut = min(1.0, a.sensitivity * rule.sensitivity_scale * self.awareness)
        self.cooperation = a.base_cooperation * (1.0 - cut)
