"""Speed must not change results: the golden runs, recorded before any optimisation, reproduce
bit for bit (tests/golden/make_golden.py says how and when to regenerate them)."""

import json

import pytest

from agents import soldier_kernel
from tests.golden.make_golden import CASES, GOLDEN_PATH, run_case

GOLDEN = json.loads(GOLDEN_PATH.read_text(encoding="utf-8"))


def test_golden_file_covers_every_case():
    assert set(GOLDEN) == set(CASES)
    assert any(result["grew"] for result in GOLDEN.values())


@pytest.mark.parametrize("name", sorted(CASES))
def test_same_seed_gives_the_recorded_results(name):
    expected = GOLDEN[name]
    got = run_case(CASES[name])
    assert got["grew"] == expected["grew"]
    for table in ("weekly", "regions"):
        assert got[table].keys() == expected[table].keys()
        for column, values in expected[table].items():
            assert got[table][column] == values, f"{name}: {table} column {column} changed"
    assert got["soldiers_sha256"] == expected["soldiers_sha256"]


def test_per_agent_path_gives_the_recorded_results():
    name = "defection_fund-4"
    got = run_case(CASES[name], per_agent=True)
    assert got["weekly"] == GOLDEN[name]["weekly"]
    assert got["soldiers_sha256"] == GOLDEN[name]["soldiers_sha256"]


def test_results_do_not_depend_on_the_shock_brackets(monkeypatch):
    """With 2 bins the brackets leave 42% of the soldiers' choices unsettled (0.02% with the
    4,096 bins): their shocks are computed exactly, and the results are the same."""
    monkeypatch.setattr(soldier_kernel, "SHOCK_BINS", 2)
    name = "combined-3"
    got = run_case(CASES[name])
    assert got["weekly"] == GOLDEN[name]["weekly"]
    assert got["soldiers_sha256"] == GOLDEN[name]["soldiers_sha256"]
