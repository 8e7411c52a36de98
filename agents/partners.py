"""Foreign partners of Russia as states: what each supplies, and how its government weighs its public.

Each partner supplies Russia through three channels (`SupplyChannel`): munitions and drones (which
hold down the front's loss rate), components and trade (the regime's economic capacity), and
migrant labour (recruitment). Its weight in each channel is its share of what partners supply
through it (Scenario fields ``partner_<key>_munitions_weight``, ``partner_<key>_capacity_weight``,
``partner_<key>_labour_weight``). Its government cuts cooperation as its public learns how Russia
treats its Muslim and other minorities, less so the more it has at stake in the relationship
(``partner_<key>_interest``). The archetypes are an assumption: stylised partners, not estimates.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import IntEnum

import mesa

from agents.from_scenario import ScenarioLike


class Public(IntEnum):
    """Whom the Western minority campaign can reach in a partner's public."""

    MUSLIM = 0  #: mainly Muslim: reached fully
    OTHER = 1  #: reached as far as `PartnerRule.non_muslim_reach`
    CLOSED = 2  #: no free press: not reached at all (North Korea)


class SupplyChannel(IntEnum):
    """What partners supply, and where in the model it arrives."""

    MUNITIONS = 0  #: shells, missiles and drones: the front's death hazard
    TRADE = 1  #: components and trade: the regime's economic capacity
    LABOUR = 2  #: migrant labour: the recruits Russia can find


#: The partners: Scenario key, name and public.
PARTNERS = (
    ("iran", "Iran", Public.MUSLIM),
    ("gulf", "Gulf monarchies", Public.MUSLIM),
    ("turkey", "Turkey", Public.MUSLIM),
    ("central_asia", "Central Asian states", Public.MUSLIM),
    ("china", "China", Public.OTHER),
    ("north_korea", "North Korea", Public.CLOSED),
)
#: Each channel's weight field, ``partner_<key>_<suffix>``, in `SupplyChannel` order.
CHANNEL_FIELDS = ("munitions_weight", "capacity_weight", "labour_weight")


@dataclass(frozen=True)
class Archetype:
    """A stylised foreign partner.

    Attributes:
        name: Its name.
        public: Whom the campaign can reach in its public.
        base_cooperation: Its cooperation before any campaign, in [0, 1].
        channel_weights: Its share of partners' supply in each channel (`SupplyChannel` order).
        sensitivity: How far its cooperation falls per unit of its public's awareness.
        interest: What it has at stake in the relationship, in [0, 1]; at 1 it ignores its public.

    """

    name: str
    public: Public
    base_cooperation: float
    channel_weights: tuple[float, ...]
    sensitivity: float
    interest: float


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
                    public,
                    getattr(s, f"partner_{key}_base_cooperation"),
                    tuple(getattr(s, f"partner_{key}_{field}") for field in CHANNEL_FIELDS),
                    getattr(s, f"partner_{key}_sensitivity"),
                    getattr(s, f"partner_{key}_interest"),
                )
                for key, name, public in PARTNERS
            ),
            awareness_rate=s.partner_awareness_rate_per_week,
            sensitivity_scale=s.partner_awareness_sensitivity,
            non_muslim_reach=s.partner_non_muslim_reach,
            diplomacy_weight=s.partner_diplomacy_weight,
        )

    def reach(self, public: Public) -> float:
        """How far the campaign and diplomacy reach a public of this kind."""
        return {Public.MUSLIM: 1.0, Public.OTHER: self.non_muslim_reach, Public.CLOSED: 0.0}[public]


class ForeignPartner(mesa.Agent):
    """One partner state: cooperation = base x (1 - min(1, sens x scale x awareness x (1 - interest))).

    Awareness of Russian Muslims' treatment in the partner's public moves each week at its rate
    towards reach x (campaign + diplomacy weight x diplomacy), capped at 1. The government weighs
    its public's anger against its interest in the relationship: a partner with everything at
    stake (interest 1) keeps cooperating whatever its public learns.
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
        driven = min(1.0, rule.reach(a.public) * (campaign + rule.diplomacy_weight * diplomacy))
        self.awareness += rule.awareness_rate * (driven - self.awareness)
        public_anger = a.sensitivity * rule.sensitivity_scale * self.awareness
        self.cooperation = a.base_cooperation * (1.0 - min(1.0, public_anger * (1.0 - a.interest)))


def relative_supply(partners: Iterable[ForeignPartner], channel: SupplyChannel) -> float:
    """Partners' supply through `channel` relative to its level before any campaign.

    Sum of cooperation x channel weight over sum of base cooperation x channel weight; 1 when no
    partner supplies the channel (nothing to lose).

    Examples:
        >>> from types import SimpleNamespace as NS
        >>> p = NS(cooperation=0.3, archetype=NS(base_cooperation=0.6, channel_weights=(1.0, 0.0)))
        >>> relative_supply([p], SupplyChannel.MUNITIONS), relative_supply([p], SupplyChannel.TRADE)
        (0.5, 1.0)

    """
    now = base = 0.0
    for p in partners:
        weight = p.archetype.channel_weights[channel]
        now += p.cooperation * weight
        base += p.archetype.base_cooperation * weight
    return now / base if base > 0.0 else 1.0
