"""The democratic Russian government-in-exile and its negotiation with Kyiv."""

from __future__ import annotations

import mesa
import numpy as np


class GovernmentInExile(mesa.Agent):
    """Negotiates with Kyiv once formed; progress is noisy with setbacks from nationalist friction.

    Progress rises each week by ``progress_per_week x support`` plus normal noise; with probability
    ``friction`` a setback removes ``setback``. An agreement is reached when progress reaches 1 and
    is final. Visibility (its support while it exists) is what a rally effect feeds on; Western
    support is also what makes the agreement's amnesty and roles credible to elites.
    """

    def __init__(self, model: mesa.Model, support: float, formation_week: int) -> None:
        super().__init__(model)
        self.support = support
        self.formation_week = formation_week
        self.formed = False
        self.progress = 0.0
        self.agreement = False
        self.agreement_week = -1
        self.setbacks = 0

    @property
    def visibility(self) -> float:
        """How visible it is to Russians (its Western support while it exists)."""
        return self.support if self.formed else 0.0

    def outside_option(self, offer: float) -> float:
        """What the agreement offers elites: `offer` x support once agreed, else 0."""
        return offer * self.support if self.agreement else 0.0

    def negotiate(
        self,
        week: int,
        progress_per_week: float,
        noise: float,
        friction: float,
        setback: float,
        rng: np.random.Generator,
    ) -> None:
        """One week of talks with Kyiv."""
        if self.support <= 0.0 or week < self.formation_week:
            return
        self.formed = True
        if self.agreement:
            return
        step = progress_per_week * self.support + noise * rng.standard_normal()
        if rng.random() < friction:
            step -= setback
            self.setbacks += 1
        self.progress = float(np.clip(self.progress + step, 0.0, 1.0))
        if self.progress >= 1.0:
            self.agreement = True
            self.agreement_week = week
