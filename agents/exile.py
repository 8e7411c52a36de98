"""The democratic Russian government-in-exile: its talks with Kyiv, the Kremlin's counter-moves.

The exile government is an actor in a game, not a clock: its progress with Kyiv follows Western
support, Kyiv's willingness (the Russian army's decline, the exile's stance on Crimea and
reparations) and the Kremlin's counter-moves (a rival "opposition", repression of its contacts,
labelling as foreign agents). Its nationalist stance is the op-ed's tension: it slows the talks
with Kyiv and makes the agreement's terms credible to Russian chiefs.
"""

from __future__ import annotations

from dataclasses import dataclass

import mesa
import numpy as np

from agents.from_scenario import ScenarioLike


@dataclass(frozen=True)
class ExileRule:
    """The West's support for the government-in-exile, its talks with Kyiv and its elite contacts.

    Attributes:
        support: Western support in [0, 1] (0: never formed).
        formation_week: Week it is formed, if supported.
        progress_per_week: Mean weekly progress at full support and willingness, no counter-moves.
        noise: Standard deviation of the weekly progress.
        friction: Weekly chance of a setback from nationalist friction.
        setback: Progress lost in a setback.
        uptake: Weekly rate at which an agreement's terms become credible to elites.
        offer: Outside option an agreement offers elites at full support and credibility.
        stance: Its nationalist stance on Crimea and reparations, in [0, 1].
        stance_kyiv_penalty: Fall in Kyiv's willingness per unit of stance.
        stance_elite_weight: Share of the agreement's credibility among elites that rests on
            nationalist credentials.
        battlefield_weight: Rise in Kyiv's willingness per unit of the Russian army's decline.
        rival_opposition: Share of its following drawn off by a Kremlin-made rival "opposition".
        contact_repression: Slowing of the talks per unit of the leader's repression.
        foreign_agent_label: Share by which labelling slows the spread of its credibility.
        contact_per_week: Weekly chance a pressing military or security elite contacts it.
        contact_detection_per_week: Weekly chance a contact is detected, times 1 + repression.
        defection_per_week: Weekly chance an elite in contact defects when its offer outweighs
            his loss.
        defection_credibility_gain: Credibility gained per share of elite power that defects.

    """

    support: float
    formation_week: int
    progress_per_week: float
    noise: float
    friction: float
    setback: float
    uptake: float
    offer: float
    stance: float
    stance_kyiv_penalty: float
    stance_elite_weight: float
    battlefield_weight: float
    rival_opposition: float
    contact_repression: float
    foreign_agent_label: float
    contact_per_week: float
    contact_detection_per_week: float
    defection_per_week: float
    defection_credibility_gain: float

    @classmethod
    def from_scenario(cls, scenario: ScenarioLike) -> ExileRule:
        """The exile government's rule of a Scenario."""
        s = scenario
        return cls(
            support=s.exile_support,
            formation_week=s.exile_formation_week,
            progress_per_week=s.exile_progress_per_week,
            noise=s.exile_progress_noise,
            friction=s.nationalist_friction,
            setback=s.friction_setback,
            uptake=s.exile_credibility_uptake_per_week,
            offer=s.exile_outside_option,
            stance=s.exile_nationalist_stance,
            stance_kyiv_penalty=s.exile_stance_kyiv_penalty,
            stance_elite_weight=s.exile_stance_elite_weight,
            battlefield_weight=s.exile_kyiv_battlefield_weight,
            rival_opposition=s.exile_rival_opposition,
            contact_repression=s.exile_contact_repression,
            foreign_agent_label=s.exile_foreign_agent_label,
            contact_per_week=s.exile_contact_per_week,
            contact_detection_per_week=s.exile_contact_detection_per_week,
            defection_per_week=s.elite_defection_per_week,
            defection_credibility_gain=s.exile_defection_credibility_gain,
        )

    def kyiv_willingness(self, army_decline: float) -> float:
        """Kyiv's willingness W = (1 - stance penalty x stance) x (1 + battlefield weight x decline).

        Examples:
            >>> rule = ExileRule(1, 0, 0.02, 0, 0, 0, 0.1, 0.5, 0.5, 0.4, 0, 1.0, 0, 0, 0, 0, 0, 0, 0)
            >>> rule.kyiv_willingness(0.0), rule.kyiv_willingness(0.5)
            (0.8, 1.2000000000000002)

        """
        return (1.0 - self.stance_kyiv_penalty * self.stance) * (
            1.0 + self.battlefield_weight * army_decline
        )

    def credibility_ceiling(self) -> float:
        """Highest credibility its terms reach among elites: 1 - w + w x stance."""
        return 1.0 - self.stance_elite_weight + self.stance_elite_weight * self.stance

    def contact_detection(self, repression: float) -> float:
        """Weekly chance a contact is detected: min(1, detection x (1 + repression))."""
        return min(1.0, self.contact_detection_per_week * (1.0 + repression))


class GovernmentInExile(mesa.Agent):
    """Negotiates with Kyiv once formed; the Kremlin's counter-moves slow it.

    Progress rises each week by the drift

        progress_per_week x support x (1 - rival) x W x (1 - contact repression x repression)

    (W Kyiv's willingness, `ExileRule.kyiv_willingness`) plus normal noise; with probability
    ``friction`` a setback removes ``setback``. An agreement is reached when progress reaches 1 and
    is final. Visibility (its support while it exists) is what a rally effect feeds on.

    Once agreed, its terms become credible to Russian elites gradually: credibility rises each week
    by ``uptake x (1 - label) x (ceiling - credibility)``, the ceiling set by its nationalist
    credentials; each defection to it adds ``defection_credibility_gain`` x the defector's power
    share. The outside option it offers elites is offer x support x (1 - rival) x credibility.

    Args:
        model: The owning mesa model.
        rule: Its support, its talks and its contacts.

    """

    def __init__(self, model: mesa.Model, rule: ExileRule) -> None:
        super().__init__(model)
        self.rule = rule
        self.support = rule.support
        self.formed = False
        self.progress = 0.0
        self.agreement = False
        self.agreement_week = -1
        self.credibility = 0.0
        self.setbacks = 0

    @property
    def visibility(self) -> float:
        """How visible it is to Russians (its Western support while it exists)."""
        return self.support if self.formed else 0.0

    def following(self) -> float:
        """Its Western support less what the Kremlin's rival "opposition" draws off."""
        return self.support * (1.0 - self.rule.rival_opposition)

    def outside_option(self) -> float:
        """What the agreement offers elites: offer x following x credibility (0 before it)."""
        return self.rule.offer * self.following() * self.credibility

    def negotiate(
        self, week: int, rng: np.random.Generator, army_decline: float, repression: float
    ) -> None:
        """One week of talks with Kyiv, or of an agreement's terms gaining credibility.

        Args:
            week: This week.
            rng: The model's Generator.
            army_decline: The Russian army's decline, which Kyiv reads as the battlefield.
            repression: The leader's repression, which hunts the exile's contacts in Russia.

        """
        rule = self.rule
        if self.support <= 0.0 or week < rule.formation_week:
            return
        self.formed = True
        if self.agreement:
            gap = rule.credibility_ceiling() - self.credibility
            self.credibility += rule.uptake * (1.0 - rule.foreign_agent_label) * max(gap, 0.0)
            return
        drift = (
            rule.progress_per_week
            * self.following()
            * rule.kyiv_willingness(army_decline)
            * (1.0 - rule.contact_repression * repression)
        )
        step = drift + rule.noise * rng.standard_normal()
        if rng.random() < rule.friction:
            step -= rule.setback
            self.setbacks += 1
        self.progress = float(np.clip(self.progress + step, 0.0, 1.0))
        if self.progress >= 1.0:
            self.agreement = True
            self.agreement_week = week

    def welcome_defectors(self, power_share: float) -> None:
        """Defectors' power share lends its terms credibility (capped at 1)."""
        gain = self.rule.defection_credibility_gain * power_share
        self.credibility = min(1.0, self.credibility + gain)
