"""Shared fixtures (small, fast scenarios) and Hypothesis profiles.

Property tests run `ci` (the default: a few dozen examples each, about a minute in all) unless
``pytest --hypothesis-profile=thorough`` asks for 25 times as many.
"""

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci", max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "thorough", max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile("ci")

#: A small scenario for fast tests: 2,000 soldier agents, 30 elites, 40 weeks.
SMALL = {"n_soldier_agents": 2_000, "n_elites": 30, "horizon_weeks": 40, "citizens_per_region": 40}


@pytest.fixture
def small() -> dict:
    """Keyword overrides for a small, fast model."""
    return dict(SMALL)
