"""The run's random streams: one numpy Generator per subsystem, each week from its own offset.

With one Generator for everything, a lever that changes how many numbers one subsystem draws
(a payment from week 30 changes how many soldiers are unaware, so how many draws the offer's
spread takes) shifts every later draw of every other subsystem: two policies run on the same
seed part ways in every respect, and their difference is mostly noise. Common random numbers
(Law 2015, ch. 11) need each source of chance to draw the same numbers under both policies as
far as the model lets it. So:

- each subsystem (`SUBSYSTEMS`) has its own Generator, spawned from the run's seed (numpy's
  `SeedSequence.spawn`: independent streams), so its draws do not depend on how many numbers the
  others drew;
- each week, every stream starts at its own fixed place, ``week x WEEK_STRIDE`` draws past its
  start (PCG64's `advance`, by numpy's `jumped` step), so a subsystem's draws in a week do not
  depend on how many numbers it drew itself in earlier weeks either (a purge in week 35 under
  one policy does not shift the elites' noise of week 40).

The model is built at week 0. docs/MODEL.md ("Stochasticity") lists which draws each stream
makes.
"""

from __future__ import annotations

import numpy as np

#: The subsystems that draw random numbers, in the order their streams are spawned (changing
#: the order or inserting a name changes every run's numbers).
SUBSYSTEMS = ("citizens", "army", "recruitment", "elites", "regime", "exile")
#: How far apart (in 64-bit draws) the weeks of a stream start: (phi - 1) x 2^128, the step of
#: numpy's `PCG64.jumped`. Not a power of two: PCG64 states 2^64 apart share their low 64 bits,
#: and such streams are known to be correlated (numpy's docs on PCG64 and `jumped`). Week w
#: starts w x stride mod 2^128 draws in; for any two of a run's weeks that distance is
#: astronomically larger than a week's draws (a few per soldier agent and per peer tie, under
#: 2^30 even at the model's limit of 4 million agents), so weeks never overlap.
WEEK_STRIDE = 210306068529402873165736369884012333109


class RandomStreams:
    """One Generator per subsystem, spawned from one SeedSequence (module docstring).

    Args:
        seed: The run's SeedSequence; its children (spawn keys 0 to 5, in `SUBSYSTEMS` order)
            seed the streams.

    Attributes:
        citizens: The Epstein citizens: their hardship, risk aversion and minority membership at
            the build; each week, whom the police arrest and their sentences.
        army: The soldiers' arrays: the unit network (and its growth); each week the soldier
            kernel (rotation, casualties, the offer's spread, the leave decision's shocks,
            crossings, deserters caught).
        recruitment: The initial force's home regions, kinds and places; each week the
            sign-ups, any mobilisation, thinning at the agents' limit, and each recruit's
            minority membership, leave threshold and place.
        elites: The elite circle: its patronage network, kinds, power and seats; each week the
            signal noise of their choices, contacts with the exile government and their
            detection, defections, and the refilling of every purged or vacated seat.
        regime: The coup's success, the successor's stance, and the security services'
            detection of conspirators.
        exile: The government-in-exile's progress noise and setbacks.

    """

    citizens: np.random.Generator
    army: np.random.Generator
    recruitment: np.random.Generator
    elites: np.random.Generator
    regime: np.random.Generator
    exile: np.random.Generator

    def __init__(self, seed: np.random.SeedSequence) -> None:
        generators = [np.random.Generator(np.random.PCG64(s)) for s in seed.spawn(len(SUBSYSTEMS))]
        for name, generator in zip(SUBSYSTEMS, generators, strict=True):
            setattr(self, name, generator)
        self._bit_generators = [g.bit_generator for g in generators]
        self._starts = [bg.state for bg in self._bit_generators]
        self.week = 0

    @classmethod
    def from_generator(cls, rng: np.random.Generator) -> RandomStreams:
        """Streams spawned from a Generator's SeedSequence (Mesa's ``model.rng``).

        Spawning takes no numbers from ``rng`` (Mesa's own shuffles draw from it as before); it
        advances its SeedSequence's count of children, so a Generator passed to two models
        gives them different streams, as it would give them different numbers. A Generator
        without a SeedSequence (one made from a bare state) seeds the streams from its draws.
        """
        seed_seq = rng.bit_generator.seed_seq
        if isinstance(seed_seq, np.random.SeedSequence):
            return cls(seed_seq)
        return cls(np.random.SeedSequence(rng.integers(2**63, size=4).tolist()))

    def start_week(self, week: int) -> None:
        """Put every stream at the start of ``week``'s draws (``week x WEEK_STRIDE`` past its start)."""
        for bit_generator, start in zip(self._bit_generators, self._starts, strict=True):
            bit_generator.state = start
            bit_generator.advance(week * WEEK_STRIDE)
        self.week = week
