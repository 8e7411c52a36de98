"""No assumed number hides in a module constant: every one is a Scenario field (docs/MODEL.md, 4).

The test reads every module of agents/ and model/ with `ast` and fails on a module-level
assignment whose value holds a float literal (alone, in a tuple, list, dict or set, or as an
argument, e.g. ``np.array([0.8, 0.4])``), unless it is in `ALLOWED`: numerical-method constants,
calendar facts, and named sets of Scenario values. A new assumption belongs in model/scenario.py
as a field with its role; a new numerical constant belongs in `ALLOWED` with the reason it is one.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("agents", "model")

#: Module-level float constants that are not assumptions about the world, with the reason.
ALLOWED = {
    "agents/regions.py:MONTHS_PER_YEAR": "calendar fact: incomes are monthly, rewards yearly",
    "agents/soldier_kernel.py:SHOCK_BRACKET_SLACK": "numerical: widening of the shock brackets",
    "model/model.py:RECRUIT_CAPACITY_HEADROOM": "numerical: room in the soldier arrays",
    "model/scenario.py:WEIGHT_SUM_TOLERANCE": "numerical: rounding of decimal weights' sum",
    "model/scenario.py:PRESETS": "named sets of Scenario values, not constants of the model",
}


def float_constants(source: str) -> list[str]:
    """Names assigned at module level to a value that holds a float literal."""
    names = []
    for node in ast.parse(source).body:
        if isinstance(node, ast.Assign):
            targets, value = node.targets, node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            targets, value = [node.target], node.value
        else:
            continue
        if any(isinstance(n, ast.Constant) and isinstance(n.value, float) for n in ast.walk(value)):
            names += [n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)]
    return names


def found() -> set[str]:
    """Every module-level float constant of agents/ and model/, as ``path:NAME``."""
    hits = set()
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            rel = path.relative_to(ROOT).as_posix()
            hits |= {f"{rel}:{name}" for name in float_constants(path.read_text("utf-8"))}
    return hits


def test_no_assumed_number_outside_the_scenario():
    hidden = sorted(found() - ALLOWED.keys())
    assert not hidden, (
        f"module constants holding float literals: {hidden}; an assumption belongs in "
        "model/scenario.py as a field with its role, a numerical constant in ALLOWED here"
    )


def test_every_allowed_constant_still_exists():
    # A stale entry would let a new constant of the same name in without review.
    assert not sorted(ALLOWED.keys() - found())


@pytest.mark.parametrize(
    "source",
    [
        "FOO = 0.3",
        "FOO: float = -0.3",
        "FOO = (0.4, 0.3, 0.3)",
        "FOO = {'a': 0.3}",
        "FOO = np.array([1, 0.6])",
        "FOO = (Thing('a', True, 0.8),)",
        "A = B = 1e-3",
    ],
)
def test_the_scan_finds_float_constants_in_any_form(source):
    assert float_constants(source)


@pytest.mark.parametrize("source", ["N = 4096", "NAMES = ('a', 'b')", "INF = float('inf')"])
def test_the_scan_ignores_what_is_not_a_float_literal(source):
    assert not float_constants(source)
