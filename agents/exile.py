"""The democratic Russian government-in-exile and its negotiation with Kyiv."""

from __future__ import annotations

import mesa
import numpy as np


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
        support: Western support in [0, 1] (0: never formed).
        formation_week: Week it is formed, if supported.
        uptake: Weekly rate at which an agreement's terms become credible to elites.

    """

    def __init__(
        self, model: mesa.Model, support: float, formation_week: int, uptake: float
    ) -> None:
        super().__init__(model)
        self.support = support
        self.formation_week = formation_week
        self.uptake = uptake
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

    def outside_option(self, offer: float) -> float:
        """What the agreement offers elites: `offer` x support x credibility (0 before it)."""
        return offer * self.support * self.credibility

    def negotiate(
        self,
        week: int,
        progress_per_week: float,
        noise: float,
        friction: float,
        setback: float,
        rng: np.random.Generator,
    ) -> None:
        """One week of talks with Kyiv, or of an agreement's terms gaining credibility."""
        if self.support <= 0.0 or week < self.formation_week:
            return
        self.formed = True
        if self.agreement:
            self.credibility += self.uptake * (1.0 - self.credibility)
            return
        step = progress_per_week * self.support + noise * rng.standard_normal()
        if rng.random() < friction:
            step -= setback
            self.setbacks += 1
        self.progress = float(np.clip(self.progress + step, 0.0, 1.0))
        if self.progress >= 1.0:
            self.agreement = True
            self.agreement_week = week
