"""The democratic Russian government-in-exile and its negotiation with Kyiv."""

from __future__ import annotations

from dataclasses import dataclass

import mesa
import numpy as np

from agents.from_scenario import ScenarioLike


@dataclass(frozen=True)
class ExileRule:
    """The West's support for the government-in-exile and how its talks with Kyiv go.

    Attributes:
        support: Western support in [0, 1] (0: never formed).
        formation_week: Week it is formed, if supported.
        progress_per_week: Mean weekly progress towards a settlement at full support.
        noise: Standard deviation of the weekly progress.
        friction: Weekly chance of a setback from nationalist friction.
        setback: Progress lost in a setback.
        uptake: Weekly rate at which an agreement's terms become credible to elites.
        offer: Outside option an agreement offers elites at full support and credibility.

    """

    support: float
    formation_week: int
    progress_per_week: float
    noise: float
    friction: float
    setback: float
    uptake: float
    offer: float

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
        )


class GovernmentInExile(mesa.Agent):
    """Negotiates with Kyiv once formed; progress is noisy with setbacks from nationalist friction.

    Progress rises each week by ``progress_per_week x support`` plus normal noise; with probability
    ``friction`` a setback removes ``setback``. An agreement is reached when progress reaches 1 and
    is final. Visibility (its support while it exists) is what a rally effect feeds on.

    Once agreed, its terms become credible to Russian elites gradually: credibility rises each week
    by ``uptake x (1 - credibility)`` (word spreads, contacts are made). The outside option it
    offers elites is offer x support x credibility: Western backing is what makes amnesty and a
    role believable.

    Args:
        model: The owning mesa model.
        rule: Its support and the course of its talks.

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

    def outside_option(self) -> float:
        """What the agreement offers elites: offer x support x credibility (0 before it)."""
        return self.rule.offer * self.support * self.credibility

    def negotiate(self, week: int, rng: np.random.Generator) -> None:
        """One week of talks with Kyiv, or of an agreement's terms gaining credibility."""
        rule = self.rule
        if self.support <= 0.0 or week < rule.formation_week:
            return
        self.formed = True
        if self.agreement:
            self.credibility += rule.uptake * (1.0 - self.credibility)
            return
        step = rule.progress_per_week * self.support + rule.noise * rng.standard_normal()
        if rng.random() < rule.friction:
            step -= rule.setback
            self.setbacks += 1
        self.progress = float(np.clip(self.progress + step, 0.0, 1.0))
        if self.progress >= 1.0:
            self.agreement = True
            self.agreement_week = week
