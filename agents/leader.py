"""The leader: threat perception, belief that he can outlast the West, responses, ending the war.

Svolik (2012): dictators answer threats from insiders with co-optation and repression, and most
are removed by insiders, not crowds. Here the leader raises the soldiers' sign-up bonus within a
budget, represses, purges conspirators his services detect, and ends the war by negotiation when
his threat perception outweighs his commitment, discounted by his belief that he can outlast
the West, plus what accepting terms would cost him. Several roads lead there: elites' pressure and
plots, an army that shrinks or cannot replace its losses, an economy that fails, unrest, an exile
agreement. His belief learns from what the West is seen to do (docs/MODEL.md, "The leader").
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields

import mesa

from agents.from_scenario import THREAT_PARTS, ScenarioLike, by_part
from agents.regime import unrest_pressure, weighted_index


@dataclass(frozen=True)
class Threats:
    """The inputs of the leader's threat perception.

    Attributes:
        elite_pressure: Power share of elites pressing or conspiring.
        coup_risk: Conspiring power over the coup threshold, capped at 1.
        army_decline: The army's decline.
        unrest: Population-weighted unrest (share active; scaled by its saturation).
        exile_agreement: An exile agreement's weight: its Western support once reached, else 0.
        army_strain: The army's replacement shortfall: the share of recent losses that recruits
            did not replace.
        economic_strain: The economy's strain: 1 - economic capacity after partners and
            sanctions.

    """

    elite_pressure: float
    coup_risk: float
    army_decline: float
    unrest: float
    exile_agreement: float
    army_strain: float
    economic_strain: float


def threat_level(threats: Threats, rule: LeaderRule) -> float:
    """Weighted threat in [0, 1]; unrest enters as its pressure ``min(1, unrest / saturation)``."""
    values = {f.name: getattr(threats, f.name) for f in fields(threats)}
    values["unrest"] = unrest_pressure(threats.unrest, rule.unrest_saturation)
    return weighted_index(rule.threat_weights, values)


@dataclass(frozen=True)
class LeaderRule:
    """Parameters of the leader.

    Attributes:
        base_commitment: Commitment to the war with full economic capacity and no rally.
        capacity_weight: Share of commitment that rests on the regime's economic capacity.
        belief_share: Share of the bar to ending the war that rests on his belief that he can
            outlast the West: bar = commitment x (1 - belief_share + belief_share x belief).
        belief_rate: Learning rate: the weekly share of the gap between belief and
            1 - the evidence of Western resolve that he closes.
        fund_signal_weight: Weight of the fund's kept payments (its credibility) in the
            evidence of Western resolve while the fund's offer stands.
        terms_cost: What accepting a settlement's terms costs him, in threat units, added to
            the bar.
        focal_terms_discount: Share of the terms' cost an exile-Kyiv agreement removes, per
            unit of its Western support (focal terms).
        response_threshold: Threat above which he responds (bonus, repression, purges).
        repression_step: Rise of repression per week of response.
        repression_relax: Fall of repression per week without response.
        threat_weights: Weights of the threat components (`THREAT_PARTS`), summing to 1 so
            that threat is in [0, 1].
        unrest_saturation: Unrest at which its threat saturates.
        bonus_raise_per_week: Weekly rise of the sign-up bonus while he responds.

    """

    base_commitment: float
    capacity_weight: float
    belief_share: float
    belief_rate: float
    fund_signal_weight: float
    terms_cost: float
    focal_terms_discount: float
    response_threshold: float
    repression_step: float
    repression_relax: float
    threat_weights: Mapping[str, float]
    unrest_saturation: float
    bonus_raise_per_week: float

    @classmethod
    def from_scenario(cls, scenario: ScenarioLike) -> LeaderRule:
        """The leader's rule of a Scenario."""
        s = scenario
        return cls(
            base_commitment=s.leader_commitment,
            capacity_weight=s.commitment_capacity_weight,
            belief_share=s.commitment_belief_share,
            belief_rate=s.resolve_belief_effect,
            fund_signal_weight=s.belief_fund_signal_weight,
            terms_cost=s.agreement_terms_cost,
            focal_terms_discount=s.exile_focal_terms_discount,
            response_threshold=s.leader_response_threshold,
            repression_step=s.repression_step,
            repression_relax=s.repression_relax_per_week,
            threat_weights=by_part(s, "threat_weight_{}", THREAT_PARTS),
            unrest_saturation=s.unrest_saturation,
            bonus_raise_per_week=s.bonus_raise_per_week,
        )


class Leader(mesa.Agent):
    """The leader decides to continue or end the war, and how to respond to threats.

    Args:
        model: The owning mesa model.
        rule: His parameters.
        belief_outlast: Initial belief that he can outlast the West.
        bonus_rub: Initial sign-up bonus for soldiers.

    """

    def __init__(
        self, model: mesa.Model, rule: LeaderRule, belief_outlast: float, bonus_rub: float
    ) -> None:
        super().__init__(model)
        self.rule = rule
        self.commitment = rule.base_commitment
        self.belief_outlast = belief_outlast
        self.threat = 0.0
        self.terms_cost = rule.terms_cost
        self.bonus_rub = bonus_rub
        self.repression = 0.0
        self.responding = False
        self.wants_to_end_war = False

    @property
    def bar(self) -> float:
        """The threat he tolerates: commitment x (1 - s + s x belief) + the terms' cost."""
        s = self.rule.belief_share
        return self.commitment * (1.0 - s + s * self.belief_outlast) + self.terms_cost

    def resolve_evidence(self, resolve: float, fund_credibility: float, offer_on: bool) -> float:
        """What he sees of Western resolve this week, in [0, 1].

        Aid delivered and sanctions enforced are the resolve in force (0 in a lapse). While the
        fund's offer stands, its kept payments (its credibility) are a second signal with weight
        φ: evidence = (1 - φ) x resolve + φ x credibility; without an offer, resolve alone.
        """
        if not offer_on:
            return resolve
        phi = self.rule.fund_signal_weight
        return (1.0 - phi) * resolve + phi * fund_credibility

    def update_belief(self, evidence: float) -> None:
        """Belief moves towards 1 - evidence at the learning rate: B += rate x ((1 - e) - B)."""
        self.belief_outlast += self.rule.belief_rate * ((1.0 - evidence) - self.belief_outlast)

    def update_commitment(self, capacity: float, rally: float) -> None:
        """Commitment follows what the regime can afford, and rises with a rally effect.

        commitment = base x (1 - capacity weight x (1 - capacity)) + rally, in [0, 1]: a war the
        regime cannot fund is one he is less committed to; a war framed as existential against
        the West (a visible Western-backed exile government) is one he is more committed to.
        """
        shortfall = 1.0 - capacity
        value = self.rule.base_commitment * (1.0 - self.rule.capacity_weight * shortfall) + rally
        self.commitment = min(1.0, max(0.0, value))

    def perceive(self, threats: Threats) -> None:
        """Update threat perception and whether he now prefers to end the war (threat > bar).

        The terms' cost falls with an exile agreement's weight (its Western support): terms
        already agreed with Kyiv are focal, a settlement he can accept without inventing one.
        """
        rule = self.rule
        discount = min(1.0, rule.focal_terms_discount * threats.exile_agreement)
        self.terms_cost = rule.terms_cost * (1.0 - discount)
        self.threat = threat_level(threats, rule)
        self.wants_to_end_war = self.threat > self.bar

    def respond(self, bonus_ceiling_rub: float) -> bool:
        """Above the response threshold: raise the bonus (up to the ceiling) and repress.

        Below it, repression relaxes. The bonus is never cut (a promise paid to recruits).

        Returns:
            Whether he responded this week (he then also purges detected conspirators).

        """
        rule = self.rule
        self.responding = self.threat > rule.response_threshold
        if self.responding:
            raised = self.bonus_rub * (1.0 + rule.bonus_raise_per_week)
            self.bonus_rub = max(self.bonus_rub, min(bonus_ceiling_rub, raised))
            change = rule.repression_step
        else:
            change = -rule.repression_relax
        self.repression = min(1.0, max(0.0, self.repression + change))
        return self.responding

    def crack_down(self, amount: float) -> None:
        """Raise repression by `amount` at once (after a failed coup), capped at 1."""
        self.repression = min(1.0, self.repression + amount)
