"""The random streams changed (issue #15); the distributions of the main outcomes must not have.

tests/golden/stream_reference.json holds the outcomes of the `combined` preset under the one
shared Generator (made before the change, with its commit); these tests run other seeds on the
code as it is and compare outcome by outcome (tests/golden/stream_comparison.py: Fisher's exact
test for shares, Kolmogorov-Smirnov and Mann-Whitney for the rest, Holm over all, alpha 0.05).
The seeds are fixed, so each test gives the same answer every time it runs.

The 200-seed comparison at the default size takes minutes: ``.venv/bin/python -m pytest -m long
tests/model/test_stream_distributions.py``. The 40-seed one at 5,000 soldier agents runs in the
default suite; it can only see large differences (a rule broken, streams reused).
"""

from __future__ import annotations

import pytest

from tests.golden.stream_comparison import (
    ALPHA,
    SHARES,
    compare,
    compare_sample,
    format_table,
    holm,
    reference_runs,
)


def test_holm_adjusts_as_the_textbook_does():
    # Holm (1979): sorted p times (m - rank), made non-decreasing, capped at 1.
    assert holm([0.01, 0.04, 0.03, 0.005]) == pytest.approx([0.03, 0.06, 0.06, 0.02])
    assert holm([0.5, 0.9]) == [1.0, 1.0]


def test_the_comparison_sees_a_changed_distribution():
    """Against itself with every run's war ended and its force halved, the tests must object:
    a comparison that cannot fail proves nothing."""
    runs = reference_runs("long")
    changed = [{**r, "war_ended": True, "force_active": r["force_active"] / 2} for r in runs]
    by_outcome = {(c.outcome, c.test): c for c in compare(runs, changed)}
    assert by_outcome[("war ended", "Fisher")].p_holm < ALPHA
    assert by_outcome[("force_active", "KS")].p_holm < ALPHA
    assert min(c.p_holm for c in compare(runs, runs)) == 1.0


def _assert_same_distributions(sample: str) -> None:
    comparisons = compare_sample(sample)
    print(f"\n{sample} sample:\n{format_table(comparisons)}")  # shown with pytest -s
    assert len(comparisons) >= len(SHARES) + 2 * 10
    differing = [c for c in comparisons if c.p_holm < ALPHA]
    assert not differing, format_table(comparisons)


def test_outcomes_of_40_seeds_keep_their_distribution():
    _assert_same_distributions("short")


@pytest.mark.long
def test_outcomes_of_200_seeds_keep_their_distribution():
    _assert_same_distributions("long")
