"""Shared fixtures: small, fast scenarios."""

import pytest

#: A small scenario for fast tests: 2,000 soldier agents, 30 elites, 40 weeks.
SMALL = {"n_soldier_agents": 2_000, "n_elites": 30, "horizon_weeks": 40, "citizens_per_region": 40}


@pytest.fixture
def small() -> dict:
    """Keyword overrides for a small, fast model."""
    return dict(SMALL)
